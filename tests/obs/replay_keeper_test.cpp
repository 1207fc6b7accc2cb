// ReplayKeeper against the fake server, which behaves as OBS 29 does after a stop: STOPPED is
// reported at once while the output is still shutting down, and a start meanwhile is answered with
// success and ignored (the cause of lost replay clips on slow machines).

#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include "test_support.hpp"
#include "vta/obs/replay_keeper.hpp"

namespace vta::obs::testing {
namespace {

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

FakeObsOptions stop_lag(std::chrono::milliseconds lag) {
    FakeObsOptions options;
    options.replay_stop_lag = lag;
    return options;
}

FakeObsOptions disabled_replay() {
    FakeObsOptions options;
    options.replay_available = false;
    return options;
}

struct KeeperRig {
    explicit KeeperRig(FakeObsOptions server_options = {})
        : server(std::move(server_options)),
          client(std::make_shared<Client>(io, local_config(server.port()), test_options())) {
        logger->set_level(spdlog::level::info);
        options.logger = logger;
        options.confirm_timeout = 200ms;
        options.stop_timeout = 1000ms;
        options.retry_initial = 50ms;
        options.retry_max = 200ms;
        client->start();
        run_until(io, [&] { return client->state() == State::connected; });
    }

    Result<void> arm(ReplaySettings settings = {}, std::chrono::milliseconds limit = 8000ms) {
        return await<void>(
            io, [&](auto done) { keeper->arm(std::move(settings), done); }, limit);
    }

    std::ostringstream captured;
    std::shared_ptr<spdlog::logger> logger =
        std::make_shared<spdlog::logger>("keeper", std::make_shared<spdlog::sinks::ostream_sink_mt>(captured));
    boost::asio::io_context io;
    FakeObsServer server;
    std::shared_ptr<Client> client;
    ReplayKeeperOptions options;
    std::unique_ptr<ReplayKeeper> keeper;

    void make_keeper() { keeper = std::make_unique<ReplayKeeper>(io, client, options); }
    ~KeeperRig() {
        keeper.reset();
        client.reset();
    }
};

TEST(ReplayKeeper, ArmSetsTheProfileStartsTheBufferAndAnswersOnceObsReportsItStarted) {
    KeeperRig rig;
    ASSERT_EQ(rig.client->state(), State::connected);
    rig.make_keeper();
    auto armed = rig.arm({15, " %hh-%mm-%ss"});
    ASSERT_TRUE(armed) << armed.error().message;
    EXPECT_EQ(rig.keeper->state(), ReplayState::running);
    EXPECT_TRUE(rig.server.replay_active());
    EXPECT_EQ(rig.server.profile_parameter("SimpleOutput", "RecRBTime"), "15");
    EXPECT_EQ(rig.server.profile_parameter("AdvOut", "RecRBSuffix"), " %hh-%mm-%ss");
    EXPECT_EQ(rig.captured.str(), "");
}

TEST(ReplayKeeper, ARestartWaitsForTheOutputToShutDownBeforeStartingIt) {
    KeeperRig rig(stop_lag(700ms));
    rig.make_keeper();
    ASSERT_TRUE(rig.arm({20, {}}));
    const int starts_before = rig.server.replay_starts();
    const auto began = std::chrono::steady_clock::now();
    auto armed = rig.arm({15, {}});
    ASSERT_TRUE(armed) << armed.error().message;
    EXPECT_GE(std::chrono::steady_clock::now() - began, 700ms) << "started before OBS's output was free";
    EXPECT_TRUE(rig.server.replay_active());
    EXPECT_EQ(rig.server.replay_starts() - starts_before, 1) << "one start, and it took effect";
    EXPECT_EQ(rig.server.profile_parameter("SimpleOutput", "RecRBTime"), "15");
}

TEST(ReplayKeeper, WithoutTheOutputsStatusARestartStartsAgainWhenObsIgnoredTheStart) {
    auto options = stop_lag(700ms);
    options.offer_output_status = false;
    KeeperRig rig(options);
    rig.make_keeper();
    ASSERT_TRUE(rig.arm({20, {}}));
    const int starts_before = rig.server.replay_starts();

    // The next match: the buffer restarts with a new length. The first start after the stop falls into
    // OBS's shutdown window and is ignored; the keeper sends it again until OBS reports STARTED.
    auto armed = rig.arm({15, {}});
    ASSERT_TRUE(armed) << armed.error().message;
    EXPECT_TRUE(rig.server.replay_active());
    EXPECT_GE(rig.server.replay_starts() - starts_before, 2) << "the ignored start was not sent again";
    EXPECT_EQ(rig.server.profile_parameter("SimpleOutput", "RecRBTime"), "15");
    EXPECT_EQ(rig.captured.str(), "") << "a start that takes effect on a retry warns nobody";
}

TEST(ReplayKeeper, ObsStoppingTheBufferOnItsOwnRearmsIt) {
    KeeperRig rig(stop_lag(300ms));
    rig.make_keeper();
    ASSERT_TRUE(rig.arm());
    auto stopped = await<Json>(rig.io, [&](auto h) { rig.client->request("Test.ObsStopsReplayBuffer", {}, h); });
    ASSERT_TRUE(stopped);
    EXPECT_FALSE(rig.server.replay_active());
    ASSERT_TRUE(run_until(
        rig.io, [&] { return rig.server.replay_active(); }, 5000ms));
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.keeper->state() == ReplayState::running; }));
    EXPECT_EQ(count_of(rig.captured.str(), "stopped; starting it again"), 1u) << rig.captured.str();
}

