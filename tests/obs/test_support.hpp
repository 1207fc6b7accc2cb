#pragma once
// Helpers shared by the obs tests: run the client's loop until a condition holds (with a
// deadline, never a sleep) and turn a callback operation into a value.

#include <chrono>
#include <memory>
#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "fake_obs_server.hpp"
#include "vta/obs/client.hpp"

namespace vta::obs::testing {

using namespace std::chrono_literals;

// Runs `io` until `done()` is true or `limit` passed; returns done().
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::milliseconds limit = 5000ms) {
    auto guard = boost::asio::make_work_guard(io);
    const auto deadline = std::chrono::steady_clock::now() + limit;
    io.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_for(10ms);
    return done();
}

// Starts an operation with a handler and runs the loop until it completes.
template <class T, class Start>
Result<T> await(boost::asio::io_context& io, Start start, std::chrono::milliseconds limit = 8000ms) {
    std::optional<Result<T>> out;
    start([&out](Result<T> r) { out.emplace(std::move(r)); });
    if (!run_until(
            io, [&] { return out.has_value(); }, limit))
        return Error{Errc::timeout, "the test deadline passed before the operation completed"};
    return std::move(*out);
}

// Timings short enough for tests; keepalive stays at the production value unless a test changes it.
inline ClientOptions test_options() {
    ClientOptions o;
    o.request_timeout = 2000ms;
    o.backoff_initial = 50ms;
    o.backoff_max = 400ms;
    o.replay_saved_timeout = 300ms;
    return o;
}

inline ConnectionConfig local_config(std::uint16_t port, std::string password = {}) {
    ConnectionConfig cfg;
    cfg.name = "OBS_TEST";
    cfg.role = Role::rec;
    cfg.port = port;
    cfg.password = std::move(password);
    return cfg;
}

// A server plus a connected client on a test-owned loop.
struct Rig {
    explicit Rig(FakeObsOptions server_options = {}, ClientOptions client_options = test_options(),
                 std::string password = {})
        : server(std::move(server_options)),
          client(std::make_unique<Client>(io, local_config(server.port(), password), std::move(client_options))) {}

    bool connect() {
        client->start();
        return run_until(io, [&] { return client->state() == State::connected; });
    }

    boost::asio::io_context io;
    FakeObsServer server;
    std::unique_ptr<Client> client;
};

}  // namespace vta::obs::testing
