#include "vta/host/setup.hpp"

#include "vta/host/paths.hpp"

namespace vta::host {

std::optional<HostSetup> resolve_setup(const ParsedOptions& o, std::string& error, std::filesystem::path& config_file) {
    const Paths paths = default_paths();
    config_file = o.value("config").value_or(paths.config_file.string());
    ConfigResult loaded = load_config(config_file, o.value("config").has_value());
    if (!loaded.config) {
        error = loaded.error;
        return std::nullopt;
    }
    HostSetup setup{std::move(*loaded.config), {}, {}};
    if (auto bind = o.value("bind")) setup.config.udp.bind_address = *bind;
    long port = setup.config.udp.port;
    if (!integer_option(o, "port", 1, 65535, port, error)) return std::nullopt;
    setup.config.udp.port = std::uint16_t(port);
    setup.database = o.value("db").value_or(setup.config.store.path.empty() ? paths.database.string()
                                                                            : setup.config.store.path.string());
    if (setup.config.log.file.empty()) setup.config.log.file = paths.log_file;
    setup.workflow_folders = {shipped_workflows(), paths.user_workflows};
    setup.workflow_folders.insert(setup.workflow_folders.end(), setup.config.workflows.folders.begin(),
                                  setup.config.workflows.folders.end());
    return setup;
}

}  // namespace vta::host
