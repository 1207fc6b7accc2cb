// Loopback UDP ingest benchmark (prints figures, never fails the suite).
//
// For each offered rate a sender thread paces realistic datagrams (a match-day capture, cycled) to
//   - the host's ingest path: UdpListener -> decode + match state -> store Writer (SQLite commit), and
//   - the baseline: the same UdpListener socket set-up with a handler that only counts.
// It reports what arrived and what was stored (none may be lost), arrival -> decoded and
// arrival -> committed latencies (p50/p99; arrival = the kernel's receive timestamp; for the baseline
// the decode columns are arrival -> its handler, the floor the host's figure sits on), the highest
// rate each sustained without loss, and their ratio. The host path runs again with the overlay server on and 10
// pages following its feed ("host+ovl"), and with the courts' bus publishing every event to a real Mosquitto
// ("host+bus", delivery "broker": nothing confirms from a tournament side here), for the ratios with and without
// them. Finally the idle RSS of a real `vta run`.
//
// Usage: bench_ingest [--seconds S] [--rates 50000,100000,...] [--pin-sender]
//   --pin-sender: the sender on the last CPU, the receiving loop on CPU 0, as when tkStrike runs on another
//   machine (on 2 cores the in-process sender otherwise competes with the loop for a core).
//
// With the sender on another machine, as at a court (same --seconds and --rates on both sides):
//   bench_ingest --listen PORT            on the host's machine: receives, measures and prints as above;
//   bench_ingest --send-to HOST:PORT      on the sender's machine, started after the listener: for each
//                                         rate it sends twice, first to the baseline, then to the host path.
// Arrival and decoded times are both read on the listening machine, so the clocks need no syncing.
#include <pthread.h>
#include <sched.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "child_process.hpp"
#include "vta/courts/court_bus.hpp"
#include "vta/host/capture.hpp"
#include "vta/host/ingest.hpp"
#include "vta/host/overlays.hpp"
#include "vta/store/writer.hpp"
#include "vta/host/udp_sender.hpp"
#include "vta_test_peers.hpp"

namespace {

using Clock = std::chrono::steady_clock;

bool pin_sender = false;
// --listen: datagrams come from another machine to this port on every address.
std::optional<std::uint16_t> listen_port;
// A remote sender has no way to know when the listener is ready for its next phase: it waits this long.
constexpr auto pause_between_phases = std::chrono::seconds(3);

void pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void unpin() {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

std::int64_t wall_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

double percentile(std::vector<std::int64_t> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return double(values[std::min(values.size() - 1, std::size_t(p * double(values.size())))]);
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return to;
}

// Sends rate x seconds datagrams to `to`, in 200 us slices with sendmmsg.
std::uint64_t send_at_rate(sockaddr_in to, const std::vector<std::string>& datagrams, double rate, double seconds) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    const auto total = std::uint64_t(rate * seconds);
    std::vector<mmsghdr> headers(256);
    std::vector<iovec> vectors(256);
    std::uint64_t sent = 0;
    const auto start = Clock::now();
    while (sent < total) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        const auto due = std::min(total, std::uint64_t(elapsed * rate) + 1);
        while (sent < due) {
            const std::size_t n = std::min<std::uint64_t>(headers.size(), due - sent);
            for (std::size_t i = 0; i < n; ++i) {
                const std::string& d = datagrams[(sent + i) % datagrams.size()];
                vectors[i] = {const_cast<char*>(d.data()), d.size()};
                headers[i] = {};
                headers[i].msg_hdr.msg_name = &to;
                headers[i].msg_hdr.msg_namelen = sizeof to;
                headers[i].msg_hdr.msg_iov = &vectors[i];
                headers[i].msg_hdr.msg_iovlen = 1;
            }
            const int done = sendmmsg(fd, headers.data(), unsigned(n), 0);
            if (done > 0) sent += std::uint64_t(done);
        }
        // Sleep to the next 200 us slice: a real sender is another machine and must not eat the host's
        // cores, and its datagrams come spread out, not in large bursts.
        std::this_thread::sleep_until(start + std::chrono::microseconds(std::int64_t(double(sent) / rate * 1e6) + 200));
    }
    close(fd);
    return sent;
}

