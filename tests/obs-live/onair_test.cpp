// The on-air operations of the client (studio mode and transitions, input audio, profiles and scene
// collections, record pause/resume, virtual camera) against a real headless OBS.

#include <cmath>
#include <filesystem>

#include "live_support.hpp"

namespace vta::obs_live {
namespace {

using test_peers::ObsPeer;

TEST_F(ObsLiveTest, StudioModeTakesThePreviewToProgramWithTheChosenTransition) {
    ObsPeer peer;
    auto session = connect(peer);

    auto on = await<void>([&](auto done) { session.client->set_studio_mode(true, done); });
    ASSERT_TRUE(on) << describe(on.error());
    ASSERT_TRUE(eventually(
        [&] {
            auto enabled = await<bool>([&](auto done) { session.client->get_studio_mode(done); });
            return enabled && enabled.value();
        },
        5s))
        << "OBS did not report studio mode on";

    auto transitions = await<obs::NamedList>([&](auto done) { session.client->get_transition_list(done); });
    ASSERT_TRUE(transitions) << describe(transitions.error());
    ASSERT_NE(std::find(transitions.value().names.begin(), transitions.value().names.end(), "Fade"),
              transitions.value().names.end());
    auto fade = await<void>([&](auto done) { session.client->set_current_transition("Fade", done); });
    ASSERT_TRUE(fade) << describe(fade.error());
    // OBS applies the choice on its UI thread, after answering.
    EXPECT_TRUE(eventually(
        [&] {
            auto now = await<obs::NamedList>([&](auto done) { session.client->get_transition_list(done); });
            return now && now.value().current == "Fade";
        },
        5s))
        << "the current transition did not become Fade";
    auto unknown = await<void>([&](auto done) { session.client->set_current_transition("NO_SUCH", done); });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, vta::Errc::request_failed) << describe(unknown.error());

    auto preview = await<void>([&](auto done) { session.client->set_current_preview_scene("IVR_SCENE", done); });
    ASSERT_TRUE(preview) << describe(preview.error());
    ASSERT_TRUE(eventually(
        [&] {
            auto now = await<obs::Json>(
                [&](auto done) { session.client->request("GetCurrentPreviewScene", obs::Json::object(), done); });
            return now && now.value().value("currentPreviewSceneName", "") == "IVR_SCENE";
        },
        5s))
        << "IVR_SCENE did not reach the preview";
    auto take = await<void>([&](auto done) { session.client->trigger_studio_transition(done); });
    ASSERT_TRUE(take) << describe(take.error());
    std::string program;
    EXPECT_TRUE(eventually(
        [&] {
            auto now = await<std::string>([&](auto done) { session.client->get_current_program_scene(done); });
            program = now ? now.value() : describe(now.error());
            return program == "IVR_SCENE";
        },
        5s))
        << "the transition did not bring IVR_SCENE to program: " << program;

    auto off = await<void>([&](auto done) { session.client->set_studio_mode(false, done); });
    ASSERT_TRUE(off) << describe(off.error());
    ASSERT_TRUE(eventually(
        [&] {
            auto enabled = await<bool>([&](auto done) { session.client->get_studio_mode(done); });
            return enabled && !enabled.value();
        },
        5s));
    auto refused = await<void>([&](auto done) { session.client->trigger_studio_transition(done); });
    ASSERT_FALSE(refused) << "a studio transition without studio mode must fail";
    EXPECT_EQ(refused.error().code, vta::Errc::request_failed) << describe(refused.error());
}

// Creates a media source (an input with audio) in LIVE_SCENE.
void add_audio_input(Session& session, const std::string& name) {
    auto created = await<obs::Json>([&](auto done) {
        session.client->request("CreateInput",
                                {{"sceneName", "LIVE_SCENE"},
                                 {"inputName", name},
                                 {"inputKind", "ffmpeg_source"},
                                 {"inputSettings", obs::Json::object()}},
                                done);
    });
    ASSERT_TRUE(created) << describe(created.error());
}

TEST_F(ObsLiveTest, InputMuteAndVolumeAreSetAndReadBack) {
    ObsPeer peer;
    auto session = connect(peer);
    add_audio_input(session, "MAIN_AUDIO");
    if (HasFatalFailure()) return;

    auto muted = await<bool>([&](auto done) { session.client->get_input_mute("MAIN_AUDIO", done); });
    ASSERT_TRUE(muted) << describe(muted.error());
    EXPECT_FALSE(muted.value());
    auto set = await<void>([&](auto done) { session.client->set_input_mute("MAIN_AUDIO", true, done); });
    ASSERT_TRUE(set) << describe(set.error());
    muted = await<bool>([&](auto done) { session.client->get_input_mute("MAIN_AUDIO", done); });
    ASSERT_TRUE(muted) << describe(muted.error());
    EXPECT_TRUE(muted.value());
    auto toggled = await<bool>([&](auto done) { session.client->toggle_input_mute("MAIN_AUDIO", done); });
    ASSERT_TRUE(toggled) << describe(toggled.error());
    EXPECT_FALSE(toggled.value());

    auto db = await<void>([&](auto done) {
        session.client->set_input_volume("MAIN_AUDIO", {obs::VolumeSetting::Unit::db, -6}, done);
    });
    ASSERT_TRUE(db) << describe(db.error());
    auto volume = await<obs::InputVolume>([&](auto done) { session.client->get_input_volume("MAIN_AUDIO", done); });
    ASSERT_TRUE(volume) << describe(volume.error());
    EXPECT_NEAR(volume.value().db, -6, 0.01);
    EXPECT_NEAR(volume.value().mul, std::pow(10, -6 / 20.0), 0.001);
    auto mul = await<void>([&](auto done) {
        session.client->set_input_volume("MAIN_AUDIO", {obs::VolumeSetting::Unit::mul, 0.25}, done);
    });
    ASSERT_TRUE(mul) << describe(mul.error());
    volume = await<obs::InputVolume>([&](auto done) { session.client->get_input_volume("MAIN_AUDIO", done); });
    ASSERT_TRUE(volume) << describe(volume.error());
    EXPECT_NEAR(volume.value().mul, 0.25, 0.001);
    EXPECT_NEAR(volume.value().db, 20 * std::log10(0.25), 0.01);

    auto unknown = await<void>([&](auto done) { session.client->set_input_mute("NO_SUCH_INPUT", true, done); });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, vta::Errc::request_failed) << describe(unknown.error());
    EXPECT_EQ(unknown.error().status_code, 600) << describe(unknown.error());
}

