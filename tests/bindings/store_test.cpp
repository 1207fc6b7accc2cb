// The store module against the real SQLite store: day and match info, events of a time window,
// tags through the writer, and per-package key/value data that survives a restart. Reads run on the
// store's reader thread: the handler yields and resumes when the answer is posted back.

#include <future>

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta/store/database.hpp"
#include "vta/store/reader.hpp"
#include "vta/store/writer.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace vta::bindings::testing {
namespace {

using Store = RuntimeTest;

TEST_F(Store, ModuleWorksOnTheRealDatabase) {
    auto db_path = root / "db" / "vta.sqlite";
    {
        auto db = store::Database::open(db_path);
        ASSERT_TRUE(db.ok()) << db.error().message;
        ASSERT_TRUE(db->ensure_active_day("2026-11-22").ok());
    }
    auto writer = store::Writer::open(db_path);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    store::MatchRow match;
    match.number = "101";
    std::int64_t match_id = writer.value()->add_match(match);
    std::int64_t datagram = writer.value()->add_datagram({1'700'000'000'000'000, "127.0.0.1:6000", "pt1;3;", 1});
    store::EventRow event;
    event.datagram_id = datagram;
    event.code = "pt1";
    event.raw = "pt1;3;";
    event.fields_json = R"({"points":3})";
    event.match_id = match_id;
    writer.value()->add_event(event);
    ASSERT_TRUE(writer.value()->flush(std::chrono::seconds(10)).ok());

    package("db", R"lua(
        on("go", function(ev)
          log.info("day", store.day().day_number, store.match().number)
          local events = store.events { since = ev.at - 1, to = ev.at + 1 }
          log.info("window", #events, events[1].code, events[1].fields.points)
          log.info("match events", #store.events())
          log.info("tag", store.tag { since = ev.at - 1, to = ev.at + 1, clip_path = "/clips/c1.mkv" })
          log.info("kv", store.get("runs"), store.set("runs", { n = 1 }))
        end)
        on("check", function(ev)
          log.info("clip", store.events({ match_id = ev.match_id })[1].clip_path, store.get("runs").n)
        end)
    )lua");
    auto o = options();
    o.store = make_store_backend(db_path, writer.value().get());
    start(o);
    Event go;
    go.kind = "go";
    go.at_us = 1'700'000'000'000'000;
    go.match_id = match_id;
    runtime->dispatch(go);
    ASSERT_TRUE(run_until(io, [&] { return messages("db").size() == 5; })) << dump();
    ASSERT_TRUE(writer.value()->flush(std::chrono::seconds(10)).ok());
    EXPECT_EQ(messages("db"),
              (std::vector<std::string>{"day 1 101", "window 1 pt1 3", "match events 1", "tag true", "kv nil true"}))
        << dump();

    // A new runtime and backend (a restart) still sees the package's data and the tag.
    runtime.reset();
    logs.clear();
    o.store = make_store_backend(db_path, writer.value().get());
    start(o);
    go.kind = "check";
    runtime->dispatch(go);
    ASSERT_TRUE(run_until(io, [&] { return !messages("db").empty(); })) << dump();
    EXPECT_EQ(messages("db"), std::vector<std::string>{"clip /clips/c1.mkv 1"}) << dump();
    writer.value()->close();
}

TEST_F(Store, RecordingsClipsAndStreamSessionsAreRowsOfTheirTables) {
    auto db_path = root / "db" / "vta.sqlite";
    std::int64_t day_id = 0;
    {
        auto db = store::Database::open(db_path);
        ASSERT_TRUE(db.ok()) << db.error().message;
        day_id = db->ensure_active_day("2026-11-22").value().day_id;
    }
    auto writer = store::Writer::open(db_path);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    std::int64_t datagram = writer.value()->add_datagram({1'700'000'030'000'000, "127.0.0.1:6000", "pt1;3;", 1});
    store::EventRow event;
    event.datagram_id = datagram;
    event.code = "pt1";
    event.raw = "pt1;3;";
    writer.value()->add_event(event);

    package("rows", R"lua(
        on("go", function(ev)
          local rec = store.recording_started { started = ev.at, folder = "/rec", file = "101", connection = "rec" }
          log.info("recording", rec, store.recording_stopped(rec, { ended = ev.at + 60, path = "/rec/101.mkv",
                                                                   stopped_by = "winner + 30 s" }))
          log.info("clip", store.clip { requested = ev.at + 40, since = ev.at + 20, to = ev.at + 40,
                                        path = "/clips/c1.mkv", reason = "challenge", side = 2 })
          local first = store.stream_session_opened { started = ev.at, connection = "OBS_STR" }
          log.info("first", first.id, first.timeline_start_ms)
          store.stream_session_closed(first.id, { ended = ev.at + 10, reason = "stream stopped" })
          local second = store.stream_session_opened { started = ev.at + 25, connection = "OBS_STR" }
          log.info("second", second.id, second.timeline_start_ms)
          log.info("tag", store.tag { since = ev.at + 25, to = ev.at + 60, stream_started = ev.at + 25,
                                      stream_timeline_start_ms = second.timeline_start_ms, clip_started = ev.at + 20 })
          log.info("bad", pcall(store.recording_started, { folder = "/rec" }))
          log.info("bad id", pcall(store.recording_stopped, 0, { ended = ev.at }))
        end)
    )lua");
    auto o = options();
    o.store = make_store_backend(db_path, writer.value().get());
    start(o);
    Event go;
    go.kind = "go";
    go.at_us = 1'700'000'000'000'000;
    runtime->dispatch(go);
    ASSERT_TRUE(run_until(io, [&] { return messages("rows").size() == 7; })) << dump();
    ASSERT_TRUE(writer.value()->close().ok());
    auto messages_of_rows = messages("rows");
    ASSERT_EQ(messages_of_rows.size(), 7u) << dump();
    EXPECT_EQ(messages_of_rows[0], "recording 1 true");
    EXPECT_EQ(messages_of_rows[1], "clip 1");
    EXPECT_EQ(messages_of_rows[2], "first 1 0");
    EXPECT_EQ(messages_of_rows[3], "second 2 10000");
    EXPECT_EQ(messages_of_rows[4], "tag true");
    EXPECT_NE(messages_of_rows[5].find("bad false"), std::string::npos) << messages_of_rows[5];
    EXPECT_NE(messages_of_rows[5].find("store.recording_started needs started"), std::string::npos)
        << messages_of_rows[5];
    EXPECT_NE(messages_of_rows[6].find("bad id false"), std::string::npos) << messages_of_rows[6];

    auto db = store::Database::open_read_only(db_path).value();
    auto recordings = db.list_recordings().value();
    ASSERT_EQ(recordings.size(), 1u);
    EXPECT_EQ(recordings[0].path, "/rec/101.mkv");
    EXPECT_EQ(recordings[0].ended_us, 1'700'000'060'000'000);
    auto clips = db.list_clips().value();
    ASSERT_EQ(clips.size(), 1u);
    EXPECT_EQ(clips[0].side, 2);
    auto sessions = db.list_stream_sessions(day_id).value();
    ASSERT_EQ(sessions.size(), 2u);
    EXPECT_EQ(sessions[1].timeline_start_ms, 10000);
    SQLite::Database raw(db_path, SQLite::OPEN_READONLY);
    SQLite::Statement offsets(raw, "SELECT str_offset_ms, clip_offset_ms FROM event");
    ASSERT_TRUE(offsets.executeStep());
    EXPECT_EQ(offsets.getColumn(0).getInt64(), 10000 + 5000);
    EXPECT_EQ(offsets.getColumn(1).getInt64(), 10000);
}

// A file with its active day, and a Writer that commits only when flushed.
class StoreOnFile : public RuntimeTest {
protected:
    void SetUp() override {
        {
            auto db = store::Database::open(db_path);
            ASSERT_TRUE(db.ok()) << db.error().message;
            ASSERT_TRUE(db->ensure_active_day("2026-11-22").ok());
        }
        store::WriterOptions only_on_flush;
        only_on_flush.batch_delay = std::chrono::hours(1);
        auto opened = store::Writer::open(db_path, only_on_flush);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        writer = std::move(opened).value();
        auto reading = store::Reader::open(db_path);
        ASSERT_TRUE(reading.ok()) << reading.error().message;
        reader = std::move(reading).value();
    }
    void TearDown() override {
        runtime.reset();
        reader->close();
        writer->close();
    }

    RuntimeOptions store_options() {
        auto o = options();
        o.store = make_store_backend(*reader, writer.get());
        return o;
    }

    std::filesystem::path db_path = root / "db" / "vta.sqlite";
    std::unique_ptr<store::Writer> writer;
    std::unique_ptr<store::Reader> reader;
};

TEST_F(StoreOnFile, ReadsYieldAndResumeWithTheAnswer) {
    package("r", R"lua(
        on("go", function()
          log.info("before")
          local day = store.day()
          log.info("day", day.day_number, day.date)
          log.info("match", store.match(), "events", #store.events())
        end)
    )lua");
    start(store_options());
    // The reader thread is kept busy, so the handler's read waits in its queue.
    std::promise<void> release;
    reader->read<int>(
        [released = release.get_future().share()](store::Database&) -> vta::Result<int> {
            released.wait();
            return 0;
        },
        [](vta::Result<int>) {});
    fire("go");
    // The handler is suspended, the loop free: nothing of the store is read on this thread.
    EXPECT_EQ(messages("r"), std::vector<std::string>{"before"}) << dump();
    release.set_value();
    ASSERT_TRUE(run_until(io, [&] { return messages("r").size() == 3; })) << dump();
    EXPECT_EQ(messages("r"), (std::vector<std::string>{"before", "day 1 2026-11-22", "match nil events 0"}));
}

TEST_F(StoreOnFile, GetSeesTheValueSetJustBeforeUncommitted) {
    {
        // An earlier run left a value.
        writer->set_package_value({"kv", "left", R"({"id":4})"});
        ASSERT_TRUE(writer->flush().ok());
    }
    package("kv", R"lua(
        on("go", function()
          log.info("left", store.get("left").id)
          store.set("runs", { n = 2 })
          store.set("left", nil)
          local runs = store.get("runs")
          log.info("set", runs.n, store.get("left"))
        end)
        on("again", function()
          log.info("again", store.get("runs").n, store.get("left"))
        end)
    )lua");
    start(store_options());
    fire("go");
    ASSERT_TRUE(run_until(io, [&] { return messages("kv").size() == 2; })) << dump();
    EXPECT_EQ(messages("kv"), (std::vector<std::string>{"left 4", "set 2 nil"}));
    EXPECT_GT(writer->status().submitted_changes, writer->status().committed_changes);  // still queued

    // Committed, the values come from the file.
    ASSERT_TRUE(writer->flush().ok());
    fire("again");
    ASSERT_TRUE(run_until(io, [&] { return messages("kv").size() == 3; })) << dump();
    EXPECT_EQ(messages("kv").back(), "again 2 nil");
    auto db = store::Database::open_read_only(db_path);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ(db->package_value("kv", "runs").value(), R"({"n":2})");
    EXPECT_FALSE(db->package_value("kv", "left").value());
}

TEST_F(StoreOnFile, FailuresReturnNilMessageCode) {
    package("f", R"lua(
        on("go", function()
          log.info("get", store.get("k"))
          log.info("set", store.set("k", 1))
          log.info("match", store.match(5))
        end)
    )lua");
    auto o = options();
    o.store = make_store_backend(root / "absent.sqlite", nullptr);  // no file, no writer
    start(o);
    fire("go");
    ASSERT_TRUE(run_until(io, [&] { return messages("f").size() == 3; })) << dump();
    const auto lines = messages("f");
    EXPECT_EQ(lines[0].rfind("get nil ", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("does not exist not_found"), std::string::npos) << lines[0];
    EXPECT_EQ(lines[1], "set nil the store writer is not running unavailable");
    EXPECT_NE(lines[2].find(" not_found"), std::string::npos) << lines[2];
}

TEST_F(StoreOnFile, WrongArgumentsRaise) {
    package("a", R"lua(
        on("go", function()
          log.info("get", pcall(store.get))
          log.info("match", pcall(store.match, "five"))
          log.info("events", pcall(store.events, "all"))
          log.info("clip", pcall(store.clip, { path = "/c.mkv" }))
          log.info("opened", pcall(store.stream_session_opened, {}))
        end)
    )lua");
    start(store_options());
    fire("go");
    const auto lines = messages("a");
    ASSERT_EQ(lines.size(), 5u) << dump();
    for (const auto& line : lines) EXPECT_NE(line.find(" false "), std::string::npos) << line;
    EXPECT_NE(lines[1].find("bad argument #1"), std::string::npos) << lines[1];
    EXPECT_NE(lines[3].find("store.clip needs requested"), std::string::npos) << lines[3];
}

TEST_F(StoreOnFile, ReadsAtLoadTimeRaise) {
    package("l", R"lua(
        local ok, err = pcall(store.get, "k")
        log.info("load", ok, err)
    )lua");
    start(store_options());
    const auto lines = messages("l");
    ASSERT_EQ(lines.size(), 1u) << dump();
    EXPECT_NE(lines[0].find("load false"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("this call waits"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace vta::bindings::testing
