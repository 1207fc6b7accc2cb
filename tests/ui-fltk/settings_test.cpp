// The settings form: read from a config document, checked with messages naming the field, saved
// with a backup.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>

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

const std::vector<PackageSchema>& shipped() {
    static const auto schemas = package_schemas({VTA_SHIPPED_WORKFLOWS});
    return schemas;
}

PackageSettingField& setting(SettingsForm& f, const std::string& package, const std::string& key) {
    for (auto& s : f.package_settings)
        if (s.package == package && s.field.key == key) return s;
    throw std::runtime_error("no setting " + package + "." + key);
}

const nlohmann::json& package_config(const nlohmann::json& document, const std::string& package) {
    return document["workflows"]["packages"][package]["config"];
}

TEST(SettingsForm, ReadsTheDocumentAndDefaults) {
    auto f = form_from_config(example(), shipped());
    EXPECT_EQ(f.udp_port, "6000");
    EXPECT_EQ(f.udp_allow, "10.0.0.5");
    ASSERT_EQ(f.obs.size(), 1u);
    EXPECT_EQ(f.obs[0].password, "secret");
    EXPECT_EQ(setting(f, "ivr", "play_from").value, "8");
    EXPECT_EQ(setting(f, "ivr", "clip_seconds").value, "20");
    EXPECT_EQ(setting(f, "ivr", "close_viewer").value, "true");
    EXPECT_EQ(setting(f, "ivr", "clip_seconds").field.label, "Replay length (s)");
    EXPECT_EQ(f.shortcut_replay, "F5");
}

TEST(SettingsForm, EveryShippedPackageShowsItsSettings) {
    const auto f = form_from_config(nlohmann::json::object(), shipped());
    std::vector<std::string> packages;
    for (const auto& s : f.package_settings) {
        if (packages.empty() || packages.back() != s.package) packages.push_back(s.package);
        EXPECT_FALSE(s.field.doc.empty()) << s.field.key;
        EXPECT_FALSE(s.field.label.empty()) << s.field.key;
    }
    EXPECT_EQ(packages, (std::vector<std::string>{"ivr", "new-match", "scenes", "stream-recovery"}));
    EXPECT_EQ(f.package_settings.size(), 37u);
    // No value differs from the defaults, so saving the untouched form writes no package settings.
    const auto check = apply_form(f, nlohmann::json::object());
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_FALSE(check.document->contains("workflows")) << check.document->dump();
}

TEST(SettingsForm, RoundTripKeepsKeysTheFormDoesNotShow) {
    auto f = form_from_config(example(), shipped());
    setting(f, "ivr", "clip_seconds").value = "15";
    setting(f, "scenes", "live_scene").value = "Court 1 live";
    setting(f, "ivr", "close_viewer").value = "false";
    setting(f, "new-match", "name_field").value = "short_name";
    f.obs.push_back({"OBS_STR", "str", "10.0.0.9", "4456", ""});
    const auto check = apply_form(f, example());
    ASSERT_TRUE(check.document) << check.error;
    const auto& d = *check.document;
    EXPECT_EQ(d["udp"]["receive_buffer_bytes"], 16777216);
    EXPECT_EQ(d["playback"]["args"][0], "--fs");
    EXPECT_EQ(d["workflows"]["packages"]["ivr"]["grant"], nlohmann::json::array());
    EXPECT_EQ(package_config(d, "ivr"),
              (nlohmann::json{{"clip_seconds", 15}, {"play_from", 8}, {"close_viewer", false}}));
    EXPECT_TRUE(package_config(d, "ivr")["play_from"].is_number_integer());
    EXPECT_EQ(package_config(d, "scenes"), (nlohmann::json{{"live_scene", "Court 1 live"}}));
    EXPECT_EQ(package_config(d, "new-match"), (nlohmann::json{{"name_field", "short_name"}}));
    EXPECT_EQ(d["obs"].size(), 2u);
    EXPECT_FALSE(d["obs"][1].contains("password"));
    EXPECT_TRUE(host::parse_config(d).config);
}

TEST(SettingsForm, ADefaultValueRemovesTheOverride) {
    auto f = form_from_config(example(), shipped());
    setting(f, "ivr", "play_from").value = "10.0";
    const auto check = apply_form(f, example());
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_FALSE(package_config(*check.document, "ivr").contains("play_from"));
}

