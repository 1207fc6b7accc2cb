// Each Lua module exercised through real Lua code.

#include "support.hpp"

namespace vta::bindings::testing {
namespace {

using Modules = RuntimeTest;

TEST_F(Modules, EventsCallHandlersWithEventAndMatchCopy) {
    package("ev", R"lua(
        on("point", function(ev, m)
          log.info("point", ev.kind, ev.data.athlete, ev.data.points, m.number, ev.at > 0)
          m.number = "changed"
        end)
        on("*", function(ev) log.info("any", ev.kind) end)
        local id = on("pt1", function() log.info("pt1 seen") end)
        off(id)
    )lua");
    start();
    ASSERT_EQ(status("ev").state, PackageState::running);
    fire("point", {{"athlete", 1}, {"points", 3}}, {{"number", "101"}});
    fire("pt1", {{"points", 3}});
    auto lines = messages("ev");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "point point 1 3 101 true");
    EXPECT_EQ(lines[1], "any point");
    EXPECT_EQ(lines[2], "any pt1");
}

TEST_F(Modules, MatchReturnsTheLatestState) {
    package("m", R"lua(
        on("winner", function() local m = match(); log.info(m.number, m.winner, events.match().number) end)
    )lua");
    start();
    fire("winner", {}, {{"number", "7"}, {"winner", "RED"}});
    EXPECT_EQ(messages("m"), std::vector<std::string>{"7 RED 7"});
}

TEST_F(Modules, TimerAfterEveryCancel) {
    package("t", R"lua(
        local n = 0
        timer.after(1.5, function() log.info("after", util.now()) end)
        local every
        every = timer.every(1, function()
          n = n + 1
          log.info("every", n)
          if n == 3 then timer.cancel(every) end
        end)
        local never = timer.after(2, function() log.info("never") end)
        log.info("cancelled", timer.cancel(never), timer.cancel(never))
    )lua");
    start();
    clock->advance_to(10'000);
    EXPECT_EQ(messages("t"),
              (std::vector<std::string>{"cancelled true false", "every 1", "after 1.5", "every 2", "every 3"}));
    EXPECT_EQ(status("t").timers, 0u);
}

TEST_F(Modules, TimersSurviveAFullGarbageCollection) {
    package("gc", R"lua(
        do
          local payload = { big = string.rep("x", 1000) }
          timer.after(5, function() log.info("fired", #payload.big) end)
        end
        collectgarbage("collect")
        collectgarbage("collect")
        on("go", function() collectgarbage("collect") end)
    )lua");
    start();
    fire("go");
    clock->advance_to(6000);
    EXPECT_EQ(messages("gc"), std::vector<std::string>{"fired 1000"});
}

TEST_F(Modules, LogLevelsAndPrint) {
    package("l", R"lua(
        log.debug("d", 1) log.info("i", true) log.warn("w", nil) log.error("e", {}) print("p", 2.5)
    )lua");
    start();
    EXPECT_EQ(messages("l", "debug"), std::vector<std::string>{"d 1"});
    EXPECT_EQ(messages("l", "info"), (std::vector<std::string>{"i true", "p\t2.5"}));
    EXPECT_EQ(messages("l", "warn"), std::vector<std::string>{"w nil"});
    EXPECT_EQ(messages("l", "error"), std::vector<std::string>{"e (a table value)"});
}

TEST_F(Modules, ConfigMergesManifestDefaultsAndOperator) {
    package("c", R"lua(
        local cfg = config()
        log.info(cfg.b, cfg.c, cfg.d)
    )lua",
            {{"config",
              {{"b", {{"type", "string"}, {"default", "manifest"}, {"doc", "b"}}},
               {"c", {{"type", "string"}, {"default", "manifest"}, {"doc", "c"}}},
               {"d", {{"type", "integer"}, {"default", 4}, {"doc", "d"}}}}}});
    auto o = options();
    o.packages = {{"c", {{"config", {{"c", "operator"}}}}}};
    start(o);
    EXPECT_EQ(messages("c"), std::vector<std::string>{"manifest operator 4"});
}

TEST_F(Modules, ConfigTakesNoDefaultsTable) {
    package("c", "local cfg = config { a = 1 }\n");
    start();
    ASSERT_EQ(status("c").state, PackageState::error);
    EXPECT_NE(status("c").last_error->message.find("declare them in manifest.json"), std::string::npos)
        << status("c").last_error->message;
}

TEST_F(Modules, UtilJsonClockAndSleep) {
    package("u", R"lua(
        local t = util.json_decode('{"a":[1,2,3],"b":{"c":"d"}}')
        log.info(#t.a, t.b.c, util.json_encode({1, 2}), util.format_clock(95))
        log.info(util.json_decode("{oops"))
        on("go", function()
          local t0 = util.now()
          util.sleep(2.5)
          log.info("slept", util.now() - t0)
        end)
    )lua");
    start();
    fire("go");
    EXPECT_EQ(status("u").waiting, 1u);
    clock->advance_to(3000);
    EXPECT_EQ(messages("u"),
              (std::vector<std::string>{"3 d [1,2] 1:35", "nil invalid JSON invalid_argument", "slept 2.5"}));
}

TEST_F(Modules, WaitsWorkInsidePcallAndTimers) {
    package("pw", R"lua(
        on("go", function()
          local ok, r = pcall(util.sleep, 1)
          log.info("pcall", ok, r)
        end)
        timer.after(0.5, function() util.sleep(2) log.info("timer woke", util.now()) end)
    )lua");
    start();
    fire("go");
    clock->advance_to(5000);
    EXPECT_EQ(messages("pw"), (std::vector<std::string>{"pcall true true", "timer woke 2.5"})) << dump();
}

TEST_F(Modules, StoreKeyValueAndTags) {
    package("s", R"lua(
        on("go", function(ev)
          log.info(store.get("count"))
          store.set("count", { n = 1 })
          log.info(store.get("count").n)
          store.tag { since = ev.at - 20, to = ev.at, clip_path = "/clips/a.mkv" }
          log.info(#store.events())
        end)
    )lua");
    start();
    fire("go");
    EXPECT_EQ(messages("s"), (std::vector<std::string>{"nil", "1", "0"})) << dump();
    ASSERT_EQ(recorder.actions().size(), 2u);
    EXPECT_EQ(recorder.actions()[1].action, "store.tag");
    EXPECT_EQ(recorder.actions()[1].args["clip_path"], "/clips/a.mkv");
    EXPECT_EQ(recorder.actions()[1].args["until_us"].get<std::int64_t>() -
                  recorder.actions()[1].args["since_us"].get<std::int64_t>(),
              20'000'000);
}

TEST_F(Modules, ObsCallsYieldAndResumeWithTheAnswer) {
    package("o", R"lua(
        obs.on("replay_saved", function(ev) log.info("saved event", ev.data.path) end)
        on("challenge_requested", function(ev)
          local clip = obs.rec:save_replay()
          log.info("clip", clip.path)
          log.info("scene", obs.str:set_scene("IVR_SCENE"))
          local ok = obs.connection("OBS_X"):request("GetStats")
          log.info("raw", type(ok))
          playback.open(clip.path, { start = 10 })
        end)
    )lua");
    start();
    fire("challenge_requested", {{"side", 1}});
    settle();
    auto lines = messages("o");
    ASSERT_EQ(lines.size(), 4u);
    // The recorder reports ReplayBufferSaved before it answers the request, as OBS does.
    EXPECT_EQ(lines[0], "saved event /dry-run/replay-1.mkv");
    EXPECT_EQ(lines[1], "clip /dry-run/replay-1.mkv");
    EXPECT_EQ(lines[2], "scene true");
    EXPECT_EQ(lines[3], "raw table");
    std::vector<std::string> actions;
    for (const auto& a : recorder.actions()) actions.push_back(a.action);
    EXPECT_EQ(actions, (std::vector<std::string>{"obs.rec:save_replay", "obs.str:set_scene", "obs.OBS_X:request",
                                                 "playback.open"}));
    EXPECT_EQ(recorder.actions()[3].args["start"], 10.0);
}

class SilentObs : public ObsBackend {
public:
    void call(const std::string&, const std::string&, const ObsOperation&, const nlohmann::json&,
              ActionDone done) override {
        pending.push_back(std::move(done));
    }
    void set_event_sink(HostEventSink) override {}
    std::vector<ActionDone> pending;
};

TEST_F(Modules, WrongObsArgumentsAndMisspeltMethodsRaiseAtTheCall) {
    package("w", R"lua(
        on("go", function()
          for _, call in ipairs {
            function() return obs.rec:save_replya() end,
            function() return obs.rec:set_scene(42) end,
            function() return obs.rec:set_scene() end,
            function() return obs.rec:recording_clip(-1) end,
          } do
            local ok, err = pcall(call)
            log.info(tostring(ok), err)
          end
        end)
    )lua");
    auto o = options();
    auto silent = std::make_shared<SilentObs>();
    o.obs = silent;
    start(o);
    fire("go");
    const auto logged = messages("w");
    ASSERT_EQ(logged.size(), 4u);
    EXPECT_NE(logged[0].find("false"), std::string::npos);
    EXPECT_NE(logged[0].find("no method 'save_replya'"), std::string::npos) << logged[0];
    EXPECT_NE(logged[1].find("set_scene's scene must be a string, got a number"), std::string::npos) << logged[1];
    EXPECT_NE(logged[2].find("set_scene needs scene (a string)"), std::string::npos) << logged[2];
    EXPECT_NE(logged[3].find("a number of seconds (more than 0) is required"), std::string::npos) << logged[3];
    EXPECT_TRUE(silent->pending.empty()) << "nothing reached OBS";
}

TEST_F(Modules, AWaitThatTimesOutResumesWithAnErrorValue) {
    package("w", R"lua(
        on("go", function()
          local r, err, code = obs.rec:start_record()
          log.info(r, err, code)
        end)
    )lua");
    auto o = options();
    auto silent = std::make_shared<SilentObs>();
    o.obs = silent;
    o.wait_timeout = std::chrono::milliseconds(3000);
    start(o);
    fire("go");
    EXPECT_TRUE(messages("w").empty());
    clock->advance_to(3000);
    EXPECT_EQ(messages("w"), std::vector<std::string>{"nil no answer in time timeout"});
    ASSERT_EQ(silent->pending.size(), 1u);
    silent->pending[0](JsonResult(nullptr));  // a late answer is ignored
    settle();
    EXPECT_EQ(messages("w").size(), 1u);
}

TEST_F(Modules, RequireLoadsThePackagesOwnFilesOnce) {
    auto folder = package("r", R"lua(
        local a = require("lib.helper")
        local b = require("lib.helper")
        log.info(a.twice(21), a == b, loads)
    )lua");
    write_file(folder / "lib" / "helper.lua",
               "loads = (rawget(_G, \"loads\") or 0) + 1\nreturn { twice = function(x) return 2 * x end }\n");
    start();
    EXPECT_EQ(messages("r"), std::vector<std::string>{"42 true 1"});
}

TEST_F(Modules, PlaybackOpenCloseAndClosedEvent) {
    package("p", R"lua(
        playback.on_closed(function(ev) log.info("closed by", ev.data.by) end)
        on("go", function() log.info(playback.open("/clips/x.mkv")) log.info(playback.close()) end)
    )lua");
    start();
    fire("go");
    ASSERT_TRUE(recorder.playback_sink);
    recorder.playback_sink("playback.closed", {{"path", "/clips/x.mkv"}, {"by", "viewer"}});
    settle();
    EXPECT_EQ(messages("p"), (std::vector<std::string>{"true", "true", "closed by viewer"}));
}

TEST_F(Modules, OverlayShowHideAndSetReachTheOverlays) {
    package("o", R"lua(
        on("go", function()
          log.info(overlay.show("ivr", { side = 2, scores_before = { 3, 1 } }))
          log.info(overlay.hide("ivr"))
          log.info(overlay.set("sponsor", "ACME"), overlay.set("sponsor", nil))
        end)
    )lua",
            {{"permissions", {"overlay"}}});
    start();
    EXPECT_TRUE(status("o").granted == std::vector<std::string>{"overlay"}) << "the manifest alone grants it";
    fire("go");
    EXPECT_EQ(messages("o"), (std::vector<std::string>{"true", "true", "true true"})) << dump();
    ASSERT_EQ(recorder.actions().size(), 4u);
    EXPECT_EQ(recorder.actions()[0].action, "overlay.show");
    EXPECT_EQ(recorder.actions()[0].args, nlohmann::json::parse(R"({"page": "ivr",
                                                                    "data": {"side": 2, "scores_before": [3, 1]}})"));
    EXPECT_EQ(recorder.actions()[1].args, nlohmann::json({{"page", "ivr"}}));
    EXPECT_EQ(recorder.actions()[2].args, nlohmann::json({{"key", "sponsor"}, {"value", "ACME"}}));
    EXPECT_EQ(recorder.actions()[3].args, nlohmann::json({{"key", "sponsor"}, {"value", nullptr}}));
}

TEST_F(Modules, OverlayNeedsThePermissionAndRightArguments) {
    package("no", R"lua(on("go", function() overlay.show("ivr") end))lua");
    package("bad", R"lua(
        on("page", function() overlay.show("../x") end)
        on("data", function() overlay.show("ivr", "text") end)
    )lua",
            {{"permissions", {"overlay"}}});
    start();
    fire("go");
    EXPECT_TRUE(logged("overlay.show: add \"overlay\" to the permissions in no's manifest.json", "no")) << dump();
    fire("page");
    EXPECT_TRUE(logged("main.lua:2: bad argument #1 to 'show'", "bad")) << dump();
    fire("data");
    EXPECT_TRUE(logged("main.lua:3: bad argument #2 to 'show'", "bad")) << dump();
    EXPECT_TRUE(recorder.actions().empty());
}

TEST_F(Modules, OverlayOffAnswersUnavailable) {
    package("o", R"lua(on("go", function() log.info(overlay.show("intro")) end))lua", {{"permissions", {"overlay"}}});
    RuntimeOptions o = options();
    o.overlay = nullptr;
    start(std::move(o));
    fire("go");
    EXPECT_EQ(messages("o"),
              (std::vector<std::string>{"nil the overlay server is off (config overlays.enabled) unavailable"}));
}

// The host's answer, as LicenceKeeper gives it: a licence with ivr only.
class IvrOnlyLicence : public LicenceBackend {
public:
    nlohmann::json status() override {
        return {{"state", "valid"}, {"reason", "licensed to Court 3"}, {"features", {"ivr"}}, {"pending", nullptr}};
    }
    bool has(const std::string& feature) override { return feature == "ivr"; }
};

TEST_F(Modules, LicenseAnswersWithoutAPermission) {
    package("l", R"lua(
        on("go", function()
          local s = license.status()
          log.info(s.state, s.reason, s.features[1], license.has("ivr"), license.has("multi_obs"))
        end)
    )lua");
    RuntimeOptions o = options();
    o.licence = std::make_shared<IvrOnlyLicence>();
    start(std::move(o));
    fire("go");
    EXPECT_EQ(messages("l"), (std::vector<std::string>{"valid licensed to Court 3 ivr true false"})) << dump();
}

TEST_F(Modules, LicenseInADryRunHasEveryFeatureAndWithoutAHostNone) {
    package("l", R"lua(on("go", function() log.info(license.status().state, license.has("ivr")) end))lua");
    start();
    fire("go");
    EXPECT_EQ(messages("l"), (std::vector<std::string>{"dry-run true"})) << dump();
    runtime.reset();
    logs.clear();
    RuntimeOptions o = options();
    o.licence = nullptr;
    start(std::move(o));
    fire("go");
    EXPECT_EQ(messages("l"), (std::vector<std::string>{"evaluation false"})) << dump();
}

TEST_F(Modules, LicenseHasRaisesOnAWrongArgument) {
    package("l", R"lua(
        on("none", function() license.has() end)
        on("empty", function() license.has("") end)
    )lua");
    start();
    fire("none");
    EXPECT_TRUE(logged("main.lua:2: bad argument #1 to 'has'", "l")) << dump();
    fire("empty");
    EXPECT_TRUE(logged("main.lua:3: bad argument #1 to 'has'", "l")) << dump();
}

}  // namespace
}  // namespace vta::bindings::testing
