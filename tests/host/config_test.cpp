#include <gtest/gtest.h>

#include <cstdlib>

#include "vta/host/config.hpp"
#include "vta/host/paths.hpp"

namespace vta::host {
namespace {

ConfigResult parse(const char* text) { return parse_config(nlohmann::json::parse(text)); }

TEST(Config, EmptyObjectGivesTheEmbeddedDefaults) {
    auto result = parse("{}");
    ASSERT_TRUE(result.config) << result.error;
    EXPECT_EQ(result.config->udp.bind_address, "0.0.0.0");
    EXPECT_EQ(result.config->udp.port, 6000);
    EXPECT_TRUE(result.config->udp.allow.empty());
    EXPECT_TRUE(result.config->obs.empty());
}

TEST(Config, TheDefaultsDocumentParsesBackToTheDefaults) {
    auto result = parse_config(default_config_json());
    ASSERT_TRUE(result.config) << result.error;
    EXPECT_EQ(result.config->store.batch_rows, Config{}.store.batch_rows);
}

TEST(Config, ReadsEveryKey) {
    auto result = parse(R"({"udp": {"bind": "127.0.0.1", "port": 8888, "allow": ["10.0.0.5"],
                                  "receive_buffer_bytes": 1048576},
                          "store": {"path": "/tmp/x.sqlite3", "batch_rows": 100, "batch_ms": 5},
                          "log": {"level": "debug", "file": "/tmp/vta.log", "max_file_mb": 2, "max_files": 3}})");
    ASSERT_TRUE(result.config) << result.error;
    const Config& c = *result.config;
    EXPECT_EQ(c.udp.bind_address, "127.0.0.1");
    EXPECT_EQ(c.udp.port, 8888);
    EXPECT_EQ(c.udp.allow, std::vector<std::string>{"10.0.0.5"});
    EXPECT_EQ(c.udp.receive_buffer_bytes, 1048576);
    EXPECT_EQ(c.store.path, "/tmp/x.sqlite3");
    EXPECT_EQ(c.store.batch_rows, 100);
    EXPECT_EQ(c.log.level, "debug");
    EXPECT_EQ(c.log.max_files, 3);
}

TEST(Config, ReadsTheOverlays) {
    auto result = parse(R"({"overlays": {"enabled": false, "bind": "0.0.0.0", "port": 3002, "folder": "/srv/ov",
                                       "theme": "dark", "challenges_per_match": 2, "flags_folder": "/flags"}})");
    ASSERT_TRUE(result.config) << result.error;
    const OverlaysConfig& o = result.config->overlays;
    EXPECT_FALSE(o.enabled);
    EXPECT_EQ(o.bind, "0.0.0.0");
    EXPECT_EQ(o.port, 3002);
    EXPECT_EQ(o.folder, "/srv/ov");
    EXPECT_EQ(o.theme, "dark");
    EXPECT_EQ(o.challenges_per_match, 2);
    EXPECT_EQ(o.flags_folder, "/flags");
    EXPECT_EQ(Config{}.overlays.port, 3001) << "the original system's port";
    EXPECT_EQ(Config{}.overlays.bind, "127.0.0.1");
}

struct BadCase {
    const char* json;
    const char* message;
};

TEST(Config, ReadsTheCourtsWithoutEverEchoingThePassword) {
    auto result = parse(R"({"courts": {"enabled": true, "broker": "10.0.0.2:8883", "court": 7, "tournament":
                             "german-open-2025", "username": "court7", "password": "s3cret",
                             "tls": {"ca_file": "/etc/ca.pem"}, "outbox_max_rows": 5000}})");
    ASSERT_TRUE(result.config) << result.error;
    const auto& courts = result.config->courts;
    EXPECT_TRUE(courts.enabled);
    EXPECT_EQ(courts.broker_host, "10.0.0.2");
    EXPECT_EQ(courts.broker_port, 8883);
    EXPECT_EQ(courts.court, 7);
    EXPECT_EQ(courts.tournament, "german-open-2025");
    EXPECT_EQ(courts.password, "s3cret");
    EXPECT_EQ(courts.tls_ca_file, "/etc/ca.pem");
    EXPECT_EQ(courts.outbox_max_rows, 5000);
    EXPECT_TRUE(courts.confirmed_by_tournament);  // delivery "tournament" by default
    auto by_secret = parse(R"({"courts": {"username": "court7", "password": {"secret": "courts_broker"},
                                          "delivery": "broker"}})");
    ASSERT_TRUE(by_secret.config) << by_secret.error;
    EXPECT_EQ(by_secret.config->courts.password_secret, "courts_broker");
    EXPECT_TRUE(by_secret.config->courts.password.empty());
    EXPECT_FALSE(by_secret.config->courts.confirmed_by_tournament);
    auto bad = parse(R"({"courts": {"password": ["s3cret"]}})");
    ASSERT_FALSE(bad.config);
    EXPECT_EQ(bad.error.find("s3cret"), std::string::npos) << bad.error;
}

