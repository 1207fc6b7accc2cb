// JSON forms of the query results: what `vta matches|events|stats --json` prints.

#include <nlohmann/json.hpp>

#include "codec.hpp"
#include "vta/store/database.hpp"

namespace vta::store {

namespace {

template <class T>
nlohmann::json or_null(const std::optional<T>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// Stored JSON text is embedded as JSON, not as a string; text that does not parse stays a string.
nlohmann::json embedded(const std::string& text) {
    auto parsed = nlohmann::json::parse(text, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json(text) : parsed;
}

}  // namespace

namespace {

nlohmann::json athlete_json(const std::optional<AthleteRow>& a, const std::optional<std::int64_t>& id) {
    if (!a) return nullptr;
    return {{"id", or_null(id)}, {"short_name", a->short_name}, {"long_name", a->long_name}, {"noc", a->noc}};
}

}  // namespace

void to_json(nlohmann::json& j, const MatchInfo& m) {
    auto round_scores = nlohmann::json::array();
    for (const RoundScore& score : m.round_scores) {
        round_scores.push_back({{"blue", score.blue}, {"red", score.red}});
    }
    auto round_winners = nlohmann::json::array();
    for (Side side : m.round_winners) {
        round_winners.push_back(detail::side_name(side));
    }
    j = {
        {"id", m.id},
        {"day_id", or_null(m.day_id)},
        {"number", m.number},
        {"category", m.category},
        {"weight", m.weight},
        {"division", m.division},
        {"match_code", m.match_code},
        {"rounds", m.rounds},
        {"round_seconds", m.round_seconds},
        {"blue_score", m.blue_score},
        {"red_score", m.red_score},
        {"round_scores", std::move(round_scores)},
        {"round_winners", std::move(round_winners)},
        {"winner", detail::side_name(m.winner)},
        {"winner_name", m.winner_name},
        {"decision", m.decision},
        {"state", embedded(m.state_json)},
        {"blue", athlete_json(m.blue, m.blue_id)},
        {"red", athlete_json(m.red, m.red_id)},
        {"event_count", m.event_count},
        {"created_at", m.created_at},
        {"updated_at", m.updated_at},
    };
}

void to_json(nlohmann::json& j, const EventInfo& e) {
    j = {
        {"id", e.id},
        {"datagram_id", e.datagram_id},
        {"received_us", e.received_us},
        {"group_index", e.group_index},
        {"code", e.code},
        {"raw", e.raw},
        {"fields", embedded(e.fields_json)},
        {"match_id", or_null(e.match_id)},
        {"round", e.round},
        {"clock_seconds", or_null(e.clock_seconds)},
        {"clock_running", e.clock_running},
        {"rec_offset_ms", or_null(e.rec_offset_ms)},
        {"str_offset_ms", or_null(e.str_offset_ms)},
        {"clip_path", or_null(e.clip_path)},
        {"clip_offset_ms", or_null(e.clip_offset_ms)},
    };
}

void to_json(nlohmann::json& j, const Stats& s) {
    auto per_code = nlohmann::json::object();
    for (const auto& [code, counts] : s.per_code) {
        per_code[code] = {{"events", counts.events}, {"unknown", counts.unknown}, {"invalid", counts.invalid}};
    }
    j = {
        {"datagrams", s.datagrams},
        {"events", s.events},
        {"unknown", s.unknown},
        {"invalid", s.invalid},
        {"per_code", std::move(per_code)},
        {"first_received_us", or_null(s.first_received_us)},
        {"last_received_us", or_null(s.last_received_us)},
        {"counters", s.counters},
    };
}

void to_json(nlohmann::json& j, const ActiveDay& d) {
    j = {{"tournament_id", d.tournament_id},
         {"tournament_name", d.tournament_name},
         {"day_id", d.day_id},
         {"day_number", d.day_number},
         {"date", d.date_iso}};
}

void to_json(nlohmann::json& j, const SettingChange& c) {
    j = {{"key", c.key},
         {"old_value", or_null(c.old_value)},
         {"new_value", c.new_value},
         {"changed_at", c.changed_at},
         {"changed_by", c.changed_by}};
}

void to_json(nlohmann::json& j, const TournamentDay& d) {
    j = {{"day_id", d.id}, {"day_number", d.day_number}, {"date", d.date_iso}};
}

void to_json(nlohmann::json& j, const TournamentInfo& t) {
    j = {{"id", t.id}, {"name", t.name}, {"created_at", t.created_at}, {"days", t.days}};
}

void to_json(nlohmann::json& j, const RecordingInfo& r) {
    j = {{"id", r.id},
         {"match_id", or_null(r.match_id)},
         {"connection", r.connection},
         {"path", or_null(r.path)},
         {"folder", r.folder},
         {"file", r.file},
         {"started_us", r.started_us},
         {"ended_us", or_null(r.ended_us)},
         {"stopped_by", r.stopped_by}};
}

void to_json(nlohmann::json& j, const ClipInfo& c) {
    j = {{"id", c.id},
         {"match_id", or_null(c.match_id)},
         {"path", or_null(c.path)},
         {"since_us", c.since_us},
         {"until_us", c.until_us},
         {"requested_us", c.requested_us},
         {"reason", c.reason},
         {"side", or_null(c.side)},
         {"error", or_null(c.error)}};
}

void to_json(nlohmann::json& j, const StreamSessionInfo& s) {
    j = {{"id", s.id},
         {"day_id", or_null(s.day_id)},
         {"connection", s.connection},
         {"started_us", s.started_us},
         {"ended_us", or_null(s.ended_us)},
         {"end_reason", s.end_reason},
         {"timeline_start_ms", s.timeline_start_ms}};
}

}  // namespace vta::store
