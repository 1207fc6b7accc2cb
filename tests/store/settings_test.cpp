#include "store_test_support.hpp"
#include "vta/store/database.hpp"

namespace vta::store {
namespace {

using testing::TempFolder;

Database open_db(const TempFolder& folder) {
    auto db = Database::open(folder.file("vta.sqlite"));
    EXPECT_TRUE(db) << db.error().message;
    return std::move(db).value();
}

TEST(Settings, UnsetKeyReadsAsEmpty) {
    TempFolder folder;
    Database db = open_db(folder);
    auto value = db.get_setting("obs.rec.url");
    ASSERT_TRUE(value) << value.error().message;
    EXPECT_FALSE(value->has_value());
    EXPECT_TRUE(db.setting_history("obs.rec.url")->empty());
}

TEST(Settings, EveryChangeIsRecordedWithItsOldValue) {
    TempFolder folder;
    Database db = open_db(folder);
    ASSERT_TRUE(db.set_setting("clip_seconds", "20", "panel"));
    ASSERT_TRUE(db.set_setting("clip_seconds", "25", "lua"));
    ASSERT_TRUE(db.set_setting("clip_seconds", "25", "lua"));  // same value: not a change

    EXPECT_EQ(db.get_setting("clip_seconds").value(), std::optional<std::string>("25"));
    const auto history = db.setting_history("clip_seconds").value();
    ASSERT_EQ(history.size(), 2u);
    EXPECT_FALSE(history[0].old_value.has_value());
    EXPECT_EQ(history[0].new_value, "20");
    EXPECT_EQ(history[0].changed_by, "panel");
    EXPECT_EQ(history[1].old_value, std::optional<std::string>("20"));
    EXPECT_EQ(history[1].new_value, "25");
    EXPECT_EQ(history[1].changed_by, "lua");
    EXPECT_FALSE(history[1].changed_at.empty());

    const nlohmann::json json = history;
    EXPECT_TRUE(json[0]["old_value"].is_null());
    EXPECT_EQ(json[1]["old_value"], "20");
}

TEST(ActiveDay, FirstRunCreatesTournamentAndDayOne) {
    TempFolder folder;
    Database db = open_db(folder);
    EXPECT_FALSE(db.active_day().value().has_value());

    auto day = db.ensure_active_day("2026-11-22");
    ASSERT_TRUE(day) << day.error().message;
    EXPECT_EQ(day->tournament_name, "Tournament 2026-11-22");
    EXPECT_EQ(day->day_number, 1);
    EXPECT_EQ(day->date_iso, "2026-11-22");
    EXPECT_EQ(db.get_setting(active_tournament_key).value(), std::to_string(day->tournament_id));
    EXPECT_EQ(db.get_setting(active_day_key).value(), std::to_string(day->day_id));
    EXPECT_EQ(db.setting_history(active_day_key).value().size(), 1u);
}

TEST(ActiveDay, LaterRunsReturnTheActiveDay) {
    TempFolder folder;
    ActiveDay first;
    {
        Database db = open_db(folder);
        first = db.ensure_active_day("2026-11-22").value();
    }
    Database db = open_db(folder);
    auto later = db.ensure_active_day("2026-11-23");
    ASSERT_TRUE(later) << later.error().message;
    EXPECT_EQ(later->day_id, first.day_id);
    EXPECT_EQ(later->tournament_id, first.tournament_id);
    EXPECT_EQ(later->date_iso, "2026-11-22");
    EXPECT_EQ(db.active_day().value()->day_id, first.day_id);
}

TEST(ActiveDay, AMissingDayContinuesTheActiveTournament) {
    TempFolder folder;
    Database db = open_db(folder);
    const ActiveDay first = db.ensure_active_day("2026-11-22").value();
    ASSERT_TRUE(db.set_setting(active_day_key, "9999", "test"));

    auto next = db.ensure_active_day("2026-11-23");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->tournament_id, first.tournament_id);
    EXPECT_EQ(next->day_number, 2);
    EXPECT_EQ(next->date_iso, "2026-11-23");
    EXPECT_NE(next->day_id, first.day_id);
}

TEST(ActiveDay, RejectsADateThatIsNotIso) {
    TempFolder folder;
    Database db = open_db(folder);
    auto day = db.ensure_active_day("22/11/2026");
    ASSERT_FALSE(day);
    EXPECT_EQ(day.error().code, Errc::invalid_argument);
    EXPECT_FALSE(db.active_day().value().has_value());
}

TEST(Tournaments, ListCreateAddDayAndActivate) {
    TempFolder folder;
    Database db = open_db(folder);
    const ActiveDay first = db.ensure_active_day("2026-11-22").value();

    auto day1 = db.create_tournament("  Dublin Open  ", "2026-12-05");
    ASSERT_TRUE(day1) << day1.error().message;
    const std::int64_t open_id = day1->tournament_id;
    auto day2 = db.add_day(open_id, "2026-12-06");
    ASSERT_TRUE(day2) << day2.error().message;
    EXPECT_EQ(day1->day_number, 1);
    EXPECT_EQ(day2->day_number, 2);
    EXPECT_EQ(day2->tournament_name, "Dublin Open");
    // Creating and adding change nothing of what is active.
    EXPECT_EQ(db.active_day().value()->day_id, first.day_id);

    const auto tournaments = db.list_tournaments().value();
    ASSERT_EQ(tournaments.size(), 2u);
    EXPECT_EQ(tournaments[0].id, first.tournament_id);
    ASSERT_EQ(tournaments[0].days.size(), 1u);
    EXPECT_EQ(tournaments[1].name, "Dublin Open");
    EXPECT_FALSE(tournaments[1].created_at.empty());
    ASSERT_EQ(tournaments[1].days.size(), 2u);
    EXPECT_EQ(tournaments[1].days[1].id, day2->day_id);
    EXPECT_EQ(tournaments[1].days[1].date_iso, "2026-12-06");
    const nlohmann::json json = tournaments;
    EXPECT_EQ(json[1]["days"][0]["date"], "2026-12-05");

    auto active = db.activate_day(day2->day_id, "panel");
    ASSERT_TRUE(active) << active.error().message;
    EXPECT_EQ(active->tournament_id, open_id);
    EXPECT_EQ(db.active_day().value()->day_id, day2->day_id);
    EXPECT_EQ(db.get_setting(active_tournament_key).value(), std::to_string(open_id));
    const auto history = db.setting_history(active_day_key).value();
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].old_value, std::to_string(first.day_id));
    EXPECT_EQ(history[1].changed_by, "panel");
    // A later start keeps the day the operator chose.
    EXPECT_EQ(db.ensure_active_day("2027-01-01").value().day_id, day2->day_id);
}

