// Schema v4: the courts' outbox. A message is committed in the transaction of the event it describes, its seq
// continues across restarts and is never reused, a retained topic's newer message supersedes the older one, the
// bound drops the oldest rows, and store::Outbox reads them in seq order and deletes the acknowledged ones.

#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/outbox.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using testing::count;
using testing::TempFolder;

OutboxRow message(std::string topic, bool supersedes = false) {
    return OutboxRow{std::move(topic),
                     [](std::int64_t seq, std::int64_t event_id) {
                         return "{\"seq\":" + std::to_string(seq) + ",\"event\":" + std::to_string(event_id) + "}";
                     },
                     supersedes};
}

std::vector<OutboxMessage> read_all(Outbox& outbox, std::int64_t after = 0) {
    testing::Watched<std::optional<Result<std::vector<OutboxMessage>>>> read;
    outbox.read_after(after, 1000, [&](Result<std::vector<OutboxMessage>> r) {
        read.update([&](auto& value) { value = std::move(r); });
    });
    EXPECT_TRUE(read.wait_for([](const auto& value) { return value.has_value(); }));
    auto result = read.get();
    EXPECT_TRUE(result && *result) << (result && !*result ? result->error().message : "");
    return result && *result ? result->value() : std::vector<OutboxMessage>{};
}

TEST(Outbox, AVersion3FileGetsAnEmptyOutbox) {
    TempFolder folder;
    const auto file = folder.file("v3.sqlite");
    ASSERT_TRUE(Database::open(file));
    {
        SQLite::Database raw(file, SQLite::OPEN_READWRITE);
        raw.exec("DROP TABLE outbox; DROP TABLE audit; DELETE FROM schema_version WHERE version >= 4");
    }
    ASSERT_EQ(count(file, "SELECT MAX(version) FROM schema_version"), 3);
    auto db = Database::open(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->schema_version().value(), Database::latest_schema_version());
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM outbox"), 0);
}

TEST(Outbox, AnEventAndItsMessageCommitTogetherWithSeqsThatNeverRepeat) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    {
        auto writer = Writer::open(file);
        ASSERT_TRUE(writer) << writer.error().message;
        const auto datagram = (*writer)->add_datagram(testing::datagram(1000));
        const auto first =
            (*writer)->add_event(testing::event(datagram, std::nullopt), message("vta/t/court/1/events"));
        EXPECT_EQ((*writer)->add_outbox(message("vta/t/court/1/state")), 2);
        (*writer)->add_event(testing::event(datagram, std::nullopt), message("vta/t/court/1/events"));
        ASSERT_TRUE((*writer)->close());
        EXPECT_EQ(first, 1);
    }
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM event"), 2);
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM outbox WHERE payload = '{\"seq\":3,\"event\":2}'"), 1);
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM outbox WHERE payload = '{\"seq\":2,\"event\":0}'"), 1);

    auto outbox = Outbox::open(file);
    ASSERT_TRUE(outbox) << outbox.error().message;
    auto rows = read_all(**outbox);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].seq, 1);
    EXPECT_EQ(rows[0].topic, "vta/t/court/1/events");
    EXPECT_EQ(rows[2].seq, 3);
    EXPECT_EQ(read_all(**outbox, 1).size(), 2u);

    // The last rows acknowledged and deleted: a restarted writer still goes on after them.
    testing::Watched<bool> removed;
    (*outbox)->remove({2, 3, 99}, [&](Result<void> r) {
        EXPECT_TRUE(r);
        removed.update([](bool& v) { v = true; });
    });
    ASSERT_TRUE(removed.wait_for([](bool v) { return v; }));
    EXPECT_EQ(read_all(**outbox).size(), 1u);
    auto writer = Writer::open(file);
    ASSERT_TRUE(writer) << writer.error().message;
    EXPECT_EQ((*writer)->add_outbox(message("vta/t/court/1/state")), 4);
}

TEST(Outbox, ANewerRetainedMessageSupersedesTheOlderOneOfItsTopic) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    auto writer = Writer::open(file);
    ASSERT_TRUE(writer) << writer.error().message;
    (*writer)->add_outbox(message("vta/t/court/1/state", true));
    (*writer)->add_outbox(message("vta/t/court/1/events"));
    ASSERT_TRUE((*writer)->flush());
    (*writer)->add_outbox(message("vta/t/court/1/state", true));
    ASSERT_TRUE((*writer)->flush());
    SQLite::Database raw(file, SQLite::OPEN_READONLY);
    SQLite::Statement seqs(raw, "SELECT group_concat(seq) FROM (SELECT seq FROM outbox ORDER BY seq)");
    seqs.executeStep();
    EXPECT_EQ(seqs.getColumn(0).getString(), "2,3");
}

TEST(Outbox, PastItsBoundTheOldestRowsAreDropped) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    testing::Watched<std::int64_t> dropped_through;
    WriterOptions options;
    options.outbox_max_rows = 5;
    options.on_commit = [&](const CommitInfo& info) {
        if (info.outbox_dropped > 0) dropped_through.update([&](std::int64_t& v) { v = info.outbox_dropped_through; });
    };
    auto writer = Writer::open(file, options);
    ASSERT_TRUE(writer) << writer.error().message;
    for (int i = 0; i < 8; ++i) {
        (*writer)->add_outbox(message("vta/t/court/1/events"));
        ASSERT_TRUE((*writer)->flush());
    }
    EXPECT_EQ(count(file, "SELECT COUNT(*) FROM outbox"), 5);
    EXPECT_EQ(count(file, "SELECT MIN(seq) FROM outbox"), 4);
    EXPECT_EQ(dropped_through.get(), 3);
    EXPECT_EQ((*writer)->status().outbox_dropped_rows, 3u);
}

}  // namespace
}  // namespace vta::store
