// obs_ready_probe: is an OBS ready for the host? Connects once with the vta_obs client and
// waits for an authenticated Identify (state `connected`, OBS's state re-read).
//
//   obs_ready_probe --port P --password W [--host H] [--timeout-ms N]
//
// Exit 0: ready (prints OBS's version). 1: not ready yet (refused, closed, timed out).
// 2: bad arguments. 3: OBS rejected the password: retrying cannot help.

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "vta/obs/client.hpp"

namespace {

constexpr int exit_ready = 0, exit_not_ready = 1, exit_usage = 2, exit_auth_rejected = 3;

int usage(const std::string& problem) {
    std::cerr << "obs_ready_probe: " << problem
              << "\nusage: obs_ready_probe --port P --password W [--host H] [--timeout-ms N]\n";
    return exit_usage;
}

// The client's reasons for a refused password; a bare "4009" would also match a port such as 44009.
bool is_auth_failure(const std::string& reason) {
    return reason.find("(4009)") != std::string::npos || reason.find("password") != std::string::npos;
}

}  // namespace

int main(int argc, char** argv) {
    vta::obs::ConnectionConfig config;
    config.name = "obs_ready_probe";
    long port = 0, timeout_ms = 2000;
    for (int i = 1; i < argc; i += 2) {
        std::string key = argv[i];
        if (i + 1 >= argc) return usage("missing value for " + key);
        std::string value = argv[i + 1];
        if (key == "--port") {
            port = std::strtol(value.c_str(), nullptr, 10);
        } else if (key == "--password") {
            config.password = value;
        } else if (key == "--host") {
            config.host = value;
        } else if (key == "--timeout-ms") {
            timeout_ms = std::strtol(value.c_str(), nullptr, 10);
        } else {
            return usage("unknown argument " + key);
        }
    }
    if (port < 1 || port > 65535) return usage("--port must be 1..65535");
    if (timeout_ms < 1) return usage("--timeout-ms must be positive");
    config.port = static_cast<std::uint16_t>(port);

    vta::obs::ClientOptions options;
    options.reconnect = false;
    options.connect_timeout = options.identify_timeout = std::chrono::milliseconds(timeout_ms);
    options.logger = spdlog::stderr_logger_st("obs_ready_probe");
    options.logger->set_level(spdlog::level::warn);

    boost::asio::io_context io;
    int exit_code = exit_not_ready;
    std::string outcome = "no answer within " + std::to_string(timeout_ms) + " ms";
    auto client = std::make_shared<vta::obs::Client>(io, config, options);
    auto watch = client->on_state_change([&](const vta::obs::ConnectionState& state) {
        if (state.state == vta::obs::State::connected) {
            exit_code = exit_ready;
            outcome =
                "ready: OBS " + client->status().obs_version + ", obs-websocket " + client->status().websocket_version;
            io.stop();
        } else if (state.state == vta::obs::State::failed) {
            exit_code = is_auth_failure(state.reason) ? exit_auth_rejected : exit_not_ready;
            outcome = "failed: " + state.reason;
            io.stop();
        }
    });
    boost::asio::steady_timer deadline(io, std::chrono::milliseconds(timeout_ms));
    deadline.async_wait([&](boost::system::error_code) { io.stop(); });
    client->start();
    io.run();
    (exit_code == exit_ready ? std::cout : std::cerr) << outcome << '\n';
    return exit_code;
}
