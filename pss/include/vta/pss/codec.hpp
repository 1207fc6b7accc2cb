// PSS (WT UDP protocol v2.3) datagram decoder. Stateless and pure: text in, groups out.
// See /work/shared/reference/pss-protocol.md for the streams and their real-world variants.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace vta::pss {

// recognised: a known stream with valid values; unknown: no known stream code;
// invalid: a known stream code whose values are malformed or out of range.
enum class Status : std::uint8_t { recognised, unknown, invalid };
std::string_view status_name(Status);  // "recognised", "unknown", "invalid"

struct Athlete {
    std::string short_name, long_name, noc;
    bool operator==(const Athlete&) const = default;
};

// Typed payloads, one per stream. Athlete numbers: 1 = blue/chung, 2 = red/hong; 0 = referee/unidentified.
struct FightLoaded {};  // pre;FightLoaded
struct Athletes {
    std::array<Athlete, 2> athletes;
};                    // at1;..;at2;..
struct MatchConfig {  // mch;..
    std::string number, category, weight;
    int rounds = 0;
    std::string bg1, fg1, bg2, fg2;
    std::string match_id;  // "" when the wire says `null` or nothing
    std::string division;
    int total_rounds = 0, round_seconds = 0;
    std::string countdown_type, count_up, format;
};
struct Officials {                                                        // ref;;;ju1;;;ju2;;;ta;;;
    std::vector<std::pair<std::string, std::vector<std::string>>> roles;  // label as received -> its fields
};
struct FightReady {};  // rdy;FightReady
enum class ClockAction : std::uint8_t { none, start, stop, stop_end };
struct Clock {
    int seconds = 0;
    ClockAction action = ClockAction::none;
};  // clk
struct Round {
    int round = 0;
};  // rnd
struct Point {
    int athlete = 0;
    int points = 0;
};  // pt1/pt2
struct HitLevel {
    int athlete = 0;
    int level = 0;
};  // hl1/hl2
struct Warnings {
    std::array<int, 2> count{};
};  // wg1;a;wg2;b
struct RoundScores {
    std::array<std::array<int, 2>, 3> score{};
};  // [round-1][athlete-1]  s11..s23
struct Scores {
    std::array<int, 2> score{};
};  // sc1;x;sc2;y
enum class InjuryAction : std::uint8_t { none, show, hide, reset };
struct Injury {
    int athlete = 0;
    int seconds = 0;
    InjuryAction action = InjuryAction::none;
};  // ij0/ij1/ij2
enum class ChallengeStage : std::uint8_t { none, requested, accepted, rejected, cancelled, won, lost };
std::string_view challenge_stage_name(ChallengeStage);  // "none", "requested", ..., "won", "lost"
struct Challenge {
    int side = 0;
    ChallengeStage stage = ChallengeStage::requested;
};  // ch0/ch1/ch2
struct Break {
    int seconds = 0;
    ClockAction action = ClockAction::none;
};  // brk (never start)
struct RoundWinners {
    std::array<int, 3> winner{};
};  // per round: 0 not decided, 1 or 2   wrd;rd1;..
enum class Side : std::uint8_t { blue, red, tie };
struct Winner {
    Side side = Side::blue;
};  // win
struct WinnerShown {
    std::string name, decision;
};  // wmh
struct Sup {
    int value = 0;
};  // sup
struct RoundStats {
    int round = 0;
    std::array<std::vector<int>, 2> stats;
};                        // rst
struct RoundStatsEnd {};  // rsr
struct AthleteVideoTime {
    int value = 0;
};  // avt
struct Connection {
    int port = 0;
    bool connected = false;
};  // "Udp Port 6000 connected;"

using Payload = std::variant<std::monostate, FightLoaded, Athletes, MatchConfig, Officials, FightReady, Clock, Round,
                             Point, HitLevel, Warnings, RoundScores, Scores, Injury, Challenge, Break, RoundWinners,
                             Winner, WinnerShown, Sup, RoundStats, RoundStatsEnd, AthleteVideoTime, Connection>;

// One stream group of a datagram.
struct Group {
    std::string code;  // "pt1", "clk", "s11" (six scores), "sc1", "wg1", "at1", "connection", ... or the unknown
                       // code as received ("" when there is none or it is not a plausible code)
    std::string raw;   // this group's exact bytes (may be invalid UTF-8); the raws of a datagram concatenate to it
    Status status = Status::unknown;
    std::string reason;                                // why unknown/invalid, empty when recognised; always valid UTF-8
    nlohmann::json fields = nlohmann::json::object();  // snake_case named values; strings always valid UTF-8
    Payload payload;                                   // set when recognised, std::monostate otherwise
};

// Splits a datagram into its groups and decodes each. Never throws; always returns at least one group.
std::vector<Group> decode(std::string_view datagram);

// Formats seconds as the wire does: "m:ss".
std::string format_clock(int seconds);

}  // namespace vta::pss
