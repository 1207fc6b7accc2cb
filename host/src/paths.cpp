#include "vta/host/paths.hpp"

#include <cstdlib>
#include <string>

namespace vta::host {

namespace {
constexpr const char* app_folder = "restrike-vta";

std::filesystem::path xdg_folder(const char* variable, const char* fallback_under_home) {
    // The specification says a relative value is invalid and must be ignored.
    if (const char* value = std::getenv(variable); value && *value == '/') return value;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home && *home ? home : "/tmp") / fallback_under_home;
}
}  // namespace

Paths default_paths() {
    return Paths{
        xdg_folder("XDG_CONFIG_HOME", ".config") / app_folder / "config.json",
        xdg_folder("XDG_DATA_HOME", ".local/share") / app_folder / "vta.sqlite3",
        xdg_folder("XDG_STATE_HOME", ".local/state") / app_folder / "vta.log",
        xdg_folder("XDG_DATA_HOME", ".local/share") / app_folder / "workflows",
        xdg_folder("XDG_DATA_HOME", ".local/share") / app_folder,
    };
}

std::filesystem::path shipped_workflows() { return VTA_SHIPPED_WORKFLOWS; }
std::filesystem::path shipped_overlays() { return VTA_SHIPPED_OVERLAYS; }

}  // namespace vta::host
