#include "vta/host/logging.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "vta/common/owner_only.hpp"

namespace vta::host {

std::string setup_logging(const LogConfig& config, const std::filesystem::path& default_file) {
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
    std::string problem;
    const std::filesystem::path file = config.file.empty() ? default_file : config.file;
    try {
        // The log names files and connections of the operator's: owner-only, like the config.
        if (auto created = create_owner_only_file(file); !created) throw std::runtime_error(created.error().message);
        sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
            file.string(), std::size_t(config.max_file_mb) << 20, std::size_t(config.max_files)));
    } catch (const std::exception& e) {
        problem = "cannot write the log file " + file.string() + ": " + e.what();
    }
    auto logger = std::make_shared<spdlog::logger>("vta", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::from_str(config.level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
    return problem;
}

}  // namespace vta::host