TEST(SettingsForm, BreakAndWinnerScenesOverrideOnlyTheSceneOfTheirRule) {
    auto f = form_from_config(example(), shipped());
    EXPECT_EQ(setting(f, "scenes", "rules.break.scene").value, "BREAK_SCENE");
    EXPECT_EQ(setting(f, "scenes", "rules.break.scene").field.label, "Break scene");
    setting(f, "scenes", "rules.break.scene").value = "Court 1 break";
    setting(f, "scenes", "rules.winner.scene").value = "Court 1 winner";
    auto check = apply_form(f, example());
    ASSERT_TRUE(check.document) << check.error;
    const auto& rules = package_config(*check.document, "scenes")["rules"];
    EXPECT_EQ(rules["break"], (nlohmann::json{{"scene", "Court 1 break"}}));
    EXPECT_EQ(rules["winner"]["scene"], "Court 1 winner");
    EXPECT_TRUE(host::parse_config(*check.document).config);

    auto read_back = form_from_config(*check.document, shipped());
    EXPECT_EQ(setting(read_back, "scenes", "rules.break.scene").value, "Court 1 break");
    EXPECT_EQ(setting(read_back, "scenes", "rules.winner.scene").value, "Court 1 winner");

    setting(read_back, "scenes", "rules.break.scene").value = "BREAK_SCENE";
    setting(read_back, "scenes", "rules.winner.scene").value = "WINNER_SCENE";
    auto document = *check.document;
    document["workflows"]["packages"]["scenes"]["config"]["rules"]["winner"]["delay"] = 0;
    check = apply_form(read_back, document);
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_EQ(package_config(*check.document, "scenes")["rules"], (nlohmann::json{{"winner", {{"delay", 0}}}}));
    document["workflows"]["packages"]["scenes"]["config"]["rules"]["winner"].erase("delay");
    check = apply_form(read_back, document);
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_FALSE(package_config(*check.document, "scenes").contains("rules"));
}