struct RunResult {
    double offered = 0;
    std::uint64_t sent = 0, received = 0, stored = 0;
    double seconds = 0;
    double decoded_p50 = 0, decoded_p99 = 0, committed_p50 = 0, committed_p99 = 0;
    bool lossless() const { return received == sent && stored == sent; }
};

// Receives until `expected` datagrams arrived or no datagram came for 500 ms. A remote sender gets
// 5 minutes to send its first datagram.
void receive_until_quiet(boost::asio::io_context& io, const std::atomic<std::uint64_t>& received,
                         const std::atomic<bool>& sending_done, std::uint64_t expected) {
    auto last_count = received.load();
    auto last_change = Clock::now();
    const auto first_datagram_wait = listen_port ? std::chrono::milliseconds(300'000) : std::chrono::milliseconds(500);
    while (true) {
        io.run_for(std::chrono::milliseconds(20));
        const auto now = Clock::now();
        if (received.load() != last_count) {
            last_count = received.load();
            last_change = now;
        }
        const auto quiet_limit = last_count == 0 ? first_datagram_wait : std::chrono::milliseconds(500);
        if (sending_done.load() && (received.load() >= expected || now - last_change > quiet_limit)) return;
    }
}

std::unique_ptr<vta::pss::UdpListener> open_listener(boost::asio::io_context& io,
                                                     vta::pss::UdpListener::Handler handler) {
    vta::pss::UdpListenerOptions udp;
    udp.bind_address = listen_port ? "0.0.0.0" : "127.0.0.1";
    udp.port = listen_port.value_or(0);
    auto listener = vta::pss::UdpListener::open(io, udp, std::move(handler));
    if (!listener) {
        std::fprintf(stderr, "%s\n", listener.error().message.c_str());
        std::exit(1);
    }
    listener.value()->start();
    return std::move(listener.value());
}

// Offers `rate` datagrams/s for `seconds` to the listener and runs the loop until they are in. With
// --listen the datagrams come from the remote sender, which sends exactly as many.
RunResult offer(boost::asio::io_context& io, const vta::pss::UdpListener& listener,
                const std::atomic<std::uint64_t>& received, const std::vector<std::string>& datagrams, double rate,
                double seconds) {
    RunResult r;
    r.offered = rate;
    if (listen_port) {
        const std::atomic<bool> remote_sends{true};
        const auto start = Clock::now();
        receive_until_quiet(io, received, remote_sends, std::uint64_t(rate * seconds));
        r.sent = std::uint64_t(rate * seconds);
        r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        r.received = received.load();
        return r;
    }
    std::atomic<bool> done{false};
    const auto start = Clock::now();
    if (pin_sender) pin_to_cpu(0);
    std::thread sender([&] {
        if (pin_sender) pin_to_cpu(int(std::thread::hardware_concurrency()) - 1);
        r.sent = send_at_rate(loopback(listener.local_endpoint().port()), datagrams, rate, seconds);
        done = true;
    });
    receive_until_quiet(io, received, done, std::uint64_t(rate * seconds));
    sender.join();
    if (pin_sender) unpin();
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.received = received.load();
    return r;
}

// `count` pages following the overlay feed at `port`, connecting and then reading every frame on their own thread
// until destroyed. The server's loop must run meanwhile: wait for ready() while running it.
class FeedPages {
public:
    FeedPages(std::uint16_t port, int count) {
        thread_ = std::thread([this, port, count] {
            for (int i = 0; i < count; ++i) {
                auto& page = pages_.emplace_back(std::make_unique<Page>(io_));
                page->ws.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), port});
                page->ws.handshake("127.0.0.1", "/feed");
                read(*page);
            }
            ready_ = true;
            io_.run();
        });
    }
    ~FeedPages() {
        io_.stop();
        thread_.join();
    }
    bool ready() const { return ready_; }