TEST(Config, BadValuesAreRejectedNamingTheKeyAndWhatIsExpected) {
    const BadCase cases[] = {
        {R"({"udp": {"port": 70000}})", "udp.port: expected an integer from 1 to 65535, got 70000"},
        {R"({"udp": {"port": "6000"}})", "udp.port: expected an integer from 1 to 65535, got \"6000\""},
        {R"({"udp": {"allow": "10.0.0.1"}})", "udp.allow: expected an array of strings"},
        {R"({"udp": 6000})", "udp: expected an object"},
        {R"({"udpp": {}})",
         "unknown key 'udpp' (expected one of: udp, store, log, obs, workflows, playback, panel, overlays, licence, "
         "courts, health)"},
        {R"({"courts": {"enabled": true, "court": 3, "tournament": "open"}})",
         "courts.broker: expected the MQTT broker"},
        {R"({"courts": {"broker": "mqtt.local"}})", "courts.broker: expected the MQTT broker as \"host:port\""},
        {R"({"courts": {"court": 100}})", "courts.court: expected an integer from 1 to 99, got 100"},
        {R"({"courts": {"enabled": true, "broker": "b:1883", "tournament": "open"}})", "courts.court: expected"},
        {R"({"courts": {"tournament": "German Open"}})", "courts.tournament: expected a slug"},
        {R"({"courts": {"tls": {"ca_file": ""}}})", "courts.tls.ca_file: expected the path"},
        {R"({"courts": {"password": 12345}})", "courts.password: expected a string, or {\"secret\": \"NAME\"}"},
        {R"({"courts": {"delivery": "somewhere"}})", "courts.delivery: expected \"tournament\""},
        {R"({"overlays": {"port": 0}})", "overlays.port: expected an integer from 1 to 65535, got 0"},
        {R"({"overlays": {"theme": "../dark"}})", "overlays.theme: expected a theme name of lower-case letters"},
        {R"({"overlays": {"enabled": "yes"}})", "overlays.enabled: expected true or false"},
        {R"({"licence": {"server": "licences.example.org"}})",
         "licence.server: expected the licence server's URL, http(s)://HOST[:PORT]"},
        {R"({"licence": {"server": 3100}})", "licence.server: expected"},
        {R"({"store": {"batch_row": 10}})",
         "unknown key 'store.batch_row' (expected one of: path, batch_rows, batch_ms)"},
        {R"({"log": {"level": "loud"}})", "log.level: expected one of trace, debug, info, warn, error, critical, off"},
        {R"({"obs": [{"name": "OBS_REC", "role": "recorder", "port": 4455}]})", "OBS_REC"},
    };
    for (const auto& c : cases) {
        auto result = parse(c.json);
        EXPECT_FALSE(result.config) << c.json;
        EXPECT_NE(result.error.find(c.message), std::string::npos) << c.json << " gave: " << result.error;
    }
}

TEST(Config, ObsConnectionsAreReadAndTheirPasswordsNeverShowInErrors) {
    auto ok = parse(R"({"obs": [{"name": "OBS_REC", "role": "rec", "port": 4455, "password": "s3cret"},
                              {"name": "OBS_STR", "role": "str", "host": "127.0.0.1", "port": 4456}]})");
    ASSERT_TRUE(ok.config) << ok.error;
    ASSERT_EQ(ok.config->obs.size(), 2u);
    EXPECT_EQ(ok.config->obs[0].name, "OBS_REC");
    auto bad = parse(R"({"obs": [{"name": "OBS_REC", "role": "rec", "port": 0, "password": "s3cret"}]})");
    ASSERT_FALSE(bad.config);
    EXPECT_EQ(bad.error.find("s3cret"), std::string::npos) << bad.error;
}

