#include "vta/pss/match_state.hpp"

#include <algorithm>
#include <type_traits>

namespace vta::pss {
namespace {

// Points remembered for hit_levels_of(): far more than a match has, small enough to search linearly.
constexpr std::size_t remembered_points = 1024;

std::string_view side_name(Side s) {
    switch (s) {
        case Side::blue:
            return "BLUE";
        case Side::red:
            return "RED";
        case Side::tie:
            return "TIE";
    }
    return "";
}

std::string_view challenge_event(ChallengeStage s) {
    switch (s) {
        case ChallengeStage::requested:
            return "challenge_requested";
        case ChallengeStage::accepted:
            return "challenge_accepted";
        case ChallengeStage::rejected:
            return "challenge_rejected";
        case ChallengeStage::cancelled:
            return "challenge_cancelled";
        case ChallengeStage::won:
        case ChallengeStage::lost:
            return "challenge_resolved";
        case ChallengeStage::none:
            break;
    }
    return "";
}

template <typename T>
bool assign(T& target, const T& value) {
    if (target == value) return false;
    target = value;
    return true;
}

}  // namespace

// The JSON forms of the state's parts (found by ADL from the field list below). Reading is lenient: a missing
// or mistyped key keeps its default, so a state stored by an older host still resumes.
void to_json(nlohmann::json& j, const Athlete& a) {
    j = {{"short_name", a.short_name}, {"long_name", a.long_name}, {"noc", a.noc}};
}
void to_json(nlohmann::json& j, const InjuryTime& i) {
    j = {{"seconds", i.seconds}, {"shown", i.shown}, {"active", i.active}};
}
void to_json(nlohmann::json& j, ChallengeStage c) { j = std::string(challenge_stage_name(c)); }

namespace {

template <typename T>
struct is_std_array : std::false_type {};
template <typename T, std::size_t n>
struct is_std_array<std::array<T, n>> : std::true_type {};

template <typename T>
void read(const nlohmann::json& j, T& target);

template <typename T>
void read_key(const nlohmann::json& j, const char* key, T& target) {
    if (const auto it = j.find(key); it != j.end()) read(*it, target);
}

template <typename T>
void read(const nlohmann::json& j, T& target) {
    if constexpr (std::is_same_v<T, Athlete>) {
        read_key(j, "short_name", target.short_name);
        read_key(j, "long_name", target.long_name);
        read_key(j, "noc", target.noc);
    } else if constexpr (std::is_same_v<T, InjuryTime>) {
        read_key(j, "seconds", target.seconds);
        read_key(j, "shown", target.shown);
        read_key(j, "active", target.active);
    } else if constexpr (std::is_same_v<T, ChallengeStage>) {
        if (!j.is_string()) return;
        for (auto stage : {ChallengeStage::requested, ChallengeStage::accepted, ChallengeStage::rejected,
                           ChallengeStage::cancelled, ChallengeStage::won, ChallengeStage::lost})
            if (challenge_stage_name(stage) == j.get<std::string>()) target = stage;
    } else if constexpr (is_std_array<T>::value) {
        if (!j.is_array()) return;
        for (std::size_t i = 0; i < std::min(target.size(), j.size()); ++i) read(j[i], target[i]);
    } else {
        try {
            target = j.get<T>();
        } catch (const nlohmann::json::exception&) {
            // mistyped: keep the default
        }
    }
}

}  // namespace

nlohmann::json MatchState::to_json() const {
    nlohmann::json j = nlohmann::json::object();
    fields(*this, [&j](const char* key, const auto& value) { j[key] = value; });
    j["clock"] = format_clock(clock_seconds);  // for display only: not read back
    return j;
}

MatchState MatchState::from_json(const nlohmann::json& j) {
    MatchState s;
    if (!j.is_object()) return s;
    fields(s, [&j](const char* key, auto& value) { read_key(j, key, value); });
    return s;
}

void MatchTracker::resume(const MatchState& state) {
    state_ = state;
    has_match_ = true;
    // A round whose clock has not moved yet has not started: its start is still to come.
    const bool round_begun = state.clock_running || (state.round > 0 && state.clock_seconds < state.round_seconds);
    started_round_ = round_begun ? state.round : std::max(0, state.round - 1);
    unlinked_hits_.clear();
    for (PointLinks& p : points_) p.open = false;
}

void MatchTracker::begin_match(Update& u) {
    state_ = MatchState{};
    has_match_ = true;
    ++matches_begun_;
    started_round_ = 0;
    unlinked_hits_.clear();
    for (PointLinks& p : points_) p.open = false;
    u.new_match = true;
    u.match_changed = true;
}

MatchTracker::Update MatchTracker::apply(const Group& g, std::int64_t received_us, std::int64_t event_id) {
    Update u;
    if (g.status != Status::recognised) return u;
    forget_old_links(received_us);
    apply_recognised(g, received_us, event_id, u);
    if (u.new_match)
        u.derived.insert(u.derived.begin(),
                         Derived{"match_loaded", {{"number", state_.number}, {"match_code", state_.match_code}}});
    return u;
}

void MatchTracker::apply_recognised(const Group& g, std::int64_t received_us, std::int64_t event_id, Update& u) {
    MatchState& s = state_;
    const auto emit = [&u](std::string_view kind, nlohmann::json data) {
        u.derived.push_back(Derived{std::string(kind), std::move(data)});
    };
    const auto begins_match = [this] { return !has_match_ || state_.decided; };
    const auto golden_round = [&s] {
        if (s.round == 4) s.round_scores[3] = s.scores;
    };

    std::visit(
        [&](const auto& p) {
            using P = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<P, FightLoaded>) {
                begin_match(u);
            } else if constexpr (std::is_same_v<P, Athletes>) {
                if (begins_match()) begin_match(u);
                u.match_changed |= assign(s.athletes, p.athletes);
            } else if constexpr (std::is_same_v<P, MatchConfig>) {
                if (begins_match()) begin_match(u);
                bool changed = assign(s.number, p.number);
                changed |= assign(s.category, p.category);
                changed |= assign(s.weight, p.weight);
                changed |= assign(s.division, p.division);
                changed |= assign(s.match_code, p.match_id);
                changed |= assign(s.rounds, p.total_rounds);
                changed |= assign(s.round_seconds, p.round_seconds);
                u.match_changed |= changed;
            } else if constexpr (std::is_same_v<P, FightReady>) {
                u.match_changed |= assign(s.ready, true);
                emit("match_ready", nlohmann::json::object());
            } else if constexpr (std::is_same_v<P, Clock>) {
                s.clock_seconds = p.seconds;
                if (p.action == ClockAction::start) {
                    if (s.break_active) {
                        s.break_active = false;
                        emit("break_ended", {{"seconds", s.break_seconds}});
                    }
                    if (!s.clock_running) {
                        s.clock_running = true;
                        if (s.round > started_round_) {
                            started_round_ = s.round;
                            emit("round_started", {{"round", s.round}});
                        }
                        emit("clock_started", {{"round", s.round}, {"seconds", p.seconds}});
                    }
                } else if (p.action == ClockAction::stop || p.action == ClockAction::stop_end) {
                    const bool was_running = s.clock_running;
                    s.clock_running = false;
                    const bool end = p.action == ClockAction::stop_end || p.seconds == 0;
                    if (was_running || end)
                        emit("clock_stopped", {{"round", s.round}, {"seconds", p.seconds}, {"end", end}});
                    if (end) emit("round_ended", {{"round", s.round}, {"scores", s.scores}});
                }
            } else if constexpr (std::is_same_v<P, Round>) {
                if (assign(s.round, p.round)) {
                    u.match_changed = true;
                    golden_round();
                }
            } else if constexpr (std::is_same_v<P, Point>) {
                on_point(p, received_us, event_id, u);
            } else if constexpr (std::is_same_v<P, HitLevel>) {
                s.hit_levels[p.athlete - 1] = p.level;
                on_hit_level(p, received_us, u);
            } else if constexpr (std::is_same_v<P, Warnings>) {
                for (int a = 0; a < 2; ++a)
                    if (p.count[a] > s.warnings[a]) emit("warning", {{"athlete", a + 1}, {"warnings", p.count[a]}});
                u.match_changed |= assign(s.warnings, p.count);
            } else if constexpr (std::is_same_v<P, RoundScores>) {
                bool changed = false;
                for (int r = 0; r < 3; ++r) changed |= assign(s.round_scores[r], p.score[r]);
                u.match_changed |= changed;
            } else if constexpr (std::is_same_v<P, Scores>) {
                u.match_changed |= assign(s.scores, p.score);
                golden_round();
            } else if constexpr (std::is_same_v<P, Injury>) {
                InjuryTime& i = s.injury[p.athlete];
                i.seconds = p.seconds;
                const bool ending = p.action == InjuryAction::hide || p.action == InjuryAction::reset;
                if (ending) {
                    i.shown = false;
                    if (i.active) emit("injury_ended", {{"athlete", p.athlete}, {"seconds", p.seconds}});
                    i.active = false;
                } else {
                    if (p.action == InjuryAction::show) i.shown = true;
                    if (!i.active) emit("injury_started", {{"athlete", p.athlete}, {"seconds", p.seconds}});
                    i.active = true;
                }
            } else if constexpr (std::is_same_v<P, Challenge>) {
                if (assign(s.challenge[p.side], p.stage)) {
                    if (p.stage == ChallengeStage::lost && p.side > 0) ++s.challenges_lost[p.side - 1];
                    nlohmann::json data = {{"side", p.side}};
                    if (p.stage == ChallengeStage::won || p.stage == ChallengeStage::lost)
                        data["result"] = challenge_stage_name(p.stage);
                    emit(challenge_event(p.stage), std::move(data));
                }
            } else if constexpr (std::is_same_v<P, Break>) {
                s.break_seconds = p.seconds;
                if (p.action == ClockAction::stop || p.action == ClockAction::stop_end) {
                    if (s.break_active) emit("break_ended", {{"seconds", p.seconds}});
                    s.break_active = false;
                } else if (!s.break_active) {
                    s.break_active = true;
                    emit("break_started", {{"seconds", p.seconds}});
                }
            } else if constexpr (std::is_same_v<P, RoundWinners>) {
                u.match_changed |= assign(s.round_winners, p.winner);
            } else if constexpr (std::is_same_v<P, Winner>) {
                const std::string w(side_name(p.side));
                s.decided = true;
                if (assign(s.winner, w)) {
                    u.match_changed = true;
                    emit("winner", {{"winner", s.winner}, {"name", s.winner_name}, {"decision", s.decision}});
                }
            } else if constexpr (std::is_same_v<P, WinnerShown>) {
                bool changed = assign(s.winner_name, p.name);
                if (!p.decision.empty()) changed |= assign(s.decision, p.decision);
                if (changed) {
                    u.match_changed = true;
                    emit("winner", {{"winner", s.winner}, {"name", s.winner_name}, {"decision", s.decision}});
                }
            }
            // Officials, Sup, RoundStats, RoundStatsEnd, AthleteVideoTime, Connection carry no match state.
        },
        g.payload);
}

