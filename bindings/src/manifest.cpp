#include <fstream>
#include <regex>
#include <set>

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

namespace {

bool text_field(const nlohmann::json& j, const char* key, bool required, std::string& out, std::string& error) {
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

}  // namespace

bool read_manifest(const std::filesystem::path& folder, Manifest& manifest, std::string& error) {
    std::ifstream in(folder / "manifest.json");
    if (!in) {
        error = "manifest.json: cannot open " + (folder / "manifest.json").string();
        return false;
    }
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
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
    static const std::set<std::string> permissions = {"os", "io", "ffi", "debug", "loadlib"};
    if (j.contains("permissions")) {
        if (!j["permissions"].is_array()) {
            error = "manifest.json: \"permissions\" must be an array of strings";
            return false;
        }
        for (const auto& p : j["permissions"]) {
            if (!p.is_string() || !permissions.count(p.get<std::string>())) {
                error = "manifest.json: unknown permission " + p.dump() + " (known: os, io, ffi, debug, loadlib)";
                return false;
            }
            m.permissions.push_back(p.get<std::string>());
        }
    }
    if (j.contains("config")) {
        if (!j["config"].is_object()) {
            error = "manifest.json: \"config\" must be an object";
            return false;
        }
        m.config = j["config"];
    }
    manifest = std::move(m);
    return true;
}

}  // namespace vta::bindings