TEST_F(ObsLiveTest, ProfilesAndSceneCollectionsAreListedAndSwitched) {
    ObsPeer peer;
    auto session = connect(peer);

    auto profiles = await<obs::NamedList>([&](auto done) { session.client->get_profile_list(done); });
    ASSERT_TRUE(profiles) << describe(profiles.error());
    EXPECT_EQ(profiles.value().current, "VTA");
    // CreateProfile and CreateSceneCollection switch to the new one.
    auto created = await<obs::Json>([&](auto done) {
        session.client->request("CreateProfile", {{"profileName", "VTA_SPARE"}}, done);
    });
    ASSERT_TRUE(created) << describe(created.error());
    profiles = await<obs::NamedList>([&](auto done) { session.client->get_profile_list(done); });
    ASSERT_TRUE(profiles) << describe(profiles.error());
    EXPECT_EQ(profiles.value().current, "VTA_SPARE");
    EXPECT_EQ(profiles.value().names.size(), 2u);
    auto back = await<void>([&](auto done) { session.client->set_current_profile("VTA", done); });
    ASSERT_TRUE(back) << describe(back.error());
    profiles = await<obs::NamedList>([&](auto done) { session.client->get_profile_list(done); });
    ASSERT_TRUE(profiles) << describe(profiles.error());
    EXPECT_EQ(profiles.value().current, "VTA");
    auto unknown = await<void>([&](auto done) { session.client->set_current_profile("NO_SUCH", done); });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, vta::Errc::request_failed) << describe(unknown.error());

    auto collections = await<obs::NamedList>([&](auto done) { session.client->get_scene_collection_list(done); });
    ASSERT_TRUE(collections) << describe(collections.error());
    EXPECT_EQ(collections.value().current, "VTA");
    created = await<obs::Json>([&](auto done) {
        session.client->request("CreateSceneCollection", {{"sceneCollectionName", "VTA_SPARE"}}, done);
    });
    ASSERT_TRUE(created) << describe(created.error());
    collections = await<obs::NamedList>([&](auto done) { session.client->get_scene_collection_list(done); });
    ASSERT_TRUE(collections) << describe(collections.error());
    EXPECT_EQ(collections.value().current, "VTA_SPARE");
    auto restored = await<void>([&](auto done) { session.client->set_current_scene_collection("VTA", done); });
    ASSERT_TRUE(restored) << describe(restored.error());
    collections = await<obs::NamedList>([&](auto done) { session.client->get_scene_collection_list(done); });
    ASSERT_TRUE(collections) << describe(collections.error());
    EXPECT_EQ(collections.value().current, "VTA");
    auto scenes = await<obs::SceneList>([&](auto done) { session.client->get_scene_list(done); });
    ASSERT_TRUE(scenes) << describe(scenes.error());
    EXPECT_NE(std::find(scenes.value().scenes.begin(), scenes.value().scenes.end(), "LIVE_SCENE"),
              scenes.value().scenes.end())
        << "the VTA collection's scenes are back";
}

