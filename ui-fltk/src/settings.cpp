#include "vta/ui/settings.hpp"

#include <charconv>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>

#include "vta/common/owner_only.hpp"
#include "vta/host/config.hpp"
#include "vta/secrets/secrets_file.hpp"

namespace vta::ui {

namespace {

const nlohmann::json* find_path(const nlohmann::json& j, std::initializer_list<const char*> path) {
    const nlohmann::json* at = &j;
    for (const char* key : path) {
        if (!at->is_object() || !at->contains(key)) return nullptr;
        at = &(*at)[key];
    }
    return at;
}

std::string text_of(const nlohmann::json& j, std::initializer_list<const char*> path) {
    const auto* v = find_path(j, path);
    if (!v || v->is_null()) return "";
    return v->is_string() ? v->get<std::string>() : v->dump();
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

FormCheck fail(const std::string& field, const std::string& expected, const std::string& got) {
    return {std::nullopt, {}, field, field + ": expected " + expected + ", got \"" + got + "\""};
}

std::optional<long> parse_integer(const std::string& text, long min, long max) {
    long value = 0;
    const auto t = trim(text);
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || value < min || value > max) return std::nullopt;
    return value;
}

// A package setting's place in the document: workflows.packages.<package>.config, then the dotted key.
std::vector<std::string> setting_path(const PackageSettingField& s) {
    std::vector<std::string> path = {"workflows", "packages", s.package, "config"};
    std::stringstream key(s.field.key);
    for (std::string part; std::getline(key, part, '.');) path.push_back(part);
    return path;
}

const nlohmann::json* find_setting(const nlohmann::json& document, const std::vector<std::string>& path) {
    const nlohmann::json* at = &document;
    for (const auto& key : path) {
        if (!at->is_object() || !at->contains(key)) return nullptr;
        at = &(*at)[key];
    }
    return at;
}

// Removes the operator's value so the default applies, and the objects it leaves empty below "config".
void clear_setting(nlohmann::json& document, const std::vector<std::string>& path) {
    std::vector<nlohmann::json*> chain = {&document};
    for (const auto& key : path) {
        if (!chain.back()->is_object() || !chain.back()->contains(key)) return;
        chain.push_back(&(*chain.back())[key]);
    }
    const std::size_t config_depth = 4;  // chain[4] is the package's "config"
    for (std::size_t i = path.size(); i > config_depth; --i) {
        chain[i - 1]->erase(path[i - 1]);
        if (!chain[i - 1]->empty()) break;
    }
}

void set_setting(nlohmann::json& document, const std::vector<std::string>& path, const nlohmann::json& value) {
    nlohmann::json* at = &document;
    for (const auto& key : path) {
        if (!at->is_object()) *at = nlohmann::json::object();
        at = &(*at)[key];
    }
    *at = value;
}

void add_fields(const std::string& package, const std::vector<bindings::ConfigField>& fields,
                std::vector<PackageSettingField>& out) {
    for (const auto& f : fields) {
        if (f.type == bindings::ConfigType::object)
            add_fields(package, f.properties, out);
        else if (f.type != bindings::ConfigType::array)
            out.push_back({package, f, ""});
    }
}

std::string setting_text(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
}

// The form's text as the setting's JSON value; text that is no number stays a string, so the schema's
// check names what was expected.
nlohmann::json setting_value(const bindings::ConfigField& f, const std::string& text) {
    using bindings::ConfigType;
    if (f.type == ConfigType::string) return text;
    if (f.type == ConfigType::boolean)
        return text == "true" ? nlohmann::json(true) : text == "false" ? nlohmann::json(false) : nlohmann::json(text);
    const auto t = trim(text);
    double value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return text;
    // Whole numbers are written as integers, as a person would.
    if (value == double(std::int64_t(value))) return std::int64_t(value);
    return value;
}

// The secret the connection named `name` in `base` refers to for its password, if any.
std::optional<std::string> password_secret(const nlohmann::json& base, const std::string& name) {
    const auto* obs = find_path(base, {"obs"});
    if (!obs || !obs->is_array()) return std::nullopt;
    for (const auto& c : *obs)
        if (text_of(c, {"name"}) == name)
            if (const auto* secret = find_path(c, {"password", "secret"}); secret && secret->is_string())
                return secret->get<std::string>();
    return std::nullopt;
}

std::optional<std::string> read_whole_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void remove_passwords(nlohmann::json& j) {
    if (j.is_object() && j.contains("password") && j["password"].is_string()) j.erase("password");
    if (j.is_object() || j.is_array())
        for (auto& item : j) remove_passwords(item);
}

}  // namespace

std::vector<PackageSchema> package_schemas(const std::vector<std::filesystem::path>& roots) {
    std::map<std::string, PackageSchema> by_name;
    for (const auto& root : roots) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
            if (!entry.is_directory()) continue;
            auto manifest = bindings::read_manifest(entry.path());
            if (manifest)
                by_name.try_emplace(manifest->name, PackageSchema{manifest->name, std::move(manifest->config)});
        }
    }
    std::vector<PackageSchema> schemas;
    for (auto& [name, schema] : by_name) schemas.push_back(std::move(schema));
    return schemas;
}

