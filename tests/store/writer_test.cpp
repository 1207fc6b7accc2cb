#include <atomic>
#include <thread>
#include <vector>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using namespace std::chrono_literals;
using testing::TempFolder;
using testing::Watched;

struct CommitLog {
    std::vector<CommitInfo> commits;
    std::vector<std::string> errors;
};

// A Writer whose commits and errors are recorded for the test to wait on.
struct RecordedWriter {
    Watched<CommitLog> log;
    std::unique_ptr<Writer> writer;

    RecordedWriter(const std::filesystem::path& file, WriterOptions options) {
        options.on_commit = [this](const CommitInfo& info) {
            log.update([&](CommitLog& l) { l.commits.push_back(info); });
        };
        options.on_error = [this](const Error& e) { log.update([&](CommitLog& l) { l.errors.push_back(e.message); }); };
        auto opened = Writer::open(file, std::move(options));
        EXPECT_TRUE(opened) << opened.error().message;
        writer = std::move(opened).value();
    }
    ~RecordedWriter() { writer->close(); }  // before `log` goes away

    std::size_t commits() const { return log.get().commits.size(); }
};

WriterOptions never_by_time(std::size_t rows) {
    WriterOptions options;
    options.batch_rows = rows;
    options.batch_delay = std::chrono::hours(1);
    return options;
}

TEST(Writer, AssignsIdsContinuingFromTheDatabase) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    {
        RecordedWriter w(file, {});
        EXPECT_EQ(w.writer->add_datagram(testing::datagram(1)), 1);
        EXPECT_EQ(w.writer->add_datagram(testing::datagram(2)), 2);
        EXPECT_EQ(w.writer->add_event(testing::event(2, std::nullopt)), 1);
        EXPECT_EQ(w.writer->add_match(testing::match("101")), 1);
        ASSERT_TRUE(w.writer->flush());
    }
    RecordedWriter w(file, {});
    EXPECT_EQ(w.writer->add_datagram(testing::datagram(3)), 3);
    EXPECT_EQ(w.writer->add_event(testing::event(3, std::nullopt)), 2);
    EXPECT_EQ(w.writer->add_unknown(
                  UnknownRow{3, 1, GroupStatus::unknown, "zz9", "zz9;", "unknown code", std::nullopt, 0, std::nullopt}),
              1);
    EXPECT_EQ(w.writer->add_match(testing::match("102")), 2);
    ASSERT_TRUE(w.writer->flush());
    EXPECT_TRUE(w.log.get().errors.empty());
    EXPECT_EQ(w.writer->status().last_datagram_id, 3);
}

TEST(Writer, CommitsWhenTheBatchIsFull) {
    TempFolder folder;
    RecordedWriter w(folder.file("vta.sqlite"), never_by_time(10));
    for (int i = 0; i < 10; ++i) {
        w.writer->add_datagram(testing::datagram(i));
    }
    ASSERT_TRUE(w.log.wait_for([](const CommitLog& l) { return !l.commits.empty(); }));
    EXPECT_EQ(w.log.get().commits[0].rows, 10u);
    EXPECT_EQ(w.log.get().commits[0].last_datagram_id, 10);

    for (int i = 0; i < 5; ++i) {
        w.writer->add_datagram(testing::datagram(100 + i));
    }
    // Below the size and far from the delay: these wait for a flush.
    EXPECT_EQ(w.writer->pending_rows(), 5u);
    EXPECT_EQ(w.commits(), 1u);
    ASSERT_TRUE(w.writer->flush());
    EXPECT_EQ(w.writer->pending_rows(), 0u);
    ASSERT_EQ(w.commits(), 2u);
    EXPECT_EQ(w.log.get().commits[1].rows, 5u);
    EXPECT_EQ(w.log.get().commits[1].last_datagram_id, 15);
}

TEST(Writer, CommitsWhenTheDelayHasPassed) {
    TempFolder folder;
    WriterOptions options;
    options.batch_rows = 1'000'000;
    options.batch_delay = 30ms;
    RecordedWriter w(folder.file("vta.sqlite"), options);
    const auto added_at = std::chrono::steady_clock::now();
    w.writer->add_datagram(testing::datagram(1));
    w.writer->add_datagram(testing::datagram(2));
    ASSERT_TRUE(w.log.wait_for([](const CommitLog& l) { return !l.commits.empty(); }));
    EXPECT_GE(std::chrono::steady_clock::now() - added_at, 30ms);
    EXPECT_EQ(w.log.get().commits[0].rows, 2u);
    EXPECT_EQ(w.writer->status().committed_rows, 2u);
}