private:
    struct Page {
        explicit Page(boost::asio::io_context& io) : ws(io) {}
        boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws;
        boost::beast::flat_buffer buffer;
    };
    void read(Page& page) {
        page.ws.async_read(page.buffer, [this, &page](boost::beast::error_code ec, std::size_t) {
            page.buffer.consume(page.buffer.size());
            if (!ec) read(page);
        });
    }
    boost::asio::io_context io_;
    std::vector<std::unique_ptr<Page>> pages_;
    std::atomic<bool> ready_{false};
    std::thread thread_;
};

// What runs beside the ingest path.
enum class Beside { nothing, overlays, courts_bus };

// The courts' broker, started by main for the host+bus runs.
std::unique_ptr<vta::test_peers::MosquittoPeer> broker;

RunResult run_host_path(const std::vector<std::string>& datagrams, double rate, double seconds, Beside beside) {
    vta::test::TempFolder folder;
    // Written by the loop, read by the writer thread: atomics, not a shared mutex, so the measurement never
    // makes the loop wait on the (lower-priority) writer thread.
    std::vector<std::atomic<std::int64_t>> arrival_by_id(std::size_t(rate * seconds) + 16);
    std::vector<std::int64_t> decoded_latency, committed_latency;
    decoded_latency.reserve(arrival_by_id.size());
    committed_latency.reserve(arrival_by_id.size());
    std::int64_t committed_through = 0;  // writer thread only
    std::atomic<vta::courts::CourtBus*> bus_to_tell{nullptr};

    vta::store::WriterOptions options;
    options.outbox_max_rows = vta::courts::CourtsConfig{}.outbox_max_rows;
    options.on_commit = [&](const vta::store::CommitInfo& info) {
        if (auto* bus = bus_to_tell.load()) bus->on_committed();
        const std::int64_t now = wall_us();
        for (std::int64_t id = committed_through + 1; id <= info.last_datagram_id; ++id) {
            if (std::size_t(id) >= arrival_by_id.size()) break;
            if (const std::int64_t arrival = arrival_by_id[id].load(std::memory_order_acquire); arrival != 0)
                committed_latency.push_back(now - arrival);
        }
        committed_through = std::max(committed_through, info.last_datagram_id);
    };
    auto writer = vta::store::Writer::open(folder.path() / "bench.sqlite3", options);
    if (!writer) {
        std::fprintf(stderr, "cannot open the store: %s\n", writer.error().message.c_str());
        std::exit(1);
    }
    boost::asio::io_context io;
    std::shared_ptr<vta::courts::CourtBus> bus;
    if (beside == Beside::courts_bus) {
        vta::courts::CourtsConfig config;
        config.enabled = true;
        config.broker_host = "127.0.0.1";
        config.broker_port = broker->port();
        config.tournament = "bench";
        config.confirmed_by_tournament = false;
        bus = vta::courts::CourtBus::open(io, config, folder.path() / "bench.sqlite3", *writer.value()).value();
        bus_to_tell = bus.get();
        bus->start();
        while (!bus->connected()) io.run_for(std::chrono::milliseconds(10));
    }
    vta::host::Ingest ingest(bus ? bus->sink() : *writer.value(), std::nullopt);

    std::atomic<std::uint64_t> received{0};
    auto listener = open_listener(io, [&](const vta::pss::ReceivedDatagram& d) {
        ingest.on_datagram(d);
        decoded_latency.push_back(wall_us() - d.arrival_us);
        const std::int64_t id = ingest.counters().last_datagram_id;
        if (std::size_t(id) < arrival_by_id.size()) arrival_by_id[id].store(d.arrival_us, std::memory_order_release);
        received.fetch_add(1, std::memory_order_relaxed);
    });
    listener->on_drained([&] { ingest.flush_match(); });
    std::shared_ptr<vta::host::Overlays> overlays;
    std::unique_ptr<FeedPages> pages;
    if (beside == Beside::overlays) {
        vta::host::OverlaysConfig config;
        config.port = 0;
        overlays = vta::host::Overlays::open(io, config, VTA_SHIPPED_OVERLAYS, ingest).value();
        overlays->start();
        ingest.set_observer([&overlays](const vta::host::IngestedGroup& g) { overlays->on_group(g); });
        pages = std::make_unique<FeedPages>(overlays->local_endpoint().port(), 10);
        while (!pages->ready()) io.run_for(std::chrono::milliseconds(10));
    }
    RunResult r = offer(io, *listener, received, datagrams, rate, seconds);
    pages.reset();
    if (overlays) overlays->stop();
    (void)writer.value()->close();
    if (bus) {
        bus_to_tell = nullptr;
        bus->stop();
    }
    r.stored = std::uint64_t(writer.value()->status().last_datagram_id);
    r.decoded_p50 = percentile(decoded_latency, 0.50);
    r.decoded_p99 = percentile(decoded_latency, 0.99);
    r.committed_p50 = percentile(committed_latency, 0.50);
    r.committed_p99 = percentile(committed_latency, 0.99);
    return r;
}

