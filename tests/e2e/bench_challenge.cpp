// Benchmark: challenge datagram -> IVR_SCENE on air, through the whole host, against real peers.
//
//   cmake --build build --target bench_challenge && build/tests/e2e/bench_challenge [--challenges N]
//       [--fps N] [--print-samples]
//
// Host path: the clock starts just before the `ch1;` datagram leaves the sender and stops when OBS_STR
// itself reports IVR_SCENE as program scene (CurrentProgramSceneChanged, seen by this program's own
// client). Baseline, measured in the same run and interleaved with it: this program's client asks
// OBS_STR directly for the same switch, timed to the same event. The difference is what the host adds
// (UDP receive, decode, match state, Lua dispatch, its own OBS request). OBS applies a switch on its next
// rendered frame, so both distributions carry that quantisation: 33 ms at 30 fps, 17 ms at the 60 fps
// OBS_STR runs at here by default (--fps; OBS_REC, which encodes the recording and the replay buffer,
// stays at 30 so the 2 cores are not saturated); over 50 rounds p99 is the slowest round, so the smaller
// quantum is what keeps one unlucky frame from deciding the figure. Each measured request starts at a
// random point of the frame, and a round ends on what OBS and the host report (overlay shown, review
// closed, replay buffer running), not after a fixed pause. --print-samples lists every round.
// Each path's own part is also shown: from the datagram (or the direct call) to its SetCurrentProgramScene
// request passing on the loopback, read off a packet socket with the kernel's timestamps (needs CAP_NET_RAW;
// without it that part is not measured). The rest is OBS's: its frame clock and its own work.
// It then counts the host's clip rows: every review leaves one, with its clip or the reason it has none.
// Prints figures; never fails on a slow figure (only on a missed round or a review without its row).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include <boost/asio/post.hpp>

#include "court.hpp"
#include "vta/store/database.hpp"

using namespace std::chrono_literals;
using vta::obs_live::Clock;

namespace {

class UdpSender {
public:
    explicit UdpSender(std::uint16_t port) : socket_(::socket(AF_INET, SOCK_DGRAM, 0)) {
        to_.sin_family = AF_INET;
        to_.sin_port = htons(port);
        to_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    ~UdpSender() { ::close(socket_); }
    void send(const std::string& text) const {
        ::sendto(socket_, text.data(), text.size(), 0, reinterpret_cast<const sockaddr*>(&to_), sizeof to_);
    }

private:
    int socket_;
    sockaddr_in to_{};
};

// When each request to switch OBS_STR to a scene left for OBS, read off the loopback (needs CAP_NET_RAW):
// WebSocket frames from clients to `port` whose unmasked text holds SetCurrentProgramScene and `scene`.
// Splits each path's time into its own part (to the wire) and OBS's (wire to its report).
class WireWatch {
public:
    WireWatch(std::uint16_t port, std::string scene) : port_(port), scene_(std::move(scene)) {
        fd_ = ::socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
        if (fd_ < 0) {
            problem_ = std::string("no packet socket (it needs CAP_NET_RAW): ") + std::strerror(errno);
            return;
        }
        sockaddr_ll at{};
        at.sll_family = AF_PACKET;
        at.sll_protocol = htons(ETH_P_IP);
        at.sll_ifindex = int(::if_nametoindex("lo"));
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0) {
            problem_ = std::string("cannot bind a packet socket to lo: ") + std::strerror(errno);
            return;
        }
        // The kernel's receive time, not this thread's wake-up, on the benchmark's steady clock.
        const int on = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
        timespec wall{};
        ::clock_gettime(CLOCK_REALTIME, &wall);
        steady_minus_wall_ = Clock::now().time_since_epoch() -
                             std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(wall.tv_sec) +
                                                                         std::chrono::nanoseconds(wall.tv_nsec));
        thread_ = std::thread([this] { run(); });
    }
    ~WireWatch() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
        if (fd_ >= 0) ::close(fd_);
    }
    // Why nothing is watched; empty when it is.
    const std::string& problem() const { return problem_; }
    // The first such request seen at or after `from`.
    std::optional<Clock::time_point> first_after(Clock::time_point from) const {
        std::lock_guard lock(mutex_);
        for (const auto t : seen_)
            if (t >= from) return t;
        return std::nullopt;
    }

