// The settings form as text fields, read from and written back into the config file's JSON. Keys the
// form does not show are kept as they are. Checking names the field and what it expects.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/bindings/runtime.hpp"

namespace vta::ui {

struct ObsConnectionFields {
    std::string name, role, host, port, password;
};

// A workflow package's settings: manifest.json's "config" schema.
struct PackageSchema {
    std::string package;
    std::vector<bindings::ConfigField> fields;
};

// The packages under `roots` (each folder with a valid manifest.json; the first of a name wins), by name.
std::vector<PackageSchema> package_schemas(const std::vector<std::filesystem::path>& roots);

// One setting of a package in the form: each string, number, integer and boolean setting of its schema,
// an object's declared properties included ("rules.break.scene"). `value` is its text: the operator's
// value, else the default; "true"/"false" for a boolean. It is saved under
// workflows.packages.<package>.config.<key> only when it differs from the default.
struct PackageSettingField {
    std::string package;
    bindings::ConfigField field;
    std::string value;
};

struct SettingsForm {
    std::string udp_bind, udp_port, udp_allow;  // allow: addresses separated by commas
    std::vector<ObsConnectionFields> obs;
    std::vector<PackageSettingField> package_settings;  // package by package, in schema order
    std::string mpv;
    std::string flags_folder;
    std::string shortcut_replay, shortcut_back_to_live, shortcut_manual;
};

SettingsForm form_from_config(const nlohmann::json& document, const std::vector<PackageSchema>& packages = {});

struct FormCheck {
    std::optional<nlohmann::json> document;  // the config to write, when the form is valid
    std::string field;                       // the field at fault, e.g. "UDP port" or "ivr.clip_seconds"
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
