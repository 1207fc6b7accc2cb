#include "vta/host/ingest.hpp"

#include <algorithm>
#include <chrono>

#include "vta/pss/codec.hpp"

namespace vta::host {

namespace {
// A late hit level links only to a point at most the window old; keep a little more than that.
constexpr std::size_t max_recent_points = 64;

// The match state's winner: "BLUE", "RED", "TIE" (win;TIE) or "" while undecided.
store::Side winner_of(const std::string& winner) {
    if (winner == "BLUE") return store::Side::blue;
    if (winner == "RED") return store::Side::red;
    if (winner == "TIE") return store::Side::tie;
    return store::Side::none;
}

store::Side side_of(int athlete) {
    return athlete == 1 ? store::Side::blue : athlete == 2 ? store::Side::red : store::Side::none;
}

}  // namespace

const std::string& Ingest::sender_text(const boost::asio::ip::udp::endpoint& endpoint) {
    // A court has one sender: format its address once, not for every datagram.
    if (endpoint != last_sender_ || last_sender_text_.empty()) {
        last_sender_ = endpoint;
        last_sender_text_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    }
    return last_sender_text_;
}

store::MatchRow to_match_row(const pss::MatchState& s, std::optional<std::int64_t> day_id) {
    store::MatchRow row;
    row.day_id = day_id;
    row.number = s.number;
    row.category = s.category;
    row.weight = s.weight;
    row.division = s.division;
    row.match_code = s.match_code;
    row.rounds = s.rounds;
    row.round_seconds = s.round_seconds;
    row.blue_score = s.scores[0];
    row.red_score = s.scores[1];
    const int played = std::clamp(s.round, 0, 4);  // rounds begun so far, the golden round included
    for (int r = 0; r < played; ++r) row.round_scores.push_back({s.round_scores[r][0], s.round_scores[r][1]});
    for (int winner : s.round_winners)
        if (winner != 0) row.round_winners.push_back(side_of(winner));
    row.winner = winner_of(s.winner);
    row.winner_name = s.winner_name;
    row.decision = s.decision;
    row.state_json = s.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto athlete = [](const pss::Athlete& a) -> std::optional<store::AthleteRow> {
        if (a.long_name.empty() && a.short_name.empty()) return std::nullopt;
        return store::AthleteRow{a.short_name, a.long_name, a.noc};
    };
    row.blue = athlete(s.athletes[0]);
    row.red = athlete(s.athletes[1]);
    return row;
}

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Ingest::Ingest(store::IngestSink& sink, std::optional<std::int64_t> day_id) : writer_(sink), day_id_(day_id) {}

void Ingest::resume(std::int64_t match_id, const pss::MatchState& state) {
    tracker_.resume(state);
    match_id_ = match_id;
    match_day_id_ = day_id_;
    match_dirty_ = false;
}

void Ingest::on_datagram(const pss::ReceivedDatagram& datagram) {
    std::vector<pss::Group> groups = pss::decode(datagram.bytes);
    const store::SameBatch together(writer_);  // the datagram, its events, unknown groups and match rows
    const std::int64_t datagram_id = writer_.add_datagram(
        {datagram.arrival_us,
         datagram.sender_name.empty() ? sender_text(datagram.sender) : std::string(datagram.sender_name),
         std::string(datagram.bytes), int(groups.size())});
    ++counters_.datagrams;
    counters_.last_datagram_id = datagram_id;
    counters_.last_arrival_us = datagram.arrival_us;

    for (std::size_t i = 0; i < groups.size(); ++i) {
        pss::Group& group = groups[i];
        if (group.status == pss::Status::recognised) {
            ++counters_.decoded;
            store_recognised(group, datagram_id, int(i), datagram.arrival_us);
            continue;
        }
        ++(group.status == pss::Status::invalid ? counters_.invalid : counters_.unknown);
        const pss::MatchState& state = tracker_.state();
        store::UnknownRow row;
        row.datagram_id = datagram_id;
        row.group_index = int(i);
        row.status = group.status == pss::Status::invalid ? store::GroupStatus::invalid : store::GroupStatus::unknown;
        row.code = group.code;
        row.raw = group.raw;
        row.reason = group.reason;
        row.match_id = match_id_;
        row.round = state.round;
        if (tracker_.has_match()) row.clock_seconds = state.clock_seconds;
        writer_.add_unknown(std::move(row));
    }
}

void Ingest::store_recognised(pss::Group& group, std::int64_t datagram_id, int index, std::int64_t arrival_us) {
    // Only these groups can begin a new match: write the finishing match's last state before it is reset.
    if (std::holds_alternative<pss::FightLoaded>(group.payload) ||
        std::holds_alternative<pss::Athletes>(group.payload) || std::holds_alternative<pss::MatchConfig>(group.payload))
        flush_match();
    const std::int64_t key = next_key_++;
    const pss::MatchTracker::Update update = tracker_.apply(group, arrival_us, key);
    const pss::MatchState& state = tracker_.state();
    if (update.new_match) {
        match_id_ = writer_.add_match(to_match_row(state, day_id_));
        match_day_id_ = day_id_;
        match_dirty_ = false;
    } else if (update.match_changed) {
        match_dirty_ = true;
    }

    const bool is_point = std::holds_alternative<pss::Point>(group.payload);
    if (is_point) group.fields["hit_levels"] = tracker_.hit_levels_of(key);

    store::EventRow row;
    row.datagram_id = datagram_id;
    row.group_index = index;
    row.code = group.code;
    row.raw = group.raw;
    row.fields_json = group.fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    row.match_id = match_id_;
    row.round = state.round;
    if (tracker_.has_match()) row.clock_seconds = state.clock_seconds;
    row.clock_running = state.clock_running;
    const std::int64_t event_id = writer_.add_event(std::move(row));

    if (is_point) {
        recent_points_.push_back({key, event_id, group.fields});
        if (recent_points_.size() > max_recent_points) recent_points_.pop_front();
    }
    if (!update.linked_points.empty()) relink_points(update.linked_points);
    if (observer_)
        observer_(IngestedGroup{group, update, state, event_id, arrival_us, match_id_, tracker_.has_match()});
}

void Ingest::flush_match() {
    if (!match_dirty_ || !match_id_) return;
    // Only a copy of the state here: the writer thread builds the row (its JSON costs the most).
    writer_.update_match(*match_id_,
                         [state = tracker_.state(), day_id = match_day_id_] { return to_match_row(state, day_id); });
    match_dirty_ = false;
}

void Ingest::relink_points(const std::vector<std::int64_t>& keys) {
    for (std::int64_t key : keys) {
        auto point = std::find_if(recent_points_.begin(), recent_points_.end(),
                                  [key](const RecentPoint& p) { return p.key == key; });
        if (point == recent_points_.end()) continue;
        point->fields["hit_levels"] = tracker_.hit_levels_of(key);
        writer_.update_event_fields(point->event_id,
                                    point->fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
}

}  // namespace vta::host