private:
    void run() {
        std::vector<unsigned char> packet(65536);
        while (!stopping_) {
            pollfd ready{fd_, POLLIN, 0};
            if (::poll(&ready, 1, 50) <= 0) continue;
            sockaddr_ll from{};
            iovec data{packet.data(), packet.size()};
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
            msghdr message{};
            message.msg_name = &from;
            message.msg_namelen = sizeof from;
            message.msg_iov = &data;
            message.msg_iovlen = 1;
            message.msg_control = control;
            message.msg_controllen = sizeof control;
            const ssize_t n = ::recvmsg(fd_, &message, 0);
            // A socket bound to ETH_P_IP (not ETH_P_ALL) sees each loopback packet once, as it comes in.
            if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING) continue;
            auto at = Clock::now();
            for (cmsghdr* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(&message, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    timespec wall{};
                    std::memcpy(&wall, CMSG_DATA(c), sizeof wall);
                    at = Clock::time_point(steady_minus_wall_ + std::chrono::duration_cast<Clock::duration>(
                                                                    std::chrono::seconds(wall.tv_sec) +
                                                                    std::chrono::nanoseconds(wall.tv_nsec)));
                }
            if (carries_switch(packet.data(), std::size_t(n))) {
                std::lock_guard lock(mutex_);
                seen_.push_back(at);
            }
        }
    }
    bool carries_switch(const unsigned char* p, std::size_t n) const {
        if (n < sizeof(iphdr)) return false;
        const auto* ip = reinterpret_cast<const iphdr*>(p);
        const std::size_t ip_size = std::size_t(ip->ihl) * 4;
        if (ip->protocol != IPPROTO_TCP || n < ip_size + sizeof(tcphdr)) return false;
        const auto* tcp = reinterpret_cast<const tcphdr*>(p + ip_size);
        if (ntohs(tcp->dest) != port_) return false;
        const std::size_t header = ip_size + std::size_t(tcp->doff) * 4;
        if (n < header + 6) return false;
        const unsigned char* ws = p + header;
        const std::size_t size = n - header;
        if ((ws[1] & 0x80) == 0) return false;  // client frames are masked
        std::size_t at = 2;
        const unsigned length7 = ws[1] & 0x7f;
        if (length7 == 126) at += 2;
        if (length7 == 127) at += 8;
        if (size < at + 4) return false;
        const unsigned char* mask = ws + at;
        at += 4;
        std::string text(reinterpret_cast<const char*>(ws + at), size - at);
        for (std::size_t i = 0; i < text.size(); ++i) text[i] = char(text[i] ^ mask[i % 4]);
        return text.find("SetCurrentProgramScene") != std::string::npos && text.find(scene_) != std::string::npos;
    }

    int fd_ = -1;
    std::string problem_;
    Clock::duration steady_minus_wall_{};
    std::uint16_t port_;
    std::string scene_;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<Clock::time_point> seen_;
    std::thread thread_;
};

double percentile_ms(std::vector<Clock::duration> samples, double p) {
    if (samples.empty()) return 0;
    std::sort(samples.begin(), samples.end());
    const auto rank = std::size_t(std::ceil(p * double(samples.size())));
    const auto index = std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1);
    return std::chrono::duration<double, std::milli>(samples[index]).count();
}

// The two paths' p50 and p99 and their difference, each line under `indent`, in ms with `digits` decimals.
void print_against_direct(const std::vector<Clock::duration>& host, const std::vector<Clock::duration>& direct,
                          const char* indent, int digits) {
    const double host50 = percentile_ms(host, 0.50), host99 = percentile_ms(host, 0.99);
    const double direct50 = percentile_ms(direct, 0.50), direct99 = percentile_ms(direct, 0.99);
    std::printf("%sthrough the host : p50 %.*f ms  p99 %.*f ms  (%zu measured)\n", indent, digits, host50, digits,
                host99, host.size());
    std::printf("%sdirect client    : p50 %.*f ms  p99 %.*f ms  (%zu measured, same run)\n", indent, digits, direct50,
                digits, direct99, direct.size());
    std::printf("%shost adds        : p50 %.*f ms  p99 %.*f ms  (ratio p50 %.2f)\n", indent, digits, host50 - direct50,
                digits, host99 - direct99, direct50 > 0 ? host50 / direct50 : 0.0);
}

// Waits for OBS_STR to report `scene` as program scene after event index `from`; the time it was seen.
std::optional<Clock::time_point> scene_seen(vta::obs_live::Session& watch, const std::string& scene, std::size_t from) {
    auto seen = watch.wait_event("CurrentProgramSceneChanged", "sceneName", scene, 10s, from);
    if (!seen) return std::nullopt;
    return seen->at;
}

// Whether OBS_REC's newest report of `output_event` (RecordStateChanged, ReplayBufferStateChanged) says it runs.
bool output_running(const vta::obs_live::Session& rec, const std::string& output_event) {
    const auto events = rec.events->entries();
    for (auto e = events.rbegin(); e != events.rend(); ++e)
        if (e->entry.type == output_event)
            return e->entry.data.value("outputState", "") == "OBS_WEBSOCKET_OUTPUT_STARTED";
    return false;
}