SettingsForm form_from_config(const nlohmann::json& d, const std::vector<PackageSchema>& packages) {
    SettingsForm f;
    const auto defaults = host::default_config_json();
    auto or_default = [&](std::initializer_list<const char*> path) {
        const auto text = text_of(d, path);
        return text.empty() ? text_of(defaults, path) : text;
    };
    f.udp_bind = or_default({"udp", "bind"});
    f.udp_port = or_default({"udp", "port"});
    if (const auto* allow = find_path(d, {"udp", "allow"}); allow && allow->is_array())
        for (const auto& a : *allow) f.udp_allow += (f.udp_allow.empty() ? "" : ", ") + a.get<std::string>();
    if (const auto* obs = find_path(d, {"obs"}); obs && obs->is_array())
        for (const auto& c : *obs)
            f.obs.push_back({text_of(c, {"name"}), text_of(c, {"role"}), text_of(c, {"host"}), text_of(c, {"port"}),
                             c.contains("password") && c["password"].is_string() ? c["password"].get<std::string>()
                                                                                 : std::string()});
    for (const auto& package : packages) {
        const auto first = f.package_settings.size();
        add_fields(package.package, package.fields, f.package_settings);
        for (auto i = first; i < f.package_settings.size(); ++i) {
            auto& setting = f.package_settings[i];
            const auto* value = find_setting(d, setting_path(setting));
            const bool fits = value && bindings::check_config_value(setting.field, *value).empty();
            setting.value = setting_text(fits ? *value : setting.field.default_value);
        }
    }
    f.mpv = or_default({"playback", "mpv"});
    f.flags_folder = text_of(d, {"panel", "flags_folder"});
    f.shortcut_replay = or_default({"panel", "shortcuts", "replay"});
    f.shortcut_back_to_live = or_default({"panel", "shortcuts", "back_to_live"});
    f.shortcut_manual = or_default({"panel", "shortcuts", "manual_mode"});
    return f;
}

