#include "bus_processes.hpp"

#include <csignal>
#include <fstream>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "vta_test_peers.hpp"

namespace vta::test {

using nlohmann::json;
using namespace std::chrono_literals;

std::string http_get(std::uint16_t port, const std::string& target) {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (ec) return {};
    const std::string request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    boost::asio::write(socket, boost::asio::buffer(request), ec);
    std::string response;
    boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);
    const auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : response.substr(body + 4);
}

void set_secret(const std::map<std::string, std::string>& env, const std::string& name, const std::string& value) {
    const auto [status, output] = run_to_end(
        "/bin/sh", {"-c", "printf '%s\\n' '" + value + "' | '" + std::string(VTA_BINARY) + "' secret set " + name}, env);
    ASSERT_EQ(status, 0) << output;
}

TournamentSide::TournamentSide(std::string tournament, std::string db_url, std::string broker_address, int courts,
                               std::vector<std::string> extra_args, const std::map<std::string, std::string>& secrets)
    : tournament_(std::move(tournament)), db_url_(std::move(db_url)), broker_(std::move(broker_address)),
      courts_(courts), extra_args_(std::move(extra_args)) {
    for (const auto& [name, value] : secrets) set_secret(folder_.xdg_env(), name, value);
    start();
}

TournamentSide::~TournamentSide() { stop(); }

void TournamentSide::start() {
    port_ = test_peers::free_tcp_port();
    std::vector<std::string> args{"tournament", "run",   "--db",   db_url_, "--broker", broker_, "--tournament",
                                  tournament_,  "--port", std::to_string(port_), "--courts", std::to_string(courts_)};
    args.insert(args.end(), extra_args_.begin(), extra_args_.end());
    process_ = std::make_unique<ChildProcess>(VTA_BINARY, args, folder_.xdg_env(),
                                              folder_.path() / ("tournament-" + std::to_string(++runs_) + ".log"));
    if (!wait_until([this] { return process_->output().find("board at") != std::string::npos; }, 15s))
        throw std::runtime_error("vta tournament run did not start:\n" + process_->output());
    // Subscribed (SUBACK): from here on the broker routes the courts' messages to this side.
    if (!board_shows([](const json& b) { return b.value("broker", json::object()).value("connected", false); },
                     sanitizer_slowdown * 5s))
        throw std::runtime_error("vta tournament run did not subscribe:\n" + process_->output());
}

void TournamentSide::stop() {
    if (!process_) return;
    process_->signal(SIGTERM);
    const auto status = process_->wait(10s);
    EXPECT_EQ(status, std::optional<int>(0)) << process_->output();
    process_.reset();
}

void TournamentSide::kill() {
    if (!process_) return;
    process_->signal(SIGKILL);
    process_->wait(10s);
    process_.reset();
}

json TournamentSide::board() const { return json::parse(http_get(port_, "/api/board"), nullptr, false); }

json TournamentSide::court(int number) const { return court_in(board(), number); }

::testing::AssertionResult TournamentSide::board_shows(const std::function<bool(const json&)>& condition,
                                                       std::chrono::milliseconds timeout) const {
    json last;
    if (wait_until(
            [&] {
                last = board();
                return last.is_object() && condition(last);
            },
            timeout))
        return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "board: " << last.dump(1) << "\n" << log();
}

std::string TournamentSide::url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string TournamentSide::log() const { return process_ ? process_->output() : ""; }

CourtHost::CourtHost(const std::string& tournament, int number, std::uint16_t broker_port, const json& courts_config)
    : number_(number), env_(folder_.xdg_env()), port_(free_udp_port()) {
    json config = {{"courts",
                    {{"enabled", true},
                     {"broker", "127.0.0.1:" + std::to_string(broker_port)},
                     {"court", number},
                     {"tournament", tournament}}},
                   {"overlays", {{"enabled", false}}}};
    config["courts"].update(courts_config);
    std::filesystem::create_directories(folder_.path() / "config" / "restrike-vta");
    std::ofstream(folder_.path() / "config" / "restrike-vta" / "config.json") << config.dump(2);
}

CourtHost::~CourtHost() {
    if (simulator_) simulator_->signal(SIGKILL);
    if (host_) host_->signal(SIGKILL);
}

void CourtHost::start() {
    host_ = std::make_unique<ChildProcess>(
        VTA_BINARY, std::vector<std::string>{"run", "--bind", "127.0.0.1", "--port", std::to_string(port_)}, env_,
        folder_.path() / ("host-" + std::to_string(++starts_) + ".log"));
    ASSERT_TRUE(wait_for_output(*host_, "(listening for PSS)", 30s)) << "court " << number_ << ":\n"
                                                                   << host_->output();
}

void CourtHost::kill() {
    host_->signal(SIGKILL);
    host_->wait(10s);
}

void CourtHost::stop() {
    host_->signal(SIGTERM);
    EXPECT_TRUE(host_->wait(30s).has_value()) << host_->output();
}

void CourtHost::simulate(int matches, int speed) {
    simulator_ = std::make_unique<ChildProcess>(
        VTA_BINARY,
        std::vector<std::string>{"simulate", "--matches", std::to_string(matches), "--seed",
                                 std::to_string(100 + number_), "--speed", std::to_string(speed), "--to",
                                 "127.0.0.1:" + std::to_string(port_)},
        env_, folder_.path() / "simulate.log");
}

bool CourtHost::simulation_done() { return simulator_->wait(0ms).has_value(); }

void CourtHost::stop_simulation() {
    simulator_->signal(SIGTERM);
    simulator_->wait(10s);
}

std::string CourtHost::sql(const std::string& query) const {
    SQLite::Database db(folder_.path() / "data" / "restrike-vta" / "vta.sqlite3", SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement statement(db, query);
    std::string out;
    while (statement.executeStep()) out += (out.empty() ? "" : ",") + statement.getColumn(0).getString();
    return out;
}

std::int64_t CourtHost::events() const { return std::stoll(sql("SELECT count(*) FROM event")); }

std::string CourtHost::output() const { return host_ ? host_->output() : ""; }

json court_in(const json& board, int number) {
    for (const auto& c : board.value("courts", json::array()))
        if (c["court"] == number) return c;
    return json::object();
}

}  // namespace vta::test
