// Match state built from decoded PSS groups, hit-level linking and derived events. Pure: no I/O, no clock reads;
// time comes in as the receive timestamp of each group.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/pss/codec.hpp"

namespace vta::pss {

// A hit level arriving at most this long before or after a point of the same athlete belongs to it.
inline constexpr std::int64_t hit_level_window_us = 5'000'000;

struct InjuryTime {
    int seconds = 0;
    bool shown = false;   // shown on the scoreboard (show), hidden after hide/reset
    bool active = false;  // an injury time is running or shown for this side
    bool operator==(const InjuryTime&) const = default;
};

void to_json(nlohmann::json& j, const Athlete& a);
void to_json(nlohmann::json& j, const InjuryTime& i);
void to_json(nlohmann::json& j, ChallengeStage c);

struct MatchState {
    std::string number;  // may be non-numeric ("245.A")
    std::string category, weight, division;
    std::string match_code;  // mch match id, "" when none/null
    int rounds = 3;          // total rounds of the match (golden round not counted)
    int round_seconds = 120;
    std::array<Athlete, 2> athletes;                   // [0] athlete 1 blue/chung, [1] athlete 2 red/hong
    std::array<std::array<int, 2>, 4> round_scores{};  // [round-1][athlete-1]; [3] golden round = scores in round 4
    std::array<int, 2> scores{};                       // sc1/sc2: tkStrike sends the current round's score
    std::array<int, 2> warnings{};
    std::array<int, 2> hit_levels{};  // the last hit level measured per athlete (hl1/hl2), 0 none yet
    int round = 0;
    int clock_seconds = 0;
    bool clock_running = false;
    std::array<InjuryTime, 3> injury{};         // [0] unidentified, [1] athlete 1, [2] athlete 2
    std::array<ChallengeStage, 3> challenge{};  // [0] referee, [1] coach 1, [2] coach 2
    std::array<int, 2> challenges_lost{};       // coach challenges of athlete 1/2 that ended lost
    std::array<int, 3> round_winners{};         // 0 not decided, 1 or 2
    std::string winner;                         // "BLUE", "RED", "TIE" or ""
    std::string winner_name, decision;          // from wmh, e.g. "2-1 PTF"
    bool ready = false;                         // rdy;FightReady seen
    bool break_active = false;
    int break_seconds = 0;
    bool decided = false;  // a winner is set

    bool operator==(const MatchState&) const = default;

    // The JSON form every edge uses (Lua, the store's state column, overlays): stable snake_case keys, generated
    // from fields() below, plus "clock" as M:SS for display.
    nlohmann::json to_json() const;
    // The inverse of to_json(), for a host restarted mid-match. Missing or mistyped keys keep their defaults.
    static MatchState from_json(const nlohmann::json& j);

    // Calls visit(key, member) for every field, in one list, for both directions of the JSON form: a new field
    // is added to the struct and here.
    template <class State, class Visit>
    static void fields(State& s, Visit&& visit) {
        visit("number", s.number);
        visit("category", s.category);
        visit("weight", s.weight);
        visit("division", s.division);
        visit("match_code", s.match_code);
        visit("rounds", s.rounds);
        visit("round_seconds", s.round_seconds);
        visit("athletes", s.athletes);
        visit("round_scores", s.round_scores);
        visit("scores", s.scores);
        visit("warnings", s.warnings);
        visit("hit_levels", s.hit_levels);
        visit("round", s.round);
        visit("clock_seconds", s.clock_seconds);
        visit("clock_running", s.clock_running);
        visit("injury", s.injury);
        visit("challenge", s.challenge);
        visit("challenges_lost", s.challenges_lost);
        visit("round_winners", s.round_winners);
        visit("winner", s.winner);
        visit("winner_name", s.winner_name);
        visit("decision", s.decision);
        visit("ready", s.ready);
        visit("break_active", s.break_active);
        visit("break_seconds", s.break_seconds);
        visit("decided", s.decided);
    }
};

// An event the workflows subscribe to. Kinds and their data:
//   match_loaded         {"number","match_code"}                      a new match began (pre, or at1/mch after a
//   decided one) match_ready          {}                                           rdy;FightReady round_started
//   {"round"}                                    the clock started in a round not started before round_ended
//   {"round","scores":[a,b]}                     the clock stopped at 0:00 (stop or stopEnd) clock_started
//   {"round","seconds"}                          clk ...;start while the clock was stopped clock_stopped
//   {"round","seconds","end":bool}               clk ...;stop or stopEnd (end: at 0:00 or stopEnd) point
//   {"event_id","athlete","points","hit_levels":[..]}  a point was scored (hit levels linked so far) warning
//   {"athlete","warnings"}                       a warning count went up challenge_requested  {"side"} 0 referee, 1/2
//   coach of athlete 1/2 challenge_accepted   {"side"} challenge_rejected   {"side"} challenge_cancelled  {"side"}
//   challenge_resolved   {"side","result":"won"|"lost"}
//   injury_started       {"athlete","seconds"}                        first ij of a side (show or a countdown tick)
//   injury_ended         {"athlete","seconds"}                        ij ...;hide or reset after it started
//   break_started        {"seconds"}                                  first brk of a break (no stop/stopEnd)
//   break_ended          {"seconds"}                                  brk stop/stopEnd, or the round clock restarted
//   winner               {"winner":"BLUE"|"RED"|"TIE","name","decision"}  win, and again when wmh adds name/decision
struct Derived {
    std::string kind;
    nlohmann::json data;
};

class MatchTracker {
public:
    struct Update {
        bool new_match = false;                   // this group began a new match (state was reset before applying it)
        bool match_changed = false;               // match info/scores/winner... changed: rewrite the match row
        std::vector<std::int64_t> linked_points;  // ids of earlier point events whose hit levels changed
        std::vector<Derived> derived;
    };

    // event_id: the host's id for this group (used to name points). Invalid/unknown groups leave the state alone.
    Update apply(const Group& g, std::int64_t received_us, std::int64_t event_id);

    // Continues a match begun before (a restarted host): later groups apply to `state` as if the tracker
    // had seen it build up. Hit levels and points from before are not known.
    void resume(const MatchState& state);

    const MatchState& state() const { return state_; }
    bool has_match() const { return has_match_; }
    int matches_begun() const { return matches_begun_; }

    // Current hit levels linked to a point event, in arrival order. Decoding is stateless, so the host merges these
    // into the stored point's fields (as "hit_levels") when it writes the point and again when linked_points names it.
    std::vector<int> hit_levels_of(std::int64_t point_event_id) const;

private:
    struct PendingHit {
        int athlete;
        int level;
        std::int64_t at_us;
    };
    struct PointLinks {
        std::int64_t event_id;
        int athlete;
        std::int64_t at_us;
        bool open;  // took no hit level yet: the next hit level of its athlete within the window links to it
        std::vector<int> levels;
    };

    void begin_match(Update& u);
    void apply_recognised(const Group& g, std::int64_t received_us, std::int64_t event_id, Update& u);
    void on_point(const Point& p, std::int64_t at_us, std::int64_t event_id, Update& u);
    void on_hit_level(const HitLevel& h, std::int64_t at_us, Update& u);
    void forget_old_links(std::int64_t now_us);

    MatchState state_;
    bool has_match_ = false;
    int matches_begun_ = 0;
    int started_round_ = 0;                 // highest round whose clock has started
    std::deque<PendingHit> unlinked_hits_;  // hit levels not linked yet, newest last
    std::deque<PointLinks> points_;         // recent points, newest last
};

}  // namespace vta::pss
