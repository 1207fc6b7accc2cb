// The settings form: read from a config document, checked with messages naming the field, saved
// with a backup.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "vta/host/config.hpp"
#include "vta/ui/settings.hpp"

namespace vta::ui {
namespace {

nlohmann::json example() {
    return nlohmann::json::parse(R"({
    "udp": {"bind": "0.0.0.0", "port": 6000, "allow": ["10.0.0.5"], "receive_buffer_bytes": 16777216},
    "obs": [{"name": "OBS_REC", "role": "rec", "host": "127.0.0.1", "port": 4455, "password": "secret"}],
    "workflows": {"packages": {"ivr": {"config": {"play_from": 8}, "grant": []}}},
    "playback": {"mpv": "mpv", "args": ["--fs"]}
  })");
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(SettingsForm, ReadsTheDocumentAndDefaults) {
    const auto f = form_from_config(example());
    EXPECT_EQ(f.udp_port, "6000");
    EXPECT_EQ(f.udp_allow, "10.0.0.5");
    ASSERT_EQ(f.obs.size(), 1u);
    EXPECT_EQ(f.obs[0].password, "secret");
    EXPECT_EQ(f.play_from_seconds, "8");
    EXPECT_EQ(f.replay_seconds, "");
    EXPECT_EQ(f.shortcut_replay, "F5");
}

TEST(SettingsForm, RoundTripKeepsKeysTheFormDoesNotShow) {
    auto f = form_from_config(example());
    f.replay_seconds = "15";
    f.live_scene = "Court 1 live";
    f.obs.push_back({"OBS_STR", "str", "10.0.0.9", "4456", ""});
    const auto check = apply_form(f, example());
    ASSERT_TRUE(check.document) << check.error;
    const auto& d = *check.document;
    EXPECT_EQ(d["udp"]["receive_buffer_bytes"], 16777216);
    EXPECT_EQ(d["playback"]["args"][0], "--fs");
    EXPECT_EQ(d["workflows"]["packages"]["ivr"]["config"]["clip_seconds"], 15);
    EXPECT_TRUE(d["workflows"]["packages"]["ivr"]["config"]["play_from"].is_number_integer());
    EXPECT_EQ(d["workflows"]["packages"]["ivr"]["config"]["play_from"], 8);
    EXPECT_EQ(d["workflows"]["packages"]["scenes"]["config"]["live_scene"], "Court 1 live");
    EXPECT_EQ(d["obs"].size(), 2u);
    EXPECT_FALSE(d["obs"][1].contains("password"));
    EXPECT_TRUE(host::parse_config(d).config);
}

TEST(SettingsForm, EmptyPackageFieldRemovesTheOverride) {
    auto f = form_from_config(example());
    f.play_from_seconds = "";
    const auto check = apply_form(f, example());
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_FALSE((*check.document)["workflows"]["packages"]["ivr"]["config"].contains("play_from"));
}

TEST(SettingsForm, BreakAndWinnerScenesOverrideOnlyTheSceneOfTheirRule) {
    auto f = form_from_config(example());
    EXPECT_EQ(f.break_scene, "");
    f.break_scene = " Court 1 break ";
    f.winner_scene = "Court 1 winner";
    auto check = apply_form(f, example());
    ASSERT_TRUE(check.document) << check.error;
    const auto& rules = (*check.document)["workflows"]["packages"]["scenes"]["config"]["rules"];
    EXPECT_EQ(rules["break"], (nlohmann::json{{"scene", "Court 1 break"}}));
    EXPECT_EQ(rules["winner"]["scene"], "Court 1 winner");
    EXPECT_TRUE(host::parse_config(*check.document).config);

    const auto read_back = form_from_config(*check.document);
    EXPECT_EQ(read_back.break_scene, "Court 1 break");
    EXPECT_EQ(read_back.winner_scene, "Court 1 winner");

    auto cleared = read_back;
    cleared.break_scene = "";
    cleared.winner_scene = "";
    check = apply_form(cleared, *check.document);
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_FALSE((*check.document)["workflows"]["packages"]["scenes"]["config"].contains("rules"));
}

TEST(SettingsForm, BadValuesNameTheFieldAndWhatIsExpected) {
    struct Case {
        std::function<void(SettingsForm&)> change;
        std::string field;
        std::string message_part;
    };
    const std::vector<Case> cases = {
        {[](SettingsForm& f) { f.udp_port = "60a"; }, "UDP port", "expected a number from 1 to 65535, got \"60a\""},
        {[](SettingsForm& f) { f.udp_port = "70000"; }, "UDP port", "1 to 65535"},
        {[](SettingsForm& f) { f.obs[0].role = "record"; }, "OBS connection 1 role", "rec, str or both"},
        {[](SettingsForm& f) { f.obs[0].port = ""; }, "OBS connection 1 port", "a number"},
        {[](SettingsForm& f) { f.replay_seconds = "ten"; }, "Replay length", "seconds"},
        {[](SettingsForm& f) {
             f.replay_seconds = "10";
             f.play_from_seconds = "12";
         },
         "Play from", "fewer seconds than the replay length"},
        {[](SettingsForm& f) { f.mpv = " "; }, "mpv program", "a program"},
        {[](SettingsForm& f) { f.shortcut_replay = "Ctrl+"; }, "Shortcut replay", "F5, Ctrl+R"},
    };
    for (const auto& c : cases) {
        auto f = form_from_config(example());
        c.change(f);
        const auto check = apply_form(f, example());
        EXPECT_FALSE(check.document) << c.field;
        EXPECT_EQ(check.field, c.field);
        EXPECT_NE(check.error.find(c.message_part), std::string::npos) << check.error;
        EXPECT_EQ(check.error.rfind(c.field, 0), 0u) << check.error;
    }
}

TEST(SettingsFile, SaveKeepsABackupAndImportValidates) {
    const auto folder = std::filesystem::temp_directory_path() / "vta-settings-test";
    std::filesystem::remove_all(folder);
    const auto file = folder / "config.json";
    ASSERT_EQ(save_config_file(file, example()), "");
    EXPECT_FALSE(std::filesystem::exists(file.string() + ".bak"));
    auto changed = example();
    changed["udp"]["port"] = 6001;
    ASSERT_EQ(save_config_file(file, changed), "");
    EXPECT_EQ(nlohmann::json::parse(read_text(file.string() + ".bak"))["udp"]["port"], 6000);
    const auto read = read_config_file(file);
    ASSERT_TRUE(read.document) << read.error;
    EXPECT_EQ((*read.document)["udp"]["port"], 6001);

    std::ofstream(folder / "bad.json") << R"({"udp": {"port": "six"}})";
    const auto bad = read_config_file(folder / "bad.json");
    EXPECT_FALSE(bad.document);
    EXPECT_NE(bad.error.find("udp.port"), std::string::npos) << bad.error;
    std::filesystem::remove_all(folder);
}

TEST(PanelConfig, ShortcutsValidatedLikeOtherKeys) {
    auto document = example();
    document["panel"] = {{"shortcuts", {{"replay", "Ctrl+Alt+R"}}}, {"flags_folder", "/flags"}};
    const auto ok = host::parse_config(document);
    ASSERT_TRUE(ok.config) << ok.error;
    EXPECT_EQ(ok.config->panel.shortcuts.replay, "Ctrl+Alt+R");
    EXPECT_EQ(ok.config->panel.shortcuts.back_to_live, "F6");
    document["panel"]["shortcuts"]["back_to_live"] = "Meta+X";
    const auto bad = host::parse_config(document);
    ASSERT_FALSE(bad.config);
    EXPECT_NE(bad.error.find("panel.shortcuts.back_to_live"), std::string::npos) << bad.error;
    document["panel"]["shortcuts"] = {{"replay_now", "F5"}};
    EXPECT_NE(host::parse_config(document).error.find("unknown key 'panel.shortcuts.replay_now'"), std::string::npos);
}

}  // namespace
}  // namespace vta::ui
