// The control room against real headless OBS instances: three STR connections, one of them crashed;
// obs.all("str") switches the scene and mutes the main audio on the live ones (as OBS itself then
// says) and reports the dead one's error in its result without holding the others up.

#include <iostream>

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta_test_peers.hpp"

namespace vta::bindings::testing {
namespace {

using Ms = std::chrono::milliseconds;

TEST_F(RuntimeTest, ControlRoomSwitchesAndMutesEveryLiveStrConnectionAndReportsTheDeadOne) {
    test_peers::ObsPeer peers[3];
    std::vector<obs::ConnectionConfig> configs;
    for (int i = 0; i < 3; ++i) {
        obs::ConnectionConfig cfg;
        cfg.name = "OBS_STR_" + std::to_string(i + 1);
        cfg.role = obs::Role::str;
        cfg.port = peers[i].port();
        cfg.password = peers[i].password();
        configs.push_back(cfg);
    }
    obs::Connections connections(io, configs);
    package("room", R"lua(
        local names = { "OBS_STR_1", "OBS_STR_2", "OBS_STR_3" }
        obs.on("connected", function(ev) log.info("connected", ev.data.connection) end)
        on("setup", function()
          local created = obs.all("str"):request("CreateInput",
              { sceneName = "LIVE_SCENE", inputName = "MAIN_AUDIO", inputKind = "ffmpeg_source" })
          for _, name in ipairs(names) do log.info("created", name, created[name].ok, created[name].message) end
          log.info("vcam", obs.connection("OBS_STR_1"):start_virtualcam())
          log.info("setup done")
        end)
        on("bulk", function()
          local scenes = obs.all("str"):set_scene("IVR_SCENE")
          local mutes = obs.all("str"):set_mute("MAIN_AUDIO", true)
          for _, name in ipairs(names) do
            log.info("scene", name, scenes[name].ok, scenes[name].code, scenes[name].message)
            log.info("mute", name, mutes[name].ok, mutes[name].code)
          end
          log.info("bulk done")
          -- What OBS says now, asked one connection at a time.
          for _, name in ipairs(names) do
            local conn = obs.connection(name)
            local scene, err = conn:get_scene()
            local mute = conn:mute("MAIN_AUDIO")
            log.info("obs says", name, scene and scene.scene or err, mute and mute.muted)
          end
          log.info("verified")
        end)
    )lua");
    auto o = options();
    o.clock = nullptr;
    o.obs = make_obs_backend(connections);
    o.wait_timeout = Ms(15000);
    start(o);
    connections.start_all();
    ASSERT_TRUE(run_until(
        io,
        [&] {
            return logged("connected OBS_STR_1", "room") && logged("connected OBS_STR_2", "room") &&
                   logged("connected OBS_STR_3", "room");
        },
        Ms(20000)))
        << dump();

    fire("setup");
    ASSERT_TRUE(run_until(
        io, [&] { return logged("setup done", "room"); }, Ms(20000)))
        << dump();
    for (const char* name : {"OBS_STR_1", "OBS_STR_2", "OBS_STR_3"})
        EXPECT_TRUE(logged(std::string("created ") + name + " true nil", "room")) << dump();
    // No v4l2loopback on the test machines: OBS cannot start a virtual camera, and the script gets
    // nil, OBS's reason and a code.
    if (!std::filesystem::exists("/sys/module/v4l2loopback")) {
        std::string vcam;
        for (const auto& m : messages("room"))
            if (m.starts_with("vcam ")) vcam = m;
        EXPECT_TRUE(vcam.starts_with("vcam nil ") && vcam.ends_with(" request_failed")) << vcam;
        std::cout << "[ figure ] virtual camera without v4l2loopback: " << vcam << "\n";
    }

    peers[2].kill();
    auto dead = connections.by_name("OBS_STR_3");
    ASSERT_TRUE(run_until(
        io, [&] { return dead->state() != obs::State::connected; }, Ms(10000)))
        << "the client did not notice the crash";

    const auto sent = std::chrono::steady_clock::now();
    fire("bulk");
    ASSERT_TRUE(run_until(
        io, [&] { return logged("bulk done", "room"); }, Ms(20000)))
        << dump();
    const auto bulk_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
    ASSERT_TRUE(run_until(
        io, [&] { return logged("verified", "room"); }, Ms(20000)))
        << dump();

    for (const char* name : {"OBS_STR_1", "OBS_STR_2"}) {
        EXPECT_TRUE(logged(std::string("scene ") + name + " true nil nil", "room")) << dump();
        EXPECT_TRUE(logged(std::string("mute ") + name + " true nil", "room")) << dump();
        EXPECT_TRUE(logged(std::string("obs says ") + name + " IVR_SCENE true", "room")) << dump();
    }
    EXPECT_TRUE(logged("scene OBS_STR_3 false not_connected", "room")) << dump();
    EXPECT_TRUE(logged("mute OBS_STR_3 false not_connected", "room")) << dump();
    // Both bulk calls, the dead member included, come back at the pace of the live ones.
    EXPECT_LT(bulk_ms, 2000.0);
    std::cout << "[ figure ] bulk scene switch + bulk mute on 3 STR connections (1 down): " << bulk_ms << " ms\n";
    runtime.reset();
    connections.stop_all();
}

}  // namespace
}  // namespace vta::bindings::testing