TEST(Tournaments, BadInputIsRefusedAndChangesNothing) {
    TempFolder folder;
    Database db = open_db(folder);
    const ActiveDay first = db.ensure_active_day("2026-11-22").value();

    auto unnamed = db.create_tournament("   ", "2026-11-23");
    ASSERT_FALSE(unnamed);
    EXPECT_EQ(unnamed.error().code, Errc::invalid_argument);
    EXPECT_EQ(db.create_tournament(std::string(201, 'x'), "2026-11-23").error().code, Errc::invalid_argument);
    EXPECT_EQ(db.create_tournament("Undated Open", "23.11.2026").error().code, Errc::invalid_argument);

    auto no_tournament = db.add_day(first.tournament_id + 100, "2026-11-23");
    ASSERT_FALSE(no_tournament);
    EXPECT_EQ(no_tournament.error().code, Errc::not_found);
    auto bad_date = db.add_day(first.tournament_id, "tomorrow");
    ASSERT_FALSE(bad_date);
    EXPECT_EQ(bad_date.error().code, Errc::invalid_argument);
    EXPECT_NE(bad_date.error().message.find("YYYY-MM-DD"), std::string::npos);

    auto no_day = db.activate_day(first.day_id + 100);
    ASSERT_FALSE(no_day);
    EXPECT_EQ(no_day.error().code, Errc::not_found);

    const auto tournaments = db.list_tournaments().value();
    ASSERT_EQ(tournaments.size(), 1u);
    EXPECT_EQ(tournaments[0].days.size(), 1u);
    EXPECT_EQ(db.active_day().value()->day_id, first.day_id);
    EXPECT_EQ(db.setting_history(active_day_key).value().size(), 1u);
}

}  // namespace
}  // namespace vta::store
