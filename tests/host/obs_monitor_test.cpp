// The host's OBS poller (ObsMonitor) against a real headless OBS streaming to nginx-rtmp and recording, beside a
// connection that is down.
#include <future>

#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "live_support.hpp"
#include "vta/host/obs_monitor.hpp"

namespace vta::obs_live {
namespace {

using test_peers::ObsPeer;
using test_peers::ObsPeerOptions;
using test_peers::RtmpPeer;

// Reads the monitor on its loop thread, as the panel feed does.
std::optional<host::ObsLiveSnapshot> live_of(Loop& loop, const host::ObsMonitor& monitor, const std::string& name) {
    std::promise<std::optional<host::ObsLiveSnapshot>> promise;
    auto future = promise.get_future();
    boost::asio::post(loop.io(), [&] { promise.set_value(monitor.live(name)); });
    return future.get();
}

TEST_F(ObsLiveTest, TheMonitorPollsStatsOutputsScenesAndMuteAndLeavesADownConnectionEmpty) {
    RtmpPeer rtmp;
    ObsPeerOptions options;
    options.rtmp_url = rtmp.url();
    ObsPeer peer(options);
    auto down = config_for(peer, "OBS_DOWN", obs::Role::str);
    down.port = test_peers::free_tcp_port();  // nothing listens there
    auto connections = std::make_shared<obs::Connections>(
        loop_.io(), std::vector<obs::ConnectionConfig>{config_for(peer, "OBS_REC", obs::Role::rec), down});
    keep(connections);
    auto session = watch(connections->by_name("OBS_REC"));
    boost::asio::post(loop_.io(), [connections] { connections->start_all(); });
    ASSERT_TRUE(session.wait_state(obs::State::connected, 15s));
    auto created = await<obs::Json>([&](auto done) {
        session.client->request("CreateInput",
                                {{"sceneName", "LIVE_SCENE"},
                                 {"inputName", "MAIN_AUDIO"},
                                 {"inputKind", "ffmpeg_source"},
                                 {"inputSettings", obs::Json::object()}},
                                done);
    });
    ASSERT_TRUE(created) << describe(created.error());
    ASSERT_TRUE(await<void>([&](auto done) { session.client->set_input_mute("MAIN_AUDIO", true, done); }));

    auto monitor =
        std::make_shared<host::ObsMonitor>(loop_.io(), *connections, host::ObsMonitor::Options{200ms, "MAIN_AUDIO"});
    keep(monitor);
    const auto started_at = Clock::now();
    boost::asio::post(loop_.io(), [monitor] { monitor->start(); });
    ASSERT_TRUE(eventually([&] { return live_of(loop_, *monitor, "OBS_REC").has_value(); }, 5s));
    report("obs_monitor_first_poll_ms",
           std::to_string(std::chrono::duration_cast<Millis>(Clock::now() - started_at).count()));
    auto idle = *live_of(loop_, *monitor, "OBS_REC");
    EXPECT_FALSE(idle.stream.active);
    EXPECT_FALSE(idle.record.active);
    EXPECT_EQ(idle.scenes, (std::vector<std::string>{"LIVE_SCENE", "IVR_SCENE"}));
    EXPECT_EQ(idle.main_audio_muted, true);
    EXPECT_EQ(idle.record_directory, peer.record_dir().string());
    EXPECT_GT(idle.stats.render_total_frames, 0);
    EXPECT_FALSE(live_of(loop_, *monitor, "OBS_DOWN").has_value());

    ASSERT_TRUE(await<void>([&](auto done) { session.client->start_stream(done); }));
    ASSERT_TRUE(await<void>([&](auto done) { session.client->start_record(done); }));
    std::optional<host::ObsLiveSnapshot> on_air;
    EXPECT_TRUE(eventually(
        [&] {
            on_air = live_of(loop_, *monitor, "OBS_REC");
            return on_air && on_air->stream.active && on_air->stream.duration_ms > 0 && on_air->stream_kbps > 0 &&
                   on_air->record.active && on_air->record.duration_ms > 0 && on_air->stats.output_total_frames > 0 &&
                   on_air->stats.active_fps > 0;
        },
        20s))
        << "the monitor did not show the stream and the recording running";
    ASSERT_TRUE(on_air);
    report("obs_monitor_stream_kbps", std::to_string(on_air->stream_kbps));
    EXPECT_GE(on_air->stream.total_frames, on_air->stream.skipped_frames);
    EXPECT_GT(on_air->stats.memory_mb, 0);
    EXPECT_FALSE(live_of(loop_, *monitor, "OBS_DOWN").has_value());

    ASSERT_TRUE(await<void>([&](auto done) { session.client->stop_stream(done); }));
    ASSERT_TRUE(await<std::string>([&](auto done) { session.client->stop_record(done); }));
    peer.stop();
    EXPECT_TRUE(eventually([&] { return !live_of(loop_, *monitor, "OBS_REC").has_value(); }, 10s))
        << "a connection that went down kept its figures";
    boost::asio::post(loop_.io(), [monitor] { monitor->stop(); });
}

}  // namespace
}  // namespace vta::obs_live
