#include "vta/store/database.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "connection.hpp"

namespace vta::store {

Database::Database(std::unique_ptr<SQLite::Database> db, std::filesystem::path path, bool read_only)
    : db_(std::move(db)), path_(std::move(path)), read_only_(read_only) {}

Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::open(const std::filesystem::path& path) {
    auto db = detail::open_connection(path, detail::OpenMode::read_write);
    if (!db) {
        return db.error();
    }
    return Database(std::move(db).value(), path, false);
}

Result<Database> Database::open_read_only(const std::filesystem::path& path) {
    auto db = detail::open_connection(path, detail::OpenMode::read_only);
    if (!db) {
        return db.error();
    }
    return Database(std::move(db).value(), path, true);
}

int Database::latest_schema_version() { return detail::latest_schema_version(); }

Result<int> Database::schema_version() { return detail::read_schema_version(*db_); }

Result<std::string> Database::integrity_check() {
    try {
        SQLite::Statement check(*db_, "PRAGMA integrity_check");
        std::string report;
        while (check.executeStep()) {
            if (!report.empty()) {
                report += '\n';
            }
            report += check.getColumn(0).getString();
        }
        return report;
    } catch (const std::exception& e) {
        return detail::to_error(e, "checking integrity");
    }
}

}  // namespace vta::store
