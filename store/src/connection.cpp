#include "connection.hpp"

#include "vta/common/owner_only.hpp"

#include <stdexcept>
#include <string>
#include <system_error>

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

namespace vta::store::detail {

Error to_error(const std::exception& e, std::string_view doing) {
    std::string message = std::string(doing) + ": " + e.what();
    if (const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&e)) {
        return Error{Errc::sqlite, std::move(message), sqlite->getExtendedErrorCode()};
    }
    return Error{Errc::sqlite, std::move(message), 0};
}

namespace {

std::string describe(const std::filesystem::path& path) { return "database " + path.string(); }

// SQLite counts every allocation under one process-wide mutex unless told not to; nothing here reads
// those counts. It can only be told before its first use, so this runs before the first connection
// opens. Should SQLite already be in use (it refuses with SQLITE_MISUSE), the counting simply stays on.
void stop_counting_sqlite_memory() {
    static const int done = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)done;
}

// WAL lets the CLI read while the writer commits. synchronous=NORMAL in WAL mode writes every
// committed transaction to the -wal file before COMMIT returns, so it survives a kill -9 of the
// process (the OS still holds the written pages). It does not fsync on each commit: after a power
// loss or OS crash the last transactions can be lost (the database stays consistent; it is rolled
// back to an earlier commit). synchronous=FULL would close that gap at the cost of one fsync per batch.
void configure_read_write(SQLite::Database& db) {
    SQLite::Statement journal(db, "PRAGMA journal_mode=WAL");
    journal.executeStep();
    if (journal.getColumn(0).getString() != "wal") {
        throw std::runtime_error("could not switch the journal to WAL mode");
    }
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
}

}  // namespace

Result<std::unique_ptr<SQLite::Database>> open_connection(const std::filesystem::path& path, OpenMode mode,
                                                          int busy_timeout_ms, Threading threading) {
    stop_counting_sqlite_memory();
    // The record is the operator's: a new database (and the folders made for it) is owner-only whatever the
    // umask. SQLite gives its -wal and -shm files the database file's mode.
    if (mode == OpenMode::read_write && path != ":memory:") {
        if (auto created = create_owner_only_file(path); !created) return created.error();
    }
    if (mode == OpenMode::read_only && !std::filesystem::exists(path)) {
        return Error{Errc::not_found, describe(path) + " does not exist"};
    }
    try {
        const int access =
            mode == OpenMode::read_write ? SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE : SQLite::OPEN_READONLY;
        const int flags = access | (threading == Threading::one_thread_at_a_time ? SQLITE_OPEN_NOMUTEX : 0);
        auto db = std::make_unique<SQLite::Database>(path, flags, busy_timeout_ms);
        if (mode == OpenMode::read_write) {
            configure_read_write(*db);
            if (auto migrated = migrate(*db); !migrated) {
                return migrated.error();
            }
            return db;
        }
        auto version = read_schema_version(*db);
        if (!version) {
            return version.error();
        }
        if (*version < latest_schema_version()) {
            return Error{Errc::schema_too_old, describe(path) + " has schema version " + std::to_string(*version) +
                                                   ", this build reads " + std::to_string(latest_schema_version()) +
                                                   ": run the host once to migrate it"};
        }
        return db;
    } catch (const std::exception& e) {
        return to_error(e, "opening " + describe(path));
    }
}

}  // namespace vta::store::detail
