// Requests, batches, timeouts, cancellation, events and what happens to pending work on a drop.

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vta::obs::testing {
namespace {

TEST(ObsRequest, RoundTrip) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Json>(rig.io, [&](auto h) { rig.client->request("GetCurrentProgramScene", {}, h); });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r.value()["currentProgramSceneName"], "LIVE_SCENE");
}

TEST(ObsRequest, FailureKeepsStatusCodeAndComment) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Json>(rig.io, [&](auto h) {
        rig.client->request("SetCurrentProgramScene", {{"sceneName", "NOPE"}}, h);
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::request_failed);
    EXPECT_EQ(r.error().status_code, 600);
    EXPECT_NE(r.error().comment.find("NOPE"), std::string::npos);
    EXPECT_NE(r.error().message.find("SetCurrentProgramScene"), std::string::npos);
}

TEST(ObsRequest, NotConnectedCompletesLaterNotInline) {
    Rig rig;
    bool called = false;
    std::optional<Result<Json>> out;
    rig.client->request("GetVersion", {}, [&](Result<Json> r) {
        called = true;
        out.emplace(std::move(r));
    });
    EXPECT_FALSE(called);  // a coroutine that started the request has not yielded yet
    ASSERT_TRUE(run_until(rig.io, [&] { return called; }));
    ASSERT_FALSE(*out);
    EXPECT_EQ(out->error().code, Errc::not_connected);
}

TEST(ObsRequest, Batch) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<BatchResults>(rig.io, [&](auto h) {
        rig.client->request_batch({{"SetCurrentProgramScene", {{"sceneName", "IVR_SCENE"}}},
                                   {"SetCurrentProgramScene", {{"sceneName", "NOPE"}}},
                                   {"GetCurrentProgramScene", {}}},
                                  {}, h);
    });
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r.value().size(), 3u);
    EXPECT_TRUE(r.value()[0]);
    ASSERT_FALSE(r.value()[1]);
    EXPECT_EQ(r.value()[1].error().status_code, 600);
    ASSERT_TRUE(r.value()[2]);
    EXPECT_EQ(r.value()[2].value()["currentProgramSceneName"], "IVR_SCENE");

    auto halted = await<BatchResults>(rig.io, [&](auto h) {
        rig.client->request_batch({{"SetCurrentProgramScene", {{"sceneName", "NOPE"}}}, {"GetVersion", {}}},
                                  BatchOptions{.halt_on_failure = true}, h);
    });
    ASSERT_TRUE(halted);
    EXPECT_EQ(halted.value().size(), 1u);
}

TEST(ObsRequest, TimesOutWhenNeverAnswered) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    const auto started = std::chrono::steady_clock::now();
    auto r = await<Json>(rig.io, [&](auto h) { rig.client->request("Test.NoAnswer", {}, h, 200ms); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
    // The connection stays usable.
    EXPECT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("GetVersion", {}, h); }));
}

TEST(ObsRequest, RequestsAreCarriedOutInTheOrderTheyWereMade) {
    // obs-websocket runs each message on a thread pool, so a request sent while another is in flight
    // could be carried out first: the next one is sent only once the one before it has ended.
    Rig rig;
    ASSERT_TRUE(rig.connect());
    std::vector<std::string> ended;
    const auto started = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point version_at;
    rig.client->request(
        "Test.NoAnswer", {}, [&](Result<Json> r) { ended.push_back(r ? "answered" : "timed out"); }, 300ms);
    rig.client->request("GetVersion", {}, [&](Result<Json> r) {
        ended.push_back(r ? "version" : r.error().message);
        version_at = std::chrono::steady_clock::now();
    });
    ASSERT_TRUE(run_until(
        rig.io, [&] { return ended.size() == 2; }, 2000ms));
    EXPECT_EQ(ended, (std::vector<std::string>{"timed out", "version"}));
    EXPECT_GE(version_at - started, 300ms) << "GetVersion went out before the request ahead of it ended";
}

