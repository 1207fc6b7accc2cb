// Scene switching and source visibility against a real OBS.

#include "live_support.hpp"

namespace vta::obs_live {
namespace {

using test_peers::ObsPeer;

TEST_F(ObsLiveTest, SceneSwitchIsConfirmedByProgramSceneChangedEvent) {
    ObsPeer peer;
    auto session = connect(peer);

    auto from = session.events->size();
    auto switched = await<void>([&](auto done) { session.client->set_current_program_scene("IVR_SCENE", done); });
    ASSERT_TRUE(switched) << describe(switched.error());
    ASSERT_TRUE(session.wait_event("CurrentProgramSceneChanged", "sceneName", "IVR_SCENE", 5s, from))
        << "OBS did not confirm the switch with CurrentProgramSceneChanged";
    EXPECT_TRUE(eventually([&] { return session.client->status().program_scene == "IVR_SCENE"; }, 2s));

    auto unknown = await<void>([&](auto done) { session.client->set_current_program_scene("NO_SUCH_SCENE", done); });
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, vta::Errc::request_failed) << describe(unknown.error());
    EXPECT_EQ(unknown.error().status_code, 600) << describe(unknown.error());
}

TEST_F(ObsLiveTest, SceneSwitchRoundTripAgainstRealObs) {
    ObsPeer peer;
    auto session = connect(peer);

    // Alternate the two scenes: round trip = call -> handler; confirmation = call -> event.
    std::vector<Clock::duration> round_trips, confirmations;
    const char* scenes[] = {"IVR_SCENE", "LIVE_SCENE"};
    for (int i = 0; i < 20; ++i) {
        std::string scene = scenes[i % 2];
        auto from = session.events->size();
        auto sent = Clock::now();
        auto switched = await<void>([&](auto done) { session.client->set_current_program_scene(scene, done); });
        round_trips.push_back(Clock::now() - sent);
        ASSERT_TRUE(switched) << describe(switched.error());
        auto confirmed = session.wait_event("CurrentProgramSceneChanged", "sceneName", scene, 5s, from);
        ASSERT_TRUE(confirmed) << "no CurrentProgramSceneChanged for " << scene;
        confirmations.push_back(confirmed->at - sent);
    }
    auto trip = summarize(round_trips);
    auto confirm = summarize(confirmations);
    report("set_scene_round_trip_median_ms", std::to_string(trip.median_ms));
    report("set_scene_round_trip_max_ms", std::to_string(trip.max_ms));
    report("set_scene_to_event_median_ms", std::to_string(confirm.median_ms));
    // Generous bounds: a loaded 2-core machine, OBS rendering in software.
    EXPECT_LT(trip.median_ms, 100.0);
    EXPECT_LT(confirm.median_ms, 250.0);
}

// Whether IVR_OVERLAY is enabled in IVR_SCENE, as OBS says; empty when it could not be asked.
std::optional<bool> overlay_enabled(Session& session) {
    auto id = await<obs::Json>([&](auto done) {
        session.client->request("GetSceneItemId", {{"sceneName", "IVR_SCENE"}, {"sourceName", "IVR_OVERLAY"}}, done);
    });
    if (!id) return std::nullopt;
    auto enabled = await<obs::Json>([&](auto done) {
        session.client->request("GetSceneItemEnabled",
                                {{"sceneName", "IVR_SCENE"}, {"sceneItemId", id.value().at("sceneItemId")}}, done);
    });
    if (!enabled) return std::nullopt;
    return enabled.value().at("sceneItemEnabled").get<bool>();
}

TEST_F(ObsLiveTest, IvrOverlayCanBeHiddenAndShown) {
    ObsPeer peer;
    auto session = connect(peer);

    ASSERT_EQ(overlay_enabled(session), std::optional<bool>(true));
    auto hidden = await<void>(
        [&](auto done) { session.client->set_scene_item_enabled("IVR_SCENE", "IVR_OVERLAY", false, done); });
    ASSERT_TRUE(hidden) << describe(hidden.error());
    EXPECT_EQ(overlay_enabled(session), std::optional<bool>(false));
    auto shown =
        await<void>([&](auto done) { session.client->set_scene_item_enabled("IVR_SCENE", "IVR_OVERLAY", true, done); });
    ASSERT_TRUE(shown) << describe(shown.error());
    EXPECT_EQ(overlay_enabled(session), std::optional<bool>(true));
}

TEST_F(ObsLiveTest, BackToBackCallsTakeEffectInTheOrderTheyWereMade) {
    // obs-websocket carries out each message on a thread pool: without the client's ordering, a hide
    // sent while the show before it is still in flight can be carried out first and leave the
    // overlay on. Bursts of show/hide calls, none waiting for the last; each burst's last call wins.
    ObsPeer peer;
    auto session = connect(peer);
    for (int burst = 0; burst < 6; ++burst) {
        const bool last = burst % 2 == 1;
        const int calls = 31;
        auto ended = std::make_shared<std::atomic<int>>(0);
        auto failed = std::make_shared<std::atomic<int>>(0);
        auto all_ended = std::make_shared<std::promise<void>>();
        for (int i = 0; i < calls; ++i) {
            const bool visible = (i % 2 == 0) == last;  // the burst alternates and ends on `last`
            session.client->set_scene_item_enabled("IVR_SCENE", "IVR_OVERLAY", visible, [=](vta::Result<void> r) {
                if (!r) ++*failed;
                if (++*ended == calls) all_ended->set_value();
            });
        }
        ASSERT_EQ(all_ended->get_future().wait_for(15s), std::future_status::ready) << "burst " << burst;
        EXPECT_EQ(failed->load(), 0) << "burst " << burst;
        EXPECT_EQ(overlay_enabled(session), std::optional<bool>(last)) << "burst " << burst;
    }
}

}  // namespace
}  // namespace vta::obs_live