void MatchTracker::on_point(const Point& p, std::int64_t at_us, std::int64_t event_id, Update& u) {
    PointLinks link{event_id, p.athlete, at_us, false, {}};
    for (auto it = unlinked_hits_.begin(); it != unlinked_hits_.end();) {
        if (it->athlete == p.athlete && at_us - it->at_us <= hit_level_window_us) {
            link.levels.push_back(it->level);
            it = unlinked_hits_.erase(it);
        } else {
            ++it;
        }
    }
    link.open = link.levels.empty();
    u.derived.push_back(Derived{
        "point", {{"event_id", event_id}, {"athlete", p.athlete}, {"points", p.points}, {"hit_levels", link.levels}}});
    points_.push_back(std::move(link));
    if (points_.size() > remembered_points) points_.pop_front();
}

void MatchTracker::on_hit_level(const HitLevel& h, std::int64_t at_us, Update& u) {
    // The oldest open point of the athlete within the window gets the hit: with two open points, the earlier
    // point takes the earlier hit. Points are in arrival order, so the scan stops at the first one too old.
    PointLinks* target = nullptr;
    for (auto it = points_.rbegin(); it != points_.rend() && at_us - it->at_us <= hit_level_window_us; ++it)
        if (it->open && it->athlete == h.athlete) target = &*it;
    if (target == nullptr) {
        unlinked_hits_.push_back({h.athlete, h.level, at_us});
        return;
    }
    target->levels.push_back(h.level);
    target->open = false;
    u.linked_points.push_back(target->event_id);
}

void MatchTracker::forget_old_links(std::int64_t now_us) {
    while (!unlinked_hits_.empty() && now_us - unlinked_hits_.front().at_us > hit_level_window_us)
        unlinked_hits_.pop_front();
}

std::vector<int> MatchTracker::hit_levels_of(std::int64_t point_event_id) const {
    for (auto it = points_.rbegin(); it != points_.rend(); ++it)
        if (it->event_id == point_event_id) return it->levels;
    return {};
}

}  // namespace vta::pss
