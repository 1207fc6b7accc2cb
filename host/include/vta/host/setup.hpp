// What every command resolves first: the config file (or embedded defaults), then the command-line
// overrides, and the database and log paths.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "vta/host/host.hpp"
#include "vta/host/options.hpp"

namespace vta::host {

// Reads --config (or the XDG config file when present) and applies --bind, --port and --db.
// Prints nothing; a failure is for the caller to report. `config_file` is set to the file read (or looked for).
vta::Result<HostSetup> resolve_setup(const ParsedOptions& o, std::filesystem::path& config_file);

}  // namespace vta::host
