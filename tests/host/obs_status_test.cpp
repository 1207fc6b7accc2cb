// `vta obs status` and `vta run` against a real headless OBS.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "test_licence.hpp"
#include "vta/secrets/secrets_file.hpp"
#include "vta_test_peers.hpp"

namespace vta::test {
namespace {

const std::string vta = VTA_BINARY;

// The password comes from the secrets file (set through `vta secret set` on standard input); a secrets file
// from another machine leaves the connection without it: OBS refuses, and the report says why.
TEST(VtaWithRealObs, ThePasswordFromTheSecretsFileConnectsAndOneFromAnotherMachineFailsAuthentication) {
    test_peers::ObsPeer obs;
    TempFolder folder;
    auto env = folder.xdg_env();
    const auto config = folder.path() / "config.json";
    std::ofstream(config) << nlohmann::json{{"obs",
                                             {{{"name", "OBS_REC"},
                                               {"role", "rec"},
                                               {"port", obs.port()},
                                               {"password", {{"secret", "obs_rec"}}}}}}}
                                 .dump();
    auto [set_status, set_output] = run_to_end(
        "/bin/sh",
        {"-c", "printf '%s' \"$VTA_TEST_VALUE\" | '" + vta + "' secret set obs_rec --config '" + config.string() + "'"},
        [&] {
            auto with_value = env;
            with_value["VTA_TEST_VALUE"] = obs.password();
            return with_value;
        }());
    ASSERT_EQ(set_status, 0) << set_output;

    auto [status, output] = run_to_end(vta, {"obs", "status", "--json", "--config", config.string()}, env);
    EXPECT_EQ(status, 0) << output;
    auto list = nlohmann::json::parse(output, nullptr, false);
    ASSERT_TRUE(list.is_array() && list.size() == 1u) << output;
    EXPECT_EQ(list[0]["state"], "connected") << output;
    EXPECT_EQ(output.find(obs.password()), std::string::npos);

    const secrets::MachineIdentity other_machine{"fedcba9876543210fedcba9876543210", std::nullopt};
    ASSERT_TRUE(
        secrets::write_secrets(folder.path() / "secrets.json.enc", {{"obs_rec", obs.password()}}, other_machine));
    std::tie(status, output) = run_to_end(vta, {"obs", "status", "--json", "--config", config.string()}, env);
    EXPECT_EQ(status, 1) << output;
    list = nlohmann::json::parse(output, nullptr, false);
    ASSERT_TRUE(list.is_array() && list.size() == 1u) << output;
    EXPECT_EQ(list[0]["state"], "failed") << output;
    EXPECT_NE(list[0]["reason"].get<std::string>().find("password"), std::string::npos) << output;
    auto [config_status, config_output] = run_to_end(vta, {"config", "--config", config.string()}, env);
    EXPECT_NE(config_output.find("another machine"), std::string::npos) << config_output;
}

// Then `vta status`: the running host's health shows each OBS (polled, or not connected) and the free disk where
// OBS_REC records, as OBS's GetRecordDirectory says (no health.record_folder).
TEST(VtaWithRealObs, StatusReportsEachConnectionAndRunConnects) {
    test_peers::ObsPeer obs;
    const auto overlays_port = test_peers::free_tcp_port();
    TempFolder folder;
    auto env = folder.xdg_env();
    install_test_licence(env.at("XDG_DATA_HOME"));  // both connections
    const std::string wrong_password = "not-the-password-4711";
    const auto config = folder.path() / "config.json";
    std::ofstream(config) << nlohmann::json{
        {"obs",
         {{{"name", "OBS_REC"}, {"role", "rec"}, {"port", obs.port()}, {"password", obs.password()}},
          {{"name", "OBS_WRONG"}, {"role", "str"}, {"port", obs.port()}, {"password", wrong_password}}}},
        {"overlays",
         {{"port",
           overlays_port}}}}.dump();

    auto [status, output] = run_to_end(vta, {"obs", "status", "--json", "--config", config.string()}, env);
    EXPECT_EQ(status, 1) << output;  // not every connection is connected
    const auto list = nlohmann::json::parse(output, nullptr, false);
    ASSERT_TRUE(list.is_array()) << output;
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]["name"], "OBS_REC");
    EXPECT_EQ(list[0]["state"], "connected");
    EXPECT_EQ(list[0]["obs_version"], "29.0.2");
    EXPECT_EQ(list[0]["websocket_version"], "5.1.0");
    EXPECT_EQ(list[0]["program_scene"], "LIVE_SCENE");
    EXPECT_EQ(list[1]["state"], "failed");
    EXPECT_NE(list[1]["reason"].get<std::string>().find("authentication failed"), std::string::npos) << output;
    EXPECT_EQ(output.find(wrong_password), std::string::npos);
    EXPECT_EQ(output.find(obs.password()), std::string::npos);

    // The running host connects the configured OBS and says so in its log.
    ChildProcess host(
        vta, {"run", "--config", config.string(), "--bind", "127.0.0.1", "--port", std::to_string(free_udp_port())},
        env, folder.path() / "host.log");
    EXPECT_TRUE(wait_until([&] { return host.output().find("OBS_REC: connected") != std::string::npos; },
                           std::chrono::seconds(15)))
        << host.output();
    EXPECT_TRUE(wait_until([&] { return host.output().find("OBS_WRONG: connection failed") != std::string::npos; },
                           std::chrono::seconds(15)))
        << host.output();
    EXPECT_EQ(host.output().find(wrong_password), std::string::npos);

    nlohmann::json health;
    EXPECT_TRUE(wait_until(
        [&] {
            auto [code, text] = run_to_end(vta, {"status", "--json", "--config", config.string()}, env);
            health = nlohmann::json::parse(text, nullptr, false);
            return code == 0 && health.is_object() && health["obs"].size() == 2u &&
                   health["obs"][0]["polled"] == true && health["disk"].is_object();
        },
        std::chrono::seconds(15)))
        << health.dump(2) << host.output();
    EXPECT_EQ(health["disk"]["folder"], obs.record_dir().string()) << health.dump(2);
    EXPECT_EQ(health["obs"][0]["name"], "OBS_REC");
    EXPECT_GE(health["obs"][0]["cpu_percent"].get<double>(), 0.0);
    EXPECT_EQ(health["obs"][1]["connected"], false);
    bool wrong_is_alert = false;
    for (const auto& item : health["items"])
        if (item["key"] == "obs:OBS_WRONG")
            wrong_is_alert = item["level"] == "alert" && item["reason"] == "OBS_WRONG is not connected";
    EXPECT_TRUE(wrong_is_alert) << health.dump(2);
    host.signal(SIGTERM);
    EXPECT_EQ(host.wait(std::chrono::seconds(10)), 0) << host.output();
}

}  // namespace
}  // namespace vta::test