TEST(Config, OnAirShortcutsAndTheMainAudioInputAreReadAndChecked) {
    auto defaults = parse("{}");
    ASSERT_TRUE(defaults.config) << defaults.error;
    EXPECT_EQ(defaults.config->panel.main_audio_input, "MAIN_AUDIO");
    EXPECT_EQ(defaults.config->panel.shortcuts.toggle_mute, "F8");
    EXPECT_EQ(defaults.config->panel.shortcuts.toggle_stream, "F9");
    EXPECT_EQ(defaults.config->panel.shortcuts.toggle_record, "F10");
    EXPECT_EQ(defaults.config->panel.shortcuts.scenes[0], "Ctrl+1");
    EXPECT_EQ(defaults.config->panel.shortcuts.scenes[8], "Ctrl+9");
    EXPECT_EQ(default_config_json()["panel"]["shortcuts"]["scene_9"], "Ctrl+9");

    auto set = parse(R"({"panel": {"main_audio_input": "Mic/Aux", "shortcuts": {"toggle_mute": "Ctrl+M",
                                   "scene_1": "Alt+1", "scene_2": "F11"}}})");
    ASSERT_TRUE(set.config) << set.error;
    EXPECT_EQ(set.config->panel.main_audio_input, "Mic/Aux");
    EXPECT_EQ(set.config->panel.shortcuts.toggle_mute, "Ctrl+M");
    EXPECT_EQ(set.config->panel.shortcuts.scenes[0], "Alt+1");
    EXPECT_EQ(set.config->panel.shortcuts.scenes[1], "F11");
    EXPECT_EQ(set.config->panel.shortcuts.scenes[2], "Ctrl+3");

    const std::pair<const char*, const char*> bad[] = {
        {R"({"panel": {"shortcuts": {"toggle_stream": "Win+S"}}})", "panel.shortcuts.toggle_stream: expected a key"},
        {R"({"panel": {"shortcuts": {"scene_10": "F12"}}})", "unknown key 'panel.shortcuts.scene_10'"},
        {R"({"panel": {"shortcuts": {"toggle_record": "F5"}}})",
         "panel.shortcuts.toggle_record: \"F5\" is already the shortcut of replay"},
        {R"({"panel": {"shortcuts": {"scene_3": "Ctrl+1"}}})",
         "panel.shortcuts.scene_3: \"Ctrl+1\" is already the shortcut of scene_1"},
        {R"({"panel": {"main_audio_input": ""}})", "panel.main_audio_input: expected the name of an OBS audio input"},
        {R"({"panel": {"main_audio_input": 3}})", "panel.main_audio_input"},
    };
    for (const auto& [text, message] : bad) {
        const auto result = parse(text);
        EXPECT_FALSE(result.config) << text;
        EXPECT_NE(result.error.find(message), std::string::npos) << text << " -> " << result.error;
    }
}

TEST(Paths, FollowTheXdgVariables) {
    setenv("XDG_CONFIG_HOME", "/x/config", 1);
    setenv("XDG_DATA_HOME", "/x/data", 1);
    setenv("XDG_STATE_HOME", "/x/state", 1);
    const Paths p = default_paths();
    EXPECT_EQ(p.config_file, "/x/config/restrike-vta/config.json");
    EXPECT_EQ(p.database, "/x/data/restrike-vta/vta.sqlite3");
    EXPECT_EQ(p.log_file, "/x/state/restrike-vta/vta.log");
    setenv("XDG_DATA_HOME", "relative/ignored", 1);
    setenv("HOME", "/home/op", 1);
    EXPECT_EQ(default_paths().database, "/home/op/.local/share/restrike-vta/vta.sqlite3");
}

}  // namespace
}  // namespace vta::host

namespace vta::host {
namespace {

TEST(Config, TheShippedExampleIsValid) {
    auto result = load_config(std::string(VTA_SOURCE_DIR) + "/examples/config.json", true);
    ASSERT_TRUE(result.config) << result.error;
    EXPECT_EQ(result.config->obs.size(), 2u);
    EXPECT_EQ(result.config->playback.args, std::vector<std::string>{"--fs"});
}

}  // namespace
}  // namespace vta::host
