#pragma once
// Opening a configured SQLite connection, shared by Database and Writer.

#include <exception>
#include <filesystem>
#include <memory>
#include <string_view>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>

#include "vta/store/result.hpp"

namespace vta::store::detail {

enum class OpenMode { read_write, read_only };

// Whether the connection may be used from several threads at once. one_thread_at_a_time drops
// SQLite's per-connection mutex, for the writer's connection: opened by the caller, then used by the
// writer thread only. With SQLite's memory counting (connection.cpp), locking took about 13% of that
// thread's CPU at 50,000 datagrams/s.
enum class Threading { any, one_thread_at_a_time };

// How long a connection waits on another connection's lock before reporting SQLITE_BUSY.
inline constexpr int default_busy_timeout_ms = 5000;

// Opens `path` and applies the connection settings. read_write creates the file (and its parent
// folders) and migrates the schema; read_only requires the file at the latest schema version.
Result<std::unique_ptr<SQLite::Database>> open_connection(const std::filesystem::path& path, OpenMode mode,
                                                          int busy_timeout_ms = default_busy_timeout_ms,
                                                          Threading threading = Threading::any);

// Translates an exception caught at the public API boundary into an Error that says what was being done.
Error to_error(const std::exception& e, std::string_view doing);

// Schema (schema.cpp).
int latest_schema_version();
Result<int> read_schema_version(SQLite::Database& db);
Result<void> migrate(SQLite::Database& db);

}  // namespace vta::store::detail
