// Where the host keeps its files: the XDG base directories, so two hosts started with different
// XDG_*_HOME never share a config, database or log.
#pragma once

#include <filesystem>

namespace vta::host {

struct Paths {
    std::filesystem::path config_file;     // $XDG_CONFIG_HOME/restrike-vta/config.json
    std::filesystem::path database;        // $XDG_DATA_HOME/restrike-vta/vta.sqlite3
    std::filesystem::path log_file;        // $XDG_STATE_HOME/restrike-vta/vta.log
    std::filesystem::path user_workflows;  // $XDG_DATA_HOME/restrike-vta/workflows: the operator's packages
    std::filesystem::path licence_folder;  // $XDG_DATA_HOME/restrike-vta: licence.json, licence-state.json
};

// The workflow packages that ship with the host (scripts/workflows of this source tree).
std::filesystem::path shipped_workflows();
// The overlay pages of the source tree (scripts/overlays).
std::filesystem::path shipped_overlays();

// Reads XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME (falling back to ~/.config, ~/.local/share,
// ~/.local/state as the XDG specification says).
Paths default_paths();

}  // namespace vta::host