TEST(ReplayKeeper, AStartThatDoesNotTakeEffectWarnsOnceFailsTheArmAndKeepsTrying) {
    auto options = stop_lag(2000ms);
    options.offer_output_status = false;
    KeeperRig rig(options);
    rig.options.warn_after = 1000ms;
    rig.make_keeper();
    ASSERT_TRUE(rig.arm());

    auto armed = rig.arm({15, {}});  // a restart: stop, then starts ignored for 2 s
    ASSERT_FALSE(armed);
    EXPECT_EQ(armed.error().code, Errc::invalid_state);
    EXPECT_NE(rig.keeper->state(), ReplayState::running);

    // Once OBS's output is free the next start takes effect: one warning, one all-clear.
    ASSERT_TRUE(run_until(
        rig.io, [&] { return rig.keeper->state() == ReplayState::running; }, 5000ms));
    EXPECT_TRUE(rig.server.replay_active());
    EXPECT_EQ(count_of(rig.captured.str(), "the replay buffer is not running 1 s after it was asked for"), 1u)
        << rig.captured.str();
    EXPECT_EQ(count_of(rig.captured.str(), "the replay buffer is running again"), 1u) << rig.captured.str();
}

TEST(ReplayKeeper, ABufferDisabledInTheProfileFailsAtOnceWithItsReason) {
    KeeperRig rig(disabled_replay());
    rig.make_keeper();
    auto armed = rig.arm();
    ASSERT_FALSE(armed);
    EXPECT_EQ(armed.error().code, Errc::unsupported);
    EXPECT_EQ(rig.keeper->state(), ReplayState::failed);
    EXPECT_NE(rig.captured.str().find("enable it in OBS's output settings"), std::string::npos) << rig.captured.str();
    EXPECT_EQ(rig.server.replay_starts(), 0);
}

TEST(ReplayKeeper, ArmedWhileDisconnectedStartsTheBufferOnceConnected) {
    FakeObsServer server;
    boost::asio::io_context io;
    auto client = std::make_shared<Client>(io, local_config(server.port()), test_options());
    ReplayKeeper keeper(io, client, {});
    auto armed = await<void>(io, [&](auto done) { keeper.arm({}, done); });
    ASSERT_FALSE(armed);
    EXPECT_EQ(armed.error().code, Errc::not_connected);
    client->start();
    ASSERT_TRUE(run_until(io, [&] { return keeper.state() == ReplayState::running; }));
    EXPECT_TRUE(server.replay_active());
}

TEST(ReplayKeeper, ArmedWithoutSettingsARunningBufferIsKeptAsItIs) {
    KeeperRig rig;
    auto started = await<Json>(rig.io, [&](auto h) { rig.client->request("StartReplayBuffer", {}, h); });
    ASSERT_TRUE(started);
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->status().replay_buffer_active; }));
    rig.make_keeper();
    ASSERT_TRUE(rig.arm());
    EXPECT_EQ(rig.keeper->state(), ReplayState::running);
    EXPECT_EQ(rig.server.replay_starts(), 1) << "not restarted";
    // ...and, armed, it is started again when OBS stops it.
    ASSERT_TRUE(await<Json>(rig.io, [&](auto h) { rig.client->request("Test.ObsStopsReplayBuffer", {}, h); }));
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.server.replay_active(); }));
}

TEST(ReplayKeeper, DisarmStopsTheBufferAndLeavesItAlone) {
    KeeperRig rig;
    rig.make_keeper();
    ASSERT_TRUE(rig.arm());
    auto disarmed = await<void>(rig.io, [&](auto done) { rig.keeper->disarm(done); });
    ASSERT_TRUE(disarmed) << disarmed.error().message;
    EXPECT_EQ(rig.keeper->state(), ReplayState::disarmed);
    EXPECT_FALSE(rig.server.replay_active());
    const int starts = rig.server.replay_starts();
    run_until(
        rig.io, [] { return false; }, 300ms);
    EXPECT_EQ(rig.server.replay_starts(), starts);
}

}  // namespace
}  // namespace vta::obs::testing
