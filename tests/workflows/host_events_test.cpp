// The shipped workflows against cases a capture cannot replay: OBS_REC down, the operator's
// Replay action (a host event) and the operator closing the replay viewer. The Runtime runs on a
// virtual clock with small fakes of the backends (public interfaces only).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "vta/bindings/obs_operations.hpp"
#include "vta/bindings/runtime.hpp"

namespace vta::bindings {
namespace {

const std::filesystem::path workflows_dir = std::filesystem::path(VTA_SOURCE_DIR) / "scripts/workflows";

struct Call {
    std::string package, action;
    nlohmann::json args;
};

// OBS whose "rec" connection is down when `rec_down` (every call fails with not_connected), and
// which reports a scene switch on air after answering it when `reports_scenes`.
class FakeObs : public ObsBackend {
public:
    FakeObs(boost::asio::io_context& io, std::vector<Call>& calls) : io_(io), calls_(calls) {}
    bool rec_down = false;
    bool replay_down = false;  // OBS_REC records, but its replay buffer is not running
    bool reports_scenes = false;
    int replays = 0;

    void call(const std::string& package, const std::string& target, const ObsOperation& op, const nlohmann::json& args,
              ActionDone done) override {
        calls_.push_back({package, "obs." + target + ":" + op.name, args});
        JsonResult result = JsonResult(true);
        if (target == "rec" && rec_down)
            result = vta::Error(vta::Errc::not_connected, "OBS_REC is not connected");
        else if (&op == &obs_op::save_replay && replay_down)
            result = vta::Error(vta::Errc::request_failed, "SaveReplayBuffer failed: OBS status 501");
        else if (&op == &obs_op::save_replay)
            result = JsonResult(nlohmann::json{{"path", "/clips/replay-" + std::to_string(++replays) + ".mkv"}});
        else if (&op == &obs_op::recording_clip)
            result = JsonResult(nlohmann::json{{"path", "/rec/Review match.mkv"}, {"from", 480}, {"seconds", 20}});
        else if (&op == &obs_op::stop_record)
            result = JsonResult(nlohmann::json{{"path", "/rec/match.mkv"}});
        else if (&op == &obs_op::scenes)
            result = JsonResult(nlohmann::json{{"current", "LIVE_SCENE"}, {"scenes", {"LIVE_SCENE", "IVR_SCENE"}}});
        else if (&op == &obs_op::request)
            result = JsonResult(nlohmann::json{{"outputActive", true}});
        boost::asio::post(io_, [done = std::move(done), result]() mutable { done(std::move(result)); });
        if (&op == &obs_op::set_scene && reports_scenes && sink_) {
            nlohmann::json changed = {
                {"connection", "OBS_" + target}, {"role", target}, {"scene", args.value("scene", "")}};
            boost::asio::post(io_, [sink = sink_, changed] { sink("obs.scene_changed", changed); });
        }
    }
    void set_event_sink(HostEventSink sink) override { sink_ = std::move(sink); }

private:
    boost::asio::io_context& io_;
    std::vector<Call>& calls_;
    HostEventSink sink_;
};

class FakePlayback : public PlaybackBackend {
public:
    FakePlayback(boost::asio::io_context& io, std::vector<Call>& calls) : io_(io), calls_(calls) {}
    void open(const std::string& package, const std::string& path, double start, ActionDone done) override {
        calls_.push_back({package, "playback.open", {{"path", path}, {"start", start}}});
        boost::asio::post(io_, [done = std::move(done)]() { done(JsonResult(nullptr)); });
    }
    void close(const std::string& package, ActionDone done) override {
        calls_.push_back({package, "playback.close", nullptr});
        boost::asio::post(io_, [done = std::move(done)]() { done(JsonResult(nullptr)); });
    }
    void set_event_sink(HostEventSink) override {}

private:
    boost::asio::io_context& io_;
    std::vector<Call>& calls_;
};

class FakeOverlay : public OverlayBackend {
public:
    explicit FakeOverlay(std::vector<Call>& calls) : calls_(calls) {}
    JsonResult show(const std::string& package, const std::string& page, const nlohmann::json& data) override {
        calls_.push_back({package, "overlay.show", {{"page", page}, {"data", data}}});
        return JsonResult(nullptr);
    }
    JsonResult hide(const std::string& package, const std::string& page) override {
        calls_.push_back({package, "overlay.hide", {{"page", page}}});
        return JsonResult(nullptr);
    }
    JsonResult set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        calls_.push_back({package, "overlay.set", {{"key", key}, {"value", value}}});
        return JsonResult(nullptr);
    }

private:
    std::vector<Call>& calls_;
};

class FakeStore : public StoreBackend {
public:
    FakeStore(boost::asio::io_context& io, std::vector<Call>& calls) : io_(io), calls_(calls) {}
    void events_of_match(std::int64_t, ActionDone done) override {
        answer(std::move(done), JsonResult(nlohmann::json::array()));
    }
    void events_between(std::int64_t, std::int64_t, ActionDone done) override {
        answer(std::move(done), JsonResult(nlohmann::json::array()));
    }
    JsonResult tag_events(const std::string& package, const nlohmann::json& tag) override {
        calls_.push_back({package, "store.tag", tag});
        return JsonResult(true);
    }
    JsonResult recording_started(const std::string& package, const nlohmann::json& r) override {
        return row(package, "store.recording_started", r);
    }
    JsonResult recording_stopped(const std::string& package, std::int64_t id, const nlohmann::json& end) override {
        return update(package, "store.recording_stopped", id, end);
    }
    JsonResult add_clip(const std::string& package, const nlohmann::json& clip) override {
        return row(package, "store.clip", clip);
    }
    void stream_session_opened(const std::string& package, const nlohmann::json& session, ActionDone done) override {
        JsonResult id = row(package, "store.stream_session_opened", session);
        answer(std::move(done), JsonResult(nlohmann::json{{"id", id.value()}, {"timeline_start_ms", 0}}));
    }
    JsonResult stream_session_closed(const std::string& package, std::int64_t id, const nlohmann::json& end) override {
        return update(package, "store.stream_session_closed", id, end);
    }
    void match_info(std::optional<std::int64_t>, ActionDone done) override {
        answer(std::move(done), JsonResult(nullptr));
    }
    void active_day(ActionDone done) override {
        answer(std::move(done), JsonResult(nlohmann::json{{"tournament_id", 4},
                                                          {"tournament_name", "Dutch Open"},
                                                          {"day_id", 9},
                                                          {"day_number", 2},
                                                          {"date", "2026-03-14"}}));
    }
    void kv_get(const std::string&, const std::string&, ActionDone done) override {
        answer(std::move(done), JsonResult(nullptr));
    }
    JsonResult kv_set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        calls_.push_back({package, "store.set", {{"key", key}, {"value", value}}});
        return JsonResult(true);
    }

private:
    // Completes like the real store: later, from the loop.
    void answer(ActionDone done, JsonResult result) {
        boost::asio::post(io_,
                          [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
    }
    JsonResult row(const std::string& package, const std::string& action, nlohmann::json args) {
        args["id"] = ++last_id_;
        calls_.push_back({package, action, args});
        return JsonResult(last_id_);
    }
    JsonResult update(const std::string& package, const std::string& action, std::int64_t id, nlohmann::json args) {
        args["id"] = id;
        calls_.push_back({package, action, std::move(args)});
        return JsonResult(true);
    }

    boost::asio::io_context& io_;
    std::vector<Call>& calls_;
    std::int64_t last_id_ = 0;
};

// The host's licence, with or without "ivr" (evaluation mode).
class FakeLicence : public LicenceBackend {
public:
    nlohmann::json status() override {
        return {{"state", ivr ? "valid" : "evaluation"},
                {"reason", ivr ? "licensed to Court 3" : "no licence installed: evaluation mode"}};
    }
    bool has(const std::string& feature) override { return ivr && feature == "ivr"; }
    bool ivr = true;
};

class HostEvents : public ::testing::Test {
protected:
    HostEvents() : clock(std::make_shared<VirtualClock>(io)), obs(std::make_shared<FakeObs>(io, calls)) {
        RuntimeOptions o;
        o.package_roots = {workflows_dir};
        o.clock = clock;
        o.obs = obs;
        o.playback = std::make_shared<FakePlayback>(io, calls);
        o.store = std::make_shared<FakeStore>(io, calls);
        o.overlay = std::make_shared<FakeOverlay>(calls);
        o.licence = licence;
        o.logger = std::make_shared<spdlog::logger>("workflows-test");
        o.on_log = [this](const std::string& p, const std::string& level, const std::string& m) {
            if (level == "warn" || level == "error") warnings.push_back(p + ": " + m);
        };
        runtime = std::make_unique<Runtime>(io, std::move(o));
        EXPECT_EQ(runtime->load_all(), 4);
    }

    // Dispatches at `t_ms` (virtual clock; the event's time is 1.7e9 s + t_ms), then runs what is ready.
    void fire(std::int64_t t_ms, const std::string& kind, nlohmann::json data = nlohmann::json::object()) {
        clock->advance_to(t_ms);
        dispatch_now(t_ms, kind, std::move(data));
        run_until(t_ms);
    }

    // Dispatches without running anything the handlers wait for: nothing has answered them yet.
    void dispatch_now(std::int64_t t_ms, const std::string& kind, nlohmann::json data = nlohmann::json::object()) {
        Event e;
        e.kind = kind;
        e.data = std::move(data);
        e.match = {{"number", "245.A"},
                   {"weight", "M-68 kg"},
                   {"athletes",
                    {{{"short_name", "A. B"}, {"long_name", "Ann B"}, {"noc", "NED"}},
                     {{"short_name", "C. D"}, {"long_name", "Cas D/E"}, {"noc", "BEL"}}}}};
        e.at_us = 1'700'000'000'000'000 + t_ms * 1000;
        runtime->dispatch(e);
    }

    void run_until(std::int64_t t_ms) {
        clock->advance_to(t_ms);
        io.restart();
        io.poll();
    }

    // The names of the package's calls, in order.
    std::vector<std::string> names(const std::string& package) const {
        std::vector<std::string> found;
        for (const auto& c : calls)
            if (c.package == package) found.push_back(c.action);
        return found;
    }

    std::vector<Call> of(const std::string& package, const std::string& action) const {
        std::vector<Call> found;
        for (const auto& c : calls)
            if (c.package == package && c.action == action) found.push_back(c);
        return found;
    }

    int warned(const std::string& text) const {
        int n = 0;
        for (const auto& w : warnings)
            if (w.find(text) != std::string::npos) ++n;
        return n;
    }

    void expect_no_failures() {
        for (const auto& s : runtime->status())
            EXPECT_EQ(s.failures, 0u) << s.name << ": " << (s.last_error ? s.last_error->message : "");
    }

    boost::asio::io_context io;
    std::shared_ptr<VirtualClock> clock;
    std::shared_ptr<FakeObs> obs;
    std::shared_ptr<FakeLicence> licence = std::make_shared<FakeLicence>();
    std::vector<Call> calls;
    std::vector<std::string> warnings;
    std::unique_ptr<Runtime> runtime;
};

// Evaluation mode: the challenge is stored and shown by tkStrike's own data, no review runs, and the log says why
// once; with the licence back the next challenge gets its review.
TEST_F(HostEvents, WithoutIvrInTheLicenceChallengesRunNoReviewAndTheLogSaysSoOnce) {
    licence->ivr = false;
    fire(1000, "challenge_requested", {{"side", 1}});
    fire(2000, "challenge_rejected", {{"side", 1}});
    fire(60000, "challenge_requested", {{"side", 2}});
    fire(61000, "operator_replay");
    EXPECT_EQ(warned("ivr: the licence does not include \"ivr\" (no licence installed: evaluation mode): challenges "
                     "are stored and shown, but no review clip, scene or banner"),
              1)
        << "said once";
    EXPECT_TRUE(of("ivr", "obs.str:set_scene").empty());
    EXPECT_TRUE(of("ivr", "obs.rec:save_replay").empty());
    EXPECT_TRUE(of("ivr", "overlay.show").empty());
    licence->ivr = true;
    fire(120000, "challenge_requested", {{"side", 2}});
    EXPECT_EQ(of("ivr", "obs.rec:save_replay").size(), 1u);
    expect_no_failures();
}

TEST_F(HostEvents, NewMatchUsesTheStoredTournamentAndDay) {
    fire(1000, "match_ready");
    auto folders = of("new-match", "obs.rec:set_record_directory");
    ASSERT_EQ(folders.size(), 1u);
    EXPECT_EQ(folders[0].args.value("directory", ""), "/recordings");
    auto files = of("new-match", "obs.rec:set_filename_format");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].args.value("format", ""), "Dutch Open/Day 2 2026-03-14/245.A Ann B (NED) vs Cas D_E (BEL)");
    expect_no_failures();
}