FormCheck apply_form(const SettingsForm& f, const nlohmann::json& base) {
    nlohmann::json d = base.is_object() ? base : nlohmann::json::object();
    vta::secrets::Secrets secrets;

    if (trim(f.udp_bind).empty()) return fail("UDP bind address", "an IP address such as 0.0.0.0", f.udp_bind);
    d["udp"]["bind"] = trim(f.udp_bind);
    const auto port = parse_integer(f.udp_port, 1, 65535);
    if (!port) return fail("UDP port", "a number from 1 to 65535", f.udp_port);
    d["udp"]["port"] = *port;
    nlohmann::json allow = nlohmann::json::array();
    std::stringstream list(f.udp_allow);
    for (std::string item; std::getline(list, item, ',');)
        if (!trim(item).empty()) allow.push_back(trim(item));
    d["udp"]["allow"] = allow;

    nlohmann::json connections = nlohmann::json::array();
    for (std::size_t i = 0; i < f.obs.size(); ++i) {
        const auto& c = f.obs[i];
        const std::string row = "OBS connection " + std::to_string(i + 1);
        if (trim(c.name).empty() && trim(c.host).empty() && trim(c.port).empty()) continue;  // an empty row
        if (trim(c.name).empty()) return fail(row + " name", "a name such as OBS_REC", c.name);
        if (c.role != "rec" && c.role != "str" && c.role != "both")
            return fail(row + " role", "rec, str or both", c.role);
        const auto obs_port = parse_integer(c.port, 1, 65535);
        if (!obs_port) return fail(row + " port", "a number from 1 to 65535", c.port);
        nlohmann::json connection{{"name", trim(c.name)}, {"role", c.role}, {"port", *obs_port}};
        if (!trim(c.host).empty()) connection["host"] = trim(c.host);
        const auto secret = password_secret(base, trim(c.name));
        if (!c.password.empty()) {
            connection["password"] = {{"secret", secret.value_or(secrets::obs_password_secret_name(trim(c.name)))}};
            secrets[connection["password"]["secret"].get<std::string>()] = c.password;
        } else if (secret) {
            connection["password"] = {{"secret", *secret}};
        }
        connections.push_back(connection);
    }
    d["obs"] = connections;

    for (const auto& setting : f.package_settings) {
        const auto value = setting_value(setting.field, setting.value);
        const auto name = setting.package + "." + setting.field.key;
        if (const auto problem = bindings::check_config_value(setting.field, value); !problem.empty())
            return {std::nullopt, {}, name, name + ": " + problem};
        if (value == setting.field.default_value)
            clear_setting(d, setting_path(setting));
        else
            set_setting(d, setting_path(setting), value);
    }

    if (trim(f.mpv).empty()) return fail("mpv program", "a program name or path such as mpv", f.mpv);
    d["playback"]["mpv"] = trim(f.mpv);
    d["panel"]["flags_folder"] = trim(f.flags_folder);
    const std::pair<const char*, const std::string*> shortcuts[] = {{"replay", &f.shortcut_replay},
                                                                    {"back_to_live", &f.shortcut_back_to_live},
                                                                    {"manual_mode", &f.shortcut_manual}};
    for (const auto& [key, value] : shortcuts) {
        if (!host::valid_shortcut(trim(*value)))
            return fail(std::string("Shortcut ") + key, "a key such as F5, Ctrl+R or Alt+Shift+B", *value);
        d["panel"]["shortcuts"][key] = trim(*value);
    }

    // The form's own checks name the field; the host's parser still has the last word.
    if (const auto parsed = host::parse_config(d); !parsed.config) return {std::nullopt, {}, "config", parsed.error};
    return {d, std::move(secrets), "", ""};
}

ConfigFile read_config_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        if (!std::filesystem::exists(file)) return {nlohmann::json::object(), ""};
        return {std::nullopt, "cannot read " + file.string()};
    }
    std::stringstream text;
    text << in.rdbuf();
    auto document = nlohmann::json::parse(text.str(), nullptr, false);
    if (document.is_discarded()) return {std::nullopt, file.string() + ": not valid JSON"};
    if (const auto parsed = host::parse_config(document); !parsed.config)
        return {std::nullopt, file.string() + ": " + parsed.error};
    return {std::move(document), ""};
}

std::string save_config_file(const std::filesystem::path& file, const nlohmann::json& document) {
    if (std::filesystem::exists(file)) {
        auto backup = read_whole_file(file);
        if (!backup) return "cannot keep a backup of " + file.string() + " (nothing was saved)";
        if (auto kept = write_owner_only_file(file.string() + ".bak", *backup); !kept)
            return "cannot keep a backup of " + file.string() + ": " + kept.error().message + " (nothing was saved)";
    }
    // Owner-only, written beside the file and renamed over it, so a failed write leaves the old config whole.
    if (auto written = write_owner_only_file(file, document.dump(2) + "\n"); !written)
        return written.error().message + " (nothing was saved)";
    return "";
}

std::string save_settings(const std::filesystem::path& config_file, const FormCheck& check,
                          const secrets::MachineIdentity& machine) {
    if (!check.document) return check.error;
    if (!check.secrets.empty()) {
        const auto file = secrets::secrets_file_beside(config_file);
        auto stored = secrets::read_secrets(file, machine);
        if (!stored)
            return stored.error().message +
                   " (nothing was saved; `vta secret delete` or removing the file starts over)";
        for (const auto& [name, value] : check.secrets) (*stored)[name] = value;
        if (auto written = secrets::write_secrets(file, *stored, machine); !written)
            return written.error().message + " (nothing was saved)";
    }
    return save_config_file(config_file, *check.document);
}

nlohmann::json without_secrets(const nlohmann::json& document) {
    nlohmann::json copy = document;
    remove_passwords(copy);
    return copy;
}

}  // namespace vta::ui
