#include "vta/host/report.hpp"

#include <ctime>

#include <fmt/format.h>

namespace vta::host {

namespace {
std::string side_name(store::Side side) {
    switch (side) {
        case store::Side::blue:
            return "BLUE";
        case store::Side::red:
            return "RED";
        case store::Side::tie:
            return "TIE";
        case store::Side::none:
            break;
    }
    return "-";
}

std::string athlete(const std::optional<store::AthleteRow>& a) {
    return a ? fmt::format("{} ({})", a->long_name, a->noc) : std::string("?");
}

std::string time_of_day(std::int64_t received_us) {
    const std::time_t seconds = received_us / 1'000'000;
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return fmt::format("{}.{:03}", text, (received_us / 1000) % 1000);
}
}  // namespace

std::string format_matches(const std::vector<store::MatchInfo>& matches) {
    if (matches.empty()) return "no matches stored yet";
    std::string out = fmt::format("{:>5}  {:<8} {:<12} {:<40} {:>7}  {:<14} {:<6} {:<10} {:>6}\n", "id", "number",
                                  "weight", "blue vs red", "score", "round winners", "winner", "decision", "events");
    for (const auto& m : matches) {
        std::string rounds;
        for (auto w : m.round_winners) rounds += (rounds.empty() ? "" : " ") + side_name(w);
        out += fmt::format("{:>5}  {:<8} {:<12} {:<40} {:>3} - {:<2} {:<14} {:<6} {:<10} {:>6}\n", m.id, m.number,
                           m.weight, athlete(m.blue) + " vs " + athlete(m.red), m.blue_score, m.red_score,
                           rounds.empty() ? "-" : rounds, side_name(m.winner), m.decision.empty() ? "-" : m.decision,
                           m.event_count);
    }
    out.pop_back();
    return out;
}

std::string format_events(const std::vector<store::EventInfo>& events) {
    if (events.empty()) return "no events for this match";
    std::string out =
        fmt::format("{:>8}  {:<12} {:>5} {:>6}  {:<5} {}\n", "id", "received", "round", "clock", "code", "fields");
    for (const auto& e : events) {
        const std::string clock =
            e.clock_seconds ? fmt::format("{}:{:02}", *e.clock_seconds / 60, *e.clock_seconds % 60) : "-";
        out += fmt::format("{:>8}  {:<12} {:>5} {:>6}  {:<5} {}{}\n", e.id, time_of_day(e.received_us), e.round, clock,
                           e.code, e.fields_json, e.clip_path ? "  clip " + *e.clip_path : "");
    }
    out.pop_back();
    return out;
}

std::string format_stats(const store::Stats& s) {
    auto counter = [&](const char* name) {
        auto it = s.counters.find(name);
        return it == s.counters.end() ? std::int64_t(0) : it->second;
    };
    std::string out = fmt::format(
        "received {} datagrams ({} refused by the allow-list); stored {} datagrams: {} events, {} unknown, {} "
        "invalid\n",
        counter("udp_datagrams"), counter("udp_refused"), s.datagrams, s.events, s.unknown, s.invalid);
    out += fmt::format("{:<12} {:>9} {:>9} {:>9}\n", "code", "events", "unknown", "invalid");
    for (const auto& [code, c] : s.per_code)
        out +=
            fmt::format("{:<12} {:>9} {:>9} {:>9}\n", code.empty() ? "(none)" : code, c.events, c.unknown, c.invalid);
    out.pop_back();
    return out;
}

}  // namespace vta::host