// The ingest holds the batch over one datagram's rows: a datagram is never committed, nor reported committed,
// without its events (a SIGKILL between two commits would otherwise keep the one without the others).
TEST(Writer, RowsAddedUnderAHoldAreCommittedTogether) {
    TempFolder folder;
    RecordedWriter w(folder.file("vta.sqlite"), never_by_time(1));  // each row alone fills a batch
    {
        const SameBatch together(*w.writer);
        const auto d = w.writer->add_datagram(testing::datagram(1));
        // The batch is full: the writer thread wants it, and must not get it before the release.
        EXPECT_FALSE(w.log.wait_for([](const CommitLog& l) { return !l.commits.empty(); }, 50ms))
            << "a batch was taken in the middle of a datagram's rows";
        w.writer->add_event(testing::event(d, std::nullopt));
        w.writer->add_event(testing::event(d, std::nullopt));
    }
    ASSERT_TRUE(w.log.wait_for([](const CommitLog& l) { return !l.commits.empty(); }));
    EXPECT_EQ(w.log.get().commits[0].rows, 3u);
    EXPECT_EQ(w.log.get().commits[0].last_datagram_id, 1);
    w.writer->add_datagram(testing::datagram(2));  // without a hold, a row goes as it comes
    ASSERT_TRUE(w.log.wait_for([](const CommitLog& l) { return l.commits.size() == 2; }));
    EXPECT_EQ(w.log.get().commits[1].rows, 1u);
}

// Datagrams back to back: the next hold follows the release before the writer thread runs, so it never sees the
// count at zero. The release itself hands it the rows it waits for.
TEST(Writer, TheReleaseHandsTheRowsToAWriterThreadWaitingOnTheHold) {
    TempFolder folder;
    RecordedWriter w(folder.file("vta.sqlite"), never_by_time(1));
    w.writer->hold_batch();
    const auto first = w.writer->add_datagram(testing::datagram(1));
    w.writer->add_event(testing::event(first, std::nullopt));
    const auto deadline = std::chrono::steady_clock::now() + 10s;  // the batch is full: the writer thread wakes
    while (!w.writer->status().waiting_on_hold && std::chrono::steady_clock::now() < deadline)
        std::this_thread::yield();
    ASSERT_TRUE(w.writer->status().waiting_on_hold);
    w.writer->release_batch();
    w.writer->hold_batch();  // the next datagram's
    w.writer->add_datagram(testing::datagram(2));
    ASSERT_TRUE(w.log.wait_for([](const CommitLog& l) { return !l.commits.empty(); })) << "the writer thread starved";
    EXPECT_EQ(w.log.get().commits[0].rows, 2u);
    EXPECT_EQ(w.log.get().commits[0].last_datagram_id, first);
    w.writer->release_batch();
    ASSERT_TRUE(w.writer->flush());
    EXPECT_EQ(w.writer->status().last_datagram_id, first + 1);
}

TEST(Writer, KeepsForeignKeysValidInsideABatch) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    auto db = Database::open(file).value();
    const ActiveDay day = db.ensure_active_day("2026-11-22").value();
    RecordedWriter w(file, never_by_time(1000));
    // Added child-first where the API allows it: the batch still writes parents first.
    const auto datagram_id = w.writer->add_datagram(testing::datagram(10));
    const auto match_id = w.writer->add_match(testing::match("101", day.day_id));
    w.writer->add_event(testing::event(datagram_id, match_id));
    w.writer->add_unknown(
        UnknownRow{datagram_id, 1, GroupStatus::invalid, "pt1", "pt1;x;", "bad points", match_id, 1, 90});
    ASSERT_TRUE(w.writer->flush());
    EXPECT_TRUE(w.log.get().errors.empty());
    ASSERT_EQ(w.commits(), 1u);
    const auto stats = db.stats().value();
    EXPECT_EQ(stats.datagrams, 1);
    EXPECT_EQ(stats.events, 1);
    EXPECT_EQ(stats.invalid, 1);
    EXPECT_EQ(db.list_events(match_id).value().size(), 1u);
}

TEST(Writer, CoalescesUpdatesOfOneMatch) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    RecordedWriter w(file, never_by_time(1000));

    // Updates of a match still pending fold into its insert.
    MatchRow row = testing::match("101");
    const auto pending_id = w.writer->add_match(row);
    row.blue_score = 4;
    w.writer->update_match(pending_id, row);
    EXPECT_EQ(w.writer->pending_rows(), 1u);
    ASSERT_TRUE(w.writer->flush());

    // Updates of a committed match coalesce into one UPDATE: the last one wins.
    for (int score = 5; score <= 9; ++score) {
        row.blue_score = score;
        row.red_score = score - 5;
        row.round_scores = {{score, score - 5}};
        w.writer->update_match(pending_id, row);
    }
    EXPECT_EQ(w.writer->pending_rows(), 1u);
    ASSERT_TRUE(w.writer->flush());
    EXPECT_EQ(w.log.get().commits.back().rows, 1u);

    auto db = Database::open_read_only(file).value();
    const auto stored = db.get_match(pending_id).value();
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(stored->blue_score, 9);
    EXPECT_EQ(stored->red_score, 4);
    ASSERT_EQ(stored->round_scores.size(), 1u);
    EXPECT_EQ(stored->round_scores[0].blue, 9);
}