TEST(ObsRequest, CancellingTheRequestInFlightLetsTheNextOneGo) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    const RequestId stuck = rig.client->request("Test.NoAnswer", {}, [](Result<Json>) {});
    const auto started = std::chrono::steady_clock::now();
    auto version = await<Json>(rig.io, [&](auto h) {
        rig.client->request("GetVersion", {}, h);
        rig.client->cancel(stuck);
    });
    EXPECT_TRUE(version);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1000ms);
}

TEST(ObsRequest, GarbledJsonIsIgnoredAndCounted) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Json>(rig.io, [&](auto h) { rig.client->request("Test.Garble", {}, h, 200ms); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::timeout);
    EXPECT_EQ(rig.client->status().protocol_errors, 1u);
    EXPECT_EQ(rig.client->state(), State::connected);
    EXPECT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("GetVersion", {}, h); }));
}

TEST(ObsRequest, CancelEndsThePendingRequest) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Json>(rig.io, [&](auto h) {
        const RequestId id = rig.client->request("Test.NoAnswer", {}, h);
        rig.client->cancel(id);
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::cancelled);
}

TEST(ObsRequest, EveryPendingRequestErrorsOnDrop) {
    // The first request in flight, the others waiting their turn behind it: all end on a drop.
    Rig rig;
    ASSERT_TRUE(rig.connect());
    std::vector<Result<Json>> results;
    for (int i = 0; i < 5; ++i)
        rig.client->request("Test.NoAnswer", {}, [&](Result<Json> r) { results.push_back(std::move(r)); });
    run_until(
        rig.io, [] { return false; }, 50ms);  // let the first reach the server
    rig.server.stop();
    ASSERT_TRUE(run_until(
        rig.io, [&] { return results.size() == 5; }, 1000ms));
    for (const auto& r : results) {
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, Errc::closed) << r.error().message;
    }
}

TEST(ObsRequest, DestroyingTheClientCancelsPendingRequests) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    std::vector<Result<Json>> results;
    for (int i = 0; i < 3; ++i)
        rig.client->request("Test.NoAnswer", {}, [&](Result<Json> r) { results.push_back(std::move(r)); });
    run_until(
        rig.io, [] { return false; }, 50ms);  // let the requests reach the server
    rig.client.reset();
    ASSERT_EQ(results.size(), 3u);
    for (const auto& r : results) EXPECT_EQ(r.error().code, Errc::cancelled);
    run_until(
        rig.io, [] { return false; }, 50ms);  // nothing left behind fires
}

TEST(ObsRequest, EventsReachSubscribersUntilUnsubscribed) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    std::vector<std::string> scenes;
    int all = 0;
    auto by_type = rig.client->subscribe("CurrentProgramSceneChanged",
                                         [&](const Event& e) { scenes.push_back(e.data["sceneName"]); });
    auto every = rig.client->subscribe_all([&](const Event&) { ++all; });
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_current_program_scene("IVR_SCENE", h); }));
    ASSERT_TRUE(run_until(rig.io, [&] { return scenes.size() == 1; }));
    EXPECT_EQ(scenes[0], "IVR_SCENE");
    EXPECT_EQ(all, 1);
    EXPECT_EQ(rig.client->status().program_scene, "IVR_SCENE");

    by_type.unsubscribe();
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_current_program_scene("LIVE_SCENE", h); }));
    ASSERT_TRUE(run_until(rig.io, [&] { return all == 2; }));
    EXPECT_EQ(scenes.size(), 1u);
}

TEST(ObsRequest, ReidentifyChangesSubscriptions) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r =
        await<void>(rig.io, [&](auto h) { rig.client->reidentify(subscription::general | subscription::outputs, h); });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(rig.server.last_event_subscriptions(), 65u);
    int scene_events = 0;
    auto sub = rig.client->subscribe("CurrentProgramSceneChanged", [&](const Event&) { ++scene_events; });
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_current_program_scene("IVR_SCENE", h); }));
    ASSERT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("GetVersion", {}, h); }));
    EXPECT_EQ(scene_events, 0);
}

TEST(ObsRequest, WaitEventTimesOut) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Event>(rig.io, [&](auto h) { rig.client->wait_event("NeverSent", {}, 100ms, h); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::timeout);
}

}  // namespace
}  // namespace vta::obs::testing
