// The schema as an ordered list of migrations. A migration is applied in one transaction together with
// its schema_version row, so a file is always at exactly one version. Never edit a released migration:
// append a new one.

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "connection.hpp"

namespace vta::store::detail {

namespace {

struct Migration {
    int version;
    std::string_view description;
    std::string_view sql;  // one or more statements
    // Rebuilding a referenced table (SQLite cannot alter a CHECK) needs foreign keys off: the drop
    // would cascade otherwise. PRAGMA foreign_keys is a no-op inside a transaction, so it is set around it.
    bool foreign_keys_off = false;
};

constexpr std::string_view now_iso = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// Timestamps: datagram.received_us is microseconds since the Unix epoch (set by the host at arrival);
// *_at columns are ISO-8601 UTC text set by SQLite when the row is written.
const std::string schema_v1 = std::string(R"sql(
CREATE TABLE tournament (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL DEFAULT ()sql") +
                              std::string(now_iso) + R"sql()
);
CREATE TABLE tournament_day (
    id INTEGER PRIMARY KEY,
    tournament_id INTEGER NOT NULL REFERENCES tournament(id),
    day_number INTEGER NOT NULL,
    date TEXT NOT NULL,
    UNIQUE (tournament_id, day_number)
);
CREATE TABLE match (
    id INTEGER PRIMARY KEY,
    day_id INTEGER REFERENCES tournament_day(id),
    number TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    weight TEXT NOT NULL DEFAULT '',
    division TEXT NOT NULL DEFAULT '',
    match_code TEXT NOT NULL DEFAULT '',
    rounds INTEGER NOT NULL DEFAULT 0,
    round_seconds INTEGER NOT NULL DEFAULT 0,
    blue_score INTEGER NOT NULL DEFAULT 0,
    red_score INTEGER NOT NULL DEFAULT 0,
    round_scores TEXT NOT NULL DEFAULT '[]',
    round_winners TEXT NOT NULL DEFAULT '[]',
    winner INTEGER NOT NULL DEFAULT 0 CHECK (winner IN (0, 1, 2)),
    winner_name TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '',
    state_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX match_by_day ON match(day_id, id);
CREATE TABLE athlete (
    id INTEGER PRIMARY KEY,
    short_name TEXT NOT NULL DEFAULT '',
    long_name TEXT NOT NULL,
    noc TEXT NOT NULL DEFAULT '',
    UNIQUE (long_name, noc)
);
CREATE TABLE match_athlete (
    match_id INTEGER NOT NULL REFERENCES match(id) ON DELETE CASCADE,
    side INTEGER NOT NULL CHECK (side IN (1, 2)),
    athlete_id INTEGER NOT NULL REFERENCES athlete(id),
    PRIMARY KEY (match_id, side)
) WITHOUT ROWID;
CREATE INDEX match_athlete_by_athlete ON match_athlete(athlete_id);
CREATE TABLE datagram (
    id INTEGER PRIMARY KEY,
    received_us INTEGER NOT NULL,
    sender TEXT NOT NULL,
    raw BLOB NOT NULL,
    group_count INTEGER NOT NULL
);
CREATE INDEX datagram_by_received ON datagram(received_us);
CREATE TABLE event (
    id INTEGER PRIMARY KEY,
    datagram_id INTEGER NOT NULL REFERENCES datagram(id),
    group_index INTEGER NOT NULL,
    code TEXT NOT NULL,
    raw TEXT NOT NULL,
    fields TEXT NOT NULL DEFAULT '{}',
    match_id INTEGER REFERENCES match(id),
    round INTEGER NOT NULL DEFAULT 0,
    clock_seconds INTEGER,
    clock_running INTEGER NOT NULL DEFAULT 0,
    rec_offset_ms INTEGER,
    str_offset_ms INTEGER,
    clip_path TEXT
);
CREATE INDEX event_by_match ON event(match_id, id);
CREATE INDEX event_by_datagram ON event(datagram_id);
CREATE INDEX event_by_code ON event(code);
CREATE TABLE unknown_datagram (
    id INTEGER PRIMARY KEY,
    datagram_id INTEGER NOT NULL REFERENCES datagram(id),
    group_index INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unknown', 'invalid')),
    code TEXT NOT NULL DEFAULT '',
    raw TEXT NOT NULL,
    reason TEXT NOT NULL,
    match_id INTEGER REFERENCES match(id),
    round INTEGER NOT NULL DEFAULT 0,
    clock_seconds INTEGER
);
CREATE INDEX unknown_by_datagram ON unknown_datagram(datagram_id);
CREATE INDEX unknown_by_match ON unknown_datagram(match_id);
CREATE INDEX unknown_by_status_code ON unknown_datagram(status, code);
CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE setting_history (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
);
CREATE INDEX setting_history_by_key ON setting_history(key, id);
CREATE TABLE host_counter (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
)sql";

// v2: match.winner may be a tie (3); recordings, clips and stream sessions; events' offset into their clip.
// Stream sessions: timeline_start_ms is where the session starts in the day's stream timeline (the
// summed durations of that day's earlier sessions), so offsets stay continuous across restarts.
const std::string schema_v2 = R"sql(
CREATE TABLE match_v2 (
    id INTEGER PRIMARY KEY,
    day_id INTEGER REFERENCES tournament_day(id),
    number TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    weight TEXT NOT NULL DEFAULT '',
    division TEXT NOT NULL DEFAULT '',
    match_code TEXT NOT NULL DEFAULT '',
    rounds INTEGER NOT NULL DEFAULT 0,
    round_seconds INTEGER NOT NULL DEFAULT 0,
    blue_score INTEGER NOT NULL DEFAULT 0,
    red_score INTEGER NOT NULL DEFAULT 0,
    round_scores TEXT NOT NULL DEFAULT '[]',
    round_winners TEXT NOT NULL DEFAULT '[]',
    winner INTEGER NOT NULL DEFAULT 0 CHECK (winner IN (0, 1, 2, 3)),
    winner_name TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '',
    state_json TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO match_v2 (id, day_id, number, category, weight, division, match_code, rounds, round_seconds,
    blue_score, red_score, round_scores, round_winners, winner, winner_name, decision, state_json, created_at,
    updated_at)
  SELECT id, day_id, number, category, weight, division, match_code, rounds, round_seconds, blue_score,
    red_score, round_scores, round_winners, winner, winner_name, decision, state_json, created_at, updated_at
  FROM match;
DROP TABLE match;
ALTER TABLE match_v2 RENAME TO match;
CREATE INDEX match_by_day ON match(day_id, id);
ALTER TABLE event ADD COLUMN clip_offset_ms INTEGER;
CREATE TABLE recording (
    id INTEGER PRIMARY KEY,
    match_id INTEGER REFERENCES match(id),
    connection TEXT NOT NULL DEFAULT '',
    path TEXT,
    folder TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL DEFAULT '',
    started_us INTEGER NOT NULL,
    ended_us INTEGER,
    stopped_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX recording_by_match ON recording(match_id, id);
CREATE TABLE clip (
    id INTEGER PRIMARY KEY,
    match_id INTEGER REFERENCES match(id),
    path TEXT,
    since_us INTEGER NOT NULL,
    until_us INTEGER NOT NULL,
    requested_us INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    side INTEGER,
    error TEXT
);
CREATE INDEX clip_by_match ON clip(match_id, id);
CREATE TABLE stream_session (
    id INTEGER PRIMARY KEY,
    day_id INTEGER REFERENCES tournament_day(id),
    connection TEXT NOT NULL DEFAULT '',
    started_us INTEGER NOT NULL,
    ended_us INTEGER,
    end_reason TEXT NOT NULL DEFAULT '',
    timeline_start_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX stream_session_by_day ON stream_session(day_id, started_us);
)sql";

// v3: the workflow packages' key/value data (Lua store.set), written through the Writer. Hosts before v3
// let the workflow runtime create a table of its own, bindings_kv: its rows move here. Creating it when
// missing keeps this one plain script for files with and without it.
const std::string schema_v3 = std::string(R"sql(
CREATE TABLE package_value (
    package TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (package, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bindings_kv (
    package TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (package, key)
);
INSERT INTO package_value (package, key, value, updated_at)
  SELECT package, key, value, )sql") +
                              std::string(now_iso) +
                              R"sql( FROM bindings_kv;
DROP TABLE bindings_kv;
)sql";

// v4: the courts' outbox (docs/courts-bus.md): messages for the MQTT broker, written by the Writer in the
// transaction of the rows they describe and deleted once the broker acknowledged them. AUTOINCREMENT keeps a
// seq from ever being reused after its row is deleted: seq is the court's sequence number on the bus.
const std::string schema_v4 = R"sql(
CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL
);
)sql";

// v5: the audit trail (vta/store/audit.hpp): one row per operator, CLI or script action on the record or on air.
// Ids come from SQLite, not from the Writer: the CLI adds rows on its own connection while the host runs.
const std::string schema_v5 = R"sql(
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at_us INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('panel', 'cli') OR source LIKE 'script:_%'),
    action TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    before TEXT,
    after TEXT
);
CREATE INDEX audit_by_time ON audit(at_us);
)sql";

const std::array<Migration, 5> migrations{{
    {1, "tournaments, matches, athletes, datagrams, events, settings, counters", schema_v1},
    {2, "tied matches; recordings, clips, stream sessions; event clip offsets", schema_v2, true},
    {3, "workflow packages' key/value data (from bindings_kv)", schema_v3},
    {4, "the courts' outbox for the MQTT broker", schema_v4},
    {5, "the audit trail of operator, CLI and script actions", schema_v5},
}};

void ensure_version_table(SQLite::Database& db) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY,"
        " description TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)");
}

