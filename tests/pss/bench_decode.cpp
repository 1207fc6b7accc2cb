// Prints the decode cost per datagram for a typical match day and for hostile input.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "captures.hpp"
#include "vta/pss/codec.hpp"
#include "vta/pss/match_state.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double ns_per_item(std::size_t items, int repeats, F&& body) {
    const auto start = Clock::now();
    for (int r = 0; r < repeats; ++r) body();
    const auto ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    return ns / static_cast<double>(items * static_cast<std::size_t>(repeats));
}

std::vector<std::string> datagrams_of(const char* capture) {
    std::vector<std::string> out;
    for (auto& r : vta::pss::testing::load_capture(capture)) out.push_back(std::move(r.datagram));
    return out;
}

}  // namespace

int main() {
    const auto day = datagrams_of("day-12-matches.jsonl");
    const auto hostile = datagrams_of("hostile-2000.jsonl");
    std::size_t sink = 0;
    const auto decode_all = [&sink](const std::vector<std::string>& ds) {
        return [&sink, &ds] {
            for (const auto& d : ds) sink += vta::pss::decode(d).size();
        };
    };
    decode_all(day)();  // warm up
    const double day_ns = ns_per_item(day.size(), 20, decode_all(day));
    const double hostile_ns = ns_per_item(hostile.size(), 20, decode_all(hostile));

    std::int64_t id = 0;
    const double track_ns = ns_per_item(day.size(), 20, [&] {
        vta::pss::MatchTracker tracker;
        std::int64_t t_us = 0;
        for (const auto& d : day)
            for (const auto& g : vta::pss::decode(d)) sink += tracker.apply(g, t_us += 100'000, ++id).derived.size();
    });

    // Latency of single decodes over the day, as the listener sees them one datagram at a time.
    std::vector<double> single;
    single.reserve(day.size());
    for (const auto& d : day) {
        const auto start = Clock::now();
        sink += vta::pss::decode(d).size();
        single.push_back(std::chrono::duration<double, std::nano>(Clock::now() - start).count());
    }
    std::sort(single.begin(), single.end());
    const auto percentile = [&single](double p) { return single[static_cast<std::size_t>(p * (single.size() - 1))]; };

    std::printf("decode day-12 (%zu datagrams):     %8.0f ns/datagram\n", day.size(), day_ns);
    std::printf("  single decode p50 %.0f ns, p99 %.0f ns, max %.0f ns\n", percentile(0.5), percentile(0.99),
                single.back());
    for (const char* typical : {"clk;1:44;", "pt2;2;", "s11;16;s21;9;s12;12;s22;10;s13;0;s23;0;",
                                "at1;R. MÜLLER;Ralf MÜLLER;GER;at2;A. ÖZTÜRK;Ayşe ÖZTÜRK;TUR;"}) {
        const std::vector<std::string> one(1000, typical);
        std::printf("  %-60s %6.0f ns\n", typical, ns_per_item(one.size(), 50, decode_all(one)));
    }
    std::printf("decode hostile-2000 (%zu datagrams): %8.0f ns/datagram\n", hostile.size(), hostile_ns);
    std::printf("decode + track day-12:               %8.0f ns/datagram\n", track_ns);
    std::printf("(checksum %zu)\n", sink);
    return 0;
}