RunResult run_baseline(const std::vector<std::string>& datagrams, double rate, double seconds) {
    boost::asio::io_context io;
    std::atomic<std::uint64_t> received{0};
    std::vector<std::int64_t> latency;
    latency.reserve(std::size_t(rate * seconds) + 16);
    auto listener = open_listener(io, [&](const vta::pss::ReceivedDatagram& d) {
        latency.push_back(wall_us() - d.arrival_us);
        received.fetch_add(1, std::memory_order_relaxed);
    });
    RunResult r = offer(io, *listener, received, datagrams, rate, seconds);
    r.stored = r.received;
    r.decoded_p50 = percentile(latency, 0.50);
    r.decoded_p99 = percentile(latency, 0.99);
    return r;
}

long idle_rss_kib(const std::string& vta) {
    vta::test::TempFolder folder;
    auto env = folder.xdg_env();
    vta::test::ChildProcess host(vta,
                                 {"run", "--bind", "127.0.0.1", "--port", std::to_string(vta::test::free_udp_port())},
                                 env, folder.path() / "host.log");
    vta::test::wait_until([&] { return host.output().find("listening for PSS") != std::string::npos; },
                          std::chrono::seconds(20));
    // Let start-up allocations settle before reading: wait for the first idle status tick.
    const auto settle_until = Clock::now() + std::chrono::seconds(2);
    vta::test::wait_until([&] { return Clock::now() > settle_until; }, std::chrono::seconds(3));
    std::ifstream status("/proc/" + std::to_string(host.pid()) + "/status");
    long rss = -1;
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) rss = std::stol(line.substr(6));
    return rss;
}