TEST_F(HostEvents, WithObsRecDownAChallengeIsStoredAndTheOperatorToldWhy) {
    obs->rec_down = true;
    fire(1000, "match_ready");
    const auto after_first_match = warnings.size();
    fire(400000, "match_loaded");
    fire(401000, "match_ready");
    EXPECT_EQ(warnings.size(), after_first_match) << "new-match warns once per cause";
    EXPECT_EQ(warned("new-match: starting the recording of match 245.A failed on OBS_REC (not_connected"), 1);

    fire(500000, "challenge_requested", {{"side", 1}});
    EXPECT_EQ(warned("ivr: the replay buffer has no clip for the challenge of the coach 1 (not_connected"), 1);
    EXPECT_EQ(warned("ivr: no clip for the challenge of the coach 1: the recording could not be cut either "
                     "(not_connected"),
              1);
    auto requests = of("ivr", "store.clip");
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].args.value("error", ""), "not_connected");
    EXPECT_EQ(requests[0].args.value("side", 0), 1);
    EXPECT_FALSE(requests[0].args.contains("path"));
    EXPECT_EQ(requests[0].args.value("requested_us", std::int64_t{0}), 1'700'000'000'000'000 + 500000 * 1000);
    // OBS_STR is up: the review is on air all the same, only the clip is missing.
    auto scenes = of("ivr", "obs.str:set_scene");
    ASSERT_EQ(scenes.size(), 1u);
    EXPECT_EQ(scenes[0].args.value("scene", ""), "IVR_SCENE");
    EXPECT_TRUE(of("ivr", "playback.open").empty());
    fire(520000, "challenge_rejected", {{"side", 1}});
    scenes = of("ivr", "obs.str:set_scene");
    ASSERT_EQ(scenes.size(), 2u);
    EXPECT_EQ(scenes[1].args.value("scene", ""), "LIVE_SCENE");
    expect_no_failures();
}

