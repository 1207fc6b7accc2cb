// Schema v3: the workflow packages' key/value data. A file whose host let the runtime keep it in a
// bindings_kv table of its own keeps every value; values are written through the Writer, coalesced
// per key, and read back with Database::package_value.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using testing::count;
using testing::TempFolder;

// A version 2 file as hosts before v3 left it: the runtime created bindings_kv and filled it.
void write_v2_file_with_bindings_kv(const std::filesystem::path& file) {
    ASSERT_TRUE(Database::open(file));
    SQLite::Database raw(file, SQLite::OPEN_READWRITE);
    raw.exec("DROP TABLE package_value; DROP TABLE outbox; DROP TABLE audit; DELETE FROM schema_version WHERE version >= 3");
    raw.exec(
        "CREATE TABLE IF NOT EXISTS bindings_kv (package TEXT NOT NULL, key TEXT NOT NULL,"
        " value TEXT NOT NULL, PRIMARY KEY(package, key))");
    raw.exec(
        "INSERT INTO bindings_kv VALUES ('new-match', 'open_recording', '{\"id\":7,\"match\":\"101\"}'),"
        " ('stream-recovery', 'open_session', '{\"id\":3}'), ('new-match', 'runs', '12')");
}

TEST(PackageValues, AnOldFileKeepsTheValuesOfItsBindingsKvTable) {
    TempFolder folder;
    const auto file = folder.file("v2.sqlite");
    write_v2_file_with_bindings_kv(file);
    ASSERT_EQ(count(file, "SELECT MAX(version) FROM schema_version"), 2);

    auto db = Database::open(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->schema_version().value(), Database::latest_schema_version());
    EXPECT_EQ(db->package_value("new-match", "open_recording").value(), R"({"id":7,"match":"101"})");
    EXPECT_EQ(db->package_value("stream-recovery", "open_session").value(), R"({"id":3})");
    EXPECT_EQ(db->package_value("new-match", "runs").value(), "12");
    EXPECT_FALSE(db->package_value("new-match", "absent").value());
    EXPECT_FALSE(db->package_value("other", "runs").value());
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'bindings_kv'"), 0);
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM package_value WHERE updated_at LIKE '____-__-__T%Z'"), 3);
    EXPECT_EQ(db->integrity_check().value(), "ok");
}

TEST(PackageValues, AFileWithoutBindingsKvMigratesToAnEmptyTable) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    auto db = Database::open(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM package_value"), 0);
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'bindings_kv'"), 0);
    EXPECT_FALSE(db->package_value("new-match", "runs").value());
}

TEST(PackageValues, WrittenThroughTheWriterCoalescedPerKey) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    WriterOptions only_on_flush;
    only_on_flush.batch_delay = std::chrono::hours(1);
    auto writer = Writer::open(file, only_on_flush);
    ASSERT_TRUE(writer) << writer.error().message;
    Writer& w = *writer.value();
    w.set_package_value({"a", "k", "1"});
    w.set_package_value({"a", "k", "2"});
    w.set_package_value({"b", "k", R"({"x":true})"});
    w.set_package_value({"a", "gone", "3"});
    w.set_package_value({"a", "gone", std::nullopt});
    EXPECT_EQ(w.pending_rows(), 3u);  // a/k, b/k and a/gone once each
    ASSERT_TRUE(w.flush());
    const WriterStatus status = w.status();
    EXPECT_EQ(status.committed_changes, status.submitted_changes);
    EXPECT_EQ(status.committed_rows, 3u);

    auto db = Database::open_read_only(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->package_value("a", "k").value(), "2");
    EXPECT_EQ(db->package_value("b", "k").value(), R"({"x":true})");
    EXPECT_FALSE(db->package_value("a", "gone").value());

    w.set_package_value({"a", "k", std::nullopt});
    EXPECT_GT(w.status().submitted_changes, w.status().committed_changes);
    ASSERT_TRUE(w.flush());
    EXPECT_FALSE(db->package_value("a", "k").value());
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM package_value"), 1);
}

}  // namespace
}  // namespace vta::store
