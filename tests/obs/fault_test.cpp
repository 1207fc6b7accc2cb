// Drops, close codes, back-off, keepalive and floods.

#include <malloc.h>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vta::obs::testing {
namespace {

struct StateLog {
    struct Entry {
        State state;
        std::chrono::milliseconds delay;  // next_attempt - now, for `reconnecting`
        int attempt;
        std::string reason;
    };
    std::vector<Entry> entries;

    Subscription attach(Client& client) {
        return client.on_state_change([this](const ConnectionState& s) {
            entries.push_back({s.state,
                               std::chrono::duration_cast<std::chrono::milliseconds>(s.next_attempt -
                                                                                     std::chrono::system_clock::now()),
                               s.attempt, s.reason});
        });
    }
    std::vector<Entry> reconnects() const {
        std::vector<Entry> r;
        for (const auto& e : entries)
            if (e.state == State::reconnecting) r.push_back(e);
        return r;
    }
};

TEST(ObsFault, ReconnectsAfter1006AndRereadsState) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    StateLog log;
    auto sub = log.attach(*rig.client);
    auto r = await<Json>(rig.io, [&](auto h) { rig.client->request("Test.Close", {{"code", 1006}}, h); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::closed);
    ASSERT_TRUE(run_until(
        rig.io, [&] { return rig.server.version_requests() == 2 && rig.client->state() == State::connected; }));
    const auto reconnects = log.reconnects();
    ASSERT_EQ(reconnects.size(), 1u);
    EXPECT_GE(reconnects[0].delay.count(), 30);  // 50 ms +-20 %, minus the time to call back
    EXPECT_LE(reconnects[0].delay.count(), 60);
    EXPECT_EQ(rig.server.connections(), 2);
    EXPECT_EQ(rig.client->status().program_scene, "LIVE_SCENE");
    EXPECT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("GetVersion", {}, h); }));
}

TEST(ObsFault, StateIsReReadAfterReconnect) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    // Without scene events the cached program scene goes stale; the reconnect must re-read it.
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->reidentify(subscription::general, h); }));
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_current_program_scene("IVR_SCENE", h); }));
    EXPECT_EQ(rig.client->status().program_scene, "LIVE_SCENE");
    rig.client->request("Test.Close", {{"code", 1006}}, [](Result<Json>) {});
    ASSERT_TRUE(run_until(
        rig.io, [&] { return rig.server.version_requests() == 2 && rig.client->state() == State::connected; }));
    EXPECT_EQ(rig.client->status().program_scene, "IVR_SCENE");
    EXPECT_EQ(rig.server.last_event_subscriptions(), subscription::general);  // kept across reconnects
}

TEST(ObsFault, RefusedConnectionsAreRetried) {
    Rig rig;
    rig.server.stop();
    StateLog log;
    auto sub = log.attach(*rig.client);
    rig.client->start();
    ASSERT_TRUE(run_until(rig.io, [&] { return log.reconnects().size() >= 2; }));
    EXPECT_EQ(log.reconnects()[1].attempt, 2);
    EXPECT_FALSE(log.reconnects()[0].reason.empty());
    rig.client->stop();
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::disconnected; }));
}

TEST(ObsFault, StopCancelsAndStartReconnects) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Json>(rig.io, [&](auto h) {
        rig.client->request("Test.NoAnswer", {}, h);
        rig.client->stop();
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::cancelled);
    EXPECT_EQ(rig.client->state(), State::disconnected);
    ASSERT_TRUE(rig.connect());
    EXPECT_EQ(rig.server.connections(), 2);
}

TEST(ObsFault, BackoffDoublesUpToTheCapWhileRefused) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    StateLog log;
    auto sub = log.attach(*rig.client);
    rig.server.set_reject_connections(true);
    rig.client->request("Test.Close", {{"code", 1006}}, [](Result<Json>) {});
    ASSERT_TRUE(run_until(
        rig.io, [&] { return log.reconnects().size() >= 5; }, 5000ms));
    const auto reconnects = log.reconnects();
    const int expected[] = {50, 100, 200, 400, 400};  // backoff_initial 50 ms, backoff_max 400 ms
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(reconnects[i].attempt, i + 1);
        EXPECT_GE(reconnects[i].delay.count(), expected[i] * 8 / 10 - 15) << "attempt " << i + 1;
        EXPECT_LE(reconnects[i].delay.count(), std::min(expected[i] * 12 / 10, 400)) << "attempt " << i + 1;
    }
    rig.server.set_reject_connections(false);
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::connected; }));
    EXPECT_EQ(rig.client->status().connection.attempt, 0);
}