// The replay buffer not running (OBS stopped it, or it is restarting) costs the referee nothing: the
// last clip_seconds are cut from OBS_REC's running recording, tagged, stored and played like a clip.
TEST_F(HostEvents, WithoutAReplayBufferTheReviewGetsTheLastSecondsOfTheRecording) {
    obs->replay_down = true;
    fire(500000, "challenge_requested", {{"side", 2}});
    EXPECT_EQ(warned("ivr: the replay buffer has no clip for the challenge of the coach 2 (request_failed: "
                     "SaveReplayBuffer failed: OBS status 501); cutting it from OBS_REC's recording instead"),
              1);
    EXPECT_EQ(warnings.size(), 1u) << "said once";
    auto cuts = of("ivr", "obs.rec:recording_clip");
    ASSERT_EQ(cuts.size(), 1u);
    EXPECT_EQ(cuts[0].args.value("seconds", 0.0), 20.0);
    EXPECT_EQ(cuts[0].args.value("to", 0.0), 1'700'000'000.0 + 500.0) << "up to the challenge";
    auto clips = of("ivr", "store.clip");
    ASSERT_EQ(clips.size(), 1u);
    EXPECT_EQ(clips[0].args.value("path", ""), "/rec/Review match.mkv");
    EXPECT_FALSE(clips[0].args.contains("error"));
    auto tags = of("ivr", "store.tag");
    ASSERT_EQ(tags.size(), 1u);
    EXPECT_EQ(tags[0].args.value("clip_path", ""), "/rec/Review match.mkv");
    auto opens = of("ivr", "playback.open");
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].args.value("path", ""), "/rec/Review match.mkv");
    expect_no_failures();
}