struct ClipRows {
    std::size_t rows = 0, with_path = 0, distinct_paths = 0, with_error = 0;
};

// The host's clip rows once every review has one, or as they are after 10 s: each review must leave
// one, with its clip or with the reason there is none. A clip can come up to replay_saved_timeout
// after its review closed.
ClipRows stored_clips(const vta::e2e::Court& court, std::size_t reviews) {
    const auto database = court.folder() / "data/restrike-vta/vta.sqlite3";
    ClipRows counted;
    vta::test::wait_until(
        [&] {
            auto db = vta::store::Database::open_read_only(database);
            if (!db) return false;
            auto clips = db->list_clips();
            if (!clips) return false;
            counted = {};
            std::set<std::string> paths;
            for (const auto& clip : *clips) {
                ++counted.rows;
                if (clip.path) {
                    ++counted.with_path;
                    paths.insert(*clip.path);
                }
                if (clip.error) ++counted.with_error;
            }
            counted.distinct_paths = paths.size();
            return counted.rows >= reviews;
        },
        10s);
    return counted;
}

}  // namespace

int main(int argc, char** argv) {
    int challenges = 50;
    int fps = 60;
    bool print_samples = false;
    for (int i = 1; i < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--print-samples") print_samples = true;
        if (i + 1 >= argc) continue;
        if (name == "--challenges") challenges = std::max(1, std::atoi(argv[i + 1]));
        if (name == "--fps") fps = std::clamp(std::atoi(argv[i + 1]), 1, 120);
    }

    try {
        vta::e2e::CourtOptions options;
        options.str_fps = fps;
        options.packages = {{"ivr", {{"config", {{"debounce_seconds", 0}, {"clip_seconds", 5}, {"play_from", 0}}}}}};
        vta::e2e::Court court(options);
        auto& str = court.str_watch();
        auto& rec = court.rec_watch();
        UdpSender sender(court.udp_port());
        // The direct client: a connection of its own, set up like the host's (the watching client only
        // listens), driven from its loop's thread as the host drives its own.
        vta::obs::ConnectionConfig direct_config;
        direct_config.name = "direct";
        direct_config.port = court.str().port();
        direct_config.password = court.str().password();
        auto direct_client = std::make_shared<vta::obs::Client>(court.watch_io(), direct_config);
        boost::asio::post(court.watch_io(), [direct_client] { direct_client->start(); });
        if (!vta::test::wait_until([&] { return direct_client->state() == vta::obs::State::connected; }, 10s))
            throw std::runtime_error("the direct client did not connect to OBS_STR within 10 s");
        const auto switch_scene = [&](const std::string& scene) {
            boost::asio::post(court.watch_io(), [direct_client, scene] {
                direct_client->set_current_program_scene(scene, [](vta::Result<void>) {});
            });
        };
        for (const char* line :
             {"pre;FightLoaded;", "at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;",
              "mch;101;Semi-final;W+ 67 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;8f4d3e27;Senior;3;120;cntDown;18;1;",
              "rdy;FightReady;", "clk;2:00;start;"})
            sender.send(line);
        const auto recorder_ready = [&] {
            return output_running(rec, "RecordStateChanged") && output_running(rec, "ReplayBufferStateChanged");
        };
        if (!vta::test::wait_until(recorder_ready, 20s))
            throw std::runtime_error("OBS_REC did not start recording and its replay buffer within 20 s");
        // The overlay starts hidden, so every review's showing it is a change OBS reports.
        auto overlay_hidden = std::make_shared<std::promise<bool>>();
        auto hidden = overlay_hidden->get_future();
        boost::asio::post(court.watch_io(), [direct_client, overlay_hidden] {
            direct_client->set_scene_item_enabled(
                "IVR_SCENE", "IVR_OVERLAY", false,
                [overlay_hidden](vta::Result<void> r) { overlay_hidden->set_value(bool(r)); });
        });
        if (hidden.wait_for(10s) != std::future_status::ready || !hidden.get())
            throw std::runtime_error("could not hide IVR_OVERLAY in IVR_SCENE on OBS_STR");

        WireWatch wire(court.str().port(), "IVR_SCENE");
        std::vector<Clock::duration> through_host, direct, host_to_wire, direct_to_wire;
        int missed = 0;
        int clips_unreported = 0;
        // Each measured request starts at a random point of OBS_STR's frame: started right after an event
        // OBS reported (itself on a frame), every request would meet the frame clock at the same phase and
        // one path could wait longer for the next frame than the other, round after round.
        std::mt19937 random(1);
        std::uniform_int_distribution<int> frame_phase_us(0, 1'000'000 / fps);
        const auto at_random_phase = [&] {
            std::this_thread::sleep_for(std::chrono::microseconds(frame_phase_us(random)));
        };
        // Each round: the direct switch, then the same switch through the host. A round ends once the
        // host's review is over (its clip saved, the review closed, the replay buffer running), so that
        // work never overlaps the next measurement.
        // Clip names carry the time to the second (" %hh-%mm-%ss"): two reviews within one second would
        // write the same file, so a host review starts at least a second after the last one.
        auto last_review = Clock::now() - 1s;
        for (int i = 0; i < challenges; ++i) {
            std::size_t from = str.events->size();
            at_random_phase();
            const auto asked = Clock::now();
            switch_scene("IVR_SCENE");
            if (auto seen = scene_seen(str, "IVR_SCENE", from)) {
                direct.push_back(*seen - asked);
                if (auto left = wire.first_after(asked)) direct_to_wire.push_back(*left - asked);
            }
            from = str.events->size();
            switch_scene("LIVE_SCENE");
            scene_seen(str, "LIVE_SCENE", from);

            from = str.events->size();
            const std::size_t rec_from = rec.events->size();
            std::this_thread::sleep_until(last_review + 1s);
            at_random_phase();
            const auto sent = Clock::now();
            last_review = sent;
            sender.send("ch1;");
            auto on_air = scene_seen(str, "IVR_SCENE", from);
            if (on_air) {
                through_host.push_back(*on_air - sent);
                if (auto left = wire.first_after(sent)) host_to_wire.push_back(*left - sent);
            } else {
                ++missed;
            }
            // Rejected once the overlay is up, so every review goes on to save its clip.
            const bool overlay_up =
                str.events
                    ->wait_for(
                        [](const vta::obs::Event& e) {
                            return e.type == "SceneItemEnableStateChanged" && e.data.value("sceneItemEnabled", false);
                        },
                        10s, from)
                    .has_value();
            from = str.events->size();
            sender.send("ch1;0;");  // rejected: back to live
            if (!scene_seen(str, "LIVE_SCENE", from)) ++missed;
            // A clip OBS_REC did not report saving is counted, not waited for: it is not what is measured.
            if (!rec.events->wait_for([](const vta::obs::Event& e) { return e.type == "ReplayBufferSaved"; }, 5s,
                                      rec_from))
                ++clips_unreported;
            const auto unfinished_part = [&]() -> const char* {
                if (!overlay_up) return "the IVR overlay not shown";
                if (!court.wait_log("closed: challenge rejected", 10s, std::size_t(i) + 1))
                    return "the review not closed";
                if (!vta::test::wait_until([&] { return output_running(rec, "ReplayBufferStateChanged"); }, 10s))
                    return "the replay buffer not running";
                return nullptr;
            };
            if (const char* unfinished = unfinished_part()) {
                std::cerr << "bench_challenge: round " << i + 1 << ": " << unfinished << " within 10 s\n";
                ++missed;
            }
        }

        // Stopped and released on its loop's thread, as a Client must be.
        auto released = std::make_shared<std::promise<void>>();
        auto done = released->get_future();
        boost::asio::post(court.watch_io(), [client = std::move(direct_client), released]() mutable {
            client->stop();
            client.reset();
            released->set_value();
        });
        done.wait_for(5s);
        if (print_samples) {
            const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
            for (std::size_t i = 0; i < through_host.size() || i < direct.size(); ++i)
                std::printf("round %zu: through the host %.2f ms, direct %.2f ms\n", i + 1,
                            i < through_host.size() ? ms(through_host[i]) : 0.0,
                            i < direct.size() ? ms(direct[i]) : 0.0);
        }
        std::printf("challenge -> IVR_SCENE on air, %d challenges (%d missed), OBS_STR at %d fps\n", challenges, missed,
                    fps);
        print_against_direct(through_host, direct, "  ", 2);
        if (!wire.problem().empty()) {
            std::printf("  request on the wire: not measured, %s\n", wire.problem().c_str());
        } else {
            std::printf("  request on the wire (each path's own part; the rest is OBS's, frame by frame):\n");
            print_against_direct(host_to_wire, direct_to_wire, "    ", 3);
        }
        std::printf("  reviews whose clip OBS_REC did not report saved within 5 s: %d\n", clips_unreported);
        const ClipRows clips = stored_clips(court, std::size_t(challenges));
        std::printf(
            "  clip rows stored : %zu for %d reviews (%zu with a clip, %zu distinct files, %zu with an error)\n",
            clips.rows, challenges, clips.with_path, clips.distinct_paths, clips.with_error);
        return missed == 0 && clips.rows == std::size_t(challenges) ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "bench_challenge: " << e.what() << "\n";
        return 1;
    }
}