TEST(ObsFault, ServerStopping1001Reconnects) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    rig.client->request("Test.Close", {{"code", 1001}}, [](Result<Json>) {});
    ASSERT_TRUE(run_until(
        rig.io, [&] { return rig.server.version_requests() == 2 && rig.client->state() == State::connected; }));
}

TEST(ObsFault, Kicked4011FailsWithoutReconnecting) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto r = await<Json>(rig.io, [&](auto h) { rig.client->request("Test.Close", {{"code", 4011}}, h); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::closed);
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::failed; }));
    EXPECT_NE(rig.client->status().connection.reason.find("kicked"), std::string::npos);
    run_until(
        rig.io, [] { return false; }, 300ms);  // several back-off periods: no new connection
    EXPECT_EQ(rig.server.connections(), 1);
    // start() leaves `failed` on request.
    ASSERT_TRUE(rig.connect());
}

TEST(ObsFault, AuthFailure4009ViaCloseCodeIsFinal) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    rig.client->request("Test.Close", {{"code", 4009}}, [](Result<Json>) {});
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::failed; }));
    EXPECT_NE(rig.client->status().connection.reason.find("authentication failed: wrong password"), std::string::npos);
}

TEST(ObsFault, KeepaliveDetectsASilentPeerWithin5s) {
    ClientOptions options = test_options();
    options.keepalive_timeout = ClientOptions{}.keepalive_timeout;  // production value
    options.request_timeout = 20000ms;
    Rig rig({}, options);
    ASSERT_TRUE(rig.connect());
    std::optional<Result<Json>> silent;
    const auto started = std::chrono::steady_clock::now();
    rig.client->request("Test.GoSilent", {}, [&](Result<Json> r) { silent.emplace(std::move(r)); });
    ASSERT_TRUE(run_until(
        rig.io, [&] { return silent.has_value(); }, 6000ms));
    const auto detected = std::chrono::steady_clock::now() - started;
    EXPECT_LT(detected, 5000ms);
    ASSERT_FALSE(*silent);
    EXPECT_EQ(silent->error().code, Errc::closed);
    EXPECT_NE(silent->error().message.find("keepalive"), std::string::npos) << silent->error().message;
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::connected; }));
    EXPECT_EQ(rig.server.connections(), 2);
}

TEST(ObsFault, KeepaliveKeepsAnIdleConnectionToALivePeer) {
    ClientOptions options = test_options();
    options.keepalive_timeout = 600ms;  // pings every 300 ms; the peer's pongs keep it alive
    Rig rig({}, options);
    ASSERT_TRUE(rig.connect());
    std::vector<State> changes;
    auto sub = rig.client->on_state_change([&](const ConnectionState& s) { changes.push_back(s.state); });
    run_until(
        rig.io, [&] { return !changes.empty(); }, 1500ms);
    EXPECT_TRUE(changes.empty());
    EXPECT_EQ(rig.client->state(), State::connected);
    EXPECT_EQ(rig.server.connections(), 1);
}

TEST(ObsFault, FloodOf100000EventsIsDeliveredWithoutGrowth) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    int received = 0, next_index = 0;
    bool in_order = true;
    auto sub = rig.client->subscribe("TestFlood", [&](const Event& e) {
        in_order = in_order && e.data["i"] == next_index;
        ++next_index;
        ++received;
    });
    ASSERT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("Test.Flood", {{"count", 1000}}, h); }));
    ASSERT_TRUE(run_until(rig.io, [&] { return received == 1000; }));
    const auto heap_before = mallinfo2().uordblks;
    next_index = 0;

    ASSERT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("Test.Flood", {{"count", 100000}}, h); }));
    ASSERT_TRUE(run_until(
        rig.io, [&] { return received == 101000; }, 60000ms));
    EXPECT_TRUE(in_order);
    const auto heap_after = mallinfo2().uordblks;
    EXPECT_LT(heap_after, heap_before + 4 * 1024 * 1024) << "heap grew from " << heap_before << " to " << heap_after;
    EXPECT_GE(rig.client->status().events_received, 101000u);
    EXPECT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("GetVersion", {}, h); }));
}

}  // namespace
}  // namespace vta::obs::testing
