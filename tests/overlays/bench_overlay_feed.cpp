// Overlay feed latency benchmark (prints figures, never fails the suite): a real `vta run` with its overlay server,
// N pages (WebSocket clients of /feed, default 10) and a sender offering R datagrams/s (default 1,000) for S
// seconds. Each datagram changes the score ("sc1;a;sc2;b;" numbers it); a page knows datagram i arrived when its
// state shows number i. Reported: datagram sent -> the feed frame carrying its change read by the page, p50/p99
// over every page and datagram (the loopback adds a few microseconds to "left the host"), frames per page, and how
// many changes each frame carried (the host coalesces to one frame per 4 ms).
//
// Usage: bench_overlay_feed [--pages N] [--rate R] [--seconds S]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "vta_test_peers.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, std::size_t(p * double(values.size())))];
}

// The datagram numbered i: scores a = i % 100, b = i / 100 (tkStrike's scores are 0..99).
std::string datagram(int i) { return "sc1;" + std::to_string(i % 100) + ";sc2;" + std::to_string(i / 100) + ";"; }
int number_of(const nlohmann::json& state) {
    const auto& scores = state["match"]["scores"];
    return scores[0].get<int>() + 100 * scores[1].get<int>();
}

struct Page {
    explicit Page(net::io_context& io) : ws(io) {}
    beast::websocket::stream<net::ip::tcp::socket> ws;
    beast::flat_buffer buffer;
    nlohmann::json state;
    int seen = -1;
    std::uint64_t frames = 0;
    std::vector<double> latency_ms;
};

}  // namespace

int main(int argc, char** argv) {
    int pages = 10, rate = 1000;
    double seconds = 5;
    for (int i = 1; i + 1 < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--pages") pages = std::stoi(argv[++i]);
        if (name == "--rate") rate = std::stoi(argv[++i]);
        if (name == "--seconds") seconds = std::stod(argv[++i]);
    }
    const int total = std::min(9999, int(rate * seconds));

    vta::test::TempFolder folder;
    const std::uint16_t udp_port = vta::test::free_udp_port(), http_port = vta::test_peers::free_tcp_port();
    std::ofstream(folder.path() / "config.json")
        << nlohmann::json({{"udp", {{"bind", "127.0.0.1"}, {"port", udp_port}}},
                           {"overlays", {{"port", http_port}}},
                           {"log", {{"level", "warn"}}}})
               .dump();
    vta::test::ChildProcess host(VTA_BINARY, {"run", "--config", (folder.path() / "config.json").string()},
                                 folder.xdg_env(), folder.path() / "host.log");
    net::io_context io;
    net::ip::udp::socket sender(io, net::ip::udp::v4());
    const net::ip::udp::endpoint to(net::ip::make_address("127.0.0.1"), udp_port);
    sender.send_to(net::buffer(std::string("pre;FightLoaded;")), to);

    std::vector<std::unique_ptr<Page>> open;
    for (int p = 0; p < pages; ++p) {
        auto page = std::make_unique<Page>(io);
        if (!vta::test::wait_until(
                [&] {
                    beast::error_code ec, ignored;
                    page->ws.next_layer().connect({net::ip::make_address("127.0.0.1"), http_port}, ec);
                    if (ec) page->ws.next_layer().close(ignored);
                    return !ec;
                },
                std::chrono::seconds(20))) {
            std::fprintf(stderr, "the host's overlay server did not answer:\n%s\n", host.output().c_str());
            return 1;
        }
        page->ws.handshake("127.0.0.1", "/feed");
        page->ws.read(page->buffer);
        page->state = nlohmann::json::parse(beast::buffers_to_string(page->buffer.data()))["state"];
        page->buffer.consume(page->buffer.size());
        open.push_back(std::move(page));
    }

    std::vector<Clock::time_point> sent_at(std::size_t(total) + 1);
    for (auto& page : open) {
        Page* p = page.get();
        auto read = std::make_shared<std::function<void()>>();
        *read = [p, read, &sent_at] {
            p->ws.async_read(p->buffer, [p, read, &sent_at](beast::error_code ec, std::size_t) {
                if (ec) return;
                const auto now = Clock::now();
                const auto frame = nlohmann::json::parse(beast::buffers_to_string(p->buffer.data()));
                p->buffer.consume(p->buffer.size());
                if (frame["type"] == "patch")
                    p->state = p->state.patch(frame["patch"]);
                else
                    p->state = frame["state"];
                ++p->frames;
                const int shown = number_of(p->state);
                for (int i = p->seen + 1; i <= shown && i < int(sent_at.size()); ++i)
                    if (i > 0)
                        p->latency_ms.push_back(std::chrono::duration<double, std::milli>(now - sent_at[i]).count());
                p->seen = std::max(p->seen, shown);
                (*read)();
            });
        };
        (*read)();
    }
    std::thread pages_thread([&io] { io.run(); });

    // Datagram 0 (scores 0:0) is the state the pages start from; 1..total are measured.
    const auto start = Clock::now();
    for (int i = 1; i <= total; ++i) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(std::int64_t(1e6 * i / rate)));
        sent_at[i] = Clock::now();
        sender.send_to(net::buffer(datagram(i)), to);
    }
    vta::test::wait_until(
        [&] { return std::all_of(open.begin(), open.end(), [&](const auto& p) { return p->seen >= total; }); },
        std::chrono::seconds(10));
    io.stop();
    pages_thread.join();

    std::vector<double> all;
    std::uint64_t frames = 0;
    int complete = 0;
    for (const auto& p : open) {
        all.insert(all.end(), p->latency_ms.begin(), p->latency_ms.end());
        frames += p->frames;
        complete += p->seen >= total;
    }
    const double per_page = double(frames) / pages;
    std::printf("overlay feed: %d pages, %d datagrams at %d/s (each changes the score)\n", pages, total, rate);
    std::printf("datagram sent -> feed frame read by the page: p50 %.2f ms, p99 %.2f ms, max %.2f ms (%zu samples)\n",
                percentile(all, 0.5), percentile(all, 0.99),
                all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()), all.size());
    std::printf("frames per page %.0f (%.1f changes a frame); pages that saw every change: %d of %d\n", per_page,
                per_page > 0 ? total / per_page : 0.0, complete, pages);
    return complete == pages ? 0 : 1;
}
