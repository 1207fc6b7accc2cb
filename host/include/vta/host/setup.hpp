// What every command resolves first: the config file (or embedded defaults), then the command-line
// overrides, and the database and log paths.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "vta/host/host.hpp"
#include "vta/host/options.hpp"
#include "vta/secrets/secrets_file.hpp"

namespace vta::host {

// Reads --config (or the XDG config file when present) and applies --bind, --port and --db.
// Prints nothing; a failure is for the caller to report. `config_file` is set to the file read (or looked for).
// OBS passwords given as {"secret": NAME} are read from the secrets file beside the config; a secret that
// cannot be read leaves that connection without a password and adds a warning (the host goes on).
vta::Result<HostSetup> resolve_setup(const ParsedOptions& o, std::filesystem::path& config_file);

// Fills the passwords of `setup.config.obs` named by a secret from `setup.secrets_file`, read with `machine`.
void resolve_secrets(HostSetup& setup, const secrets::MachineIdentity& machine);

}  // namespace vta::host