// --send-to: the sender's side of a two-machine run.
int send_to_remote(const std::string& host_port, const std::vector<std::string>& datagrams,
                   const std::vector<double>& rates, double seconds) {
    const auto target = vta::host::parse_target(host_port);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    if (!target || inet_pton(AF_INET, target->host.c_str(), &to.sin_addr) != 1) {
        std::fprintf(stderr, "--send-to: expected IPv4-ADDRESS:PORT, got '%s'\n", host_port.c_str());
        return 2;
    }
    to.sin_port = htons(target->port);
    for (double rate : rates)
        for (const char* phase : {"baseline", "host"}) {
            const std::uint64_t sent = send_at_rate(to, datagrams, rate, seconds);
            std::printf("%-9s %10.0f/s: sent %llu to %s\n", phase, rate, (unsigned long long)sent, host_port.c_str());
            std::fflush(stdout);
            std::this_thread::sleep_until(Clock::now() + pause_between_phases);
        }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 3;
    std::string send_to;
    std::vector<double> rates{1'000, 50'000, 100'000, 150'000, 200'000};
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        const bool has_value = i + 1 < argc;
        if (name == "--pin-sender") pin_sender = true;
        if (name == "--listen" && has_value) listen_port = std::uint16_t(std::stoi(argv[++i]));
        if (name == "--send-to" && has_value) send_to = argv[++i];
        if (name == "--seconds" && has_value) seconds = std::stod(argv[++i]);
        if (name == "--rates" && has_value) {
            rates.clear();
            std::stringstream list(argv[++i]);
            for (std::string item; std::getline(list, item, ',');) rates.push_back(std::stod(item));
        }
    }
    auto capture = vta::host::read_capture(VTA_CAPTURES "/day-12-matches.jsonl");
    std::vector<std::string> datagrams;
    for (auto& d : *capture.datagrams) datagrams.push_back(d.bytes);
    if (!send_to.empty()) return send_to_remote(send_to, datagrams, rates, seconds);

    if (listen_port)
        std::printf(
            "UDP ingest from a remote sender on port %u, %.0f s per rate, %zu distinct datagrams cycled\n"
            "start `bench_ingest --send-to THIS-ADDRESS:%u` with the same --seconds and --rates on the sender\n\n",
            unsigned(*listen_port), seconds, datagrams.size(), unsigned(*listen_port));
    else
        std::printf("loopback UDP ingest, %.0f s per rate, %zu distinct datagrams cycled%s\n\n", seconds,
                    datagrams.size(), pin_sender ? ", sender pinned to the last CPU and the loop to CPU 0" : "");
    std::fflush(stdout);
    std::printf("%-9s %10s %10s %10s %10s | %9s %9s | %10s %10s | %10s %10s\n", "path", "offered/s", "sent", "received",
                "stored", "decode50", "decode99", "commit50", "commit99", "lost", "");
    broker = std::make_unique<vta::test_peers::MosquittoPeer>();
    double best_host = 0, best_base = 0, best_overlays = 0, best_bus = 0;
    for (double rate : rates) {
        const RunResult base = run_baseline(datagrams, rate, seconds);
        std::printf("%-9s %10.0f %10llu %10llu %10s | %7.0fus %7.0fus | %10s %10s | %10llu\n", "baseline", rate,
                    (unsigned long long)base.sent, (unsigned long long)base.received, "-", base.decoded_p50,
                    base.decoded_p99, "-", "-", (unsigned long long)(base.sent - base.received));
        if (base.lossless()) best_base = std::max(best_base, rate);
        for (const Beside beside : {Beside::nothing, Beside::overlays, Beside::courts_bus}) {
            const RunResult host = run_host_path(datagrams, rate, seconds, beside);
            const char* path = beside == Beside::nothing ? "host" : beside == Beside::overlays ? "host+ovl" : "host+bus";
            std::printf("%-9s %10.0f %10llu %10llu %10llu | %7.0fus %7.0fus | %8.1fms %8.1fms | %10llu\n", path,
                        rate, (unsigned long long)host.sent,
                        (unsigned long long)host.received, (unsigned long long)host.stored, host.decoded_p50,
                        host.decoded_p99, host.committed_p50 / 1000, host.committed_p99 / 1000,
                        (unsigned long long)(host.sent - host.stored));
            double& best = beside == Beside::nothing ? best_host : beside == Beside::overlays ? best_overlays : best_bus;
            if (host.lossless()) best = std::max(best, rate);
        }
    }
    std::printf("\nhighest rate with nothing lost: host %.0f datagrams/s stored, baseline %.0f received; ratio %.2f\n",
                best_host, best_base, best_base > 0 ? best_host / best_base : 0.0);
    std::printf(
        "with the overlay server on and 10 pages: %.0f datagrams/s stored with nothing lost; ratio to without "
        "it %.2f\n",
        best_overlays, best_host > 0 ? best_overlays / best_host : 0.0);
    std::printf(
        "with the courts' bus publishing every event: %.0f datagrams/s stored with nothing lost; ratio to without "
        "it %.2f (target >= 0.95)\n",
        best_bus, best_host > 0 ? best_bus / best_host : 0.0);
    std::printf("targets: >= 50000/s stored with none lost; p99 arrival->decoded < 100 us\n");
    const long rss = idle_rss_kib(VTA_BINARY);
    std::printf("idle `vta run` RSS: %.1f MiB (target < 20 MiB)\n", double(rss) / 1024.0);
    return 0;
}
