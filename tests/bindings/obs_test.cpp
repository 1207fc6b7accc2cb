// A handler's coroutine yields across real obs-websocket requests (the in-process obs-websocket
// v5 server of tests/obs) and resumes on the loop with OBS's answers and events.

#include <cstdlib>

#include "fake_obs_server.hpp"
#include "support.hpp"
#include "vta/bindings/host_backends.hpp"

namespace vta::bindings::testing {
namespace {

class ObsRequests : public RuntimeTest {
protected:
    explicit ObsRequests(obs::testing::FakeObsOptions server_options = {}) : server(std::move(server_options)) {
        obs::ConnectionConfig cfg;
        cfg.name = "OBS_REC";
        cfg.role = obs::Role::both;
        cfg.port = server.port();
        obs::ClientOptions client_options;
        client_options.request_timeout = std::chrono::milliseconds(2000);
        client_options.replay_saved_timeout = std::chrono::milliseconds(300);
        connections = std::make_unique<obs::Connections>(io, std::vector<obs::ConnectionConfig>{cfg}, client_options);
    }
    ~ObsRequests() override {
        runtime.reset();
        connections->stop_all();
        connections.reset();
    }

    obs::testing::FakeObsServer server;
    std::unique_ptr<obs::Connections> connections;
};

TEST_F(ObsRequests, HandlerYieldsAcrossRequestsAndGetsEvents) {
    package("obs-user", R"lua(
        obs.on("connected", function(ev) log.info("connected", ev.data.connection) end)
        obs.on("scene_changed", function(ev) log.info("scene event", ev.data.scene) end)
        on("go", function()
          log.info("before")
          log.info("set", obs.rec:set_scene("IVR_SCENE"))
          log.info("now", obs.rec:get_scene().scene)
          log.info("replay", obs.str:start_replay())
          local clip, err = obs.str:save_replay()
          log.info("clip", clip and clip.path ~= nil, err)
          log.info("missing", obs.connection("NOPE"):start_record())
          local _, failed = obs.rec:request("NoSuchRequest")
          log.info("failed", failed ~= nil)
          log.info("done")
        end)
        on("tick", function() log.info("tick") end)
    )lua");
    auto o = options();
    o.clock = nullptr;
    o.obs = make_obs_backend(*connections);
    start(o);
    connections->start_all();
    ASSERT_TRUE(run_until(io, [&] { return logged("connected OBS_REC"); }));

    // Dispatch without running the loop: the handler must be suspended on its first request
    // while other handlers still run.
    Event go, tick;
    go.kind = "go";
    tick.kind = "tick";
    runtime->dispatch(go);
    EXPECT_EQ(messages("obs-user").back(), "before");
    EXPECT_EQ(status("obs-user").waiting, 1u);
    runtime->dispatch(tick);
    EXPECT_EQ(messages("obs-user").back(), "tick");
    ASSERT_TRUE(run_until(io, [&] { return logged("done", "obs-user"); }));
    EXPECT_EQ(server.program_scene(), "IVR_SCENE");
    EXPECT_TRUE(logged("set true", "obs-user"));
    EXPECT_TRUE(logged("now IVR_SCENE", "obs-user"));
    EXPECT_TRUE(logged("replay true", "obs-user"));
    EXPECT_TRUE(logged("clip true nil", "obs-user")) << dump();
    EXPECT_TRUE(logged("missing nil no OBS connection named or serving 'NOPE' not_connected", "obs-user"));
    EXPECT_TRUE(logged("failed true", "obs-user"));
    EXPECT_TRUE(run_until(io, [&] { return logged("scene event IVR_SCENE", "obs-user"); }));
    EXPECT_EQ(status("obs-user").failures, 0u);
}

// OBS_REC as a slow court PC's OBS 29: after a stop it reports the replay buffer STOPPED but ignores
// starts for 6 s more, and it cannot say when its output is free. The shipped new-match and ivr still
// give every challenge a clip: the replay buffer's when it runs, otherwise the last seconds cut (by a
// real ffmpeg) from the running recording; and the buffer runs again by itself.
class SlowReplayBuffer : public ObsRequests {
protected:
    static obs::testing::FakeObsOptions slow_obs(const std::filesystem::path& recording) {
        obs::testing::FakeObsOptions o;
        o.replay_stop_lag = std::chrono::milliseconds(6000);
        o.offer_output_status = false;
        o.recording_path = recording.string();
        return o;
    }
    SlowReplayBuffer() : ObsRequests(slow_obs(make_temp_dir("rec") / "match.mkv")) {}
};

TEST_F(SlowReplayBuffer, EveryChallengeGetsAClipAndTheBufferRunsAgain) {
    const std::filesystem::path recording = server.options().recording_path;
    const std::string make_recording =
        "ffmpeg -v error -y -f lavfi -i testsrc=size=320x180:rate=30 -t 30 "
        "-c:v libx264 -preset ultrafast -g 30 '" +
        recording.string() + "'";
    ASSERT_EQ(std::system(make_recording.c_str()), 0) << "ffmpeg could not make the test recording";

    auto o = options();
    o.clock = nullptr;
    o.obs = make_obs_backend(*connections);
    o.wait_timeout = std::chrono::milliseconds(20000);
    o.packages["new-match"]["config"] = {{"recordings_root", recording.parent_path().string()}};
    o.packages["ivr"]["config"] = {{"debounce_seconds", 0}};
    start(o);
    const auto workflows = std::filesystem::path(VTA_SOURCE_DIR) / "scripts/workflows";
    ASSERT_TRUE(runtime->load(workflows / "new-match")) << dump();
    ASSERT_TRUE(runtime->load(workflows / "ivr")) << dump();
    connections->start_all();
    ASSERT_TRUE(run_until(io, [&] { return connections->all()[0]->state() == obs::State::connected; }));

    const auto now_us = [] {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    };
    auto dispatch = [&](const std::string& kind, nlohmann::json data, const std::string& number) {
        Event e;
        e.kind = kind;
        e.data = std::move(data);
        e.match = {{"number", number}, {"athletes", nlohmann::json::array()}};
        e.at_us = now_us();
        runtime->dispatch(e);
    };
    const auto clips = [&] {
        std::vector<nlohmann::json> rows;
        for (const auto& a : recorder.actions())
            if (a.action == "store.clip") rows.push_back(a.args);
        return rows;
    };
    auto challenge = [&](const std::string& number, std::size_t clip_count) {
        dispatch("challenge_requested", {{"side", 1}}, number);
        EXPECT_TRUE(run_until(
            io, [&] { return clips().size() == clip_count; }, std::chrono::milliseconds(20000)))
            << dump();
        dispatch("challenge_rejected", {{"side", 1}}, number);
        run_until(io, [&] { return logged("closed: challenge rejected", "ivr"); });
    };

    dispatch("match_ready", {}, "101");
    ASSERT_TRUE(run_until(io, [&] { return logged("recording match 101", "new-match"); })) << dump();
    challenge("101", 1);

    // The next match restarts the buffer: OBS ignores every start for 6 s. The recording does not wait
    // for it longer than the host's warning, and a challenge meanwhile gets the recording's last seconds.
    dispatch("match_loaded", {}, "102");
    dispatch("match_ready", {}, "102");
    ASSERT_TRUE(run_until(
        io, [&] { return logged("recording match 102", "new-match"); }, std::chrono::milliseconds(10000)))
        << dump();
    ASSERT_TRUE(run_until(io, [&] { return server.recording_duration() >= std::chrono::milliseconds(1500); }))
        << "no recording to cut";
    challenge("102", 2);
    EXPECT_TRUE(logged("the replay buffer has no clip for the challenge of the coach 1", "ivr")) << dump();

    // OBS's output frees up: the host's next start takes effect, and the next challenge has its replay.
    ASSERT_TRUE(run_until(
        io, [&] { return server.replay_active(); }, std::chrono::milliseconds(15000)));
    ASSERT_TRUE(run_until(io, [&] { return connections->all()[0]->status().replay_buffer_active; }));
    challenge("102", 3);

    const auto rows = clips();
    ASSERT_EQ(rows.size(), 3u) << dump();
    for (const auto& row : rows) {
        EXPECT_FALSE(row.contains("error")) << row.dump();
        EXPECT_TRUE(row.contains("path")) << row.dump();
    }
    EXPECT_EQ(rows[0]["path"], "/tmp/fake-obs/replay-1.mkv");
    const std::filesystem::path cut = rows[1]["path"].get<std::string>();
    EXPECT_EQ(cut.parent_path(), recording.parent_path());
    EXPECT_EQ(cut.filename().string().rfind("Review match ", 0), 0u) << cut;
    EXPECT_TRUE(std::filesystem::exists(cut)) << cut;
    EXPECT_GT(std::filesystem::file_size(cut), 0u);
    EXPECT_EQ(rows[2]["path"], "/tmp/fake-obs/replay-2.mkv");
    EXPECT_EQ(status("ivr").failures, 0u) << dump();
    EXPECT_EQ(status("new-match").failures, 0u) << dump();
    std::filesystem::remove_all(recording.parent_path());
}

}  // namespace
}  // namespace vta::bindings::testing
