// The settings form as text fields, read from and written back into the config file's JSON. Keys the
// form does not show are kept as they are. Checking names the field and what it expects.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vta::ui {

struct ObsConnectionFields {
    std::string name, role, host, port, password;
};

// Workflow package settings live under workflows.packages.<package>.config.<key>; an empty field
// leaves the package's own default.
struct SettingsForm {
    std::string udp_bind, udp_port, udp_allow;  // allow: addresses separated by commas
    std::vector<ObsConnectionFields> obs;
    std::string ivr_scene, live_scene;              // ivr (and scenes: live_scene)
    std::string break_scene, winner_scene;          // scenes: the scene of its "break" and "winner" rules
    std::string recordings_root, name_template;     // new-match
    std::string replay_seconds, play_from_seconds;  // ivr clip_seconds and play_from
    std::string mpv;
    std::string flags_folder;
    std::string shortcut_replay, shortcut_back_to_live, shortcut_manual;
};

SettingsForm form_from_config(const nlohmann::json& document);

struct FormCheck {
    std::optional<nlohmann::json> document;  // the config to write, when the form is valid
    std::string field;                       // the field at fault, e.g. "UDP port"
    std::string error;                       // "UDP port: expected a number from 1 to 65535, got \"60a\""
};

// `base`: the document the form was read from; every field of the form replaces its key in it.
FormCheck apply_form(const SettingsForm& form, const nlohmann::json& base);

struct ConfigFile {
    std::optional<nlohmann::json> document;
    std::string error;
};

// Reads and validates a config file (for import, and the panel's start). A missing file is `{}`.
ConfigFile read_config_file(const std::filesystem::path& file);
// Writes `document`, first copying an existing file to <file>.bak. Returns "" or what went wrong.
std::string save_config_file(const std::filesystem::path& file, const nlohmann::json& document);

}  // namespace vta::ui
