// A handler's coroutine yields across real obs-websocket requests (the in-process obs-websocket
// v5 server of tests/obs) and resumes on the loop with OBS's answers and events.

#include "fake_obs_server.hpp"
#include "support.hpp"
#include "vta/bindings/host_backends.hpp"

namespace vta::bindings::testing {
namespace {

class ObsRequests : public RuntimeTest {
protected:
    ObsRequests() {
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
    EXPECT_TRUE(logged("missing nil not_connected: no OBS connection named or serving 'NOPE'", "obs-user"));
    EXPECT_TRUE(logged("failed true", "obs-user"));
    EXPECT_TRUE(run_until(io, [&] { return logged("scene event IVR_SCENE", "obs-user"); }));
    EXPECT_EQ(status("obs-user").failures, 0u);
}

}  // namespace
}  // namespace vta::bindings::testing
