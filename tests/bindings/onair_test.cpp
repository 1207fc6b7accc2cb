// The on-air operations and the control room (obs.all) in Lua: dry-run answers, argument checks, and a
// group call's one result per connection, with a member that is down and one that answers late.

#include "support.hpp"
#include "vta/bindings/obs_operations.hpp"

namespace vta::bindings::testing {
namespace {

TEST_F(RuntimeTest, OnAirOperationsAnswerInADryRunAndAreRecorded) {
    package("air", R"lua(
        on("go", function()
          log.info("studio", obs.str:studio_mode().enabled, obs.str:set_studio_mode(true), obs.str:studio_mode().enabled)
          log.info("preview", obs.str:set_preview_scene("IVR_SCENE"), obs.str:set_transition("Fade"), obs.str:transition())
          log.info("transitions", obs.str:transitions().current, #obs.str:transitions().transitions)
          log.info("mute", obs.str:mute("Mic").muted, obs.str:set_mute("Mic", true), obs.str:mute("Mic").muted,
                   obs.str:toggle_mute("Mic").muted)
          log.info("volume", obs.str:set_volume("Mic", -6), obs.str:set_volume("Mic", 0.5, "mul"), obs.str:volume("Mic").db)
          log.info("profiles", obs.str:profiles().current, obs.str:set_profile("B"))
          log.info("collections", obs.str:scene_collections().current, obs.str:set_scene_collection("B"))
          log.info("record", obs.rec:start_record(), obs.rec:pause_record(), obs.rec:resume_record())
          log.info("vcam", obs.str:start_virtualcam(), obs.str:virtualcam_status().active, obs.str:stop_virtualcam(),
                   obs.str:virtualcam_status().active)
        end)
    )lua");
    start();
    fire("go");
    EXPECT_EQ(messages("air"), (std::vector<std::string>{
                                   "studio false true true", "preview true true true", "transitions Fade 2",
                                   "mute false true true false", "volume true true 0", "profiles dry-run true",
                                   "collections dry-run true", "record true true true", "vcam true true true false"}))
        << dump();
    std::vector<std::string> actions;
    for (const auto& a : recorder.actions()) actions.push_back(a.action);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "obs.str:set_volume"), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "obs.rec:pause_record"), actions.end());
    for (const auto& a : recorder.actions()) {
        if (a.action == "obs.str:set_volume" && a.args.contains("unit")) {
            EXPECT_EQ(a.args["unit"], "mul");
        }
    }
}

TEST_F(RuntimeTest, WrongOnAirArgumentsRaiseAtTheCall) {
    package("w", R"lua(
        on("go", function()
          for _, call in ipairs {
            function() return obs.str:set_volume("Mic", 40) end,
            function() return obs.str:set_volume("Mic", 30, "mul") end,
            function() return obs.str:set_volume("Mic", 1, "percent") end,
            function() return obs.str:set_mute("Mic") end,
            function() return obs.str:set_studio_mode("on") end,
            function() return obs.all("studio") end,
            function() return obs.all("str"):set_scene() end,
            function() return obs.all("str"):sett_scene("A") end,
            function() return obs.all("str").set_scene("A") end,
          } do
            local ok, err = pcall(call)
            log.info(tostring(ok), err)
          end
        end)
    )lua");
    start();
    fire("go");
    const auto lines = messages("w");
    ASSERT_EQ(lines.size(), 9u) << dump();
    const std::vector<std::string> expected = {
        "a volume in dB must be from -100 to 26",
        "a volume multiplier must be from 0 to 20",
        "unit must be \"db\" or \"mul\", got \"percent\"",
        "set_mute needs muted (a boolean)",
        "set_studio_mode's enabled must be a boolean, got a string",
        "role must be \"str\", \"rec\", \"both\" or \"all\", got \"studio\"",
        "set_scene needs scene (a string)",
        "no method 'sett_scene'",
        "call methods with ':'",
    };
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(lines[i].rfind("false", 0), 0u) << lines[i];
        EXPECT_NE(lines[i].find(expected[i]), std::string::npos) << lines[i];
    }
    EXPECT_TRUE(recorder.actions().empty()) << "nothing reached OBS";
}

TEST_F(RuntimeTest, AGroupCallInADryRunReachesTheRole) {
    package("g", R"lua(
        on("go", function()
          local results = obs.all("str"):set_scene("LIVE_SCENE")
          for name, r in pairs(results) do log.info(name, r.ok, r.value) end
          local muted = obs.all("str"):toggle_mute("Mic")
          log.info("muted", muted.str.value.muted)
        end)
    )lua");
    start();
    fire("go");
    EXPECT_EQ(messages("g"), (std::vector<std::string>{"str true true", "muted true"})) << dump();
    ASSERT_FALSE(recorder.actions().empty());
    EXPECT_EQ(recorder.actions()[0].action, "obs.str:set_scene");
}