TEST_F(ObsLiveTest, RecordingPausesAndResumes) {
    ObsPeer peer;
    auto session = connect(peer);

    // The test profile records with the stream's encoder ("Same as stream"), which cannot pause: OBS
    // answers PauseRecord and does nothing, and the client says so.
    auto started = await<void>([&](auto done) { session.client->start_record(done); });
    ASSERT_TRUE(started) << describe(started.error());
    ASSERT_TRUE(session.wait_event("RecordStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STARTED", 10s));
    auto shared = await<void>([&](auto done) { session.client->pause_record(done); });
    ASSERT_FALSE(shared) << "a recording on the stream's encoder cannot pause";
    EXPECT_EQ(shared.error().code, vta::Errc::invalid_state) << describe(shared.error());
    auto first = await<std::string>([&](auto done) { session.client->stop_record(done); });
    ASSERT_TRUE(first) << describe(first.error());

    // With an encoder of its own the recording pauses and resumes.
    auto own = await<obs::Json>([&](auto done) {
        session.client->request(
            "SetProfileParameter",
            {{"parameterCategory", "SimpleOutput"}, {"parameterName", "RecQuality"}, {"parameterValue", "Small"}},
            done);
    });
    ASSERT_TRUE(own) << describe(own.error());
    // OBS builds its outputs from the profile at start: restart it (the client reconnects by itself).
    const auto before_restart = session.states->size();
    peer.stop();
    peer.start();
    ASSERT_TRUE(session.wait_state(obs::State::connected, 20s, before_restart)) << "no reconnect after the restart";
    auto from = session.events->size();
    started = await<void>([&](auto done) { session.client->start_record(done); });
    ASSERT_TRUE(started) << describe(started.error());
    ASSERT_TRUE(session.wait_event("RecordStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STARTED", 10s, from));
    // A second of recording before the pause, as on air (a pause within a frame of the start wedges OBS's stop).
    const auto recorded_at_least = [&](std::int64_t ms) {
        return eventually(
            [&] {
                auto now = await<obs::RecordStatus>([&](auto done) { session.client->get_record_status(done); });
                return now && now.value().duration_ms >= ms;
            },
            15s);
    };
    ASSERT_TRUE(recorded_at_least(1000));
    from = session.events->size();
    auto paused = await<void>([&](auto done) { session.client->pause_record(done); });
    ASSERT_TRUE(paused) << describe(paused.error());
    EXPECT_TRUE(session.wait_event("RecordStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_PAUSED", 5s, from));
    auto status = await<obs::RecordStatus>([&](auto done) { session.client->get_record_status(done); });
    ASSERT_TRUE(status) << describe(status.error());
    EXPECT_TRUE(status.value().paused);
    // Paused, the recording does not grow: two readings a few frames apart give the same duration.
    std::int64_t last = -1;
    EXPECT_TRUE(eventually(
        [&] {
            auto now = await<obs::RecordStatus>([&](auto done) { session.client->get_record_status(done); });
            if (!now) return false;
            const bool still = now.value().duration_ms == last;
            last = now.value().duration_ms;
            return still;
        },
        5s, 200ms));
    from = session.events->size();
    auto resumed = await<void>([&](auto done) { session.client->resume_record(done); });
    ASSERT_TRUE(resumed) << describe(resumed.error());
    EXPECT_TRUE(session.wait_event("RecordStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_RESUMED", 5s, from));
    status = await<obs::RecordStatus>([&](auto done) { session.client->get_record_status(done); });
    ASSERT_TRUE(status) << describe(status.error());
    EXPECT_FALSE(status.value().paused);
    EXPECT_TRUE(status.value().active);
    ASSERT_TRUE(recorded_at_least(last + 1000)) << "the resumed recording did not grow";
    auto stopped = await<std::string>([&](auto done) { session.client->stop_record(done); });
    ASSERT_TRUE(stopped) << describe(stopped.error());
    EXPECT_TRUE(std::filesystem::exists(stopped.value())) << stopped.value();
}

// OBS offers its virtual camera on Linux only with the v4l2loopback module loaded; the test machines
// have none, so there the start must come back as a request failure with OBS's reason.
TEST_F(ObsLiveTest, VirtualCameraStartsOrSaysWhyNot) {
    ObsPeer peer;
    auto session = connect(peer);

    const bool loopback = std::filesystem::exists("/sys/module/v4l2loopback");
    auto started = await<void>([&](auto done) { session.client->start_virtual_cam(done); });
    if (!loopback) {
        ASSERT_FALSE(started) << "no v4l2loopback: OBS cannot start a virtual camera";
        EXPECT_EQ(started.error().code, vta::Errc::request_failed) << describe(started.error());
        EXPECT_FALSE(started.error().message.empty());
        report("virtualcam_start_error", describe(started.error()));
        return;
    }
    ASSERT_TRUE(started) << describe(started.error());
    EXPECT_TRUE(eventually(
        [&] {
            auto active = await<bool>([&](auto done) { session.client->get_virtual_cam_status(done); });
            return active && active.value();
        },
        5s));
    auto stopped = await<void>([&](auto done) { session.client->stop_virtual_cam(done); });
    ASSERT_TRUE(stopped) << describe(stopped.error());
}

}  // namespace
}  // namespace vta::obs_live
