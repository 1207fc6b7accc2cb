// bench_obs: SetCurrentProgramScene round trips through vta::obs::Client versus a minimal
// synchronous Beast client in the same run, then 1,000 requests in flight at once.
// Against the in-process fake OBS by default; against a real OBS with --port P --password W.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include "auth.hpp"
#include "fake_obs_server.hpp"
#include "vta/obs/client.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using Micros = std::chrono::duration<double, std::micro>;

// The reference: blocking calls, no timers, no bookkeeping beyond matching the requestId.
class DirectClient {
public:
    DirectClient(const std::string& host, std::uint16_t port, const std::string& password) : ws_(io_) {
        tcp::resolver resolver(io_);
        net::connect(ws_.next_layer(), resolver.resolve(host, std::to_string(port)));
        ws_.next_layer().set_option(tcp::no_delay(true));
        ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
            req.set(beast::http::field::sec_websocket_protocol, "obswebsocket.json");
        }));
        ws_.handshake(host + ":" + std::to_string(port), "/");
        const Json hello = read();
        Json identify = {{"rpcVersion", 1}, {"eventSubscriptions", 69}};
        if (hello["d"].contains("authentication")) {
            const auto& auth = hello["d"]["authentication"];
            identify["authentication"] = vta::obs::detail::auth_response(password, auth["salt"].get<std::string>(),
                                                                         auth["challenge"].get<std::string>());
        }
        write({{"op", 1}, {"d", identify}});
        if (read().value("op", -1) != 2) throw std::runtime_error("direct client: not identified");
    }

    Json request(const std::string& type, Json data) {
        const std::string id = std::to_string(++last_id_);
        write({{"op", 6}, {"d", {{"requestType", type}, {"requestId", id}, {"requestData", std::move(data)}}}});
        for (;;) {
            Json message = read();
            if (message.value("op", -1) == 7 && message["d"].value("requestId", "") == id) return message["d"];
        }
    }

private:
    Json read() {
        buffer_.consume(buffer_.size());
        ws_.read(buffer_);
        return Json::parse(beast::buffers_to_string(buffer_.data()));
    }
    void write(const Json& message) {
        ws_.text(true);
        ws_.write(net::buffer(message.dump()));
    }

    net::io_context io_;
    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buffer_;
    int last_id_ = 0;
};

template <class Pred>
bool run_until(net::io_context& io, Pred done, std::chrono::milliseconds limit) {
    auto guard = net::make_work_guard(io);
    const auto deadline = Clock::now() + limit;
    io.restart();
    while (!done() && Clock::now() < deadline) io.run_one_for(std::chrono::milliseconds(10));
    return done();
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1", password;
    int port = 0, samples = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--port"))
            port = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--password"))
            password = argv[i + 1];
        else if (!std::strcmp(argv[i], "--host"))
            host = argv[i + 1];
        else if (!std::strcmp(argv[i], "--samples"))
            samples = std::max(100, std::atoi(argv[i + 1]));
    }
    spdlog::set_level(spdlog::level::warn);

    std::optional<vta::obs::testing::FakeObsServer> fake;
    if (port == 0) {
        fake.emplace();
        port = fake->port();
    }
    std::printf("bench_obs: %s on %s:%d, %d samples per client\n", fake ? "in-process fake OBS" : "real OBS",
                host.c_str(), port, samples);

    try {
        DirectClient direct(host, static_cast<std::uint16_t>(port), password);
        const Json list = direct.request("GetSceneList", {});
        std::vector<std::string> scenes;
        for (const auto& s : list["responseData"]["scenes"]) scenes.push_back(s["sceneName"]);
        if (scenes.size() < 2) {
            std::printf("bench_obs: needs at least two scenes, OBS has %zu\n", scenes.size());
            return 1;
        }

        net::io_context io;
        vta::obs::ConnectionConfig cfg{"BENCH", vta::obs::Role::both, host, static_cast<std::uint16_t>(port), password};
        vta::obs::Client client(io, cfg);
        client.start();
        if (!run_until(
                io, [&] { return client.state() == vta::obs::State::connected; }, std::chrono::seconds(10))) {
            std::printf("bench_obs: the client did not connect: %s\n", client.status().connection.reason.c_str());
            return 1;
        }

        // Alternate blocks so that both clients see the same conditions.
        std::vector<double> direct_us, client_us;
        int failures = 0;
        const int block = 100;
        for (int done = 0; done < samples; done += block) {
            for (int i = 0; i < block; ++i) {
                const auto t0 = Clock::now();
                const Json r = direct.request("SetCurrentProgramScene", {{"sceneName", scenes[i % 2]}});
                direct_us.push_back(Micros(Clock::now() - t0).count());
                if (!r["requestStatus"].value("result", false)) ++failures;
            }
            // Chained from the completion handler, as the host does on its loop thread.
            int started = 0, finished = 0;
            std::function<void()> next = [&] {
                if (started == block) return;
                const auto t0 = Clock::now();
                client.set_current_program_scene(scenes[started++ % 2], [&, t0](vta::VoidResult r) {
                    client_us.push_back(Micros(Clock::now() - t0).count());
                    ++finished;
                    if (!r) ++failures;
                    if (finished == block) io.stop();
                    next();
                });
            };
            // io.run() as the host runs it; the last completion stops it.
            io.restart();
            next();
            io.run();
        }
        const double d50 = percentile(direct_us, 0.5), d99 = percentile(direct_us, 0.99);
        const double c50 = percentile(client_us, 0.5), c99 = percentile(client_us, 0.99);
        std::printf("SetCurrentProgramScene round trip (us): direct p50 %.1f p99 %.1f | vta::obs p50 %.1f p99 %.1f\n",
                    d50, d99, c50, c99);
        std::printf("ratio vta::obs/direct: p50 %.3f p99 %.3f (target p50 <= 1.1); failed requests: %d\n", c50 / d50,
                    c99 / d99, failures);

        // 1,000 requests in flight at once.
        const int in_flight = 1000;
        int ok = 0, errors = 0;
        const auto t0 = Clock::now();
        for (int i = 0; i < in_flight; ++i)
            client.request(
                "GetCurrentProgramScene", {}, [&](vta::Result<Json> r) { r ? ++ok : ++errors; },
                std::chrono::seconds(30));
        run_until(
            io, [&] { return ok + errors == in_flight; }, std::chrono::seconds(40));
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        std::printf("%d requests in flight: %d answered ok, %d errors, %d lost, %.1f ms total\n", in_flight, ok, errors,
                    in_flight - ok - errors, ms);
        client.stop();
        run_until(
            io, [] { return false; }, std::chrono::milliseconds(50));
        return ok == in_flight ? 0 : 1;
    } catch (const std::exception& e) {
        std::printf("bench_obs: %s\n", e.what());
        return 1;
    }
}
