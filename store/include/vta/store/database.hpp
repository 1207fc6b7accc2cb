#pragma once
// The store's database: schema + migrations, settings with history, the active tournament day, and
// the read queries behind `vta matches|events|stats --json`. Writes of datagrams, events and matches
// go through vta::store::Writer (writer.hpp), which owns its own connection and thread.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/store/audit.hpp"
#include "vta/store/result.hpp"
#include "vta/store/rows.hpp"

namespace SQLite {
class Database;
}

namespace vta::store {

struct ActiveDay {
    std::int64_t tournament_id = 0;
    std::string tournament_name;
    std::int64_t day_id = 0;
    int day_number = 0;
    std::string date_iso;  // "YYYY-MM-DD"
};

struct TournamentDay {
    std::int64_t id = 0;
    int day_number = 0;
    std::string date_iso;  // "YYYY-MM-DD"
};

struct TournamentInfo {
    std::int64_t id = 0;
    std::string name;
    std::string created_at;           // ISO-8601 UTC
    std::vector<TournamentDay> days;  // by day number
};

struct SettingChange {
    std::string key;
    std::optional<std::string> old_value;  // empty on first set
    std::string new_value;
    std::string changed_at;  // ISO-8601 UTC
    std::string changed_by;
};

// A stored match: the row the host wrote (rows.hpp), with the ids and times the store gave it.
struct MatchInfo : MatchRow {
    std::int64_t id = 0;
    std::optional<std::int64_t> blue_id;  // athlete ids, set with `blue` / `red`
    std::optional<std::int64_t> red_id;
    std::int64_t event_count = 0;
    std::string created_at;  // ISO-8601 UTC
    std::string updated_at;
};

struct EventInfo {
    std::int64_t id = 0;
    std::int64_t datagram_id = 0;
    std::int64_t received_us = 0;  // from the datagram
    int group_index = 0;
    std::string code;
    std::string raw;
    std::string fields_json;
    std::optional<std::int64_t> match_id;
    int round = 0;
    std::optional<int> clock_seconds;
    bool clock_running = false;
    std::optional<std::int64_t> rec_offset_ms;
    std::optional<std::int64_t> str_offset_ms;
    std::optional<std::string> clip_path;
    std::optional<std::int64_t> clip_offset_ms;
};

// Stored rows of the recording, clip and stream_session tables, with their ids.
struct RecordingInfo : RecordingRow {
    std::int64_t id = 0;
};
struct ClipInfo : ClipRow {
    std::int64_t id = 0;
};
struct StreamSessionInfo : StreamSessionRow {
    std::int64_t id = 0;
};

// Where a match starts in the day's stream: its first event that has a stream offset.
struct MatchStreamStart {
    MatchInfo match;
    std::optional<std::int64_t> str_offset_ms;  // empty when none of its events has one
};

// Rows of one day (through their match for recordings and clips) and/or of one match.
struct RowFilter {
    std::optional<std::int64_t> day_id;
    std::optional<std::int64_t> match_id;
};

struct CodeCounts {
    std::int64_t events = 0;   // recognised groups with this code
    std::int64_t unknown = 0;  // unknown groups with this code
    std::int64_t invalid = 0;  // invalid groups with this code
};

struct Stats {
    std::int64_t datagrams = 0;
    std::int64_t events = 0;
    std::int64_t unknown = 0;
    std::int64_t invalid = 0;
    std::map<std::string, CodeCounts> per_code;
    std::optional<std::int64_t> first_received_us;  // empty when no datagram is stored
    std::optional<std::int64_t> last_received_us;
    std::map<std::string, std::int64_t> counters;  // host_counter name -> value
};

struct MatchFilter {
    std::optional<std::int64_t> day_id;  // only this day's matches
    std::optional<std::int64_t> limit;   // only the newest `limit` matches (still in id order)
};

// nlohmann::json conversions (found by ADL): `nlohmann::json j = db.list_matches().value();`
void to_json(nlohmann::json& j, const MatchInfo& m);
void to_json(nlohmann::json& j, const EventInfo& e);
void to_json(nlohmann::json& j, const Stats& s);
void to_json(nlohmann::json& j, const ActiveDay& d);
void to_json(nlohmann::json& j, const SettingChange& c);
void to_json(nlohmann::json& j, const TournamentDay& d);
void to_json(nlohmann::json& j, const TournamentInfo& t);
void to_json(nlohmann::json& j, const RecordingInfo& r);
void to_json(nlohmann::json& j, const ClipInfo& c);
void to_json(nlohmann::json& j, const StreamSessionInfo& s);

// Setting keys that hold the active tournament and day ids.
inline constexpr std::string_view active_tournament_key = "active_tournament_id";
inline constexpr std::string_view active_day_key = "active_day_id";

// Rows Database::events_between returns at most unless told otherwise.
inline constexpr std::int64_t default_events_limit = 10000;

// One connection: use a Database from one thread at a time.
class Database {
public:
    // Opens (creating the file and its parent folders) and migrates to the latest schema.
    static Result<Database> open(const std::filesystem::path& path);
    // For readers in other processes (the CLI) while the host writes: never creates nor migrates.
    static Result<Database> open_read_only(const std::filesystem::path& path);