TEST_F(HostEvents, TheOperatorsReplayActionAndClosingTheViewer) {
    fire(1000, "operator_replay");
    ASSERT_EQ(of("ivr", "obs.rec:save_replay").size(), 1u);
    auto opens = of("ivr", "playback.open");
    ASSERT_EQ(opens.size(), 1u);
    EXPECT_EQ(opens[0].args.value("path", ""), "/clips/replay-1.mkv");
    auto scenes = of("ivr", "obs.str:set_scene");
    ASSERT_EQ(scenes.size(), 1u);
    EXPECT_EQ(scenes[0].args.value("scene", ""), "IVR_SCENE");

    fire(2000, "operator_replay");  // debounced
    EXPECT_EQ(of("ivr", "obs.rec:save_replay").size(), 1u);

    fire(30000, "playback.closed", {{"path", "/clips/replay-1.mkv"}, {"by", "viewer"}});
    scenes = of("ivr", "obs.str:set_scene");
    ASSERT_EQ(scenes.size(), 2u);
    EXPECT_EQ(scenes[1].args.value("scene", ""), "LIVE_SCENE");
    EXPECT_TRUE(of("ivr", "playback.close").empty()) << "the viewer is already gone";
    // The replay buffer belongs to the host (armed by new-match): ivr never starts or stops it.
    EXPECT_TRUE(of("ivr", "obs.rec:start_replay").empty());
    EXPECT_TRUE(of("ivr", "obs.rec:arm_replay").empty());
    EXPECT_EQ(warnings.size(), 0u);
    expect_no_failures();
}

