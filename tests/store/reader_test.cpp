// The Reader: queries run on its own thread in submission order, callbacks come from that thread, the
// caller never waits; events of a time window with their clip links; day changes on a read-write
// connection; closing completes what was asked and refuses the rest.

#include <future>
#include <thread>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/reader.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using namespace std::chrono_literals;
using testing::TempFolder;

constexpr std::int64_t t0_us = 1'773'478'800'000'000;

// A file with one match and three events, one second apart from t0_us.
class ReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto writer = Writer::open(file);
        ASSERT_TRUE(writer) << writer.error().message;
        Writer& w = *writer.value();
        const std::int64_t match_id = w.add_match(testing::match("101"));
        for (int i = 0; i < 3; ++i) {
            w.add_event(testing::event(w.add_datagram(testing::datagram(t0_us + i * 1'000'000)), match_id,
                                       i == 1 ? "pt2" : "pt1"));
        }
        w.tag_events({t0_us + 1'000'000, t0_us + 2'000'000, "/clips/c1.mkv", t0_us, std::nullopt, 0, t0_us + 500'000});
        ASSERT_TRUE(w.close());
        auto reader = Reader::open(file);
        ASSERT_TRUE(reader) << reader.error().message;
        this->reader = std::move(reader).value();
    }

    template <class T>
    T wait(std::future<T>& future) {
        EXPECT_EQ(future.wait_for(10s), std::future_status::ready);
        return future.get();
    }

    TempFolder folder;
    std::filesystem::path file = folder.file("vta.sqlite");
    std::unique_ptr<Reader> reader;
};

TEST_F(ReaderTest, EventsOfATimeWindowWithTheirClipLinks) {
    std::promise<Result<std::vector<EventInfo>>> promise;
    auto future = promise.get_future();
    reader->events_between(t0_us + 1'000'000, t0_us + 2'000'000, default_events_limit,
                           [&](Result<std::vector<EventInfo>> events) { promise.set_value(std::move(events)); });
    auto events = wait(future);
    ASSERT_TRUE(events) << events.error().message;
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[0].code, "pt2");
    EXPECT_EQ((*events)[0].received_us, t0_us + 1'000'000);
    EXPECT_EQ((*events)[0].clip_path, "/clips/c1.mkv");
    EXPECT_EQ((*events)[0].rec_offset_ms, 1000);
    EXPECT_EQ((*events)[0].clip_offset_ms, 500);
    EXPECT_FALSE((*events)[0].str_offset_ms);
    EXPECT_EQ((*events)[1].code, "pt1");
    EXPECT_EQ((*events)[1].clip_offset_ms, 1500);

    std::promise<std::size_t> limited;
    auto count = limited.get_future();
    reader->events_between(0, t0_us * 2, 2,
                           [&](Result<std::vector<EventInfo>> e) { limited.set_value(e ? e->size() : 99); });
    EXPECT_EQ(wait(count), 2u);
}

TEST_F(ReaderTest, RunsOnItsOwnThreadInOrderWithoutBlockingTheCaller) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::mutex mutex;
    std::vector<std::string> order;
    std::thread::id callback_thread;
    std::promise<void> finished;
    auto all_done = finished.get_future();

    reader->read<int>(
        [released](Database&) -> Result<int> {
            released.wait();  // a slow query
            return 1;
        },
        [&](Result<int> r) {
            std::lock_guard lock(mutex);
            order.push_back("slow " + std::to_string(r.value()));
            callback_thread = std::this_thread::get_id();
        });
    reader->read<std::optional<MatchInfo>>([](Database& db) { return db.get_match(1); },
                                           [&](Result<std::optional<MatchInfo>> m) {
                                               std::lock_guard lock(mutex);
                                               order.push_back("match " + m.value()->number);
                                               finished.set_value();
                                           });
    {
        // Both calls returned while the first query still runs.
        std::lock_guard lock(mutex);
        EXPECT_TRUE(order.empty());
    }
    release.set_value();
    ASSERT_EQ(all_done.wait_for(10s), std::future_status::ready);
    std::lock_guard lock(mutex);
    EXPECT_EQ(order, (std::vector<std::string>{"slow 1", "match 101"}));
    EXPECT_NE(callback_thread, std::this_thread::get_id());
}

TEST_F(ReaderTest, QueryErrorsReachTheCallback) {
    std::promise<Error> promise;
    auto future = promise.get_future();
    reader->read<std::optional<std::string>>(
        [](Database&) -> Result<std::optional<std::string>> {
            return Error{Errc::sqlite, "disk gone"};
        },
        [&](Result<std::optional<std::string>> r) { promise.set_value(r ? Error{} : r.error()); });
    const Error error = wait(future);
    EXPECT_EQ(error.code, Errc::sqlite);
    EXPECT_EQ(error.message, "disk gone");
}

TEST_F(ReaderTest, ChangesTheDayOnAReadWriteConnection) {
    std::promise<Result<DayChange>> promise;
    auto future = promise.get_future();
    reader->change_day(
        [](Database& db) {
            auto day = db.create_tournament("Dublin Open", "2026-12-05");
            return day ? db.activate_day(day->day_id, "panel") : day;
        },
        [&](Result<DayChange> change) { promise.set_value(std::move(change)); });
    auto change = wait(future);
    ASSERT_TRUE(change) << change.error().message;
    EXPECT_EQ(change->day.tournament_name, "Dublin Open");
    EXPECT_EQ(change->day.day_number, 1);
    ASSERT_TRUE(change->tournaments) << change->tournaments.error().message;
    ASSERT_FALSE(change->tournaments->empty());
    EXPECT_EQ(change->tournaments->back().name, "Dublin Open");

    // The reader's own connection sees the new active day.
    std::promise<Result<std::optional<ActiveDay>>> active;
    auto active_day = active.get_future();
    reader->read<std::optional<ActiveDay>>([](Database& db) { return db.active_day(); },
                                           [&](Result<std::optional<ActiveDay>> d) { active.set_value(std::move(d)); });
    auto day = wait(active_day);
    ASSERT_TRUE(day && day.value());
    EXPECT_EQ(day.value()->day_id, change->day.day_id);

    std::promise<Result<DayChange>> refused;
    auto refusal = refused.get_future();
    reader->change_day([](Database& db) { return db.activate_day(9999, "panel"); },
                       [&](Result<DayChange> c) { refused.set_value(std::move(c)); });
    auto unknown = wait(refusal);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_F(ReaderTest, CloseCompletesWhatWasAskedAndRefusesLaterRequests) {
    std::vector<std::string> results;  // written by the reader thread, read after close() joined it
    for (int i = 0; i < 3; ++i) {
        reader->read<int>([i](Database&) -> Result<int> { return i; },
                          [&](Result<int> r) { results.push_back(std::to_string(r.value())); });
    }
    reader->close();
    EXPECT_EQ(results, (std::vector<std::string>{"0", "1", "2"}));

    std::thread::id called_on;
    Errc code = Errc::protocol;
    reader->events_between(0, 1, 1, [&](Result<std::vector<EventInfo>> r) {
        called_on = std::this_thread::get_id();
        code = r ? Errc::protocol : r.error().code;
    });
    EXPECT_EQ(called_on, std::this_thread::get_id());  // at once, on the caller's thread
    EXPECT_EQ(code, Errc::closed);
    reader->close();  // idempotent
}

TEST(Reader, NeedsAMigratedFile) {
    TempFolder folder;
    auto missing = Reader::open(folder.file("absent.sqlite"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

}  // namespace
}  // namespace vta::store