TEST(SettingsForm, FieldsFollowAnyPackagesSchema) {
    const auto folder = std::filesystem::temp_directory_path() / "vta-settings-schema";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder / "court");
    std::ofstream(folder / "court" / "manifest.json") << R"({"name": "court", "version": "1", "config": {
      "title": {"type": "string", "default": "Court 1", "doc": "shown on the stream"},
      "lanes": {"type": "integer", "default": 2, "min": 1, "max": 8, "label": "Lanes", "doc": "how many"},
      "loud": {"type": "boolean", "default": false, "doc": "sound on"},
      "mode": {"type": "string", "default": "auto", "enum": ["auto", "manual"], "doc": "how it runs"},
      "extra": {"type": "array", "default": [], "doc": "not shown: the config file only"},
      "look": {"type": "object", "default": {}, "doc": "look",
               "properties": {"colour": {"type": "string", "default": "red", "doc": "its colour"}}}}})";
    std::filesystem::create_directories(folder / "broken");
    std::ofstream(folder / "broken" / "manifest.json") << "{";
    const auto schemas = package_schemas({folder, folder / "missing"});
    ASSERT_EQ(schemas.size(), 1u);
    auto f = form_from_config(nlohmann::json::parse(R"({"workflows": {"packages": {"court":
                                                        {"config": {"lanes": 4, "loud": "yes"}}}}})"),
                              schemas);
    std::vector<std::string> shown;
    for (const auto& s : f.package_settings) shown.push_back(s.field.key + "=" + s.value);
    // A value that does not fit ("yes") shows the default.
    EXPECT_EQ(shown,
              (std::vector<std::string>{"title=Court 1", "lanes=4", "loud=false", "mode=auto", "look.colour=red"}));
    setting(f, "court", "loud").value = "true";
    setting(f, "court", "look.colour").value = "blue";
    auto check = apply_form(f, nlohmann::json::object());
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_EQ(package_config(*check.document, "court"),
              (nlohmann::json{{"lanes", 4}, {"loud", true}, {"look", {{"colour", "blue"}}}}));

    setting(f, "court", "lanes").value = "2.5";
    check = apply_form(f, nlohmann::json::object());
    EXPECT_FALSE(check.document);
    EXPECT_EQ(check.field, "court.lanes");
    EXPECT_EQ(check.error, "court.lanes: expected a whole number from 1 to 8, got 2.5");
    std::filesystem::remove_all(folder);
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
        {[](SettingsForm& f) { setting(f, "ivr", "clip_seconds").value = "ten"; }, "ivr.clip_seconds",
         "expected a number from 1 to 3600, got \"ten\""},
        {[](SettingsForm& f) { setting(f, "ivr", "play_from").value = "-1"; }, "ivr.play_from",
         "expected a number from 0 to 3600, got -1"},
        {[](SettingsForm& f) { setting(f, "stream-recovery", "restart_attempts").value = ""; },
         "stream-recovery.restart_attempts", "expected a whole number of at least 0, got \"\""},
        {[](SettingsForm& f) { f.mpv = " "; }, "mpv program", "a program"},
        {[](SettingsForm& f) { f.shortcut_replay = "Ctrl+"; }, "Shortcut replay", "F5, Ctrl+R"},
    };
    for (const auto& c : cases) {
        auto f = form_from_config(example(), shipped());
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

mode_t mode_of(const std::filesystem::path& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return 0;
    return info.st_mode & 0777;
}

const secrets::MachineIdentity test_machine{"00112233445566778899aabbccddeeff", std::nullopt};

// Save with a typed password: the value goes to the secrets file, config.json names it; both owner-only
// under umask 000; the export has no password at all.
TEST(SettingsSecrets, SaveMovesTypedPasswordsIntoTheSecretsFileAndExportCarriesNone) {
    const mode_t previous = ::umask(0);
    const auto folder = std::filesystem::temp_directory_path() / "vta-settings-secrets-test";
    std::filesystem::remove_all(folder);
    const auto config_file = folder / "restrike-vta" / "config.json";
    const std::string typed = "Typed-Pass-51d2";

    auto form = form_from_config(example());
    ASSERT_EQ(form.obs.size(), 1u);
    form.obs[0].password = typed;
    const auto check = apply_form(form, example());
    ASSERT_TRUE(check.document) << check.error;
    EXPECT_EQ((*check.document)["obs"][0]["password"], (nlohmann::json{{"secret", "obs_obs_rec"}}));
    ASSERT_EQ(save_settings(config_file, check, test_machine), "");

    EXPECT_EQ(read_text(config_file).find(typed), std::string::npos);
    EXPECT_EQ(read_text(config_file).find("\"secret\""), read_text(config_file).find("\"secret\": \"obs_obs_rec\""));
    const auto stored = secrets::read_secrets(secrets::secrets_file_beside(config_file), test_machine);
    ASSERT_TRUE(stored) << stored.error().message;
    EXPECT_EQ(stored->at("obs_obs_rec"), typed);
    EXPECT_EQ(mode_of(config_file), 0600u);
    EXPECT_EQ(mode_of(config_file.parent_path()), 0700u);
    EXPECT_EQ(mode_of(secrets::secrets_file_beside(config_file)), 0600u);

    // Read back: the stored password is not put in the form; an empty field keeps it.
    const auto saved = read_config_file(config_file);
    ASSERT_TRUE(saved.document) << saved.error;
    const auto again = form_from_config(*saved.document);
    EXPECT_EQ(again.obs[0].password, "");
    const auto kept = apply_form(again, *saved.document);
    ASSERT_TRUE(kept.document) << kept.error;
    EXPECT_EQ((*kept.document)["obs"][0]["password"], (nlohmann::json{{"secret", "obs_obs_rec"}}));
    EXPECT_TRUE(kept.secrets.empty());

    // Export of a form whose password is still plain in the document it came from.
    auto with_plain = example();
    with_plain["courts"] = {{"password", "broker-pass"}};
    const auto exported_file = folder / "exported.json";
    ASSERT_EQ(save_config_file(exported_file, without_secrets(*check.document)), "");
    const std::string exported = read_text(exported_file);
    EXPECT_EQ(exported.find(typed), std::string::npos) << exported;
    EXPECT_EQ(exported.find("\"secret\""), exported.find("\"secret\": \"obs_obs_rec\"")) << exported;
    const auto stripped = without_secrets(with_plain).dump();
    EXPECT_EQ(stripped.find("broker-pass"), std::string::npos) << stripped;
    EXPECT_EQ(stripped.find("\"secret\""), std::string::npos) << stripped;
    EXPECT_EQ(mode_of(exported_file), 0600u);

    std::filesystem::remove_all(folder);
    ::umask(previous);
}

TEST(SettingsSecrets, ASecretsFileFromAnotherMachineStopsTheSaveSayingSo) {
    const auto folder = std::filesystem::temp_directory_path() / "vta-settings-secrets-other";
    std::filesystem::remove_all(folder);
    const auto config_file = folder / "config.json";
    const secrets::MachineIdentity other{"ffeeddccbbaa99887766554433221100", std::nullopt};
    ASSERT_TRUE(secrets::write_secrets(secrets::secrets_file_beside(config_file), {{"obs_x", "x"}}, other));
    auto form = form_from_config(example());
    form.obs[0].password = "typed";
    const auto problem = save_settings(config_file, apply_form(form, example()), test_machine);
    EXPECT_NE(problem.find("another machine"), std::string::npos) << problem;
    EXPECT_NE(problem.find("nothing was saved"), std::string::npos) << problem;
    EXPECT_FALSE(std::filesystem::exists(config_file));
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
