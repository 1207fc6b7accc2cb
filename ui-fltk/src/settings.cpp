#include "vta/ui/settings.hpp"

#include <charconv>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "vta/host/config.hpp"

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

nlohmann::json& package_config(nlohmann::json& document, const char* package) {
    return document["workflows"]["packages"][package]["config"];
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) return "";
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

FormCheck fail(const std::string& field, const std::string& expected, const std::string& got) {
    return {std::nullopt, field, field + ": expected " + expected + ", got \"" + got + "\""};
}

std::optional<long> parse_integer(const std::string& text, long min, long max) {
    long value = 0;
    const auto t = trim(text);
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || value < min || value > max) return std::nullopt;
    return value;
}

std::optional<double> parse_seconds(const std::string& text) {
    const auto t = trim(text);
    double value = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || value < 0 || value > 3600) return std::nullopt;
    return value;
}

// Whole seconds are written as integers, as a person would.
nlohmann::json seconds_json(double seconds) {
    if (seconds == double(long(seconds))) return long(seconds);
    return seconds;
}

// Sets a package setting, or removes it when the field is empty (the package default applies).
void set_or_clear(nlohmann::json& document, const char* package, const char* key, const nlohmann::json& value,
                  bool empty) {
    if (!empty) {
        package_config(document, package)[key] = value;
        return;
    }
    if (find_path(document, {"workflows", "packages", package, "config"}))
        document["workflows"]["packages"][package]["config"].erase(key);
}

// The scene of one of the scenes package's rules (workflows.packages.scenes.config.rules.<rule>.scene):
// the package merges it into its own rule, so the rule's other keys keep their defaults.
void set_or_clear_rule_scene(nlohmann::json& document, const char* rule, const std::string& scene) {
    if (!scene.empty()) {
        package_config(document, "scenes")["rules"][rule]["scene"] = scene;
        return;
    }
    if (!find_path(document, {"workflows", "packages", "scenes", "config", "rules", rule})) return;
    auto& rules = package_config(document, "scenes")["rules"];
    rules[rule].erase("scene");
    if (rules[rule].empty()) rules.erase(rule);
    if (rules.empty()) package_config(document, "scenes").erase("rules");
}

}  // namespace

SettingsForm form_from_config(const nlohmann::json& d) {
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
                             text_of(c, {"password"})});
    f.ivr_scene = text_of(d, {"workflows", "packages", "ivr", "config", "ivr_scene"});
    f.live_scene = text_of(d, {"workflows", "packages", "ivr", "config", "live_scene"});
    f.break_scene = text_of(d, {"workflows", "packages", "scenes", "config", "rules", "break", "scene"});
    f.winner_scene = text_of(d, {"workflows", "packages", "scenes", "config", "rules", "winner", "scene"});
    f.recordings_root = text_of(d, {"workflows", "packages", "new-match", "config", "recordings_root"});
    f.name_template = text_of(d, {"workflows", "packages", "new-match", "config", "filename_template"});
    f.replay_seconds = text_of(d, {"workflows", "packages", "ivr", "config", "clip_seconds"});
    f.play_from_seconds = text_of(d, {"workflows", "packages", "ivr", "config", "play_from"});
    f.mpv = or_default({"playback", "mpv"});
    f.flags_folder = text_of(d, {"panel", "flags_folder"});
    f.shortcut_replay = or_default({"panel", "shortcuts", "replay"});
    f.shortcut_back_to_live = or_default({"panel", "shortcuts", "back_to_live"});
    f.shortcut_manual = or_default({"panel", "shortcuts", "manual_mode"});
    return f;
}

FormCheck apply_form(const SettingsForm& f, const nlohmann::json& base) {
    nlohmann::json d = base.is_object() ? base : nlohmann::json::object();

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
        if (!c.password.empty()) connection["password"] = c.password;
        connections.push_back(connection);
    }
    d["obs"] = connections;

    set_or_clear(d, "ivr", "ivr_scene", trim(f.ivr_scene), trim(f.ivr_scene).empty());
    set_or_clear(d, "ivr", "live_scene", trim(f.live_scene), trim(f.live_scene).empty());
    set_or_clear(d, "scenes", "live_scene", trim(f.live_scene), trim(f.live_scene).empty());
    set_or_clear_rule_scene(d, "break", trim(f.break_scene));
    set_or_clear_rule_scene(d, "winner", trim(f.winner_scene));
    set_or_clear(d, "new-match", "recordings_root", trim(f.recordings_root), trim(f.recordings_root).empty());
    set_or_clear(d, "new-match", "filename_template", trim(f.name_template), trim(f.name_template).empty());
    std::optional<double> replay, play_from;
    if (!trim(f.replay_seconds).empty() && !(replay = parse_seconds(f.replay_seconds)))
        return fail("Replay length", "seconds from 0 to 3600", f.replay_seconds);
    if (!trim(f.play_from_seconds).empty() && !(play_from = parse_seconds(f.play_from_seconds)))
        return fail("Play from", "seconds from 0 to 3600", f.play_from_seconds);
    if (replay && play_from && *play_from >= *replay)
        return fail("Play from", "fewer seconds than the replay length (" + trim(f.replay_seconds) + ")",
                    f.play_from_seconds);
    set_or_clear(d, "ivr", "clip_seconds", seconds_json(replay.value_or(0)), !replay);
    set_or_clear(d, "ivr", "play_from", seconds_json(play_from.value_or(0)), !play_from);

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
    if (const auto parsed = host::parse_config(d); !parsed.config) return {std::nullopt, "config", parsed.error};
    return {d, "", ""};
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
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    if (std::filesystem::exists(file)) {
        std::filesystem::copy_file(file, file.string() + ".bak", std::filesystem::copy_options::overwrite_existing, ec);
        if (ec) return "cannot keep a backup of " + file.string() + ": " + ec.message() + " (nothing was saved)";
    }
    // Written beside the file and renamed over it, so a failed write leaves the old config whole.
    const std::filesystem::path temporary = file.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << document.dump(2) << "\n";
        if (!out) return "cannot write " + temporary.string() + " (nothing was saved)";
    }
    std::filesystem::rename(temporary, file, ec);
    if (ec) return "cannot replace " + file.string() + ": " + ec.message();
    return "";
}

}  // namespace vta::ui
