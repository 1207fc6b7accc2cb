// How the Writer reports failures: constraint refusals row by row, transient failures retried.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using namespace std::chrono_literals;
using testing::TempFolder;
using testing::Watched;

TEST(WriterErrors, ForeignKeysAreEnforcedAndOnlyOffendingRowsAreRefused) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    Watched<std::vector<Error>> errors;
    WriterOptions options;
    options.batch_delay = std::chrono::hours(1);
    options.on_error = [&](const Error& e) { errors.update([&](auto& list) { list.push_back(e); }); };
    auto writer = Writer::open(file, options).value();

    const auto datagram_id = writer->add_datagram(testing::datagram(1));
    writer->add_event(testing::event(datagram_id, std::nullopt));
    const auto orphan = writer->add_event(testing::event(424242, std::nullopt));  // no such datagram
    writer->add_event(testing::event(datagram_id, std::int64_t{777}));            // no such match
    writer->add_event(testing::event(datagram_id, std::nullopt, "pt2"));
    ASSERT_TRUE(writer->flush());

    const auto reported = errors.get();
    std::string all;
    for (const Error& e : reported) {
        all += e.message + "\n";
    }
    ASSERT_EQ(reported.size(), 2u) << all;
    EXPECT_NE(reported[0].message.find("event " + std::to_string(orphan) + " refused"), std::string::npos)
        << reported[0].message;
    EXPECT_NE(reported[0].message.find("FOREIGN KEY"), std::string::npos) << reported[0].message;
    const auto status = writer->status();
    EXPECT_EQ(status.refused_rows, 2u);
    EXPECT_EQ(status.committed_rows, 3u);
    EXPECT_EQ(status.last_datagram_id, datagram_id);
    writer->close();

    auto db = Database::open_read_only(file).value();
    const auto stats = db.stats().value();
    EXPECT_EQ(stats.datagrams, 1);
    EXPECT_EQ(stats.events, 2);
}

TEST(WriterErrors, ALockedDatabaseIsReportedAndRetriedUntilItCommits) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    ASSERT_TRUE(Database::open(file));
    SQLite::Database blocker(file, SQLite::OPEN_READWRITE);
    auto lock = std::make_unique<SQLite::Transaction>(blocker, SQLite::TransactionBehavior::IMMEDIATE);

    Watched<std::vector<Error>> errors;
    WriterOptions options;
    options.busy_timeout = 20ms;
    options.retry_delay = 5ms;
    options.on_error = [&](const Error& e) { errors.update([&](auto& list) { list.push_back(e); }); };
    auto writer = Writer::open(file, options).value();
    writer->add_datagram(testing::datagram(1));
    writer->add_datagram(testing::datagram(2));

    ASSERT_TRUE(errors.wait_for([](const auto& list) { return list.size() >= 2; }));
    EXPECT_EQ(errors.get()[0].code, Errc::sqlite);
    EXPECT_NE(errors.get()[0].message.find("committing a batch of 2 rows"), std::string::npos);
    EXPECT_GE(writer->status().failed_commits, 2u);
    EXPECT_EQ(writer->status().in_flight_rows, 2u);
    const auto timed_out = writer->flush(10ms);
    ASSERT_FALSE(timed_out);
    EXPECT_EQ(timed_out.error().code, Errc::timeout);

    lock->commit();
    ASSERT_TRUE(writer->flush(10s));
    EXPECT_EQ(writer->status().committed_rows, 2u);
    writer->close();
    EXPECT_EQ(Database::open_read_only(file).value().stats().value().datagrams, 2);
}

TEST(WriterErrors, CloseGivesUpOnAFailingBatchAndSaysSo) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    ASSERT_TRUE(Database::open(file));
    SQLite::Database blocker(file, SQLite::OPEN_READWRITE);
    SQLite::Transaction lock(blocker, SQLite::TransactionBehavior::IMMEDIATE);

    Watched<std::vector<Error>> errors;
    WriterOptions options;
    options.busy_timeout = 10ms;
    options.retry_delay = 5ms;
    options.on_error = [&](const Error& e) { errors.update([&](auto& list) { list.push_back(e); }); };
    auto writer = Writer::open(file, options).value();
    writer->add_datagram(testing::datagram(1));
    const auto closed = writer->close(50ms);
    ASSERT_FALSE(closed);
    EXPECT_EQ(closed.error().code, Errc::timeout);
    const auto reported = errors.get();
    ASSERT_FALSE(reported.empty());
    EXPECT_NE(reported.back().message.find("writer closed with 1 rows not committed"), std::string::npos)
        << reported.back().message;
}

}  // namespace
}  // namespace vta::store
