// Schema v2: a version 1 file upgrades keeping every row; tied matches; the recording, clip and
// stream_session tables written through the Writer and read back; event offsets into clips and
// into the day's stream across sessions.

#include <fstream>
#include <sstream>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using testing::TempFolder;

const std::filesystem::path v1_fixture = std::filesystem::path(VTA_TEST_FIXTURES) / "schema_v1_with_data.sql";

std::int64_t count(SQLite::Database& db, const std::string& sql) {
    SQLite::Statement query(db, sql);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

// A version 1 database file with data, written from the fixture's SQL.
void write_v1_file(const std::filesystem::path& file) {
    std::ifstream in(v1_fixture);
    ASSERT_TRUE(in) << v1_fixture;
    std::stringstream sql;
    sql << in.rdbuf();
    SQLite::Database raw(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec(sql.str());
    ASSERT_EQ(count(raw, "SELECT MAX(version) FROM schema_version"), 1);
}

TEST(Migration, AVersionOneFileUpgradesKeepingEveryRowAndItsReferences) {
    TempFolder folder;
    const auto file = folder.file("v1.sqlite");
    write_v1_file(file);
    std::map<std::string, std::int64_t> before;
    const std::vector<std::string> tables = {"tournament",    "tournament_day",  "match",       "athlete",
                                             "match_athlete", "datagram",        "event",       "unknown_datagram",
                                             "setting",       "setting_history", "host_counter"};
    {
        SQLite::Database raw(file, SQLite::OPEN_READONLY);
        for (const auto& table : tables) before[table] = count(raw, "SELECT COUNT(*) FROM " + table);
    }
    ASSERT_EQ(before["match_athlete"], 4);  // dropping the old match table must not cascade

    auto db = Database::open(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->schema_version().value(), Database::latest_schema_version());
    EXPECT_EQ(db->integrity_check().value(), "ok");
    {
        SQLite::Database raw(file, SQLite::OPEN_READONLY);
        for (const auto& table : tables) EXPECT_EQ(count(raw, "SELECT COUNT(*) FROM " + table), before[table]) << table;
        EXPECT_EQ(count(raw, "SELECT COUNT(*) FROM pragma_foreign_key_check"), 0);
        EXPECT_EQ(count(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'match_by_day'"), 1);
        EXPECT_EQ(count(raw, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'match_v2'"), 0);
        // Foreign keys are on again and still enforced on the rebuilt table.
        SQLite::Database writable(file, SQLite::OPEN_READWRITE);
        writable.exec("PRAGMA foreign_keys=ON");
        EXPECT_THROW(writable.exec("INSERT INTO event (datagram_id, group_index, code, raw, match_id)"
                                   " VALUES (1, 5, 'pt1', 'pt1;1;', 99)"),
                     SQLite::Exception);
    }
    auto matches = db->list_matches().value();
    ASSERT_EQ(matches.size(), 2u);
    EXPECT_EQ(matches[0].winner, Side::blue);
    EXPECT_EQ(matches[1].winner, Side::red);
    ASSERT_TRUE(matches[0].blue && matches[0].red);
    EXPECT_EQ(matches[0].blue->long_name, "Emma O'CONNOR");
    EXPECT_EQ(matches[0].event_count, 2);
    auto events = db->list_events(1).value();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].str_offset_ms, 60000);
    EXPECT_FALSE(events[0].clip_offset_ms);
    EXPECT_EQ(events[1].clip_path, "/clips/replay-1.mkv");

    // Reopening applies nothing again.
    auto again = Database::open(file);
    ASSERT_TRUE(again) << again.error().message;
    SQLite::Database raw(file, SQLite::OPEN_READONLY);
    EXPECT_EQ(count(raw, "SELECT COUNT(*) FROM schema_version"), Database::latest_schema_version());
}

TEST(Migration, AFreshFileHasTheNewTables) {
    TempFolder folder;
    ASSERT_TRUE(Database::open(folder.file("vta.sqlite")));
    SQLite::Database raw(folder.file("vta.sqlite"), SQLite::OPEN_READONLY);
    for (const char* table : {"recording", "clip", "stream_session"})
        EXPECT_EQ(count(raw, std::string("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '") +
                                 table + "'"),
                  1)
            << table;
    EXPECT_EQ(count(raw, "SELECT COUNT(*) FROM pragma_table_info('event') WHERE name = 'clip_offset_ms'"), 1);
}

class RecoveryTables : public ::testing::Test {
protected:
    void SetUp() override {
        auto database = Database::open(file);
        ASSERT_TRUE(database) << database.error().message;
        day = database->ensure_active_day("2026-03-14").value();
        auto opened = Writer::open(file);
        ASSERT_TRUE(opened) << opened.error().message;
        writer = std::move(opened).value();
    }

    Database reader() {
        EXPECT_TRUE(writer->flush().ok());
        return Database::open_read_only(file).value();
    }

    TempFolder folder;
    std::filesystem::path file = folder.file("vta.sqlite");
    ActiveDay day;
    std::unique_ptr<Writer> writer;
};

TEST_F(RecoveryTables, ATiedMatchIsStoredAsATie) {
    MatchRow row;
    row.day_id = day.day_id;
    row.number = "104";
    row.winner = Side::tie;
    const std::int64_t id = writer->add_match(row);
    auto db = reader();
    auto match = db.get_match(id).value();
    ASSERT_TRUE(match);
    EXPECT_EQ(match->winner, Side::tie);
    EXPECT_EQ(nlohmann::json(*match)["winner"], "tie");
}

TEST_F(RecoveryTables, RecordingsAndClipsAreStoredAndEnded) {
    MatchRow match;
    match.day_id = day.day_id;
    match.number = "101";
    const std::int64_t match_id = writer->add_match(match);

    RecordingRow recording;
    recording.match_id = match_id;
    recording.connection = "rec";
    recording.folder = "/recordings/Dutch Open/Day 1";
    recording.file = "101 A vs B";
    recording.started_us = 1'000'000;
    const std::int64_t pending = writer->add_recording(recording);
    writer->end_recording(pending, {9'000'000, "/recordings/101.mkv", "winner + 30 s"});  // folded before commit
    recording.started_us = 10'000'000;
    const std::int64_t committed = writer->add_recording(recording);
    ASSERT_TRUE(writer->flush().ok());
    writer->end_recording(committed, {20'000'000, std::nullopt, "next match loaded"});

    ClipRow saved;
    saved.match_id = match_id;
    saved.path = "/clips/replay-1.mkv";
    saved.since_us = 2'000'000;
    saved.until_us = 4'000'000;
    saved.requested_us = 4'000'000;
    saved.reason = "challenge of the coach 1";
    saved.side = 1;
    writer->add_clip(saved);
    ClipRow failed = saved;
    failed.path.reset();
    failed.error = "not_connected";
    writer->add_clip(failed);

    auto db = reader();
    auto recordings = db.list_recordings({day.day_id, std::nullopt}).value();
    ASSERT_EQ(recordings.size(), 2u);
    EXPECT_EQ(recordings[0].path, "/recordings/101.mkv");
    EXPECT_EQ(recordings[0].ended_us, 9'000'000);
    EXPECT_EQ(recordings[0].stopped_by, "winner + 30 s");
    EXPECT_FALSE(recordings[1].path);
    EXPECT_EQ(recordings[1].ended_us, 20'000'000);
    EXPECT_EQ(recordings[1].stopped_by, "next match loaded");
    EXPECT_EQ(nlohmann::json(recordings[1])["path"], nullptr);

    auto clips = db.list_clips({std::nullopt, match_id}).value();
    ASSERT_EQ(clips.size(), 2u);
    EXPECT_EQ(clips[0].path, "/clips/replay-1.mkv");
    EXPECT_FALSE(clips[0].error);
    EXPECT_FALSE(clips[1].path);
    EXPECT_EQ(clips[1].error, "not_connected");
    EXPECT_EQ(clips[1].side, 1);
    EXPECT_TRUE(db.list_clips({std::nullopt, match_id + 1}).value().empty());
}

TEST_F(RecoveryTables, StreamSessionsRunOnInTheDaysTimelineAcrossWritersAndTagEvents) {
    const std::int64_t t0 = 1'773'478'800'000'000;
    auto first = writer->open_stream_session({day.day_id, "OBS_STR", t0, std::nullopt, "", 0});
    EXPECT_EQ(first.timeline_start_ms, 0);
    const std::int64_t d1 = writer->add_datagram(testing::datagram(t0 + 30'000'000));
    writer->add_event(testing::event(d1, std::nullopt));
    writer->close_stream_session(first.id, {t0 + 60'000'000, "stream stopped"});
    writer->close_stream_session(first.id, {t0 + 90'000'000, "twice"});  // changes nothing
    EventTag tag;
    tag.since_us = t0;
    tag.until_us = t0 + 60'000'000;
    tag.stream_started_us = t0;
    tag.clip_started_us = t0 + 20'000'000;
    writer->tag_events(tag);

    auto second = writer->open_stream_session({day.day_id, "OBS_STR", t0 + 75'000'000, std::nullopt, "", 0});
    EXPECT_EQ(second.timeline_start_ms, 60'000);
    const std::int64_t d2 = writer->add_datagram(testing::datagram(t0 + 80'000'000));
    writer->add_event(testing::event(d2, std::nullopt));
    tag = {};
    tag.since_us = t0 + 75'000'000;
    tag.stream_started_us = t0 + 75'000'000;
    tag.stream_timeline_start_ms = second.timeline_start_ms;
    writer->tag_events(tag);
    writer->close_stream_session(second.id, {t0 + 100'000'000, "disconnected"});
    ASSERT_TRUE(writer->close().ok());

    // A later Writer (a restarted host) continues the day's timeline.
    auto reopened = Writer::open(file).value();
    auto third = reopened->open_stream_session({day.day_id, "OBS_STR", t0 + 200'000'000, std::nullopt, "", 0});
    EXPECT_EQ(third.timeline_start_ms, 60'000 + 25'000);
    ASSERT_TRUE(reopened->close().ok());

    auto db = Database::open_read_only(file).value();
    auto sessions = db.list_stream_sessions(day.day_id).value();
    ASSERT_EQ(sessions.size(), 3u);
    EXPECT_EQ(sessions[0].end_reason, "stream stopped");
    EXPECT_EQ(sessions[0].ended_us, t0 + 60'000'000);
    EXPECT_EQ(sessions[1].timeline_start_ms, 60'000);
    EXPECT_EQ(sessions[1].end_reason, "disconnected");
    EXPECT_FALSE(sessions[2].ended_us);
    EXPECT_EQ(nlohmann::json(sessions[1])["timeline_start_ms"], 60'000);

    SQLite::Database raw(file, SQLite::OPEN_READONLY);
    SQLite::Statement offsets(raw, "SELECT str_offset_ms, clip_offset_ms FROM event ORDER BY id");
    ASSERT_TRUE(offsets.executeStep());
    EXPECT_EQ(offsets.getColumn(0).getInt64(), 30'000);
    EXPECT_EQ(offsets.getColumn(1).getInt64(), 10'000);
    ASSERT_TRUE(offsets.executeStep());
    EXPECT_EQ(offsets.getColumn(0).getInt64(), 65'000) << "60 s of the first session + 5 s into the second";
    EXPECT_TRUE(offsets.getColumn(1).isNull());
}

}  // namespace
}  // namespace vta::store
