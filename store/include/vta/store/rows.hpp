#pragma once
// Plain rows the host hands to the Writer. The store knows nothing of PSS: the host converts decoded
// groups into these. Ids (datagram, event, unknown, match) are assigned by the Writer when a row is added.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace vta::store {

// Side of the mat, as stored in match_athlete.side and match.winner (tie: match.winner only).
enum class Side : int { none = 0, blue = 1, red = 2, tie = 3 };

struct DatagramRow {
    std::int64_t received_us = 0;  // arrival time, microseconds since the Unix epoch
    std::string sender;            // "ip:port"
    std::string raw;               // datagram bytes as received (stored as a BLOB)
    int group_count = 0;           // groups the codec split it into
};

// One recognised group of a datagram.
struct EventRow {
    std::int64_t datagram_id = 0;
    int group_index = 0;             // position of the group inside its datagram
    std::string code;                // group code, e.g. "pt1"
    std::string raw;                 // the group's text
    std::string fields_json = "{}";  // parsed fields as a JSON object text
    std::optional<std::int64_t> match_id;
    int round = 0;
    std::optional<int> clock_seconds;  // match clock when the group arrived, if known
    bool clock_running = false;
    std::optional<std::int64_t> rec_offset_ms;  // filled by later workflows
    std::optional<std::int64_t> str_offset_ms;
    std::optional<std::string> clip_path;
    std::optional<std::int64_t> clip_offset_ms;
};

enum class GroupStatus { unknown, invalid };  // stored as 'unknown' | 'invalid'

// One unknown or invalid group of a datagram.
struct UnknownRow {
    std::int64_t datagram_id = 0;
    int group_index = 0;
    GroupStatus status = GroupStatus::unknown;
    std::string code;  // the code as read, may be empty
    std::string raw;
    std::string reason;  // why it was not recognised
    std::optional<std::int64_t> match_id;
    int round = 0;
    std::optional<int> clock_seconds;
};

struct AthleteRow {
    std::string short_name;
    std::string long_name;  // athletes are unique on (long_name, noc)
    std::string noc;
};

struct RoundScore {
    int blue = 0;
    int red = 0;
};

struct MatchRow {
    std::optional<std::int64_t> day_id;  // tournament_day.id, normally ActiveDay::day_id
    std::string number;                  // match number as shown ("101", "A12")
    std::string category;
    std::string weight;
    std::string division;
    std::string match_code;
    int rounds = 0;
    int round_seconds = 0;
    int blue_score = 0;
    int red_score = 0;
    std::vector<RoundScore> round_scores;  // one per round played
    std::vector<Side> round_winners;       // one per round decided
    Side winner = Side::none;
    std::string winner_name;
    std::string decision;            // e.g. "PTF", "RSC"; empty while running
    std::string state_json = "{}";   // the host's match state snapshot
    std::optional<AthleteRow> blue;  // set -> linked through match_athlete side 1
    std::optional<AthleteRow> red;   // side 2
};

// Links the events whose datagram arrived in [since_us, until_us] to a saved clip and/or to the
// recording and stream running then. Fields left unset do not change the events.
struct EventTag {
    std::int64_t since_us = 0;
    std::int64_t until_us = std::numeric_limits<std::int64_t>::max();
    std::optional<std::string> clip_path;
    std::optional<std::int64_t> recording_started_us;  // sets rec_offset_ms = (received_us - this) / 1000
    std::optional<std::int64_t> stream_started_us;     // sets str_offset_ms likewise...
    std::int64_t stream_timeline_start_ms = 0;         // ...plus this (the session's place in the day)
    std::optional<std::int64_t> clip_started_us;       // sets clip_offset_ms likewise
};

// A recording of a match, added when it starts and ended by RecordingEnd.
struct RecordingRow {
    std::optional<std::int64_t> match_id;
    std::string connection;           // OBS connection that records
    std::optional<std::string> path;  // known once OBS reports the file
    std::string folder;
    std::string file;
    std::int64_t started_us = 0;  // microseconds since the Unix epoch, like datagram.received_us
    std::optional<std::int64_t> ended_us;
    std::string stopped_by;  // why it stopped
};

struct RecordingEnd {
    std::int64_t ended_us = 0;
    std::optional<std::string> path;  // unset keeps the stored one
    std::string stopped_by;
};

// A replay clip request: stored whether the clip was saved (path) or not (error).
struct ClipRow {
    std::optional<std::int64_t> match_id;
    std::optional<std::string> path;
    std::int64_t since_us = 0;  // what the clip covers
    std::int64_t until_us = 0;
    std::int64_t requested_us = 0;  // when it was asked for
    std::string reason;
    std::optional<int> side;  // the challenging side (0 referee, 1 blue, 2 red), if any
    std::optional<std::string> error;
};

// One uninterrupted run of a stream output. The Writer fills timeline_start_ms when it is opened.
struct StreamSessionRow {
    std::optional<std::int64_t> day_id;
    std::string connection;
    std::int64_t started_us = 0;
    std::optional<std::int64_t> ended_us;
    std::string end_reason;
    std::int64_t timeline_start_ms = 0;  // summed durations of the day's earlier sessions
};

struct StreamSessionEnd {
    std::int64_t ended_us = 0;
    std::string end_reason;
};

// A workflow package's value under a key (Lua store.set): JSON text, or none to delete the key.
struct PackageValueRow {
    std::string package;
    std::string key;
    std::optional<std::string> value_json;
};

// A message for the courts' bus (docs/courts-bus.md), kept in the outbox table until the broker acknowledged it.
// Its seq (the court's sequence number) is given by the Writer; the payload is made when its batch commits, on
// the writer thread, so the caller pays only for what `make_payload` captures.
struct OutboxRow {
    std::string topic;
    // (seq, id of the event added with it, or 0) -> payload text. Must not throw.
    std::function<std::string(std::int64_t seq, std::int64_t event_id)> make_payload;
    // A retained topic's message supersedes the older ones of the same topic still in the outbox: they are deleted.
    bool supersedes = false;
};

}  // namespace vta::store
