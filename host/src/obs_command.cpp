// `vta obs status`: connects to every configured OBS, waits until each has settled (connected, or
// failed, or retrying after its first attempt) and reports its state and versions.
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "vta/host/commands.hpp"
#include "vta/host/setup.hpp"
#include "vta/obs/connections.hpp"

namespace vta::host {

namespace {

bool settled(const obs::Status& s) {
    switch (s.connection.state) {
        case obs::State::connected:
        case obs::State::failed:
            return true;
        case obs::State::reconnecting:
            return s.connection.attempt >= 1;
        default:
            return false;
    }
}

nlohmann::json to_json(const obs::Status& s) {
    nlohmann::json j{{"name", s.name},
                     {"role", obs::to_string(s.role)},
                     {"state", obs::to_string(s.connection.state)},
                     {"reason", s.connection.reason},
                     {"obs_version", s.obs_version},
                     {"websocket_version", s.websocket_version},
                     {"program_scene", s.program_scene},
                     {"recording", s.recording},
                     {"streaming", s.streaming},
                     {"replay_buffer_active", s.replay_buffer_active}};
    return j;
}

}  // namespace

int obs_command(const Arguments& args) {
    if (args.empty() || args.front() != "status") {
        std::cerr << "vta obs: expected `vta obs status [--json] [--wait S]`\n";
        return 2;
    }
    const auto o = parse_options(Arguments(args.begin() + 1, args.end()), {"config", "wait"}, {"json"});
    const auto refuse = [](const std::string& why) {
        std::cerr << "vta obs status: " << why << "\n";
        return 2;
    };
    if (!o.error.empty()) return refuse(o.error);
    const auto wait_option = integer_option(o, "wait", 1, 600, 5);
    if (!wait_option) return refuse(wait_option.error().message);
    const long wait_seconds = *wait_option;
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return refuse(setup.error().message);
    if (!o.has("json"))  // --json keeps standard output a document
        for (const auto& warning : setup->warnings) std::cerr << "warning: " << warning << "\n";
    if (setup->config.obs.empty()) {
        std::cout << (o.has("json") ? "[]"
                                    : "no OBS connection is configured (key \"obs\" in " + config_file.string() + ")")
                  << "\n";
        return 0;
    }
    spdlog::set_level(spdlog::level::off);  // the report below says what went wrong, once per connection
    boost::asio::io_context io;
    obs::ClientOptions options;
    options.reconnect = true;
    obs::Connections connections(io, setup->config.obs, options);
    connections.start_all();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
    auto all_settled = [&] {
        for (const auto& c : connections.all())
            if (!settled(c->status())) return false;
        return true;
    };
    while (!all_settled() && std::chrono::steady_clock::now() < deadline) io.run_for(std::chrono::milliseconds(20));

    nlohmann::json list = nlohmann::json::array();
    bool all_connected = true;
    for (const auto& c : connections.all()) {
        const obs::Status s = c->status();
        all_connected = all_connected && s.connection.state == obs::State::connected;
        list.push_back(to_json(s));
    }
    connections.stop_all();
    io.run_for(std::chrono::milliseconds(200));

    if (o.has("json")) {
        std::cout << list.dump(2) << "\n";
    } else {
        std::cout << fmt::format("{:<12} {:<5} {:<13} {:<8} {:<10} {}\n", "connection", "role", "state", "OBS",
                                 "websocket", "reason / scene");
        for (const auto& j : list)
            std::cout << fmt::format("{:<12} {:<5} {:<13} {:<8} {:<10} {}\n", j["name"].get<std::string>(),
                                     j["role"].get<std::string>(), j["state"].get<std::string>(),
                                     j["obs_version"].get<std::string>(), j["websocket_version"].get<std::string>(),
                                     j["state"] == "connected" ? "scene " + j["program_scene"].get<std::string>()
                                                               : j["reason"].get<std::string>());
    }
    return all_connected ? 0 : 1;
}

}  // namespace vta::host
