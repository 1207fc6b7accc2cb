#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"

namespace vta::store {
namespace {

using testing::TempFolder;

int count_rows(const std::filesystem::path& file, const std::string& sql) {
    SQLite::Database raw(file, SQLite::OPEN_READONLY);
    SQLite::Statement query(raw, sql);
    query.executeStep();
    return query.getColumn(0).getInt();
}

TEST(Schema, MigratesAnEmptyFileInNewFoldersAndReopens) {
    TempFolder folder;
    const auto file = folder.path() / "nested" / "deeper" / "vta.sqlite";
    {
        auto db = Database::open(file);
        ASSERT_TRUE(db) << db.error().message;
        EXPECT_EQ(db->schema_version().value(), Database::latest_schema_version());
    }
    auto reopened = Database::open(file);
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ(reopened->schema_version().value(), Database::latest_schema_version());
    // Each migration is recorded once: reopening applies nothing again.
    EXPECT_EQ(count_rows(file, "SELECT COUNT(*) FROM schema_version"), Database::latest_schema_version());
    for (const char* table : {"tournament", "tournament_day", "match", "athlete", "match_athlete", "datagram", "event",
                              "unknown_datagram", "setting", "setting_history", "host_counter"}) {
        EXPECT_EQ(count_rows(file, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                                       table + "'"),
                  1)
            << table;
    }
}

TEST(Schema, FreshDatabasePassesIntegrityCheckAndUsesWal) {
    TempFolder folder;
    auto db = Database::open(folder.file("vta.sqlite"));
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->integrity_check().value(), "ok");
    SQLite::Database raw(folder.file("vta.sqlite"), SQLite::OPEN_READONLY);
    EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(Schema, RefusesADatabaseFromANewerBuild) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    ASSERT_TRUE(Database::open(file));
    {
        SQLite::Database raw(file, SQLite::OPEN_READWRITE);
        raw.exec("INSERT INTO schema_version (version, description, applied_at) VALUES (" +
                 std::to_string(Database::latest_schema_version() + 1) + ", 'future', 'later')");
    }
    auto db = Database::open(file);
    ASSERT_FALSE(db);
    EXPECT_EQ(db.error().code, Errc::schema_too_new);
    EXPECT_NE(db.error().message.find("newer"), std::string::npos) << db.error().message;

    auto reader = Database::open_read_only(file);
    ASSERT_FALSE(reader);
    EXPECT_EQ(reader.error().code, Errc::schema_too_new);
}

TEST(Schema, ReadOnlyOpenNeedsAnExistingMigratedFile) {
    TempFolder folder;
    auto missing = Database::open_read_only(folder.file("absent.sqlite"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_FALSE(std::filesystem::exists(folder.file("absent.sqlite")));

    { SQLite::Database empty(folder.file("empty.sqlite"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); }
    auto unmigrated = Database::open_read_only(folder.file("empty.sqlite"));
    ASSERT_FALSE(unmigrated);
    EXPECT_EQ(unmigrated.error().code, Errc::schema_too_old);
}

TEST(Schema, ReadOnlyConnectionRefusesWrites) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    ASSERT_TRUE(Database::open(file));
    auto reader = Database::open_read_only(file);
    ASSERT_TRUE(reader) << reader.error().message;
    EXPECT_TRUE(reader->read_only());
    auto written = reader->set_setting("k", "v");
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, Errc::sqlite);
    EXPECT_NE(written.error().status_code, 0);
}

}  // namespace
}  // namespace vta::store