TEST_F(HostEvents, TheOperatorsBackToLiveClosesTheReview) {
    fire(1000, "operator_replay");
    ASSERT_EQ(of("ivr", "playback.open").size(), 1u);
    fire(9000, "operator_back_to_live");
    auto scenes = of("ivr", "obs.str:set_scene");
    ASSERT_EQ(scenes.size(), 2u);
    EXPECT_EQ(scenes[1].args.value("scene", ""), "LIVE_SCENE");
    EXPECT_EQ(of("ivr", "playback.close").size(), 1u) << "the operator's viewer is closed too";
    fire(12000, "operator_back_to_live");  // nothing under review: nothing to undo
    EXPECT_EQ(of("ivr", "obs.str:set_scene").size(), 2u);
    expect_no_failures();
}

TEST_F(HostEvents, TheOverlayFollowsObsReportingTheIvrSceneOnAir) {
    // A request sent right behind the switch would hold up OBS's own report of it: the overlay
    // waits for that report, and the clip is saved meanwhile.
    obs->reports_scenes = true;
    fire(1000, "challenge_requested", {{"side", 2}});
    const std::vector<std::string> expected = {"obs.str:set_scene", "obs.rec:save_replay",
                                               "obs.str:set_source_visible"};
    auto ivr = names("ivr");
    std::erase_if(ivr, [](const std::string& name) { return !name.starts_with("obs."); });
    ASSERT_GE(ivr.size(), 3u);
    EXPECT_EQ(std::vector<std::string>(ivr.begin(), ivr.begin() + 3), expected);
    auto shown = of("ivr", "obs.str:set_source_visible");
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_EQ(shown[0].args.value("source", ""), "IVR overlay");
    EXPECT_TRUE(shown[0].args.value("visible", false));
    fire(20000, "challenge_rejected", {{"side", 2}});
    shown = of("ivr", "obs.str:set_source_visible");
    ASSERT_EQ(shown.size(), 2u);
    EXPECT_FALSE(shown[1].args.value("visible", true));
    EXPECT_EQ(warnings.size(), 0u);
    expect_no_failures();
}

