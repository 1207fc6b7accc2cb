// A handler's coroutine yielding across requests to a real, headless OBS Studio (tests/peers):
// switch scenes, start the replay buffer, save a clip, and get OBS's events. And the shipped
// stream-recovery workflow against a real OBS streaming to nginx-rtmp, with the real store.

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"
#include "vta_test_peers.hpp"

namespace vta::bindings::testing {
namespace {

class LiveObs : public RuntimeTest {
protected:
    static obs::ConnectionConfig rec_config(const test_peers::ObsPeer& peer, obs::Role role) {
        obs::ConnectionConfig cfg;
        cfg.name = "OBS_REC";
        cfg.role = role;
        cfg.port = peer.port();
        cfg.password = peer.password();
        return cfg;
    }

    // Starts the packages on the real clock with `connections` as their OBS, and waits until OBS_REC is
    // connected (the packages log "connected OBS_REC").
    void start_connected(obs::Connections& connections, std::chrono::milliseconds wait_timeout) {
        auto o = options();
        o.clock = nullptr;
        o.obs = make_obs_backend(connections);
        o.wait_timeout = wait_timeout;
        start(o);
        connections.start_all();
        ASSERT_TRUE(run_until(
            io, [&] { return logged("connected OBS_REC"); }, std::chrono::milliseconds(20000)))
            << dump();
    }
};

TEST_F(LiveObs, HandlerDrivesARealObs) {
    test_peers::ObsPeer peer;
    obs::Connections connections(io, {rec_config(peer, obs::Role::both)});
    package("live", R"lua(
        obs.on("connected", function(ev) log.info("connected", ev.data.connection) end)
        obs.on("replay_saved", function(ev) log.info("saved event", ev.data.path ~= nil) end)
        on("challenge_requested", function()
          log.info("scene", obs.rec:set_scene("IVR_SCENE"))
          log.info("now", obs.rec:get_scene().scene)
          local replay_on = obs.rec:start_replay()
          log.info("replay", replay_on)
          util.sleep(2)
          local clip, err = obs.rec:save_replay()
          log.info("clip", clip and clip.path or err)
          log.info("back", obs.rec:set_scene("LIVE_SCENE"))
          log.info("done")
        end)
    )lua");
    start_connected(connections, std::chrono::milliseconds(15000));
    if (HasFatalFailure()) return;
    fire("challenge_requested", {{"side", 1}});
    ASSERT_TRUE(run_until(
        io, [&] { return logged("done", "live"); }, std::chrono::milliseconds(40000)))
        << dump();
    EXPECT_TRUE(logged("scene true", "live")) << dump();
    EXPECT_TRUE(logged("now IVR_SCENE", "live")) << dump();
    EXPECT_TRUE(logged("replay true", "live")) << dump();
    std::string clip;
    for (const auto& m : messages("live"))
        if (m.starts_with("clip ")) clip = m.substr(5);
    EXPECT_TRUE(std::filesystem::exists(clip)) << clip << dump();
    EXPECT_TRUE(logged("back true", "live")) << dump();
    EXPECT_EQ(status("live").failures, 0u);
    runtime.reset();
    connections.stop_all();
}

// Seconds of video ffprobe finds in `file`; negative when it finds none.
double video_seconds(const std::filesystem::path& file) {
    const std::string command = "ffprobe -v error -select_streams v:0 -show_entries format=duration -of csv=p=0 '" +
                                file.string() + "' 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return -1;
    char line[64] = {};
    const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
    const int status = ::pclose(pipe);
    return read && status == 0 ? std::atof(line) : -1;
}

// The replay buffer armed through the host on a real OBS: restarted with new settings, started again
// after a stop from outside, and the recording cut into a clip of last resort.
TEST_F(LiveObs, AnArmedReplayBufferKeepsRunningAndTheRecordingGivesAClipOfLastResort) {
    test_peers::ObsPeer peer;
    obs::Connections connections(io, {rec_config(peer, obs::Role::rec)});
    package("live", R"lua(
        obs.on("connected", function(ev) log.info("connected", ev.data.connection) end)
        obs.on("replay_state", function(ev) log.info("replay_state", ev.data.state) end)
        on("challenge_requested", function()
          log.info("armed", obs.rec:arm_replay { seconds = 10, suffix = " %hh-%mm-%ss" })
          log.info("record", obs.rec:start_record())
          util.sleep(3)
          log.info("rearmed", obs.rec:arm_replay { seconds = 12 })
          log.info("stopped from outside", obs.rec:stop_replay())
        end)
        on("challenge_rejected", function()
          -- A buffer started while the recording runs joins its encoder and holds nothing before the
          -- next keyframe (the test profile: x264's default of one every 250 frames, 8.3 s at 30 fps).
          local clip, err
          for _ = 1, 30 do
            clip, err = obs.rec:save_replay()
            if clip then break end
            util.sleep(0.5)
          end
          log.info("replay clip", clip and clip.path or err)
          local cut, cerr = obs.rec:recording_clip(2)
          log.info("cut", cut and cut.path or cerr)
          log.info("stop", obs.rec:stop_record().path ~= nil)
          log.info("done")
        end)
    )lua");
    start_connected(connections, std::chrono::milliseconds(20000));
    if (HasFatalFailure()) return;
    fire("challenge_requested", {{"side", 1}});
    ASSERT_TRUE(run_until(
        io, [&] { return logged("stopped from outside true", "live"); }, std::chrono::milliseconds(40000)))
        << dump();
    EXPECT_TRUE(logged("armed true", "live")) << dump();
    EXPECT_TRUE(logged("rearmed true", "live")) << dump();
    // The host starts it again by itself: OBS reports STOPPED, then STARTED.
    const auto started = [&] {
        std::size_t n = 0;
        for (const auto& m : messages("live")) n += m == "replay_state OBS_WEBSOCKET_OUTPUT_STARTED";
        return n;
    };
    ASSERT_TRUE(run_until(
        io, [&] { return started() >= 3; }, std::chrono::milliseconds(20000)))
        << dump();
    fire("challenge_rejected", {{"side", 1}});
    ASSERT_TRUE(run_until(
        io, [&] { return logged("done", "live"); }, std::chrono::milliseconds(40000)))
        << dump();
    std::string replay, cut;
    for (const auto& m : messages("live")) {
        if (m.starts_with("replay clip ")) replay = m.substr(12);
        if (m.starts_with("cut ")) cut = m.substr(4);
    }
    EXPECT_TRUE(std::filesystem::exists(replay)) << replay << dump();
    ASSERT_TRUE(std::filesystem::exists(cut)) << cut << dump();
    EXPECT_EQ(std::filesystem::path(cut).filename().string().rfind("Review ", 0), 0u) << cut;
    EXPECT_GT(video_seconds(cut), 1.0) << cut;
    EXPECT_TRUE(logged("stop true", "live")) << dump();
    EXPECT_EQ(status("live").failures, 0u);
    runtime.reset();
    connections.stop_all();
}

TEST_F(LiveObs, StreamRecoveryKeepsTheDaysStreamTimelineAcrossDrops) {
    test_peers::RtmpPeer rtmp;
    test_peers::ObsPeerOptions peer_options;
    peer_options.rtmp_url = rtmp.url();
    test_peers::ObsPeer peer(peer_options);
    obs::ConnectionConfig cfg;
    cfg.name = "OBS_STR";
    cfg.role = obs::Role::str;
    cfg.port = peer.port();
    cfg.password = peer.password();
    obs::Connections connections(io, {cfg});

    const auto db_path = root / "db" / "vta.sqlite";
    std::int64_t day_id = 0;
    {
        auto db = store::Database::open(db_path);
        ASSERT_TRUE(db.ok()) << db.error().message;
        day_id = db->ensure_active_day("2026-11-22").value().day_id;
    }
    auto writer = store::Writer::open(db_path);
    ASSERT_TRUE(writer.ok()) << writer.error().message;

    // Stands in for whatever else drives OBS_STR: a stop from outside is a drop to stream-recovery.
    package("driver", R"lua(
        obs.on("connected", function(ev) log.info("connected", ev.data.connection) end)
        on("start", function() log.info("start", obs.connection("OBS_STR"):start_stream()) end)
        on("stop", function() log.info("stop", obs.connection("OBS_STR"):stop_stream()) end)
    )lua");
    auto o = options();
    o.clock = nullptr;
    o.obs = make_obs_backend(connections);
    o.store = make_store_backend(db_path, writer.value().get());
    o.wait_timeout = std::chrono::milliseconds(15000);
    o.packages["stream-recovery"]["config"] = {{"restart_first_delay", 1}, {"tag_every", 1}};
    start(o);
    ASSERT_TRUE(runtime->load(std::filesystem::path(VTA_SOURCE_DIR) / "scripts/workflows/stream-recovery")) << dump();
    connections.start_all();
    auto now = [&](const std::string& kind) {
        Event e;
        e.kind = kind;
        e.at_us =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        runtime->dispatch(e);
    };
    auto wait_for = [&](const std::string& text, int seconds) {
        return run_until(
            io, [&] { return logged(text, "stream-recovery"); }, std::chrono::seconds(seconds));
    };
    auto stream_for = [&](int seconds) {
        run_until(
            io, [] { return false; }, std::chrono::seconds(seconds));
    };
    ASSERT_TRUE(run_until(
        io, [&] { return logged("connected OBS_STR"); }, std::chrono::seconds(20)))
        << dump();

    now("start");
    ASSERT_TRUE(wait_for("stream session 1 opened", 20)) << dump();
    stream_for(2);
    rtmp.stop();  // OBS reconnects by itself
    ASSERT_TRUE(wait_for("stream session 1 closed: OBS reconnecting", 20)) << dump();
    rtmp.start();
    ASSERT_TRUE(wait_for("stream session 2 opened", 30)) << dump();
    stream_for(2);
    now("stop");  // not the operator: restarted
    ASSERT_TRUE(wait_for("stream session 2 closed: stream stopped", 20)) << dump();
    ASSERT_TRUE(wait_for("stream session 3 opened", 30)) << dump();
    stream_for(2);
    now("operator_stream_stop");
    ASSERT_TRUE(wait_for("stream session 3 closed: operator", 20)) << dump();
    stream_for(3);
    EXPECT_FALSE(logged("stream session 4 opened")) << dump();
    EXPECT_EQ(status("stream-recovery").failures, 0u) << dump();
    runtime.reset();
    connections.stop_all();
    ASSERT_TRUE(writer.value()->close().ok());

    auto db = store::Database::open_read_only(db_path).value();
    auto sessions = db.list_stream_sessions(day_id).value();
    ASSERT_EQ(sessions.size(), 3u);
    std::int64_t streamed_ms = 0;
    for (const auto& s : sessions) {
        ASSERT_TRUE(s.ended_us);
        EXPECT_EQ(s.timeline_start_ms, streamed_ms) << "session " << s.id;
        streamed_ms += (*s.ended_us - s.started_us) / 1000;
        EXPECT_GT(*s.ended_us, s.started_us);
    }
    EXPECT_EQ(sessions[0].end_reason, "OBS reconnecting");
    EXPECT_EQ(sessions[1].end_reason, "stream stopped");
    EXPECT_EQ(sessions[2].end_reason, "operator");
    EXPECT_GT(sessions[1].timeline_start_ms, 1500);
    // Figures: how long the stream was off the air after OBS's own reconnection and after a restart.
    std::cout << "stream-recovery: off air " << (sessions[1].started_us - *sessions[0].ended_us) / 1000
              << " ms while OBS reconnected to the restarted receiver, "
              << (sessions[2].started_us - *sessions[1].ended_us) / 1000
              << " ms from an unexpected stop to the restarted stream (first delay 1 s)\n";
}

}  // namespace
}  // namespace vta::bindings::testing
