#include "vta/host/setup.hpp"

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
    std::optional<vta::Result<secrets::Secrets>> stored;  // read once, when something names a secret
    // Fills `password` from the secret `secret_name`; a missing or unreadable secret is a warning (no password).
    auto resolve = [&](const std::string& which, const std::string& secret_name, std::string& password) {
        if (!stored) stored = secrets::read_secrets(setup.secrets_file, machine);
        if (!*stored) {
            setup.warnings.push_back(which + ": its password (secret \"" + secret_name +
                                     "\") cannot be read, so it connects without one: " + stored->error().message);
            return;
        }
        const auto found = (*stored)->find(secret_name);
        if (found == (*stored)->end()) {
            setup.warnings.push_back(which + ": secret \"" + secret_name + "\" is not in " +
                                     setup.secrets_file.string() + " (add it with `vta secret set " + secret_name +
                                     "`), so it connects without a password");
            return;
        }
        password = found->second;
    };
    auto plain_text_warning = [&](const std::string& which, const std::string& suggested, const std::string& where) {
        setup.warnings.push_back(which + " has its password in plain text in the config file: move it into the " +
                                 "secrets file with `vta secret set " + suggested +
                                 "` (the password on standard input), then write \"password\": {\"secret\": \"" +
                                 suggested + "\"} in " + where);
    };
    for (auto& connection : setup.config.obs) {
        const std::string which = "OBS connection \"" + connection.name + "\"";
        if (!connection.password_secret.empty())
            resolve(which, connection.password_secret, connection.password);
        else if (!connection.password.empty())
            plain_text_warning(which, secrets::obs_password_secret_name(connection.name), "the connection");
    }
    auto& courts = setup.config.courts;
    if (!courts.password_secret.empty())
        resolve("courts (the broker)", courts.password_secret, courts.password);
    else if (!courts.password.empty())
        plain_text_warning("courts (the broker)", "courts_broker", "courts");
}

}  // namespace vta::host