int current_version(SQLite::Database& db) {
    SQLite::Statement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    query.executeStep();
    return query.getColumn(0).getInt();
}

// Turns foreign keys off for the lifetime of a migration that needs it, and back on whatever happens.
class ForeignKeysOff {
public:
    ForeignKeysOff(SQLite::Database& db, bool wanted) : db_(db), active_(wanted) {
        if (active_) {
            db_.exec("PRAGMA foreign_keys=OFF");
        }
    }
    ~ForeignKeysOff() {
        if (active_) {
            db_.tryExec("PRAGMA foreign_keys=ON");
        }
    }
    ForeignKeysOff(const ForeignKeysOff&) = delete;
    ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;

private:
    SQLite::Database& db_;
    bool active_;
};

// With foreign keys off nothing stops a migration from breaking a reference: check before committing.
void require_foreign_keys_intact(SQLite::Database& db, int version) {
    SQLite::Statement check(db, "PRAGMA foreign_key_check");
    if (check.executeStep()) {
        throw std::runtime_error("migration " + std::to_string(version) + " would break a reference from table " +
                                 check.getColumn(0).getString() + " row " + check.getColumn(1).getString());
    }
}

Error too_new(int version) {
    return Error{Errc::schema_too_new, "database schema version " + std::to_string(version) +
                                           " is newer than this build supports (" +
                                           std::to_string(latest_schema_version()) + "): use a newer vta"};
}

}  // namespace

