// spdlog to the console and to a size-rotated file.
#pragma once

#include <filesystem>
#include <string>

#include "vta/host/config.hpp"

namespace vta::host {

// Installs the default logger. Returns an empty string, or why the log file could not be opened
// (the console logger is installed either way).
std::string setup_logging(const LogConfig& config, const std::filesystem::path& default_file);

}  // namespace vta::host
