#include "vta/host/config.hpp"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <regex>
#include <sstream>

#include <fmt/format.h>

namespace vta::host {

namespace {

// Walks one JSON object, checking that it holds only known keys and that each value has the
// expected type and range; the first problem becomes the error message.
class ObjectReader {
public:
    ObjectReader(const nlohmann::json& object, std::string path, std::string& error)
        : object_(object), path_(std::move(path)), error_(error) {}

    bool only_keys(std::initializer_list<const char*> known) {
        return only_keys(std::vector<std::string>(known.begin(), known.end()));
    }

    bool only_keys(const std::vector<std::string>& known) {
        if (!object_.is_object()) return fail(path_.empty() ? "the configuration" : path_, "an object");
        for (const auto& [key, value] : object_.items()) {
            if (std::find(known.begin(), known.end(), key) != known.end()) continue;
            std::string list;
            for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
            error_ = "unknown key '" + name(key) + "' (expected one of: " + list + ")";
            return false;
        }
        return true;
    }

    bool integer(const char* key, int& out, long min, long max) {
        if (!object_.contains(key)) return true;
        const auto& v = object_[key];
        if (!v.is_number_integer() || v.get<long long>() < min || v.get<long long>() > max)
            return fail(name(key), "an integer from " + std::to_string(min) + " to " + std::to_string(max), &v);
        out = int(v.get<long long>());
        return true;
    }

    bool number(const char* key, double& out, double min, double max) {
        if (!object_.contains(key)) return true;
        const auto& v = object_[key];
        if (!v.is_number() || v.get<double>() < min || v.get<double>() > max)
            return fail(name(key), fmt::format("a number from {} to {}", min, max), &v);
        out = v.get<double>();
        return true;
    }

    bool boolean(const char* key, bool& out) {
        if (!object_.contains(key)) return true;
        const auto& v = object_[key];
        if (!v.is_boolean()) return fail(name(key), "true or false", &v);
        out = v.get<bool>();
        return true;
    }

    bool text(const char* key, std::string& out) {
        if (!object_.contains(key)) return true;
        const auto& v = object_[key];
        if (!v.is_string()) return fail(name(key), "a string", &v);
        out = v.get<std::string>();
        return true;
    }

    bool one_of(const char* key, std::string& out, std::initializer_list<const char*> values) {
        std::string value = out;
        if (!text(key, value)) return false;
        for (const char* allowed : values)
            if (value == allowed) {
                out = value;
                return true;
            }
        std::string list;
        for (const char* allowed : values) list += std::string(list.empty() ? "" : ", ") + allowed;
        return fail(name(key), "one of " + list, &object_[key]);
    }

    bool text_list(const char* key, std::vector<std::string>& out) {
        if (!object_.contains(key)) return true;
        const auto& v = object_[key];
        if (!v.is_array()) return fail(name(key), "an array of strings", &v);
        out.clear();
        for (const auto& item : v) {
            if (!item.is_string()) return fail(name(key), "an array of strings", &v);
            out.push_back(item.get<std::string>());
        }
        return true;
    }

    const nlohmann::json* child(const char* key) const { return object_.contains(key) ? &object_[key] : nullptr; }
    std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

private:
    bool fail(const std::string& key, const std::string& expected, const nlohmann::json* got = nullptr) {
        error_ = key + ": expected " + expected + (got ? ", got " + got->dump() : std::string());
        return false;
    }

