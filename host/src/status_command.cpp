// `vta status [--json]`: health at a glance from the running host, over its overlay server's GET /api/status
// (loopback only). Nothing runs: says so and exits 1.
#include <iostream>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "vta/host/commands.hpp"
#include "vta/host/options.hpp"
#include "vta/host/setup.hpp"

namespace vta::host {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

// GET `target` on 127.0.0.1:`port` with a deadline; the body, or why there is none.
vta::Result<std::string> get(std::uint16_t port, const std::string& target) {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    http::response<http::string_body> response;
    beast::flat_buffer buffer;
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    boost::system::error_code failure;
    stream.expires_after(std::chrono::seconds(5));
    stream.async_connect({boost::asio::ip::make_address("127.0.0.1"), port}, [&](boost::system::error_code ec) {
        if (ec) return void(failure = ec);
        http::async_write(stream, request, [&](boost::system::error_code ec, std::size_t) {
            if (ec) return void(failure = ec);
            http::async_read(stream, buffer, response, [&](boost::system::error_code ec, std::size_t) {
                if (ec) failure = ec;
            });
        });
    });
    io.run();
    if (failure) return vta::Error(vta::Errc::unavailable, failure.message());
    if (response.result() != http::status::ok)
        return vta::Error(vta::Errc::unavailable,
                          fmt::format("the host answered {}: {}", response.result_int(), response.body()));
    return response.body();
}

std::string table(const nlohmann::json& status) {
    std::string out = fmt::format("health: {}\n", status.value("level", "?"));
    out += fmt::format("{:<8} {:<40} {}\n", "level", "item", "reason");
    for (const auto& item : status.value("items", nlohmann::json::array())) {
        std::string line =
            fmt::format("{:<8} {:<40} {}", item.value("level", ""), item.value("text", ""), item.value("reason", ""));
        line.erase(line.find_last_not_of(' ') + 1);  // an ok item has no reason
        out += line + "\n";
    }
    return out;
}

}  // namespace

int status_command(const Arguments& args) {
    const auto o = parse_options(args, {"config"}, {"json"});
    const auto refuse = [](const std::string& why) {
        std::cerr << "vta status: " << why << "\n";
        return 2;
    };
    if (!o.error.empty()) return refuse(o.error);
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return refuse(setup.error().message);
    const auto& overlays = setup->config.overlays;
    if (!overlays.enabled) {
        std::cerr << "vta status: the running host answers on its overlay server, which overlays.enabled turns off in "
                  << config_file.string() << "\n";
        return 1;
    }
    const auto body = get(std::uint16_t(overlays.port), "/api/status");
    if (!body) {
        std::cerr << "vta status: no host answers on 127.0.0.1:" << overlays.port << ": is `vta run` running? ("
                  << body.error().message << ")\n";
        return 1;
    }
    const auto status = nlohmann::json::parse(body.value(), nullptr, false);
    if (status.is_discarded() || !status.is_object()) {
        std::cerr << "vta status: the answer on 127.0.0.1:" << overlays.port << " is not the host's status\n";
        return 1;
    }
    std::cout << (o.has("json") ? status.dump(2) + "\n" : table(status));
    return 0;
}

}  // namespace vta::host
