// Schema v5: the audit trail. Rows of every action go through the Writer (host) or Database::add_audit (CLI),
// side by side on one file, and read back typed, in time order, with --since and a limit.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store_test_support.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::store {
namespace {

using testing::count;
using testing::TempFolder;

const std::vector<AuditAction> every_action{
    AuditAction::manual_event,       AuditAction::replay,           AuditAction::back_to_live,
    AuditAction::recording_start,    AuditAction::recording_stop,   AuditAction::settings_saved,
    AuditAction::settings_imported,  AuditAction::workflow_enabled, AuditAction::workflow_disabled,
    AuditAction::workflow_reloaded,  AuditAction::day_activated,    AuditAction::day_added,
    AuditAction::tournament_created, AuditAction::control_room,     AuditAction::secret_set,
    AuditAction::secret_deleted};

TEST(Audit, EveryActionHasOneNameThatParsesBack) {
    std::set<std::string> names;
    for (AuditAction action : every_action) {
        const std::string name(to_string(action));
        EXPECT_TRUE(names.insert(name).second) << name;
        EXPECT_EQ(parse_audit_action(name), action) << name;
    }
    EXPECT_FALSE(parse_audit_action("delete_everything"));
    EXPECT_EQ(AuditSource::script("ivr").to_string(), "script:ivr");
    EXPECT_EQ(AuditSource::parse("script:ivr")->package, "ivr");
    EXPECT_FALSE(AuditSource::parse("script:"));
    EXPECT_FALSE(AuditSource::parse("operator"));
}

TEST(Audit, AVersion4FileGetsAnEmptyTrail) {
    TempFolder folder;
    const auto file = folder.file("v4.sqlite");
    ASSERT_TRUE(Database::open(file));
    {
        SQLite::Database raw(file, SQLite::OPEN_READWRITE);
        raw.exec("DROP TABLE audit; DELETE FROM schema_version WHERE version >= 5");
    }
    ASSERT_EQ(count(file, "SELECT MAX(version) FROM schema_version"), 4);
    auto db = Database::open(file);
    ASSERT_TRUE(db) << db.error().message;
    EXPECT_EQ(db->schema_version().value(), 5);
    EXPECT_EQ(Database::latest_schema_version(), 5);
    EXPECT_TRUE(db->list_audit().value().empty());
}

TEST(Audit, ARowOfEachActionFromTheWriterAndTheCliReadsBackTyped) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    std::vector<std::string> errors;
    WriterOptions options;
    options.on_error = [&](const Error& e) { errors.push_back(e.message); };
    auto writer = Writer::open(file, options);
    ASSERT_TRUE(writer) << writer.error().message;
    std::int64_t at = 1'765'000'000'000'000;
    for (AuditAction action : every_action) {
        AuditRow row;
        row.at_us = at++;
        row.source = action == AuditAction::control_room ? AuditSource::script("control") : AuditSource::panel();
        row.action = action;
        row.subject = std::string(to_string(action)) + " subject";
        if (action == AuditAction::settings_saved) {
            row.before = nlohmann::json{{"/udp/port", 6000}};
            row.after = nlohmann::json{{"/udp/port", 6001}};
        }
        (*writer)->add_audit(std::move(row));
    }
    ASSERT_TRUE((*writer)->flush());

    // The CLI's own connection while the Writer holds the file open: ids come from SQLite, so none collide.
    auto cli = Database::open(file);
    ASSERT_TRUE(cli) << cli.error().message;
    AuditRow secret{at++, AuditSource::cli(), AuditAction::secret_set, "obs-rec", std::nullopt, std::nullopt};
    const auto cli_id = cli->add_audit(secret);
    ASSERT_TRUE(cli_id) << cli_id.error().message;
    (*writer)->add_audit({at++, AuditSource::panel(), AuditAction::replay, "", std::nullopt, std::nullopt});
    ASSERT_TRUE((*writer)->flush());
    EXPECT_TRUE(errors.empty()) << errors.front();

    auto reader = Database::open_read_only(file);
    ASSERT_TRUE(reader);
    const auto all = reader->list_audit().value();
    ASSERT_EQ(all.size(), every_action.size() + 2);
    for (std::size_t i = 0; i < every_action.size(); ++i) {
        EXPECT_EQ(all[i].action, every_action[i]);
        EXPECT_EQ(all[i].subject, std::string(to_string(every_action[i])) + " subject");
        EXPECT_EQ(all[i].at_us, 1'765'000'000'000'000 + std::int64_t(i));
    }
    EXPECT_EQ(all[13].source.to_string(), "script:control");
    EXPECT_EQ(all[5].before->at("/udp/port"), 6000);
    EXPECT_EQ(all[5].after->at("/udp/port"), 6001);
    EXPECT_FALSE(all[0].before);
    EXPECT_EQ(all[every_action.size()].id, *cli_id);
    EXPECT_EQ(all[every_action.size()].source.kind, AuditSource::Kind::cli);
    EXPECT_EQ(all.back().action, AuditAction::replay);

    const nlohmann::json json = all[5];
    EXPECT_EQ(json["action"], "settings_saved");
    EXPECT_EQ(json["source"], "panel");
    EXPECT_EQ(json["at"], "2025-12-06T05:46:40.000Z");
    EXPECT_EQ(json["after"]["/udp/port"], 6001);
    EXPECT_TRUE(nlohmann::json(all[0])["before"].is_null());

    const auto since = reader->list_audit({1'765'000'000'000'000 + 14, std::nullopt}).value();
    ASSERT_EQ(since.size(), 4u);
    EXPECT_EQ(since.front().action, AuditAction::secret_set);
    const auto newest = reader->list_audit({std::nullopt, 2}).value();
    ASSERT_EQ(newest.size(), 2u);
    EXPECT_EQ(newest.front().id, *cli_id);
    EXPECT_EQ(newest.back().action, AuditAction::replay);
}

TEST(Audit, TheTableRefusesAnUnknownSourceAndAnActionOfANewerBuildStillLists) {
    TempFolder folder;
    const auto file = folder.file("vta.sqlite");
    auto db = Database::open(file);
    ASSERT_TRUE(db);
    {
        SQLite::Database raw(file, SQLite::OPEN_READWRITE);
        EXPECT_THROW(raw.exec("INSERT INTO audit (at_us, source, action) VALUES (1, 'operator', 'replay')"),
                     SQLite::Exception);
        EXPECT_THROW(raw.exec("INSERT INTO audit (at_us, source, action) VALUES (1, 'script:', 'replay')"),
                     SQLite::Exception);
        raw.exec("INSERT INTO audit (at_us, source, action) VALUES (1, 'cli', 'rewind_time')");
    }
    const auto rows = db->list_audit().value();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].action, AuditAction::other);
}

}  // namespace
}  // namespace vta::store