TEST(Writer, BuildsALazyMatchRowOncePerBatchOnTheWriterThread) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    RecordedWriter w(file, never_by_time(1000));
    const auto match_id = w.writer->add_match(testing::match("101"));
    ASSERT_TRUE(w.writer->flush());

    const auto caller = std::this_thread::get_id();
    std::atomic<int> built{0};
    std::atomic<bool> built_on_caller{false};
    for (int score = 1; score <= 50; ++score) {
        w.writer->update_match(match_id, [&, score] {
            ++built;
            if (std::this_thread::get_id() == caller) built_on_caller = true;
            MatchRow row = testing::match("101");
            row.blue_score = score;
            return row;
        });
    }
    ASSERT_TRUE(w.writer->flush());
    EXPECT_EQ(built.load(), 1);
    EXPECT_FALSE(built_on_caller.load());
    auto db = Database::open_read_only(file).value();
    EXPECT_EQ(db.get_match(match_id).value()->blue_score, 50);
}

TEST(Writer, RewritesEventFieldsPendingOrCommitted) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    RecordedWriter w(file, never_by_time(1000));
    const auto match_id = w.writer->add_match(testing::match("101"));
    const auto datagram_id = w.writer->add_datagram(testing::datagram(1));
    const auto pending_event = w.writer->add_event(testing::event(datagram_id, match_id));
    w.writer->update_event_fields(pending_event, R"({"points":3,"hit_level":40})");
    const auto committed_event = w.writer->add_event(testing::event(datagram_id, match_id, "pt2"));
    ASSERT_TRUE(w.writer->flush());
    w.writer->update_event_fields(committed_event, R"({"points":2,"hit_level":25})");
    ASSERT_TRUE(w.writer->flush());

    auto db = Database::open_read_only(file).value();
    const auto events = db.list_events(match_id).value();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(nlohmann::json::parse(events[0].fields_json)["hit_level"], 40);
    EXPECT_EQ(nlohmann::json::parse(events[1].fields_json)["hit_level"], 25);
}

TEST(Writer, TagsEventsInATimeRangeWithClipAndOffsets) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    RecordedWriter w(file, never_by_time(1000));
    const auto match_id = w.writer->add_match(testing::match("101"));
    for (std::int64_t at : {1'000'000, 2'000'000, 3'000'000}) {
        w.writer->add_event(testing::event(w.writer->add_datagram(testing::datagram(at)), match_id));
    }
    w.writer->tag_events({1'500'000, 3'500'000, "clips/ivr-1.mkv", 500'000, std::nullopt, 0, std::nullopt});
    ASSERT_TRUE(w.writer->flush());
    w.writer->tag_events({2'500'000, 3'500'000, std::nullopt, std::nullopt, 2'000'000, 0, std::nullopt});
    ASSERT_TRUE(w.writer->flush());

    auto db = Database::open_read_only(file).value();
    const auto events = db.list_events(match_id).value();
    ASSERT_EQ(events.size(), 3u);
    EXPECT_FALSE(events[0].clip_path.has_value());
    EXPECT_FALSE(events[0].rec_offset_ms.has_value());
    EXPECT_EQ(events[1].clip_path, "clips/ivr-1.mkv");
    EXPECT_EQ(events[1].rec_offset_ms, 1500);
    EXPECT_FALSE(events[1].str_offset_ms.has_value());
    EXPECT_EQ(events[2].clip_path, "clips/ivr-1.mkv");  // unset fields leave earlier tags alone
    EXPECT_EQ(events[2].rec_offset_ms, 2500);
    EXPECT_EQ(events[2].str_offset_ms, 1000);
}

TEST(Writer, StoresCountersCoalescedPerName) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    RecordedWriter w(file, never_by_time(1000));
    w.writer->set_counters({{"datagrams", 10}, {"dropped", 0}});
    w.writer->set_counters({{"datagrams", 12}});
    EXPECT_EQ(w.writer->pending_rows(), 2u);
    ASSERT_TRUE(w.writer->flush());
    auto db = Database::open_read_only(file).value();
    const auto counters = db.stats().value().counters;
    EXPECT_EQ(counters.at("datagrams"), 12);
    EXPECT_EQ(counters.at("dropped"), 0);
}

TEST(Writer, FlushWithNothingPendingReturnsAtOnce) {
    TempFolder folder;
    RecordedWriter w(folder.file("vta.sqlite"), never_by_time(10));
    ASSERT_TRUE(w.writer->flush(1s));
    EXPECT_EQ(w.commits(), 0u);
}

TEST(Writer, CloseFlushesAndLaterRowsAreIgnored) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    RecordedWriter w(file, never_by_time(1000));
    w.writer->add_datagram(testing::datagram(1));
    ASSERT_TRUE(w.writer->close());
    ASSERT_TRUE(w.writer->close());  // idempotent
    w.writer->add_datagram(testing::datagram(2));
    EXPECT_EQ(w.writer->pending_rows(), 0u);
    EXPECT_EQ(Database::open_read_only(file).value().stats().value().datagrams, 1);
}

}  // namespace
}  // namespace vta::store
