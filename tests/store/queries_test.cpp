#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using testing::TempFolder;

// Two matches on the active day, one on an older day, events, unknown and invalid groups, counters.
class Queries : public ::testing::Test {
protected:
    void SetUp() override {
        auto db = Database::open(file());
        ASSERT_TRUE(db) << db.error().message;
        old_day = db->ensure_active_day("2026-11-21").value();
        ASSERT_TRUE(db->set_setting(active_day_key, "0"));
        day = db->ensure_active_day("2026-11-22").value();

        WriterOptions options;
        options.batch_rows = 3;  // several batches
        auto writer = Writer::open(file(), options).value();
        old_match = writer->add_match(testing::match("1", old_day.day_id));
        MatchRow first = testing::match("101", day.day_id);
        first_match = writer->add_match(first);
        MatchRow second = testing::match("102", day.day_id);
        second.red = std::nullopt;
        second_match = writer->add_match(second);

        for (int i = 0; i < 3; ++i) {
            const auto d = writer->add_datagram(testing::datagram(1'000'000 + i, "pt1;3;"));
            event_ids.push_back(writer->add_event(testing::event(d, first_match, i == 2 ? "pt2" : "pt1")));
        }
        const auto d = writer->add_datagram(testing::datagram(2'000'000, "zz9;?;pt1;x;"));
        writer->add_unknown(
            UnknownRow{d, 0, GroupStatus::unknown, "zz9", "zz9;?;", "unknown code", first_match, 1, 80});
        writer->add_unknown(
            UnknownRow{d, 1, GroupStatus::invalid, "pt1", "pt1;x;", "points not a number", first_match, 1, 80});

        first.blue_score = 7;
        first.red_score = 5;
        first.round_scores = {{3, 2}, {4, 3}};
        first.round_winners = {Side::blue, Side::blue};
        first.winner = Side::blue;
        first.winner_name = "KIM Minsu";
        first.decision = "PTF";
        first.state_json = R"({"phase":"finished"})";
        writer->update_match(first_match, first);
        writer->set_counters({{"udp.datagrams", 4}, {"udp.bad_sender", 1}});
        ASSERT_TRUE(writer->close());
    }

    std::filesystem::path file() const { return folder.file("vta.sqlite"); }

    TempFolder folder;
    ActiveDay old_day;
    ActiveDay day;
    std::int64_t old_match = 0;
    std::int64_t first_match = 0;
    std::int64_t second_match = 0;
    std::vector<std::int64_t> event_ids;
};

TEST_F(Queries, ListMatchesWithAthletesScoresAndEventCounts) {
    auto db = Database::open_read_only(file()).value();
    const auto matches = db.list_matches().value();
    ASSERT_EQ(matches.size(), 3u);
    EXPECT_EQ(matches[0].id, old_match);
    const MatchInfo& m = matches[1];
    EXPECT_EQ(m.id, first_match);
    EXPECT_EQ(m.day_id, day.day_id);
    EXPECT_EQ(m.number, "101");
    EXPECT_EQ(m.weight, "M-68");
    EXPECT_EQ(m.rounds, 3);
    EXPECT_EQ(m.round_seconds, 120);
    EXPECT_EQ(m.blue_score, 7);
    EXPECT_EQ(m.red_score, 5);
    ASSERT_EQ(m.round_scores.size(), 2u);
    EXPECT_EQ(m.round_scores[1].blue, 4);
    EXPECT_EQ(m.round_scores[1].red, 3);
    EXPECT_EQ(m.round_winners, (std::vector<Side>{Side::blue, Side::blue}));
    EXPECT_EQ(m.winner, Side::blue);
    EXPECT_EQ(m.decision, "PTF");
    ASSERT_TRUE(m.blue.has_value());
    EXPECT_EQ(m.blue->long_name, "KIM Minsu");
    EXPECT_EQ(m.blue->noc, "KOR");
    ASSERT_TRUE(m.red.has_value());
    EXPECT_EQ(m.red->short_name, "GARCIA");
    EXPECT_EQ(m.event_count, 3);
    EXPECT_FALSE(m.created_at.empty());
    EXPECT_GE(m.updated_at, m.created_at);
    // The same athletes in another match are the same athlete rows.
    EXPECT_EQ(matches[2].blue_id, m.blue_id);
    EXPECT_FALSE(matches[2].red.has_value());
    EXPECT_EQ(matches[2].event_count, 0);
}

