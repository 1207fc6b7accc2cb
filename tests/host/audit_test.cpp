// The audit trail as the running host keeps it: every operator action, driven through OperatorActions as the panel
// drives it, leaves one row with its source and before/after, read back with `vta audit --json` while the host runs;
// a `vta secret` command leaves a "cli" row; --since filters; bad --since is refused naming the option.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "vta/host/host.hpp"
#include "vta/host/report.hpp"

namespace vta::host {
namespace {

using namespace std::chrono_literals;

const std::string plain_password = "Audit-Plain-91c2e";

class RunningHost {
public:
    // `adjust` changes the set-up before the host is created (OBS connections, workflow folders).
    explicit RunningHost(const std::function<void(HostSetup&, const std::filesystem::path& folder)>& adjust = {})
        : work_(boost::asio::make_work_guard(io_)) {
        HostSetup setup;
        setup.database = folder_.path() / "vta.sqlite3";
        setup.config.udp.bind_address = "127.0.0.1";
        setup.config.udp.port = test::free_udp_port();
        setup.config.overlays.enabled = false;
        setup.workflow_folders = {VTA_SHIPPED_WORKFLOWS};
        setup.licence_folder = folder_.path() / "licence";
        if (adjust) adjust(setup, folder_.path());
        auto created = Host::create(io_, setup);
        EXPECT_TRUE(created) << (created ? "" : created.error().message);
        if (!created) return;
        host_ = std::move(created.value());
        database_ = setup.database;
        host_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~RunningHost() {
        if (!host_) return;
        boost::asio::post(io_, [this] {
            host_->stop();
            work_.reset();
        });
        thread_.join();
    }
    Host& host() { return *host_; }
    const std::filesystem::path& database() const { return database_; }

private:
    test::TempFolder folder_;
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::unique_ptr<Host> host_;
    std::thread thread_;
    std::filesystem::path database_;
};

nlohmann::json audit_json(const std::filesystem::path& database, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"audit", "--json", "--db", database.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto [status, output] = test::run_to_end(VTA_BINARY, args, {});
    if (status != 0) return nlohmann::json{{"error", output}};
    return nlohmann::json::parse(output, nullptr, false);
}

const nlohmann::json* find_row(const nlohmann::json& rows, const std::string& action) {
    if (!rows.is_array()) return nullptr;
    for (const auto& row : rows)
        if (row["action"] == action) return &row;
    return nullptr;
}

TEST(AuditTrail, EachOperatorActionLeavesOneRowThatVtaAuditListsWhileTheHostRuns) {
    RunningHost running;
    ASSERT_NO_FATAL_FAILURE();
    OperatorActions& actions = running.host().actions();
    actions.post_manual("pt1;3;");
    actions.post_replay();
    actions.post_back_to_live();
    actions.post_recording(true);
    actions.post_recording(false);
    actions.post_workflow_enabled("scenes", false);
    actions.post_workflow_enabled("scenes", true);
    actions.post_workflow_reload("new-match");
    actions.post_create_tournament("Audit Open", "2026-12-05");
    const nlohmann::json before = {{"udp", {{"port", 6000}}},
                                   {"obs", {{{"name", "OBS_REC"}, {"password", plain_password}}}}};
    nlohmann::json after = before;
    after["udp"]["port"] = 6001;
    after["obs"][0]["password"] = {{"secret", "obs_rec"}};
    actions.settings_saved(before, after, {"obs_rec"});
    actions.settings_imported("/tmp/imported.json", after, before);
    running.host().audit().record_control_room(store::AuditSource::script("control"), "set_scene",
                                               {{"scene", "Break"}, {"connections", {"OBS_STR", "OBS_STR2"}}},
                                               {{"OBS_STR", {{"ok", true}}}, {"OBS_STR2", {{"error", "down"}}}});

    nlohmann::json rows;
    ASSERT_TRUE(test::wait_until(
        [&] {
            rows = audit_json(running.database());
            return find_row(rows, "tournament_created") && rows.size() >= 12;
        },
        10s))
        << rows.dump(2);
    // The day changes need the first tournament to exist: now add a day to it and go back.
    const std::int64_t audit_day = (*find_row(rows, "tournament_created"))["after"]["tournament_id"];
    actions.post_add_day(audit_day, "2026-12-06");
    ASSERT_TRUE(test::wait_until([&] { return find_row(audit_json(running.database()), "day_added"); }, 10s));
    const std::int64_t first_day = (*find_row(rows, "tournament_created"))["before"]["day_id"];
    actions.post_activate_day(first_day);
    ASSERT_TRUE(test::wait_until(
        [&] {
            rows = audit_json(running.database());
            return find_row(rows, "day_activated") != nullptr;
        },
        10s))
        << rows.dump(2);

    for (const std::string action :
         {"manual_event", "replay", "back_to_live", "recording_start", "recording_stop", "workflow_disabled",
          "workflow_enabled", "workflow_reloaded", "tournament_created", "day_added", "day_activated", "settings_saved",
          "settings_imported", "control_room"}) {
        const auto* row = find_row(rows, action);
        ASSERT_TRUE(row) << action << " missing from " << rows.dump(2);
        EXPECT_EQ((*row)["source"], action == "control_room" ? "script:control" : "panel") << action;
        EXPECT_TRUE((*row)["at"].get<std::string>().ends_with("Z")) << action;
    }
    EXPECT_EQ((*find_row(rows, "manual_event"))["subject"], "pt1;3;");
    EXPECT_EQ((*find_row(rows, "workflow_disabled"))["subject"], "scenes");
    EXPECT_EQ((*find_row(rows, "workflow_disabled"))["after"]["state"], "disabled");
    EXPECT_EQ((*find_row(rows, "workflow_enabled"))["before"]["state"], "disabled");
    EXPECT_EQ((*find_row(rows, "recording_start"))["after"]["sent"], false);  // no rec connection configured
    EXPECT_EQ((*find_row(rows, "tournament_created"))["after"]["tournament_name"], "Audit Open");
    EXPECT_EQ((*find_row(rows, "day_activated"))["after"]["day_id"], first_day);
    const auto& saved = *find_row(rows, "settings_saved");
    EXPECT_EQ(saved["before"]["/udp/port"], 6000);
    EXPECT_EQ(saved["after"]["/udp/port"], 6001);
    EXPECT_EQ(saved["before"]["/obs/0/password"], "***");
    EXPECT_EQ(saved["after"]["/obs/0/password/secret"], "obs_rec");
    EXPECT_EQ(saved["after"]["secrets written"], nlohmann::json::array({"obs_rec"}));
    EXPECT_EQ((*find_row(rows, "settings_imported"))["subject"], "/tmp/imported.json");
    const auto& bulk = *find_row(rows, "control_room");
    EXPECT_EQ(bulk["subject"], "set_scene on OBS_STR, OBS_STR2");
    EXPECT_EQ(bulk["after"]["OBS_STR2"]["error"], "down");
    EXPECT_EQ(rows.dump().find(plain_password), std::string::npos) << "a password reached the audit trail";

    // The table form, and --since: nothing is newer than a minute ahead, everything is newer than an hour ago.
    const auto [status, table] = test::run_to_end(VTA_BINARY, {"audit", "--db", running.database().string()}, {});
    EXPECT_EQ(status, 0) << table;
    EXPECT_NE(table.find("script:control"), std::string::npos) << table;
    EXPECT_NE(table.find("manual_event"), std::string::npos) << table;
    EXPECT_EQ(audit_json(running.database(), {"--since", "1h"}).size(), rows.size());
    EXPECT_TRUE(audit_json(running.database(), {"--since", "2999-01-01"}).empty());
    const auto [bad_status, bad] =
        test::run_to_end(VTA_BINARY, {"audit", "--since", "yesterday", "--db", running.database().string()}, {});
    EXPECT_EQ(bad_status, 2);
    EXPECT_NE(bad.find("--since: expected a UTC time"), std::string::npos) << bad;
}

// An OBS connection nobody answers on (its port is closed): the panel's bulk action and a package's obs.all call
// each answer at once with the connection's error, and each leaves one control_room row with every result.
TEST(AuditTrail, TheControlRoomFromThePanelAndFromAScriptLeavesOneRowEachWithTheDownConnectionsError) {
    RunningHost running([](HostSetup& setup, const std::filesystem::path& folder) {
        obs::ConnectionConfig down;
        down.name = "OBS_STR";
        down.role = obs::Role::str;
        down.host = "127.0.0.1";
        down.port = std::uint16_t(test::free_udp_port());
        setup.config.obs = {down};
        const auto package = folder / "workflows" / "room";
        std::filesystem::create_directories(package);
        std::ofstream(package / "manifest.json") << R"({"name": "room", "version": "1.0.0", "permissions": []})";
        std::ofstream(package / "main.lua") << R"lua(
            on("operator_replay", function()
              obs.all("str"):scenes()  -- only reads: no row
              local r = obs.all("str"):set_scene("IVR_SCENE")
              log.info("room switched", r.OBS_STR.ok, r.OBS_STR.code)
            end)
        )lua";
        setup.workflow_folders = {folder / "workflows"};
    });
    ASSERT_NO_FATAL_FAILURE();
    OperatorActions& actions = running.host().actions();
    actions.post_control_room({ControlRoomOperation::mute, {"OBS_STR", "OBS_ELSEWHERE"}, ""});
    actions.post_replay();  // the package's handler
    nlohmann::json rows;
    const auto control_rows = [&] {
        nlohmann::json found = nlohmann::json::array();
        if (rows.is_array())
            for (const auto& row : rows)
                if (row["action"] == "control_room") found.push_back(row);
        return found;
    };
    ASSERT_TRUE(test::wait_until(
        [&] {
            rows = audit_json(running.database());
            return control_rows().size() == 2;
        },
        10s))
        << rows.dump(2);
    const auto both = control_rows();
    const auto& panel = both[0]["source"] == "panel" ? both[0] : both[1];
    const auto& script = both[0]["source"] == "panel" ? both[1] : both[0];
    EXPECT_EQ(panel["subject"], "mute on OBS_STR, OBS_ELSEWHERE");
    EXPECT_EQ(panel["before"]["arguments"]["input"], "MAIN_AUDIO");
    EXPECT_EQ(panel["after"]["OBS_STR"]["ok"], false);
    EXPECT_EQ(panel["after"]["OBS_STR"]["code"], "not_connected");
    EXPECT_EQ(panel["after"]["OBS_ELSEWHERE"]["code"], "not_connected");
    EXPECT_NE(panel["after"]["OBS_ELSEWHERE"]["message"].get<std::string>().find("no OBS connection named"),
              std::string::npos);
    EXPECT_EQ(script["source"], "script:room");
    EXPECT_EQ(script["subject"], "set_scene on OBS_STR");
    EXPECT_EQ(script["before"]["arguments"]["scene"], "IVR_SCENE");
    EXPECT_EQ(script["after"]["OBS_STR"]["code"], "not_connected");
}

TEST(AuditTrail, SinceTakesUtcTimesAndSpans) {
    const std::int64_t now = 1'765'000'000'000'000;
    EXPECT_EQ(parse_audit_since("30m", now).value(), now - 1800'000'000LL);
    EXPECT_EQ(parse_audit_since("1d", now).value(), now - 86'400'000'000LL);
    EXPECT_EQ(parse_audit_since("2026-12-05", now).value(), 1'796'428'800'000'000LL);
    EXPECT_EQ(parse_audit_since("2026-12-05T14:00Z", now).value(), 1'796'428'800'000'000LL + 14 * 3'600'000'000LL);
    EXPECT_EQ(parse_audit_since("2026-12-05T14:00:30", now).value(),
              1'796'428'800'000'000LL + 14 * 3'600'000'000LL + 30'000'000LL);
    EXPECT_FALSE(parse_audit_since("2026-13-05", now));
    EXPECT_FALSE(parse_audit_since("5 minutes", now));
}

}  // namespace
}  // namespace vta::host
