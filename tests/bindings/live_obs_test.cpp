// A handler's coroutine yielding across requests to a real, headless OBS Studio (tests/peers):
// switch scenes, start the replay buffer, save a clip, and get OBS's events.

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta_test_peers.hpp"

namespace vta::bindings::testing {
namespace {

using LiveObs = RuntimeTest;

TEST_F(LiveObs, HandlerDrivesARealObs) {
    test_peers::ObsPeer peer;
    obs::ConnectionConfig cfg;
    cfg.name = "OBS_REC";
    cfg.role = obs::Role::both;
    cfg.port = peer.port();
    cfg.password = peer.password();
    obs::Connections connections(io, {cfg});
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
    auto o = options();
    o.clock = nullptr;
    o.obs = make_obs_backend(connections);
    o.wait_timeout = std::chrono::milliseconds(15000);
    start(o);
    connections.start_all();
    ASSERT_TRUE(run_until(io, [&] { return logged("connected OBS_REC"); }, std::chrono::milliseconds(20000))) << dump();
    fire("challenge_requested", {{"side", 1}});
    ASSERT_TRUE(run_until(io, [&] { return logged("done", "live"); }, std::chrono::milliseconds(40000))) << dump();
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

}  // namespace
}  // namespace vta::bindings::testing
