// The store module against the real SQLite store: day and match info, events of a time window,
// tags through the writer, and per-package key/value data that survives a restart.

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta/store/database.hpp"
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
          log.info("bad", select(2, store.recording_started { folder = "/rec" }))
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
    ASSERT_TRUE(writer.value()->close().ok());
    auto messages_of_rows = messages("rows");
    ASSERT_EQ(messages_of_rows.size(), 7u) << dump();
    EXPECT_EQ(messages_of_rows[0], "recording 1 true");
    EXPECT_EQ(messages_of_rows[1], "clip 1");
    EXPECT_EQ(messages_of_rows[2], "first 1 0");
    EXPECT_EQ(messages_of_rows[3], "second 2 10000");
    EXPECT_EQ(messages_of_rows[4], "tag true");
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

}  // namespace
}  // namespace vta::bindings::testing