    const nlohmann::json& object_;
    std::string path_;
    std::string& error_;
};

bool read_udp(const nlohmann::json& j, pss::UdpListenerOptions& udp, std::string& error) {
    ObjectReader r(j, "udp", error);
    int port = udp.port;
    if (!r.only_keys({"bind", "port", "allow", "receive_buffer_bytes"}) || !r.text("bind", udp.bind_address) ||
        !r.integer("port", port, 1, 65535) || !r.text_list("allow", udp.allow) ||
        !r.integer("receive_buffer_bytes", udp.receive_buffer_bytes, 65536, 1 << 30))
        return false;
    udp.port = std::uint16_t(port);
    return true;
}

bool read_store(const nlohmann::json& j, StoreConfig& store, std::string& error) {
    ObjectReader r(j, "store", error);
    std::string path;
    if (!r.only_keys({"path", "batch_rows", "batch_ms"}) || !r.text("path", path) ||
        !r.integer("batch_rows", store.batch_rows, 1, 1'000'000) || !r.integer("batch_ms", store.batch_ms, 1, 10'000))
        return false;
    store.path = path;
    return true;
}

bool read_log(const nlohmann::json& j, LogConfig& log, std::string& error) {
    ObjectReader r(j, "log", error);
    std::string file;
    if (!r.only_keys({"level", "file", "max_file_mb", "max_files"}) ||
        !r.one_of("level", log.level, {"trace", "debug", "info", "warn", "error", "critical", "off"}) ||
        !r.text("file", file) || !r.integer("max_file_mb", log.max_file_mb, 1, 4096) ||
        !r.integer("max_files", log.max_files, 1, 100))
        return false;
    log.file = file;
    return true;
}

bool read_workflows(const nlohmann::json& j, WorkflowsConfig& workflows, std::string& error) {
    ObjectReader r(j, "workflows", error);
    std::vector<std::string> folders;
    if (!r.only_keys({"folders", "packages", "memory_limit_mb", "hot_reload"}) || !r.text_list("folders", folders) ||
        !r.integer("memory_limit_mb", workflows.memory_limit_mb, 1, 4096) ||
        !r.boolean("hot_reload", workflows.hot_reload))
        return false;
    workflows.folders.assign(folders.begin(), folders.end());
    if (const auto* packages = r.child("packages")) {
        if (!packages->is_object()) {
            error =
                "workflows.packages: expected an object {\"<package>\": {\"config\": {...}, \"grant\": [...], "
                "\"enabled\": true}}";
            return false;
        }
        for (const auto& [name, entry] : packages->items()) {
            ObjectReader package(entry, "workflows.packages." + name, error);
            std::vector<std::string> grants;
            bool enabled = true;
            if (!package.only_keys({"config", "grant", "enabled"}) || !package.text_list("grant", grants) ||
                !package.boolean("enabled", enabled))
                return false;
            if (const auto* config = package.child("config"); config && !config->is_object()) {
                error = "workflows.packages." + name + ".config: expected an object of the package's settings";
                return false;
            }
        }
        workflows.packages = *packages;
    }
    return true;
}

bool read_playback(const nlohmann::json& j, PlaybackConfig& playback, std::string& error) {
    ObjectReader r(j, "playback", error);
    return r.only_keys({"mpv", "args"}) && r.text("mpv", playback.mpv) && r.text_list("args", playback.args);
}

bool read_health(const nlohmann::json& j, HealthConfig& health, std::string& error) {
    ObjectReader r(j, "health", error);
    std::string folder = health.record_folder.string();
    if (!r.only_keys({"disk_warning_gb", "disk_alert_gb", "record_folder", "obs_poll_ms", "udp_silence_warning_s",
                      "cpu_warning_percent", "memory_warning_percent", "obs_cpu_warning_percent",
                      "obs_skipped_frames_warning_percent", "congestion_warning"}) ||
        !r.integer("disk_warning_gb", health.disk_warning_gb, 0, 1'000'000) ||
        !r.integer("disk_alert_gb", health.disk_alert_gb, 0, 1'000'000) || !r.text("record_folder", folder) ||
        !r.integer("obs_poll_ms", health.obs_poll_ms, 100, 60'000) ||
        !r.integer("udp_silence_warning_s", health.udp_silence_warning_s, 1, 86'400) ||
        !r.integer("cpu_warning_percent", health.cpu_warning_percent, 1, 10'000) ||
        !r.integer("memory_warning_percent", health.memory_warning_percent, 1, 100) ||
        !r.integer("obs_cpu_warning_percent", health.obs_cpu_warning_percent, 1, 10'000) ||
        !r.number("obs_skipped_frames_warning_percent", health.obs_skipped_frames_warning_percent, 0.01, 100) ||
        !r.number("congestion_warning", health.congestion_warning, 0.01, 1))
        return false;
    if (health.disk_alert_gb > health.disk_warning_gb) {
        error = fmt::format("health.disk_alert_gb: expected at most health.disk_warning_gb ({}), got {}",
                            health.disk_warning_gb, health.disk_alert_gb);
        return false;
    }
    health.record_folder = folder;
    return true;
}

// Every shortcut of the panel by its config key, in the order the README lists them.
std::vector<std::pair<std::string, std::string*>> shortcut_keys(PanelShortcuts& shortcuts) {
    std::vector<std::pair<std::string, std::string*>> keys{{"replay", &shortcuts.replay},
                                                           {"back_to_live", &shortcuts.back_to_live},
                                                           {"manual_mode", &shortcuts.manual_mode},
                                                           {"toggle_mute", &shortcuts.toggle_mute},
                                                           {"toggle_stream", &shortcuts.toggle_stream},
                                                           {"toggle_record", &shortcuts.toggle_record}};
    for (std::size_t i = 0; i < shortcuts.scenes.size(); ++i)
        keys.emplace_back("scene_" + std::to_string(i + 1), &shortcuts.scenes[i]);
    return keys;
}

bool read_panel(const nlohmann::json& j, PanelConfig& panel, std::string& error) {
    ObjectReader r(j, "panel", error);
    std::string flags;
    if (!r.only_keys({"flags_folder", "shortcuts", "main_audio_input"}) || !r.text("flags_folder", flags) ||
        !r.text("main_audio_input", panel.main_audio_input))
        return false;
    if (panel.main_audio_input.empty()) {
        error = "panel.main_audio_input: expected the name of an OBS audio input, e.g. \"MAIN_AUDIO\", got \"\"";
        return false;
    }
    panel.flags_folder = flags;
    const auto* shortcuts = r.child("shortcuts");
    if (!shortcuts) return true;
    ObjectReader keys(*shortcuts, "panel.shortcuts", error);
    const auto all = shortcut_keys(panel.shortcuts);
    std::vector<std::string> names;
    for (const auto& [key, value] : all) names.push_back(key);
    if (!keys.only_keys(names)) return false;
    for (const auto& [key, value] : all) {
        if (!keys.text(key.c_str(), *value)) return false;
        if (!valid_shortcut(*value)) {
            error = "panel.shortcuts." + key +
                    ": expected a key such as \"F5\", \"Ctrl+R\" or \"Alt+Shift+B\" "
                    "(Ctrl/Alt/Shift + F1..F12, A..Z, 0..9, Space or Escape), got \"" +
                    *value + "\"";
            return false;
        }
    }
    for (std::size_t a = 0; a < all.size(); ++a)
        for (std::size_t b = a + 1; b < all.size(); ++b)
            if (*all[a].second == *all[b].second) {
                error = "panel.shortcuts." + all[b].first + ": \"" + *all[b].second + "\" is already the shortcut of " +
                        all[a].first + "; each action needs its own key";
                return false;
            }
    return true;
}

bool read_overlays(const nlohmann::json& j, OverlaysConfig& overlays, std::string& error) {
    ObjectReader r(j, "overlays", error);
    std::string folder = overlays.folder.string(), flags = overlays.flags_folder.string();
    if (!r.only_keys({"enabled", "bind", "port", "folder", "theme", "challenges_per_match", "flags_folder"}) ||
        !r.boolean("enabled", overlays.enabled) || !r.text("bind", overlays.bind) ||
        !r.integer("port", overlays.port, 1, 65535) || !r.text("folder", folder) || !r.text("theme", overlays.theme) ||
        !r.integer("challenges_per_match", overlays.challenges_per_match, 0, 9) || !r.text("flags_folder", flags))
        return false;
    static const std::regex theme_name("^[a-z0-9-]+$");
    if (!std::regex_match(overlays.theme, theme_name)) {
        error =
            "overlays.theme: expected a theme name of lower-case letters, digits and '-' (a file "
            "themes/<name>.css), got \"" +
            overlays.theme + "\"";
        return false;
    }
    overlays.folder = folder;
    overlays.flags_folder = flags;
    return true;
}

bool read_licence(const nlohmann::json& j, LicenceConfig& licence, std::string& error) {
    ObjectReader r(j, "licence", error);
    std::string ca_file;
    if (!r.only_keys({"server", "ca_file"}) || !r.text("server", licence.server) || !r.text("ca_file", ca_file))
        return false;
    licence.ca_file = ca_file;
    if (!licence.server.empty() && !licence.server.starts_with("http://") && !licence.server.starts_with("https://")) {
        error = "licence.server: expected the licence server's URL, http(s)://HOST[:PORT], or \"\" for none, got \"" +
                licence.server + "\"";
        return false;
    }
    return true;
}

bool read_courts(const nlohmann::json& j, courts::CourtsConfig& courts, std::string& error) {
    ObjectReader r(j, "courts", error);
    std::string broker;
    int max_rows = int(courts.outbox_max_rows);
    std::string delivery = courts.confirmed_by_tournament ? "tournament" : "broker";
    if (!r.only_keys({"enabled", "broker", "court", "tournament", "username", "password", "tls", "outbox_max_rows",
                      "delivery"}) ||
        !r.boolean("enabled", courts.enabled) || !r.text("broker", broker) ||
        !r.integer("court", courts.court, 1, 99) || !r.text("tournament", courts.tournament) ||
        !r.text("username", courts.username) || !r.integer("outbox_max_rows", max_rows, 1000, 100000000) ||
        !r.text("delivery", delivery))
        return false;
    courts.outbox_max_rows = max_rows;
    if (delivery != "tournament" && delivery != "broker") {
        error =
            "courts.delivery: expected \"tournament\" (an event leaves the outbox when the tournament side "
            "stored it) or \"broker\" (when the broker acknowledged it), got \"" +
            delivery + "\"";
        return false;
    }
    courts.confirmed_by_tournament = delivery == "tournament";
    // Never echoed: the value is a secret.
    if (j.contains("password")) {
        const auto& password = j["password"];
        const auto secret = password.is_object() && password.size() == 1 ? password.find("secret") : password.end();
        if (password.is_string()) {
            courts.password = password.get<std::string>();
        } else if (secret != password.end() && secret->is_string() && !secret->get_ref<const std::string&>().empty()) {
            courts.password_secret = secret->get<std::string>();
        } else {
            error = "courts.password: expected a string, or {\"secret\": \"NAME\"} naming a stored secret";
            return false;
        }
    }
    if (auto* tls = r.child("tls")) {
        ObjectReader t(*tls, "courts.tls", error);
        std::string ca_file;
        if (!t.only_keys({"ca_file"}) || !t.text("ca_file", ca_file)) return false;
        if (ca_file.empty()) {
            error = "courts.tls.ca_file: expected the path of the CA the broker's certificate chains to";
            return false;
        }
        courts.tls_ca_file = ca_file;
    }
    if (!broker.empty()) {
        static const std::regex host_port("^([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})$");
        std::smatch parts;
        const int port = std::regex_match(broker, parts, host_port) ? std::stoi(parts[2]) : 0;
        if (port < 1 || port > 65535) {
            error = "courts.broker: expected the MQTT broker as \"host:port\", got \"" + broker + "\"";
            return false;
        }
        courts.broker_host = parts[1].str();
        if (courts.broker_host.front() == '[')
            courts.broker_host = courts.broker_host.substr(1, courts.broker_host.size() - 2);
        courts.broker_port = port;
    }
    static const std::regex slug("^[a-z0-9]+(-[a-z0-9]+)*$");
    if (!courts.tournament.empty() && !std::regex_match(courts.tournament, slug)) {
        error = "courts.tournament: expected a slug of lower-case letters, digits and '-', got \"" + courts.tournament +
                "\"";
        return false;
    }
    if (!courts.enabled) return true;
    if (courts.broker_host.empty()) {
        error = "courts.broker: expected the MQTT broker as \"host:port\" when courts.enabled is true";
        return false;
    }
    if (!j.contains("court")) {
        error = "courts.court: expected this court's number, an integer from 1 to 99, when courts.enabled is true";
        return false;
    }
    if (courts.tournament.empty()) {
        error =
            "courts.tournament: expected the tournament's slug (e.g. \"german-open-2025\") when courts.enabled "
            "is true";
        return false;
    }
    if (courts.username.empty() && (!courts.password.empty() || !courts.password_secret.empty())) {
        error = "courts.username: expected a user name with courts.password";
        return false;
    }
    return true;
}

}  // namespace

bool valid_shortcut(const std::string& text) {
    static const std::regex pattern("^((Ctrl|Alt|Shift)\\+)*(F([1-9]|1[0-2])|[A-Z0-9]|Space|Escape)$");
    return std::regex_match(text, pattern);
}

namespace {

nlohmann::json default_shortcuts() {
    PanelShortcuts shortcuts;
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [key, value] : shortcut_keys(shortcuts)) j[key] = *value;
    return j;
}

}  // namespace

nlohmann::json default_config_json() {
    const Config d;
    return {
        {"udp",
         {{"bind", d.udp.bind_address},
          {"port", d.udp.port},
          {"allow", nlohmann::json::array()},
          {"receive_buffer_bytes", d.udp.receive_buffer_bytes}}},
        {"store", {{"path", ""}, {"batch_rows", d.store.batch_rows}, {"batch_ms", d.store.batch_ms}}},
        {"log",
         {{"level", d.log.level}, {"file", ""}, {"max_file_mb", d.log.max_file_mb}, {"max_files", d.log.max_files}}},
        {"obs", nlohmann::json::array()},
        {"workflows",
         {{"folders", nlohmann::json::array()},
          {"packages", nlohmann::json::object()},
          {"memory_limit_mb", d.workflows.memory_limit_mb},
          {"hot_reload", d.workflows.hot_reload}}},
        {"playback", {{"mpv", d.playback.mpv}, {"args", nlohmann::json::array()}}},
        {"health",
         {{"disk_warning_gb", d.health.disk_warning_gb},
          {"disk_alert_gb", d.health.disk_alert_gb},
          {"record_folder", ""},
          {"obs_poll_ms", d.health.obs_poll_ms},
          {"udp_silence_warning_s", d.health.udp_silence_warning_s},
          {"cpu_warning_percent", d.health.cpu_warning_percent},
          {"memory_warning_percent", d.health.memory_warning_percent},
          {"obs_cpu_warning_percent", d.health.obs_cpu_warning_percent},
          {"obs_skipped_frames_warning_percent", d.health.obs_skipped_frames_warning_percent},
          {"congestion_warning", d.health.congestion_warning}}},
        {"panel",
         {{"flags_folder", ""}, {"shortcuts", default_shortcuts()}, {"main_audio_input", d.panel.main_audio_input}}},
        {"overlays",
         {{"enabled", d.overlays.enabled},
          {"bind", d.overlays.bind},
          {"port", d.overlays.port},
          {"folder", ""},
          {"theme", d.overlays.theme},
          {"challenges_per_match", d.overlays.challenges_per_match},
          {"flags_folder", d.overlays.flags_folder.string()}}},
        {"licence", {{"server", d.licence.server}, {"ca_file", ""}}},
        {"courts",
         {{"enabled", d.courts.enabled},
          {"broker", ""},
          {"court", 1},
          {"tournament", ""},
          {"username", ""},
          {"password", ""},
          {"outbox_max_rows", d.courts.outbox_max_rows},
          {"delivery", d.courts.confirmed_by_tournament ? "tournament" : "broker"}}},
    };
}

ConfigResult parse_config(const nlohmann::json& document) {
    Config config;
    std::string error;
    ObjectReader top(document, "", error);
    if (!top.only_keys({"udp", "store", "log", "obs", "workflows", "playback", "panel", "overlays", "licence", "courts",
                        "health"}))
        return {std::nullopt, error};
    if (auto* udp = top.child("udp"); udp && !read_udp(*udp, config.udp, error)) return {std::nullopt, error};
    if (auto* store = top.child("store"); store && !read_store(*store, config.store, error))
        return {std::nullopt, error};
    if (auto* log = top.child("log"); log && !read_log(*log, config.log, error)) return {std::nullopt, error};
    if (auto* w = top.child("workflows"); w && !read_workflows(*w, config.workflows, error))
        return {std::nullopt, error};
    if (auto* p = top.child("playback"); p && !read_playback(*p, config.playback, error)) return {std::nullopt, error};
    if (auto* p = top.child("panel"); p && !read_panel(*p, config.panel, error)) return {std::nullopt, error};
    if (auto* o = top.child("overlays"); o && !read_overlays(*o, config.overlays, error)) return {std::nullopt, error};
    if (auto* l = top.child("licence"); l && !read_licence(*l, config.licence, error)) return {std::nullopt, error};
    if (auto* c = top.child("courts"); c && !read_courts(*c, config.courts, error)) return {std::nullopt, error};
    if (auto* h = top.child("health"); h && !read_health(*h, config.health, error)) return {std::nullopt, error};
    if (auto* connections = top.child("obs")) {
        auto parsed = obs::parse_connections(*connections);
        if (!parsed) return {std::nullopt, "obs: " + parsed.error().message};
        config.obs = std::move(parsed.value());
    }
    return {std::move(config), {}};
}

ConfigResult load_config(const std::filesystem::path& file, bool must_exist) {
    std::ifstream in(file);
    if (!in) {
        if (!must_exist && !std::filesystem::exists(file)) return {Config{}, {}};
        return {std::nullopt, "cannot read config file " + file.string()};
    }
    std::stringstream text;
    text << in.rdbuf();
    const auto document = nlohmann::json::parse(text.str(), nullptr, false);
    if (document.is_discarded())
        return {std::nullopt,
                file.string() + ": not valid JSON (expected an object such as {\"udp\": {\"port\": 6000}})"};
    ConfigResult result = parse_config(document);
    if (!result.config) result.error = file.string() + ": " + result.error;
    return result;
}

}  // namespace vta::host