int latest_schema_version() { return migrations.back().version; }

Result<int> read_schema_version(SQLite::Database& db) {
    try {
        if (!db.tableExists("schema_version")) {
            return 0;
        }
        const int version = current_version(db);
        if (version > latest_schema_version()) {
            return too_new(version);
        }
        return version;
    } catch (const std::exception& e) {
        return to_error(e, "reading the schema version");
    }
}

Result<void> migrate(SQLite::Database& db) {
    try {
        // Checked without a write lock first: opening an up-to-date file must not wait on a writer.
        if (db.tableExists("schema_version")) {
            const int version = current_version(db);
            if (version > latest_schema_version()) {
                return too_new(version);
            }
            if (version == latest_schema_version()) {
                return {};
            }
        }
        ensure_version_table(db);
        for (const Migration& migration : migrations) {
            // IMMEDIATE takes the write lock before reading the version, so two processes opening
            // the same new file cannot both apply a migration.
            ForeignKeysOff foreign_keys_off(db, migration.foreign_keys_off);
            SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
            const int version = current_version(db);
            if (version > latest_schema_version()) {
                return too_new(version);
            }
            if (version >= migration.version) {
                continue;
            }
            db.exec(std::string(migration.sql));
            if (migration.foreign_keys_off) {
                require_foreign_keys_intact(db, migration.version);
            }
            SQLite::Statement record(db,
                                     "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, " +
                                         std::string(now_iso) + ")");
            record.bind(1, migration.version);
            record.bind(2, std::string(migration.description));
            record.exec();
            transaction.commit();
        }
        return {};
    } catch (const std::exception& e) {
        return to_error(e, "migrating the schema");
    }
}

}  // namespace vta::store::detail