    Database(Database&&) noexcept;
    Database& operator=(Database&&) noexcept;
    ~Database();

    static int latest_schema_version();
    Result<int> schema_version();
    const std::filesystem::path& path() const { return path_; }
    bool read_only() const { return read_only_; }

    // Settings: every change of value is recorded in setting_history (setting the same value is not a change).
    Result<std::optional<std::string>> get_setting(std::string_view key);
    Result<void> set_setting(std::string_view key, std::string_view value, std::string_view changed_by = "host");
    Result<std::vector<SettingChange>> setting_history(std::string_view key);

    // First run creates "Tournament <date>" with its "Day 1" and makes them active; later runs return
    // the active ones and ignore the date. If the active day row is gone, the active tournament gets
    // its next day on that date.
    Result<ActiveDay> ensure_active_day(std::string_view date_iso);
    Result<std::optional<ActiveDay>> active_day();

    // The tournament/day selector. Tournaments in id order, each with its days. create_tournament makes
    // the tournament with its day 1 and add_day gives a tournament its next day number; neither changes
    // what is active. activate_day makes a day and its tournament the active ones (both settings keep
    // their history). Unknown ids and bad names or dates are refused and change nothing.
    Result<std::vector<TournamentInfo>> list_tournaments();
    Result<ActiveDay> create_tournament(std::string_view name, std::string_view first_day_date_iso);
    Result<ActiveDay> add_day(std::int64_t tournament_id, std::string_view date_iso);
    Result<ActiveDay> activate_day(std::int64_t day_id, std::string_view changed_by = "host");

    // Queries.
    Result<std::vector<MatchInfo>> list_matches(const MatchFilter& filter = {});
    Result<std::optional<MatchInfo>> get_match(std::int64_t match_id);
    Result<std::vector<EventInfo>> list_events(std::int64_t match_id);  // in arrival order
    // Events whose datagram arrived in [since_us, until_us], in arrival order, the first `limit` of them.
    Result<std::vector<EventInfo>> events_between(std::int64_t since_us, std::int64_t until_us,
                                                  std::int64_t limit = default_events_limit);
    // A workflow package's value under `key` (JSON text, as Writer::set_package_value stored it); empty when none.
    Result<std::optional<std::string>> package_value(std::string_view package, std::string_view key);
    Result<Stats> stats();
    Result<std::vector<RecordingInfo>> list_recordings(const RowFilter& filter = {});  // in id order
    Result<std::vector<ClipInfo>> list_clips(const RowFilter& filter = {});
    Result<std::vector<StreamSessionInfo>> list_stream_sessions(std::optional<std::int64_t> day_id = {});  // by start
    // The day's matches in id order, each with where it starts in the day's stream.
    Result<std::vector<MatchStreamStart>> match_stream_starts(std::int64_t day_id);
    // Tournament days whose id is `day` (digits) or whose date is `day` (YYYY-MM-DD).
    Result<std::vector<ActiveDay>> find_days(std::string_view day);

    // The audit trail, oldest first (the host appends through Writer::add_audit).
    Result<std::vector<AuditEntry>> list_audit(const AuditFilter& filter = {});
    // Appends one audit row on this connection (for a CLI command, which has no Writer); returns its id.
    Result<std::int64_t> add_audit(const AuditRow& row);

    // "ok" when PRAGMA integrity_check finds nothing, else its report.
    Result<std::string> integrity_check();

private:
    Database(std::unique_ptr<SQLite::Database> db, std::filesystem::path path, bool read_only);

    std::unique_ptr<SQLite::Database> db_;
    std::filesystem::path path_;
    bool read_only_ = false;
};

}  // namespace vta::store
