#pragma once
// The courts' bus processes for tests: `vta tournament run` as a child process with its board read over HTTP, and
// a court's `vta run` publishing to a broker, fed by its own `vta simulate`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"

namespace vta::test {

// The body of GET `target` on 127.0.0.1:port (HTTP/1.0); empty when there is none.
std::string http_get(std::uint16_t port, const std::string& target);

// Stores `value` as the secret `name` in the secrets file of the folders `env` names (`vta secret set`, the value
// on standard input); a gtest failure otherwise.
void set_secret(const std::map<std::string, std::string>& env, const std::string& name, const std::string& value);

class TournamentSide {
public:
    // Starts at once and returns when the board says it is subscribed; throws std::runtime_error with the log.
    // `secrets` are stored first (`vta secret set`), `extra_args` go to `vta tournament run`.
    TournamentSide(std::string tournament, std::string db_url, std::string broker_address, int courts = 0,
                   std::vector<std::string> extra_args = {}, const std::map<std::string, std::string>& secrets = {});
    ~TournamentSide();  // stop()

    void start();
    void stop();  // SIGTERM: expects a clean exit
    void kill();  // SIGKILL

    nlohmann::json board() const;
    nlohmann::json court(int number) const;
    // Waits until `condition` holds for the board.
    ::testing::AssertionResult board_shows(const std::function<bool(const nlohmann::json&)>& condition,
                                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
    std::string url(const std::string& path) const;
    std::string log() const;

private:
    std::string tournament_, db_url_, broker_;
    int courts_;
    std::vector<std::string> extra_args_;
    TempFolder folder_;
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t port_ = 0;
    int runs_ = 0;
};

// One court: `vta run` (courts enabled, delivery "tournament") publishing to the broker on `broker_port` (or a
// TcpLink in front of it), with its own folders and UDP port.
class CourtHost {
public:
    // `courts_config`: more keys of the config's `courts` (credentials, TLS).
    CourtHost(const std::string& tournament, int number, std::uint16_t broker_port,
              const nlohmann::json& courts_config = nlohmann::json::object());
    ~CourtHost();  // SIGKILL to what still runs

    void start();  // returns once it listens for PSS; a gtest failure otherwise
    void kill();   // SIGKILL
    void stop();   // SIGTERM, expects it to end
    // The court's scoring software: `vta simulate` at `speed` x real time (a seed of its own per court).
    void simulate(int matches, int speed);
    bool simulation_done();
    void stop_simulation();

    // The first column of `query`'s rows on the court's SQLite store, comma-separated.
    std::string sql(const std::string& query) const;
    std::int64_t events() const;
    std::string output() const;
    int number() const { return number_; }
    const std::map<std::string, std::string>& env() const { return env_; }

private:
    int number_;
    TempFolder folder_;
    std::map<std::string, std::string> env_;
    std::uint16_t port_;
    std::unique_ptr<ChildProcess> host_;
    std::unique_ptr<ChildProcess> simulator_;
    int starts_ = 0;
};

// The court `number` of a board ({} when absent).
nlohmann::json court_in(const nlohmann::json& board, int number);

}  // namespace vta::test
