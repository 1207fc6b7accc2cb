// The settings form as text fields, read from and written back into the config file's JSON. Keys the
// form does not show are kept as they are. Checking names the field and what it expects.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/bindings/runtime.hpp"
#include "vta/secrets/secrets_file.hpp"

namespace vta::ui {

// `password` is what the operator typed: a password kept in the secrets file is not read back into the form,
// so an empty field keeps the stored one.
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
    vta::secrets::Secrets secrets;           // typed passwords, for the secrets file; the document names them
    std::string field;                       // the field at fault, e.g. "UDP port" or "ivr.clip_seconds"
    std::string error;                       // "UDP port: expected a number from 1 to 65535, got \"60a\""
};

// `base`: the document the form was read from; every field of the form replaces its key in it. A typed OBS
// password goes to `secrets` under the name the connection already refers to, else obs_<name>, and the
// document refers to it: "password": {"secret": "obs_rec"}.
FormCheck apply_form(const SettingsForm& form, const nlohmann::json& base);

struct ConfigFile {
    std::optional<nlohmann::json> document;
    std::string error;
};

// Reads and validates a config file (for import, and the panel's start). A missing file is `{}`.
ConfigFile read_config_file(const std::filesystem::path& file);
// Writes `document` owner-only (0600), first copying an existing file to <file>.bak. Returns "" or what went
// wrong.
std::string save_config_file(const std::filesystem::path& file, const nlohmann::json& document);

// The panel's Save: the typed passwords into the secrets file beside `config_file` (merged with those there),
// then the config. Returns "" or what went wrong; nothing is saved when the secrets file cannot be read.
std::string save_settings(const std::filesystem::path& config_file, const FormCheck& check,
                          const secrets::MachineIdentity& machine);

// `document` for export: without any password written in it (refs to the secrets file stay; they are names).
nlohmann::json without_secrets(const nlohmann::json& document);

}  // namespace vta::ui