TEST_F(HostEvents, WithoutObsReportingTheSwitchTheOverlayComesAfterTheConfiguredWait) {
    fire(1000, "challenge_requested", {{"side", 1}});
    EXPECT_EQ(of("ivr", "obs.str:set_scene").size(), 1u);
    EXPECT_EQ(of("ivr", "obs.rec:save_replay").size(), 1u);
    EXPECT_TRUE(of("ivr", "obs.str:set_source_visible").empty());
    run_until(1499);
    EXPECT_TRUE(of("ivr", "obs.str:set_source_visible").empty());
    run_until(1500);  // overlay_wait_seconds = 0.5
    auto shown = of("ivr", "obs.str:set_source_visible");
    ASSERT_EQ(shown.size(), 1u);
    EXPECT_TRUE(shown[0].args.value("visible", false));
    expect_no_failures();
}

TEST_F(HostEvents, AChallengeResolvedDuringTheSwitchKeepsItsClipAndEndsOnLive) {
    obs->reports_scenes = true;
    clock->advance_to(1000);
    dispatch_now(1000, "challenge_requested", {{"side", 1}});
    dispatch_now(1000, "challenge_rejected", {{"side", 1}});
    run_until(5000);
    auto scenes = of("ivr", "obs.str:set_scene");
    ASSERT_EQ(scenes.size(), 2u);
    EXPECT_EQ(scenes[0].args.value("scene", ""), "IVR_SCENE");
    EXPECT_EQ(scenes[1].args.value("scene", ""), "LIVE_SCENE");
    EXPECT_TRUE(of("ivr", "obs.str:set_source_visible").empty()) << "the overlay never went on";
    // The challenge happened: its clip is saved, tagged and stored, only not played.
    ASSERT_EQ(of("ivr", "obs.rec:save_replay").size(), 1u);
    auto clips = of("ivr", "store.clip");
    ASSERT_EQ(clips.size(), 1u);
    EXPECT_EQ(clips[0].args.value("path", ""), "/clips/replay-1.mkv");
    EXPECT_EQ(of("ivr", "store.tag").size(), 1u);
    EXPECT_TRUE(of("ivr", "playback.open").empty());
    EXPECT_EQ(warnings.size(), 0u);
    expect_no_failures();
}

TEST_F(HostEvents, AMissingBreakSceneIsReportedOnceAcrossBreaks) {
    // The fake OBS has LIVE_SCENE and IVR_SCENE; BREAK_SCENE is missing and reported once.
    fire(1000, "break_started", {{"seconds", 60}});
    fire(61000, "break_ended", {{"seconds", 0}});
    fire(200000, "break_started", {{"seconds", 60}});
    fire(260000, "break_ended", {{"seconds", 0}});
    EXPECT_TRUE(of("scenes", "obs.str:set_scene").empty());
    EXPECT_EQ(warned("scene 'BREAK_SCENE' (rule 'break') does not exist"), 1);
    expect_no_failures();
}

}  // namespace
}  // namespace vta::bindings
