#include "vta/host/setup.hpp"

#include <cctype>
#include <optional>

#include "vta/host/paths.hpp"

namespace vta::host {

vta::Result<HostSetup> resolve_setup(const ParsedOptions& o, std::filesystem::path& config_file) {
    const Paths paths = default_paths();
    config_file = o.value("config").value_or(paths.config_file.string());
    ConfigResult loaded = load_config(config_file, o.value("config").has_value());
    if (!loaded.config) return vta::Error(vta::Errc::invalid_config, loaded.error);
    HostSetup setup{std::move(*loaded.config), {}, {}, {}, {}, secrets::secrets_file_beside(config_file), {}};
    if (auto bind = o.value("bind")) setup.config.udp.bind_address = *bind;
    const auto port = integer_option(o, "port", 1, 65535, setup.config.udp.port);
    if (!port) return port.error();
    setup.config.udp.port = std::uint16_t(*port);
    setup.database = o.value("db").value_or(setup.config.store.path.empty() ? paths.database.string()
                                                                            : setup.config.store.path.string());
    if (setup.config.log.file.empty()) setup.config.log.file = paths.log_file;
    setup.overlays_folder = shipped_overlays();
    setup.licence_folder = paths.licence_folder;
    setup.workflow_folders = {shipped_workflows(), paths.user_workflows};
    setup.workflow_folders.insert(setup.workflow_folders.end(), setup.config.workflows.folders.begin(),
                                  setup.config.workflows.folders.end());
    resolve_secrets(setup, secrets::read_machine_identity());
    return setup;
}

void resolve_secrets(HostSetup& setup, const secrets::MachineIdentity& machine) {
    std::optional<vta::Result<secrets::Secrets>> stored;  // read once, when a connection names a secret
    for (auto& connection : setup.config.obs) {
        const std::string which = "OBS connection \"" + connection.name + "\"";
        if (connection.password_secret.empty()) {
            if (!connection.password.empty()) {
                std::string name;
                for (char c : connection.name)
                    name += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '_';
                setup.warnings.push_back(
                    which + " has its password in plain text in the config file: move it into the secrets file " +
                    "with `vta secret set obs_" + name + "` (the password on standard input), then write " +
                    "\"password\": {\"secret\": \"obs_" + name + "\"} in the connection");
            }
            continue;
        }
        if (!stored) stored = secrets::read_secrets(setup.secrets_file, machine);
        if (!*stored) {
            setup.warnings.push_back(which + ": its password (secret \"" + connection.password_secret +
                                     "\") cannot be read, so it connects without one: " + stored->error().message);
            continue;
        }
        const auto found = (*stored)->find(connection.password_secret);
        if (found == (*stored)->end()) {
            setup.warnings.push_back(which + ": secret \"" + connection.password_secret + "\" is not in " +
                                     setup.secrets_file.string() + " (add it with `vta secret set " +
                                     connection.password_secret + "`), so it connects without a password");
            continue;
        }
        connection.password = found->second;
    }
}

}  // namespace vta::host
