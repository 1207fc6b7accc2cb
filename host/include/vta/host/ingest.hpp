// The ingest path: a received datagram is decoded, applied to the match state and handed to the
// store writer, all on the loop thread, without waiting on SQLite.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "vta/pss/match_state.hpp"
#include "vta/pss/udp_listener.hpp"
#include "vta/store/ingest_sink.hpp"

namespace vta::host {

struct IngestCounters {
    std::uint64_t datagrams = 0;
    std::uint64_t decoded = 0;          // recognised groups
    std::uint64_t unknown = 0;          // unknown groups
    std::uint64_t invalid = 0;          // invalid groups
    std::int64_t last_datagram_id = 0;  // id the writer gave the newest datagram
    std::int64_t last_arrival_us = 0;
};

// What subscribers (the Lua runtime, the panel) learn about each recognised group.
struct IngestedGroup {
    const pss::Group& group;
    const pss::MatchTracker::Update& update;
    const pss::MatchState& state;
    std::int64_t event_id;
    std::int64_t arrival_us;
    std::optional<std::int64_t> match_id;  // the stored match the group belongs to
    bool has_match;                        // the tracker has a match (clock and round are meaningful)
};

class Ingest {
public:
    // `sink` is the store Writer live, a DiscardingSink in a dry run.
    Ingest(store::IngestSink& sink, std::optional<std::int64_t> day_id);

    void on_datagram(const pss::ReceivedDatagram& datagram);

    // Writes the current match's row if it changed since the last write. Rebuilding the row for every
    // score change would cost more than the rest of the ingest path together, so the host calls this
    // at the end of each burst of datagrams and at stop, and the row is built on the writer thread;
    // a new match flushes the one it ends.
    void flush_match();

    // Continues the stored match `match_id` with its last known state (a host restarted mid-match):
    // the groups that follow attach to it instead of to no match.
    void resume(std::int64_t match_id, const pss::MatchState& state);

    // The tournament day new matches attach to; the current match keeps the day it began on.
    void set_day(std::optional<std::int64_t> day_id) { day_id_ = day_id; }
    std::optional<std::int64_t> day_id() const { return day_id_; }

    // Called after each recognised group is stored (queued for commit).
    void set_observer(std::function<void(const IngestedGroup&)> observer) { observer_ = std::move(observer); }

    const IngestCounters& counters() const { return counters_; }
    const pss::MatchTracker& tracker() const { return tracker_; }
    std::optional<std::int64_t> match_id() const { return match_id_; }

private:
    struct RecentPoint {
        std::int64_t key;
        std::int64_t event_id;
        nlohmann::json fields;
    };

    void store_recognised(pss::Group& group, std::int64_t datagram_id, int index, std::int64_t arrival_us);
    void relink_points(const std::vector<std::int64_t>& keys);
    const std::string& sender_text(const boost::asio::ip::udp::endpoint& endpoint);

    store::IngestSink& writer_;
    std::optional<std::int64_t> day_id_;
    pss::MatchTracker tracker_;
    std::optional<std::int64_t> match_id_;
    std::optional<std::int64_t> match_day_id_;  // the day match_id_ began on
    bool match_dirty_ = false;
    std::int64_t next_key_ = 1;              // names groups for the tracker before the writer gives ids
    std::deque<RecentPoint> recent_points_;  // points a late hit level may still link to
    IngestCounters counters_;
    boost::asio::ip::udp::endpoint last_sender_;
    std::string last_sender_text_;
    std::function<void(const IngestedGroup&)> observer_;
};

// Now on the scale of a datagram's arrival time: microseconds since the Unix epoch.
std::int64_t now_us();

// The match row the store keeps for the tracker's current state.
store::MatchRow to_match_row(const pss::MatchState& state, std::optional<std::int64_t> day_id);

}  // namespace vta::host