// Three STR connections: A answers at once, B is down (answers at once with not_connected), C answers
// only when the test lets it.
class ThreeConnections : public ObsBackend {
public:
    void call(const std::string&, const std::string& target, const ObsOperation& op, const nlohmann::json& args,
              ActionDone done) override {
        calls.push_back(target + ":" + op.name + " " + args.dump());
        if (target == "OBS_A") return done(JsonResult(nullptr));
        if (target == "OBS_B")
            return done(vta::Error(vta::Errc::not_connected, "SetCurrentProgramScene: OBS \"OBS_B\" is not connected"));
        late.push_back(std::move(done));
    }
    std::vector<std::string> members(const std::string& role) const override {
        if (role == "str") return {"OBS_A", "OBS_B", "OBS_C"};
        return {};
    }
    void set_event_sink(HostEventSink) override {}

    std::vector<std::string> calls;
    std::vector<ActionDone> late;
};

TEST_F(RuntimeTest, AGroupCallReturnsOneResultPerConnectionOnceTheLastAnswered) {
    package("g", R"lua(
        on("go", function()
          local results = obs.all("str"):set_scene("LIVE_SCENE")
          for _, name in ipairs { "OBS_A", "OBS_B", "OBS_C" } do
            local r = results[name]
            log.info(name, r.ok, type(r.value) == "table" and r.value.scene or r.value, r.message, r.code)
          end
          log.info("none", next(obs.all("rec"):get_scene()) == nil)
        end)
    )lua");
    auto o = options();
    auto backend = std::make_shared<ThreeConnections>();
    o.obs = backend;
    start(o);
    fire("go");
    EXPECT_EQ(backend->calls, (std::vector<std::string>{R"(OBS_A:set_scene {"scene":"LIVE_SCENE"})",
                                                        R"(OBS_B:set_scene {"scene":"LIVE_SCENE"})",
                                                        R"(OBS_C:set_scene {"scene":"LIVE_SCENE"})"}))
        << "every member is asked at once";
    EXPECT_TRUE(messages("g").empty()) << "the group waits for its last member";
    ASSERT_EQ(backend->late.size(), 1u);
    backend->late[0](JsonResult(nlohmann::json{{"scene", "LIVE_SCENE"}}));
    settle();
    EXPECT_EQ(messages("g"),
              (std::vector<std::string>{"OBS_A true true nil nil",
                                        "OBS_B false nil SetCurrentProgramScene: OBS \"OBS_B\" is not connected "
                                        "not_connected",
                                        "OBS_C true LIVE_SCENE nil nil", "none true"}))
        << dump();
}

// What the host's audit trail would get from a package's group calls.
class AuditCapture : public AuditBackend {
public:
    void control_room(const std::string& package, const std::string& operation, const nlohmann::json& request,
                      const nlohmann::json& results) override {
        rows.push_back({{"package", package}, {"operation", operation}, {"request", request}, {"results", results}});
    }
    std::vector<nlohmann::json> rows;
};

TEST_F(RuntimeTest, AGroupCallThatChangesObsIsAuditedWithThePackagesNameOnceEveryMemberAnswered) {
    package("room", R"lua(
        on("go", function()
          obs.all("str"):scenes()           -- reads: not audited
          obs.all("str"):mute("MAIN_AUDIO") -- reads
          obs.all("str"):set_scene("BREAK")
          obs.connection("OBS_A"):set_scene("LIVE_SCENE")  -- one connection: not a control-room action
          log.info("done")
        end)
    )lua");
    auto o = options();
    auto backend = std::make_shared<ThreeConnections>();
    auto audit = std::make_shared<AuditCapture>();
    o.obs = backend;
    o.audit = audit;
    start(o);
    fire("go");
    // OBS_C answers each call only when told: the reads first, then the scene switch.
    for (int answered = 0; answered < 3; ++answered) {
        ASSERT_EQ(backend->late.size(), std::size_t(answered + 1)) << dump();
        EXPECT_TRUE(audit->rows.empty()) << "nothing is recorded before the last member answered";
        backend->late.back()(JsonResult(nullptr));
        settle();
    }
    EXPECT_EQ(messages("room"), std::vector<std::string>{"done"}) << dump();
    ASSERT_EQ(audit->rows.size(), 1u);
    const auto& row = audit->rows[0];
    EXPECT_EQ(row["package"], "room");
    EXPECT_EQ(row["operation"], "set_scene");
    EXPECT_EQ(row["request"]["connections"], nlohmann::json({"OBS_A", "OBS_B", "OBS_C"}));
    EXPECT_EQ(row["request"]["arguments"]["scene"], "BREAK");
    EXPECT_EQ(row["results"]["OBS_A"]["ok"], true);
    EXPECT_EQ(row["results"]["OBS_B"]["code"], "not_connected");
    EXPECT_EQ(row["results"]["OBS_C"]["ok"], true);
}

}  // namespace
}  // namespace vta::bindings::testing
