// Hello/Identify with SHA-256 authentication.

#include <gtest/gtest.h>

#include "auth.hpp"
#include "test_support.hpp"

namespace vta::obs::testing {
namespace {

TEST(ObsAuth, MatchesTheProtocolFormula) {
    // base64(sha256(base64(sha256(password + salt)) + challenge)), computed independently.
    EXPECT_EQ(detail::auth_response("supersecretpassword", "lM1GncleQOaCu9lT1yeUZhFYnqhsLLP1G5lAGo3ixaI=",
                                    "+IxH4CnCiqpX1rM9scsNynZzbOe4KhDeYcTNS3PDaeY="),
              "1Ct943GAT+6YQUUX47Ia/ncufilbe6+oD6lY+5kaCu4=");
    EXPECT_EQ(detail::base64("ab"), "YWI=");
}

TEST(ObsAuth, ConnectsWithTheRightPassword) {
    Rig rig(FakeObsOptions{.password = "s3cret"}, test_options(), "s3cret");
    ASSERT_TRUE(rig.connect());
    EXPECT_EQ(rig.server.identified(), 1);
    EXPECT_EQ(rig.server.last_event_subscriptions(), 69u);
    const auto status = rig.client->status();
    EXPECT_EQ(status.obs_version, "29.0.2");
    EXPECT_EQ(status.websocket_version, "5.1.0");
    EXPECT_TRUE(status.has_request("GetVersion"));
    EXPECT_EQ(status.program_scene, "LIVE_SCENE");
}

TEST(ObsAuth, WrongPasswordFailsWithoutReconnecting) {
    Rig rig(FakeObsOptions{.password = "s3cret"}, test_options(), "not-the-password");
    std::vector<State> states;
    auto sub = rig.client->on_state_change([&](const ConnectionState& s) { states.push_back(s.state); });
    rig.client->start();
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::failed; }));
    const auto status = rig.client->status();
    EXPECT_NE(status.connection.reason.find("wrong password"), std::string::npos) << status.connection.reason;
    // Several back-off periods later there is still exactly one connection and no reconnect state.
    run_until(
        rig.io, [] { return false; }, 400ms);
    EXPECT_EQ(rig.server.connections(), 1);
    EXPECT_EQ(std::count(states.begin(), states.end(), State::reconnecting), 0);
    EXPECT_EQ(rig.client->state(), State::failed);
}

TEST(ObsAuth, MissingPasswordFails) {
    Rig rig(FakeObsOptions{.password = "s3cret"});
    rig.client->start();
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::failed; }));
    EXPECT_NE(rig.client->status().connection.reason.find("none is configured"), std::string::npos);
}

TEST(ObsAuth, NoPasswordNeededWhenTheServerAsksNone) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    EXPECT_EQ(rig.server.version_requests(), 1);
}

}  // namespace
}  // namespace vta::obs::testing