TEST_F(Queries, FilterMatchesByDayAndLimit) {
    auto db = Database::open_read_only(file()).value();
    const auto today = db.list_matches({day.day_id, std::nullopt}).value();
    ASSERT_EQ(today.size(), 2u);
    EXPECT_EQ(today[0].id, first_match);
    const auto newest = db.list_matches({std::nullopt, 1}).value();
    ASSERT_EQ(newest.size(), 1u);
    EXPECT_EQ(newest[0].id, second_match);
    EXPECT_FALSE(db.get_match(9999).value().has_value());
}

TEST_F(Queries, MatchJsonHasEveryColumn) {
    auto db = Database::open_read_only(file()).value();
    const nlohmann::json json = db.list_matches().value();
    ASSERT_TRUE(json.is_array());
    const auto& m = json[1];
    for (const char* key :
         {"id",          "day_id",        "number",     "category",  "weight",       "division",      "match_code",
          "rounds",      "round_seconds", "blue_score", "red_score", "round_scores", "round_winners", "winner",
          "winner_name", "decision",      "state",      "blue",      "red",          "event_count",   "created_at",
          "updated_at"}) {
        EXPECT_TRUE(m.contains(key)) << key;
    }
    EXPECT_EQ(m["winner"], "blue");
    EXPECT_EQ(m["round_winners"], nlohmann::json::parse(R"(["blue","blue"])"));
    EXPECT_EQ(m["round_scores"][0], nlohmann::json::parse(R"({"blue":3,"red":2})"));
    EXPECT_EQ(m["state"]["phase"], "finished");
    EXPECT_EQ(m["blue"]["noc"], "KOR");
    EXPECT_TRUE(json[2]["red"].is_null());
}

TEST_F(Queries, EventsOfAMatchInArrivalOrder) {
    auto db = Database::open_read_only(file()).value();
    const auto events = db.list_events(first_match).value();
    ASSERT_EQ(events.size(), 3u);
    for (std::size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].id, event_ids[i]);
        EXPECT_EQ(events[i].received_us, 1'000'000 + static_cast<std::int64_t>(i));
    }
    EXPECT_EQ(events[2].code, "pt2");
    EXPECT_EQ(events[0].clock_seconds, 95);
    EXPECT_TRUE(events[0].clock_running);
    EXPECT_FALSE(events[0].clip_path.has_value());
    EXPECT_TRUE(db.list_events(old_match).value().empty());

    const nlohmann::json json = events;
    EXPECT_EQ(json[0]["fields"]["points"], 3);
    EXPECT_EQ(json[0]["match_id"], first_match);
    EXPECT_TRUE(json[0]["rec_offset_ms"].is_null());
    EXPECT_EQ(json[0]["raw"], "pt1;3;");
}

TEST_F(Queries, StatsCountEverythingPerCode) {
    auto db = Database::open_read_only(file()).value();
    const Stats stats = db.stats().value();
    EXPECT_EQ(stats.datagrams, 4);
    EXPECT_EQ(stats.events, 3);
    EXPECT_EQ(stats.unknown, 1);
    EXPECT_EQ(stats.invalid, 1);
    EXPECT_EQ(stats.per_code.at("pt1").events, 2);
    EXPECT_EQ(stats.per_code.at("pt1").invalid, 1);
    EXPECT_EQ(stats.per_code.at("pt2").events, 1);
    EXPECT_EQ(stats.per_code.at("zz9").unknown, 1);
    EXPECT_EQ(stats.first_received_us, 1'000'000);
    EXPECT_EQ(stats.last_received_us, 2'000'000);
    EXPECT_EQ(stats.counters.at("udp.datagrams"), 4);

    const nlohmann::json json = stats;
    EXPECT_EQ(json["per_code"]["zz9"]["unknown"], 1);
    EXPECT_EQ(json["counters"]["udp.bad_sender"], 1);
    EXPECT_EQ(json["first_received_us"], 1'000'000);
}

TEST(QueriesEmpty, StatsOfAnEmptyDatabase) {
    TempFolder folder;
    auto db = Database::open(folder.file("vta.sqlite")).value();
    const nlohmann::json json = db.stats().value();
    EXPECT_EQ(json["datagrams"], 0);
    EXPECT_TRUE(json["first_received_us"].is_null());
    EXPECT_TRUE(json["per_code"].empty());
    EXPECT_TRUE(db.list_matches().value().empty());
}

}  // namespace
}  // namespace vta::store
