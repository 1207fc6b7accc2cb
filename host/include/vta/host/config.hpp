// The host's JSON configuration. Every key is optional; an unknown key or a bad value is rejected
// with a message naming the key and what is expected.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/courts/config.hpp"
#include "vta/host/health.hpp"
#include "vta/obs/config.hpp"
#include "vta/pss/udp_listener.hpp"

namespace vta::host {

struct StoreConfig {
    std::filesystem::path path;  // empty: the XDG data folder
    int batch_rows = 2000;       // commit when this many rows are pending...
    int batch_ms = 10;           // ...or this long after the first one
};

struct LogConfig {
    std::string level = "info";  // trace, debug, info, warn, error, critical, off
    std::filesystem::path file;  // empty: the XDG state folder
    int max_file_mb = 10;
    int max_files = 5;
};

struct WorkflowsConfig {
    std::vector<std::filesystem::path> folders;  // searched besides the shipped and the user folder
    nlohmann::json packages =
        nlohmann::json::object();  // {"<name>": {"config": {...}, "grant": [...], "enabled": bool}}
    int memory_limit_mb = 64;      // per package
    bool hot_reload = true;        // reload a package when one of its files is saved
};

struct PlaybackConfig {
    std::string mpv = "mpv";        // the mpv program
    std::vector<std::string> args;  // extra mpv arguments, e.g. ["--fs"]
};

// Keyboard shortcuts are written like "F5", "Ctrl+R", "Alt+Shift+B", "Space" (see valid_shortcut).
// Two actions never share one.
struct PanelShortcuts {
    std::string replay = "F5";
    std::string back_to_live = "F6";
    std::string manual_mode = "F7";
    // The on-air row: OBS_STR's main audio mute, its stream, the recording, and its scenes in OBS's order.
    std::string toggle_mute = "F8";
    std::string toggle_stream = "F9";
    std::string toggle_record = "F10";
    std::array<std::string, 9> scenes = {"Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5",
                                         "Ctrl+6", "Ctrl+7", "Ctrl+8", "Ctrl+9"};  // keys scene_1..scene_9
};

struct PanelConfig {
    std::filesystem::path flags_folder;  // <NOC>.png flag images; empty: the overlays' SVG flags (NOC table)
    PanelShortcuts shortcuts;
    std::string main_audio_input = "MAIN_AUDIO";  // the OBS input the on-air row and the control room mute
};

// The overlay pages and their live feed (scripts/overlays), served for OBS browser sources.
struct OverlaysConfig {
    bool enabled = true;
    std::string bind = "127.0.0.1";
    int port = 3001;
    std::filesystem::path folder;   // the operator's overlays: a file here replaces the shipped one
    std::string theme = "classic";  // themes/<theme>.css; a page's ?theme= wins
    int challenges_per_match = 1;   // video review requests a coach has (a successful one is kept)
    std::filesystem::path flags_folder = "/usr/share/iso-flags-svg/country-4x3";  // <iso>.svg (iso-flags-svg)
};

// Where the licence is checked online (host/licence-client): at start-up, then every day.
struct LicenceConfig {
    std::string server;             // the licence server, http(s)://HOST[:PORT]; "" for an air-gapped court (no check)
    std::filesystem::path ca_file;  // https: the private CA the server's certificate chains to; "": the system's
};

// True for zero or more of Ctrl+, Alt+, Shift+ followed by F1..F12, A..Z, 0..9, Space or Escape.
bool valid_shortcut(const std::string& text);

struct Config {
    pss::UdpListenerOptions udp;
    StoreConfig store;
    LogConfig log;
    std::vector<obs::ConnectionConfig> obs;
    WorkflowsConfig workflows;
    PlaybackConfig playback;
    PanelConfig panel;
    OverlaysConfig overlays;
    LicenceConfig licence;
    courts::CourtsConfig courts;
    HealthConfig health;
};

struct ConfigResult {
    std::optional<Config> config;
    std::string error;  // set when config is empty: names the key and what is expected
};

// The embedded defaults, as the JSON a user would write (`vta config --defaults` prints it).
nlohmann::json default_config_json();

ConfigResult parse_config(const nlohmann::json& document);

// Reads `file`; a missing file gives the embedded defaults unless `must_exist`.
ConfigResult load_config(const std::filesystem::path& file, bool must_exist);

}  // namespace vta::host
