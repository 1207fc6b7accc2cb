#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>

#include "vta/bindings/runtime.hpp"

namespace vta::bindings {

std::string_view to_string(PackageState state) {
    switch (state) {
        case PackageState::loaded:
            return "loaded";
        case PackageState::running:
            return "running";
        case PackageState::error:
            return "error";
        case PackageState::disabled:
            return "disabled";
    }
    return "unknown";
}

std::string_view to_string(ConfigType type) {
    switch (type) {
        case ConfigType::string:
            return "string";
        case ConfigType::number:
            return "number";
        case ConfigType::integer:
            return "integer";
        case ConfigType::boolean:
            return "boolean";
        case ConfigType::object:
            return "object";
        case ConfigType::array:
            return "array";
    }
    return "unknown";
}

namespace {

constexpr std::size_t shown_value_chars = 60;

bool fits_type(ConfigType type, const nlohmann::json& v) {
    switch (type) {
        case ConfigType::string:
            return v.is_string();
        case ConfigType::number:
            return v.is_number();
        case ConfigType::integer:
            return v.is_number_integer() || (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>());
        case ConfigType::boolean:
            return v.is_boolean();
        case ConfigType::object:
            return v.is_object();
        case ConfigType::array:
            return v.is_array();
    }
    return false;
}

std::string number_text(double x) {
    nlohmann::json j = x;
    if (std::floor(x) == x && std::abs(x) < 1e15) j = static_cast<std::int64_t>(x);
    return j.dump();
}

std::string expected(const ConfigField& f) {
    if (!f.choices.empty()) {
        std::string list;
        for (const auto& c : f.choices) list += (list.empty() ? "" : ", ") + c.dump();
        return "one of " + list;
    }
    static const char* const nouns[] = {"a string",      "a number",  "a whole number",
                                        "true or false", "an object", "an array"};
    std::string what = nouns[static_cast<int>(f.type)];
    if (f.min && f.max)
        what += " from " + number_text(*f.min) + " to " + number_text(*f.max);
    else if (f.min)
        what += " of at least " + number_text(*f.min);
    else if (f.max)
        what += " of at most " + number_text(*f.max);
    return what;
}

std::string shown(const nlohmann::json& v) {
    std::string text = v.dump();
    if (text.size() > shown_value_chars) text = text.substr(0, shown_value_chars) + "...";
    return text;
}

std::string last_segment(const std::string& key) { return key.substr(key.rfind('.') + 1); }

bool fits(const ConfigField& f, const nlohmann::json& v) {
    if (!fits_type(f.type, v)) return false;
    if (!f.choices.empty() && std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end()) return false;
    if (v.is_number()) {
        const double x = v.get<double>();
        if ((f.min && x < *f.min) || (f.max && x > *f.max)) return false;
    }
    return true;
}

struct Problem {
    const ConfigField* field;
    std::string message;
};

// Copies into `kept` what of `v` fits `f`; an object keeps its keys that fit. False when nothing does.
bool fit(const ConfigField& f, const nlohmann::json& v, nlohmann::json& kept, std::vector<Problem>& problems) {
    if (!fits(f, v)) {
        problems.push_back({&f, "expected " + expected(f) + ", got " + shown(v)});
        return false;
    }
    kept = v;
    for (const auto& p : f.properties) {
        const std::string name = last_segment(p.key);
        const auto it = v.find(name);
        if (it == v.end() || (it->is_null() && p.type == ConfigType::object)) continue;  // null removes it
        nlohmann::json sub;
        if (fit(p, *it, sub, problems))
            kept[name] = std::move(sub);
        else
            kept.erase(name);
    }
    return true;
}

// nlohmann's ordered_json keeps the manifest's order; values go on as plain json.
using Ordered = nlohmann::ordered_json;

nlohmann::json plain(const Ordered& j) { return nlohmann::json::parse(j.dump()); }

bool parse_fields(const Ordered& j, const std::string& prefix, std::vector<ConfigField>& out, std::string& error);

bool parse_field(const std::string& key, const Ordered& j, ConfigField& f, std::string& error) {
    const std::string where = "manifest.json: config." + key + ": ";
    if (!j.is_object()) {
        error = where + "expected a setting {\"type\", \"default\", \"doc\"}, got " + shown(plain(j));
        return false;
    }
    static const std::set<std::string> attributes = {"type", "default", "doc", "label",
                                                     "enum", "min",     "max", "properties"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!attributes.count(it.key())) {
            error = where + "unknown attribute \"" + it.key() +
                    "\" (known: type, default, doc, label, enum, min, max, properties)";
            return false;
        }
    f.key = key;
    static const std::pair<const char*, ConfigType> types[] = {
        {"string", ConfigType::string},   {"number", ConfigType::number}, {"integer", ConfigType::integer},
        {"boolean", ConfigType::boolean}, {"object", ConfigType::object}, {"array", ConfigType::array}};
    bool typed = false;
    if (j.contains("type") && j["type"].is_string())
        for (const auto& [name, type] : types)
            if (j["type"] == name) {
                f.type = type;
                typed = true;
            }
    if (!typed) {
        error = where + "\"type\" must be one of string, number, integer, boolean, object, array";
        return false;
    }
    if (!j.contains("doc") || !j["doc"].is_string() || j["doc"].get<std::string>().empty()) {
        error = where + "\"doc\" is required: one line saying what the setting does";
        return false;
    }
    f.doc = j["doc"].get<std::string>();
    if (j.contains("label")) {
        if (!j["label"].is_string()) {
            error = where + "\"label\" must be a string";
            return false;
        }
        f.label = j["label"].get<std::string>();
    }
    const bool numeric = f.type == ConfigType::number || f.type == ConfigType::integer;
    for (const char* bound : {"min", "max"}) {
        if (!j.contains(bound)) continue;
        if (!numeric || !j[bound].is_number()) {
            error = where + "\"" + bound + "\" must be a number, on a number or integer setting";
            return false;
        }
        (bound[1] == 'i' ? f.min : f.max) = j[bound].get<double>();
    }
    if (f.min && f.max && *f.min > *f.max) {
        error = where + "\"min\" is above \"max\"";
        return false;
    }
    if (j.contains("enum")) {
        if (!j["enum"].is_array() || j["enum"].empty() || !(numeric || f.type == ConfigType::string)) {
            error = where + "\"enum\" must be a non-empty array, on a string, number or integer setting";
            return false;
        }
        for (const auto& c : j["enum"]) {
            if (!fits_type(f.type, plain(c))) {
                ConfigField plain_field;  // its type without the choices being checked
                plain_field.type = f.type;
                error = where + "\"enum\" value " + c.dump() + " is not " + expected(plain_field);
                return false;
            }
            f.choices.push_back(plain(c));
        }
    }
    if (j.contains("properties")) {
        if (f.type != ConfigType::object || !j["properties"].is_object()) {
            error = where + "\"properties\" must be an object of settings, on an object setting";
            return false;
        }
        if (!parse_fields(j["properties"], key + ".", f.properties, error)) return false;
    }
    if (!j.contains("default") && !(f.type == ConfigType::object && j.contains("properties"))) {
        error = where + "\"default\" is required";
        return false;
    }
    f.default_value = j.contains("default") ? plain(j["default"]) : nlohmann::json::object();
    std::vector<Problem> problems;
    nlohmann::json kept;
    if (!fit(f, f.default_value, kept, problems)) {
        error = where + "\"default\" does not fit: " + problems.front().message;
        return false;
    }
    for (const auto& p : f.properties) f.default_value[last_segment(p.key)] = p.default_value;
    return true;
}

bool parse_fields(const Ordered& j, const std::string& prefix, std::vector<ConfigField>& out, std::string& error) {
    static const std::regex key_pattern("[A-Za-z_][A-Za-z0-9_-]{0,63}");
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (!std::regex_match(it.key(), key_pattern)) {
            error = "manifest.json: config." + prefix + it.key() +
                    ": a setting's name is 1-64 of A-Z a-z 0-9 _ - and starts with a letter or _";
            return false;
        }
        ConfigField f;
        if (!parse_field(prefix + it.key(), it.value(), f, error)) return false;
        out.push_back(std::move(f));
    }
    return true;
}

bool text_field(const Ordered& j, const char* key, bool required, std::string& out, std::string& error) {
    if (!j.contains(key)) {
        if (required) error = std::string("manifest.json: \"") + key + "\" is required";
        return !required;
    }
    if (!j[key].is_string()) {
        error = std::string("manifest.json: \"") + key + "\" must be a string";
        return false;
    }
    out = j[key].get<std::string>();
    return true;
}

bool parse_manifest(std::string_view text, Manifest& manifest, std::string& error) {
    Ordered j = Ordered::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        error = "manifest.json: not a JSON object";
        return false;
    }
    static const std::set<std::string> known_keys = {"name",        "version", "author", "description",
                                                     "permissions", "config",  "main"};
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!known_keys.count(it.key())) {
            error = "manifest.json: unknown key \"" + it.key() + "\"";
            return false;
        }
    Manifest m;
    if (!text_field(j, "name", true, m.name, error) || !text_field(j, "version", true, m.version, error) ||
        !text_field(j, "author", false, m.author, error) ||
        !text_field(j, "description", false, m.description, error) || !text_field(j, "main", false, m.main, error))
        return false;
    if (!std::regex_match(m.name, std::regex("[a-z0-9][a-z0-9_-]{0,63}"))) {
        error = "manifest.json: \"name\" must be 1-64 of a-z 0-9 _ - (got \"" + m.name + "\")";
        return false;
    }
    if (!std::regex_match(m.main, std::regex("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.lua"))) {
        error = "manifest.json: \"main\" must be a .lua file inside the package";
        return false;
    }
    static const std::set<std::string> permissions = {"os", "io", "ffi", "debug", "loadlib", "overlay", "courts"};
    if (j.contains("permissions")) {
        if (!j["permissions"].is_array()) {
            error = "manifest.json: \"permissions\" must be an array of strings";
            return false;
        }
        for (const auto& p : j["permissions"]) {
            if (!p.is_string() || !permissions.count(p.get<std::string>())) {
                error = "manifest.json: unknown permission " + p.dump() +
                        " (known: os, io, ffi, debug, loadlib, overlay, courts)";
                return false;
            }
            m.permissions.push_back(p.get<std::string>());
        }
    }
    if (j.contains("config")) {
        if (!j["config"].is_object()) {
            error = "manifest.json: \"config\" must be an object of settings";
            return false;
        }
        if (!parse_fields(j["config"], "", m.config, error)) return false;
    }
    manifest = std::move(m);
    return true;
}

}  // namespace

