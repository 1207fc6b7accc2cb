#include "vta/host/setup.hpp"

#include "vta/host/paths.hpp"

namespace vta::host {

vta::Result<HostSetup> resolve_setup(const ParsedOptions& o, std::filesystem::path& config_file) {
    const Paths paths = default_paths();
    config_file = o.value("config").value_or(paths.config_file.string());
    ConfigResult loaded = load_config(config_file, o.value("config").has_value());
    if (!loaded.config) return vta::Error(vta::Errc::invalid_config, loaded.error);
    HostSetup setup{std::move(*loaded.config), {}, {}, {}, {}};
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
    return setup;
}

}  // namespace vta::host
