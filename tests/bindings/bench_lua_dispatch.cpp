// One decoded event dispatched to 10 packages' handlers: handler calls per second and the
// latency of each call (dispatch time divided by the handlers it ran, p50/p99 over events).

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include <spdlog/spdlog.h>

#include "recorder.hpp"
#include "vta/bindings/runtime.hpp"

using namespace vta::bindings;

int main() {
    std::random_device rd;
    auto root = std::filesystem::temp_directory_path() / ("vta-lua-bench-" + std::to_string(rd()));
    constexpr int package_count = 10;
    for (int i = 0; i < package_count; ++i) {
        auto folder = root / ("bench-" + std::to_string(i));
        std::filesystem::create_directories(folder);
        std::ofstream(folder / "manifest.json") << R"({"name": "bench-)" << i << R"(", "version": "1"})";
        std::ofstream(folder / "main.lua") << R"lua(
            local points = { 0, 0 }
            on("point", function(ev, match)
              local a = ev.data.athlete
              points[a] = points[a] + ev.data.points
              if match.round > 3 then log.info("golden round") end
            end)
        )lua";
    }
    boost::asio::io_context io;
    auto clock = std::make_shared<VirtualClock>(io);
    Recorder recorder(io, clock);
    RuntimeOptions options;
    options.package_roots = {root};
    options.clock = clock;
    options.logger = std::make_shared<spdlog::logger>("bench");
    Runtime runtime(io, options);
    if (runtime.load_all() != package_count) {
        std::fprintf(stderr, "packages failed to load\n");
        return 1;
    }
    Event event;
    event.kind = "point";
    event.code = "pt1";
    event.data = {{"event_id", 42}, {"athlete", 1}, {"points", 2}, {"hit_levels", {25, 31}}};
    event.match = {{"number", "101"},
                   {"category", "Senior"},
                   {"weight", "M-68 kg"},
                   {"round", 2},
                   {"clock_seconds", 75},
                   {"clock_running", true},
                   {"scores", {3, 5}},
                   {"warnings", {0, 1}},
                   {"athletes",
                    {{{"short", "A. ONE"}, {"long", "Athlete ONE"}, {"noc", "KOR"}},
                     {{"short", "B. TWO"}, {"long", "Athlete TWO"}, {"noc", "FRA"}}}},
                   {"winner", ""},
                   {"decided", false}};
    constexpr int warmup_events = 2000, event_count = 20000;
    for (int i = 0; i < warmup_events; ++i) runtime.dispatch(event);
    std::vector<double> per_call_us;
    per_call_us.reserve(event_count);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < event_count; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        runtime.dispatch(event);
        auto t1 = std::chrono::steady_clock::now();
        per_call_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count() / package_count);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::sort(per_call_us.begin(), per_call_us.end());
    std::uint64_t calls = 0;
    for (const auto& s : runtime.status()) calls += s.handler_calls;
    std::printf("bench_lua_dispatch: %d packages, %d events, %llu handler calls\n", package_count, event_count,
                static_cast<unsigned long long>(calls));
    std::printf("  handler calls/s: %.0f (target >= 100000)\n", event_count * package_count / seconds);
    std::printf("  latency per call: p50 %.2f us, p99 %.2f us, max %.2f us (target p99 < 50 us)\n",
                per_call_us[per_call_us.size() / 2], per_call_us[per_call_us.size() * 99 / 100], per_call_us.back());
    for (const auto& s : runtime.status())
        if (s.failures != 0)
            std::printf("  %s: %llu failures\n", s.name.c_str(), static_cast<unsigned long long>(s.failures));
    std::filesystem::remove_all(root);
    return 0;
}