vta::Result<Manifest> parse_manifest(std::string_view text) {
    Manifest manifest;
    std::string error;
    if (!parse_manifest(text, manifest, error)) return vta::Error(vta::Errc::invalid_config, std::move(error));
    return manifest;
}

vta::Result<Manifest> read_manifest(const std::filesystem::path& folder) {
    std::ifstream in(folder / "manifest.json", std::ios::binary);
    if (!in)
        return vta::Error(vta::Errc::invalid_config,
                          "manifest.json: cannot open " + (folder / "manifest.json").string());
    std::stringstream text;
    text << in.rdbuf();
    return parse_manifest(text.str());
}

nlohmann::json config_defaults(const std::vector<ConfigField>& schema) {
    nlohmann::json defaults = nlohmann::json::object();
    for (const auto& f : schema) defaults[f.key] = f.default_value;
    return defaults;
}

std::string check_config_value(const ConfigField& field, const nlohmann::json& value) {
    std::vector<Problem> problems;
    nlohmann::json kept;
    fit(field, value, kept, problems);
    if (problems.empty()) return "";
    const Problem& p = problems.front();
    return p.field == &field ? p.message : "'" + p.field->key + "': " + p.message;
}

ConfigCheck check_config(const std::vector<ConfigField>& schema, const nlohmann::json& values) {
    ConfigCheck check;
    if (values.is_null()) return check;
    if (!values.is_object()) {
        check.problems.push_back("config: expected an object of settings, got " + shown(values) +
                                 " (the defaults apply)");
        return check;
    }
    for (auto it = values.begin(); it != values.end(); ++it) {
        const auto f =
            std::find_if(schema.begin(), schema.end(), [&](const ConfigField& c) { return c.key == it.key(); });
        if (f == schema.end()) {
            std::string known;
            for (const auto& c : schema) known += (known.empty() ? "" : ", ") + c.key;
            check.problems.push_back("config '" + it.key() + "': not a setting of this package (settings: " +
                                     (known.empty() ? "none" : known) + ")");
            continue;
        }
        std::vector<Problem> problems;
        nlohmann::json kept;
        if (fit(*f, it.value(), kept, problems)) check.values[it.key()] = std::move(kept);
        for (const auto& p : problems)
            check.problems.push_back("config '" + p.field->key + "': " + p.message + " (the default " +
                                     shown(p.field->default_value) + " applies)");
    }
    return check;
}

}  // namespace vta::bindings
