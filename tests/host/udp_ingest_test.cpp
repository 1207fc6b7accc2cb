// The host end to end over real UDP: `vta run` in its own XDG folders, `vta send` replays a capture,
// and the readers' --json output must show what the capture implies.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "child_process.hpp"
#include "test_licence.hpp"
#include "vta/pss/simulator.hpp"

namespace vta::test {
namespace {

const std::string vta = VTA_BINARY;
const std::string captures = VTA_CAPTURES;

std::size_t lines_in(const std::string& file) {
    std::ifstream in(file);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += !line.empty();
    return n;
}

class HostOverUdp : public ::testing::Test {
protected:
    void start_host() {
        host_ = std::make_unique<ChildProcess>(
            vta, std::vector<std::string>{"run", "--bind", "127.0.0.1", "--port", std::to_string(port_)}, env_,
            folder_.path() / ("host-" + std::to_string(++starts_) + ".log"));
        bool exited = false;
        ASSERT_TRUE(wait_until(
            [&] {
                exited = host_->wait(std::chrono::milliseconds(0)).has_value();
                return exited || host_->output().find("listening for PSS") != std::string::npos;
            },
            std::chrono::seconds(20)))
            << host_->output();
        ASSERT_FALSE(exited) << "vta run exited at start:\n" << host_->output();
    }

    nlohmann::json read_json(const std::vector<std::string>& args) { return read_json_of(vta, args); }
    nlohmann::json read_json_of(const std::string& program, const std::vector<std::string>& args) {
        auto [status, output] = run_to_end(program, args, env_);
        EXPECT_EQ(status, 0) << output;
        auto parsed = nlohmann::json::parse(output, nullptr, false);
        EXPECT_FALSE(parsed.is_discarded()) << output;
        return parsed;
    }

    std::int64_t stored_datagrams() {
        auto [status, output] = run_to_end(vta, {"stats", "--json"}, env_);
        if (status != 0) return -1;
        auto stats = nlohmann::json::parse(output, nullptr, false);
        return stats.is_discarded() ? -1 : stats.value("datagrams", std::int64_t(-1));
    }

    // The match rows follow the datagrams within a commit or two: wait until `count` are decided.
    nlohmann::json decided_matches(std::size_t count) {
        nlohmann::json matches;
        const bool decided = wait_until(
            [&] {
                matches = read_json({"matches", "--json"});
                if (!matches.is_array() || matches.size() != count) return false;
                for (const auto& m : matches)
                    if (m.value("winner", "none") == "none") return false;
                return true;
            },
            std::chrono::seconds(10));
        EXPECT_TRUE(decided) << matches.dump(2);
        return matches;
    }

    std::filesystem::path database() const { return folder_.path() / "data" / "restrike-vta" / "vta.sqlite3"; }

    TempFolder folder_;
    std::map<std::string, std::string> env_ = folder_.xdg_env();
    std::uint16_t port_ = free_udp_port();
    std::unique_ptr<ChildProcess> host_;
    int starts_ = 0;
};

nlohmann::json find_match(const nlohmann::json& matches, const std::string& number) {
    for (const auto& m : matches)
        if (m.value("number", "") == number) return m;
    ADD_FAILURE() << "no match " << number << " in " << matches.dump();
    return {};
}

TEST_F(HostOverUdp, Day3CaptureAtFullSpeedGivesThreeCompleteMatches) {
    start_host();
    const std::string capture = captures + "/day-3-matches.jsonl";
    auto [sent_status, sent] =
        run_to_end(vta, {"send", capture, "--to", "127.0.0.1:" + std::to_string(port_), "--speed", "max"}, env_);
    ASSERT_EQ(sent_status, 0) << sent;
    const auto expected = std::int64_t(lines_in(capture));
    ASSERT_NE(sent.find("sent " + std::to_string(expected) + " datagrams"), std::string::npos) << sent;

    ASSERT_TRUE(wait_until([&] { return stored_datagrams() == expected; }, std::chrono::seconds(20)))
        << "stored " << stored_datagrams() << " of " << expected;

    const auto stats = read_json({"stats", "--json"});
    EXPECT_EQ(stats["datagrams"], expected);
    EXPECT_EQ(stats["unknown"], 0);
    EXPECT_EQ(stats["invalid"], 0);

    const auto matches = decided_matches(3);
    ASSERT_EQ(matches.size(), 3u) << matches.dump(2);

    struct Expected {
        std::string number, blue, blue_noc, red, red_noc;
        int blue_score, red_score;  // the last round's, as the scoreboard shows at the end
        std::vector<std::pair<int, int>> round_scores;
        std::vector<std::string> round_winners;
        std::string winner, decision;
    };
    const std::vector<Expected> expectations{
        {"101",
         "Emma O'CONNOR",
         "IRL",
         "Kareem ABDULLAH",
         "JOR",
         12,
         10,
         {{16, 9}, {12, 10}},
         {"blue", "blue"},
         "blue",
         "2-0 PTF"},
        {"102",
         "Thi NGUYEN",
         "VIE",
         "Kareem ABDULLAH",
         "JOR",
         16,
         21,
         {{24, 30}, {8, 7}, {16, 21}},
         {"red", "blue", "red"},
         "red",
         "2-1 PTF"},
        {"103",
         "Ralf MÜLLER",
         "GER",
         "Vladislav SHCHERBAKOV",
         "AIN",
         19,
         14,
         {{18, 14}, {19, 14}},
         {"blue", "blue"},
         "blue",
         "2-0 PTF"},
    };
    for (const auto& e : expectations) {
        SCOPED_TRACE("match " + e.number);
        const auto m = find_match(matches, e.number);
        EXPECT_EQ(m["blue"]["long_name"], e.blue);
        EXPECT_EQ(m["blue"]["noc"], e.blue_noc);
        EXPECT_EQ(m["red"]["long_name"], e.red);
        EXPECT_EQ(m["red"]["noc"], e.red_noc);
        EXPECT_EQ(m["blue_score"], e.blue_score);
        EXPECT_EQ(m["red_score"], e.red_score);
        nlohmann::json round_scores = nlohmann::json::array();
        for (auto [blue, red] : e.round_scores) round_scores.push_back({{"blue", blue}, {"red", red}});
        EXPECT_EQ(m["round_scores"], round_scores);
        EXPECT_EQ(m["round_winners"], nlohmann::json(e.round_winners));
        EXPECT_EQ(m["winner"], e.winner);
        EXPECT_EQ(m["decision"], e.decision);
    }

    // Every recognised group of the match is an event of it, in order, with its clock.
    const auto first = find_match(matches, "101");
    const auto events = read_json({"events", "--match", std::to_string(first["id"].get<std::int64_t>()), "--json"});
    ASSERT_GT(events.size(), 100u);
    EXPECT_EQ(events.front()["code"], "pre");
    EXPECT_EQ(events.back()["code"], "wmh");

    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();
}

TEST_F(HostOverUdp, KillDashNineLosesNothingReportedCommitted) {
    start_host();
    // A long day at high speed: the host commits while datagrams keep coming, then dies without warning.
    const std::string capture = captures + "/day-12-matches.jsonl";
    ChildProcess sender(vta, {"send", capture, "--to", "127.0.0.1:" + std::to_string(port_), "--speed", "1000"}, env_,
                        folder_.path() / "sender.log");
    const std::regex committed_line(R"(committed through datagram (\d+))");
    std::int64_t reported = 0;
    ASSERT_TRUE(wait_until(
        [&] {
            const std::string out = host_->output();
            for (auto it = std::sregex_iterator(out.begin(), out.end(), committed_line); it != std::sregex_iterator();
                 ++it)
                reported = std::stoll((*it)[1]);
            return reported > 500;
        },
        std::chrono::seconds(30)))
        << host_->output();
    host_->signal(SIGKILL);
    host_->wait(std::chrono::seconds(5));
    ASSERT_FALSE(sender.wait(std::chrono::milliseconds(0))) << "the replay ended before the kill: nothing was proven";
    sender.signal(SIGKILL);
    sender.wait(std::chrono::seconds(5));

    {
        SQLite::Database db(database().string(), SQLite::OPEN_READONLY);
        EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
        EXPECT_EQ(db.execAndGet("SELECT count(*) FROM datagram WHERE id <= " + std::to_string(reported)).getInt64(),
                  reported);
    }

    const std::int64_t after_kill = [&] {
        SQLite::Database db(database().string(), SQLite::OPEN_READONLY);
        return db.execAndGet("SELECT count(*) FROM datagram").getInt64();
    }();

    // The host starts again on the same database and goes on storing; a SIGINT right after the last
    // datagram was sent still stores every one of them.
    start_host();
    const std::string day3 = captures + "/day-3-matches.jsonl";
    auto [status, output] =
        run_to_end(vta, {"send", day3, "--to", "127.0.0.1:" + std::to_string(port_), "--speed", "max"}, env_);
    ASSERT_EQ(status, 0) << output;
    host_->signal(SIGINT);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();
    SQLite::Database db(database().string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM datagram").getInt64(), after_kill + std::int64_t(lines_in(day3)));
}

TEST_F(HostOverUdp, AHostRestartedMidMatchContinuesThatMatch) {
    // Day 3 cut in the middle of match 101's first round: the first part, a restart, then the rest.
    std::ifstream in(captures + "/day-3-matches.jsonl");
    std::ofstream first(folder_.path() / "first.jsonl"), rest(folder_.path() / "rest.jsonl");
    std::size_t n = 0;
    for (std::string line; std::getline(in, line); ++n) (n < 200 ? first : rest) << line << "\n";
    first.close();
    rest.close();
    const std::string to = "127.0.0.1:" + std::to_string(port_);

    start_host();
    auto [status, output] =
        run_to_end(vta, {"send", (folder_.path() / "first.jsonl").string(), "--to", to, "--speed", "max"}, env_);
    ASSERT_EQ(status, 0) << output;
    ASSERT_TRUE(wait_until([&] { return stored_datagrams() == 200; }, std::chrono::seconds(20)));
    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();

    start_host();
    EXPECT_NE(host_->output().find("continuing match 101"), std::string::npos) << host_->output();
    std::tie(status, output) =
        run_to_end(vta, {"send", (folder_.path() / "rest.jsonl").string(), "--to", to, "--speed", "max"}, env_);
    ASSERT_EQ(status, 0) << output;

    const auto matches = decided_matches(3);
    const auto m = find_match(matches, "101");
    EXPECT_EQ(m["blue"]["long_name"], "Emma O'CONNOR");
    EXPECT_EQ(m["round_scores"], nlohmann::json::parse(R"([{"blue":16,"red":9},{"blue":12,"red":10}])"));
    EXPECT_EQ(m["winner"], "blue");
    EXPECT_EQ(m["decision"], "2-0 PTF");
    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();
    SQLite::Database db(database().string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM event WHERE match_id IS NULL").getInt64(), 0);
    EXPECT_EQ(db.execAndGet("SELECT count(*) FROM datagram").getInt64(), std::int64_t(n));
}

TEST_F(HostOverUdp, SimulatedMatchesArriveAsTheSimulatorPlayedThem) {
    start_host();
    auto [status, output] = run_to_end(
        vta,
        {"simulate", "--matches", "2", "--seed", "7", "--speed", "max", "--to", "127.0.0.1:" + std::to_string(port_)},
        env_);
    ASSERT_EQ(status, 0) << output;

    // The same seed gives the same day: replay it here to know what the host must have seen.
    pss::SimulatorOptions options;
    options.matches = 2;
    pss::MatchSimulator simulator(7, options);
    std::int64_t datagrams = 0;
    while (simulator.next()) ++datagrams;
    ASSERT_TRUE(wait_until([&] { return stored_datagrams() == datagrams; }, std::chrono::seconds(20)))
        << "stored " << stored_datagrams() << " of " << datagrams;

    const auto stats = read_json({"stats", "--json"});
    EXPECT_EQ(stats["unknown"], 0);
    EXPECT_EQ(stats["invalid"], 0);
    const auto matches = decided_matches(simulator.results().size());
    ASSERT_EQ(matches.size(), simulator.results().size());
    for (const auto& played : simulator.results()) {
        SCOPED_TRACE("match " + played.number);
        const auto m = find_match(matches, played.number);
        EXPECT_EQ(m["blue"]["long_name"], played.athletes[0].long_name);
        EXPECT_EQ(m["red"]["noc"], played.athletes[1].noc);
        EXPECT_EQ(m["winner"], played.winner == "BLUE" ? "blue" : "red");
        EXPECT_NE(m["decision"].get<std::string>().find(played.decision), std::string::npos);
        std::vector<std::string> round_winners;
        for (int w : played.round_winners)
            if (w != 0) round_winners.push_back(w == 1 ? "blue" : "red");
        EXPECT_EQ(m["round_winners"], nlohmann::json(round_winners));
    }
}

TEST_F(HostOverUdp, SendersOffTheAllowListAreRefusedAndCounted) {
    const auto config = folder_.path() / "allow.json";
    std::ofstream(config) << R"({"udp": {"allow": ["192.0.2.7"]}})";
    host_ = std::make_unique<ChildProcess>(vta,
                                           std::vector<std::string>{"run", "--config", config.string(), "--bind",
                                                                    "127.0.0.1", "--port", std::to_string(port_)},
                                           env_, folder_.path() / "allow-host.log");
    ASSERT_TRUE(wait_until([&] { return host_->output().find("listening for PSS") != std::string::npos; },
                           std::chrono::seconds(20)))
        << host_->output();
    const std::string capture = captures + "/day-3-matches.jsonl";
    auto [status, output] =
        run_to_end(vta, {"send", capture, "--to", "127.0.0.1:" + std::to_string(port_), "--speed", "max"}, env_);
    ASSERT_EQ(status, 0) << output;
    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();

    const auto stats = read_json({"stats", "--json", "--config", config.string()});
    EXPECT_EQ(stats["datagrams"], 0);
    EXPECT_EQ(stats["counters"]["udp_refused"], std::int64_t(lines_in(capture)));
    EXPECT_EQ(stats["counters"]["udp_datagrams"], 0);
}

// Evaluation mode keeps one OBS: the recording one, wherever it is listed; the licensed `vta-test` connects both.
TEST_F(HostOverUdp, WithoutMultiObsInTheLicenceOnlyTheRecordingObsIsConnected) {
    const auto config = folder_.path() / "two-obs.json";
    std::ofstream(config) << R"({"obs": [{"name": "OBS_STR", "role": "str", "host": "127.0.0.1", "port": )"
                          << free_udp_port() << R"(}, {"name": "OBS_REC", "role": "rec", "host": "127.0.0.1", "port": )"
                          << free_udp_port() << "}]}";
    const std::vector<std::string> args{"run", "--config", config.string(), "--bind", "127.0.0.1", "--port",
                                        std::to_string(port_)};
    const std::string held_back =
        "OBS_STR: not connected: a second OBS connection needs a licence with \"multi_obs\" (vta license status); "
        "OBS_REC is kept";
    host_ = std::make_unique<ChildProcess>(vta, args, env_, folder_.path() / "evaluation-host.log");
    ASSERT_TRUE(wait_until([&] { return host_->output().find("OBS_REC: connecting") != std::string::npos; },
                           std::chrono::seconds(20)))
        << host_->output();
    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();
    EXPECT_NE(host_->output().find("licence: no licence installed: evaluation mode"), std::string::npos)
        << host_->output();
    EXPECT_NE(host_->output().find(held_back), std::string::npos) << host_->output();
    EXPECT_EQ(host_->output().find("OBS_STR: connecting"), std::string::npos) << host_->output();

    install_test_licence(env_.at("XDG_DATA_HOME"));
    host_ = std::make_unique<ChildProcess>(VTA_TEST_BINARY, args, env_, folder_.path() / "licensed-host.log");
    ASSERT_TRUE(wait_until(
        [&] {
            const auto out = host_->output();
            return out.find("OBS_REC: connecting") != std::string::npos &&
                   out.find("OBS_STR: connecting") != std::string::npos;
        },
        std::chrono::seconds(20)))
        << host_->output();
    host_->signal(SIGTERM);
    ASSERT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();
    EXPECT_NE(host_->output().find("licence: licensed to reStrike VTA test suite"), std::string::npos)
        << host_->output();
    EXPECT_EQ(host_->output().find("not connected"), std::string::npos) << host_->output();
    const auto status = read_json_of(VTA_TEST_BINARY, {"license", "status", "--json"});
    EXPECT_EQ(status["state"], "valid");
    EXPECT_EQ(status["features"], nlohmann::json({"ivr", "overlays", "multi_obs", "courts=12"}));
}

TEST_F(HostOverUdp, WorkflowPackagesSeeTheMatchAsItArrives) {
    const auto package = folder_.path() / "packages" / "probe";
    std::filesystem::create_directories(package);
    std::ofstream(package / "manifest.json") << R"({"name": "probe", "version": "1.0.0", "author": "tests",
                                                  "description": "logs what it sees", "permissions": [], "config": {}})";
    std::ofstream(package / "main.lua") << R"(
on("match_loaded", function(ev, match) log.info("probe saw match loaded") end)
on("winner", function(ev, match) log.info("probe saw winner " .. ev.data.winner .. " of match " .. match.number) end)
)";
    const auto config = folder_.path() / "workflows.json";
    std::ofstream(config)
        << nlohmann::json{{"workflows", {{"folders", {(folder_.path() / "packages").string()}}}}}.dump();
    host_ = std::make_unique<ChildProcess>(vta,
                                           std::vector<std::string>{"run", "--config", config.string(), "--bind",
                                                                    "127.0.0.1", "--port", std::to_string(port_)},
                                           env_, folder_.path() / "workflow-host.log");
    ASSERT_TRUE(wait_until([&] { return host_->output().find("listening for PSS") != std::string::npos; },
                           std::chrono::seconds(20)))
        << host_->output();
    auto [status, output] = run_to_end(
        vta,
        {"send", captures + "/day-3-matches.jsonl", "--to", "127.0.0.1:" + std::to_string(port_), "--speed", "max"},
        env_);
    ASSERT_EQ(status, 0) << output;
    EXPECT_TRUE(
        wait_until([&] { return host_->output().find("probe saw winner BLUE of match 103") != std::string::npos; },
                   std::chrono::seconds(10)))
        << host_->output();
    host_->signal(SIGTERM);
    EXPECT_EQ(host_->wait(std::chrono::seconds(10)), 0) << host_->output();
}

TEST_F(HostOverUdp, CheckAndDryRunReportWhatAPackageWouldDo) {
    const std::string example = std::string(VTA_SOURCE_DIR) + "/examples/workflows/example-hello";
    auto [ok_status, ok_output] = run_to_end(vta, {"check", example}, env_);
    EXPECT_EQ(ok_status, 0) << ok_output;
    EXPECT_NE(ok_output.find("example-hello 1.0.0: ok"), std::string::npos) << ok_output;

    const auto broken = folder_.path() / "broken";
    std::filesystem::create_directories(broken);
    std::ofstream(broken / "manifest.json") << R"({"name": "broken", "version": "0.1.0", "author": "tests",
                                                 "description": "a syntax error", "permissions": [], "config": {}})";
    std::ofstream(broken / "main.lua") << "on(\"point\", function(ev)\n  if ev then\nend)\n";
    auto [bad_status, bad_output] = run_to_end(vta, {"check", broken.string()}, env_);
    EXPECT_EQ(bad_status, 1) << bad_output;
    EXPECT_NE(bad_output.find("main.lua:"), std::string::npos) << bad_output;

    const auto config = folder_.path() / "dry.json";
    std::ofstream(config)
        << nlohmann::json{{"workflows", {{"folders", {std::string(VTA_SOURCE_DIR) + "/examples/workflows"}}}}}.dump();
    auto [dry_status, dry_output] =
        run_to_end(vta, {"run", "--config", config.string(), "--dry-run", captures + "/day-3-matches.jsonl"}, env_);
    EXPECT_EQ(dry_status, 0) << dry_output;
    EXPECT_NE(dry_output.find("example-hello  playback.open"), std::string::npos) << dry_output;
    EXPECT_NE(dry_output.find("dry run: 1582 datagrams"), std::string::npos) << dry_output;
}

TEST_F(HostOverUdp, CheckAndDryRunStopRunawayPackagesAtTheirBounds) {
    const auto packages = folder_.path() / "runaway-packages";
    const auto write_package = [&](const std::string& name, const std::string& main_lua) {
        std::filesystem::create_directories(packages / name);
        std::ofstream(packages / name / "manifest.json")
            << nlohmann::json{{"name", name}, {"version", "1.0.0"}, {"permissions", nlohmann::json::array()}}.dump();
        std::ofstream(packages / name / "main.lua") << main_lua;
        return (packages / name).string();
    };
    // 2,000 timers at 1 ms; fewer under sanitizers, where creating 2,000 takes longer than the load's 50 ms slice.
    const std::string runaway = write_package(
        "runaway", "local fired = 0\nfor i = 1, " + std::to_string(2000 / sanitizer_slowdown) +
                       " do\n  timer.every(0.001, function() fired = fired + 1 end)\nend\n");
    const auto config = folder_.path() / "runaway.json";
    std::ofstream(config) << nlohmann::json{{"workflows", {{"folders", {packages.string()}}}}}.dump();
    const auto started = std::chrono::steady_clock::now();
    auto [dry_status, dry_output] =
        run_to_end(vta, {"run", "--config", config.string(), "--dry-run", captures + "/day-3-matches.jsonl"}, env_);
    // Unbounded it runs for over an hour; the margin is for a loaded 2-core machine.
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
    EXPECT_EQ(dry_status, 3) << dry_output;
    EXPECT_NE(dry_output.find("the timer bound (--max-timer-firings 60000 a minute) stopped package runaway"),
              std::string::npos)
        << dry_output;
    EXPECT_NE(dry_output.find("main.lua:3 created the timers that fired most"), std::string::npos) << dry_output;
    EXPECT_NE(dry_output.find("dry run: 1582 datagrams"), std::string::npos) << "the run goes on:\n" << dry_output;

    auto [check_status, check_output] = run_to_end(vta, {"check", runaway}, env_);
    EXPECT_EQ(check_status, 3) << check_output;
    EXPECT_NE(check_output.find("bound: main.lua:3: the timers set up at load would fire"), std::string::npos)
        << check_output;
    std::tie(check_status, check_output) = run_to_end(vta, {"check", runaway, "--max-timer-firings", "0"}, env_);
    EXPECT_EQ(check_status, 0) << check_output;

    // A pattern that backtracks for hours inside string.find, where no hook reaches: the watchdog ends it.
    const std::string hang =
        write_package("hang", "local s = string.rep('a', 40)\nstring.find(s, string.rep('a-', 30) .. 'b')\n");
    const auto hang_started = std::chrono::steady_clock::now();
    std::tie(check_status, check_output) = run_to_end(vta, {"check", hang, "--max-seconds", "1"}, env_);
    EXPECT_LT(std::chrono::steady_clock::now() - hang_started, std::chrono::seconds(15));  // forever unbounded
    EXPECT_EQ(check_status, 3) << check_output;
    EXPECT_NE(check_output.find("vta check: stopped by the time bound of 1 s (--max-seconds): package hang"),
              std::string::npos)
        << check_output;

    std::tie(check_status, check_output) = run_to_end(vta, {"run", "--max-seconds", "5"}, env_);
    EXPECT_EQ(check_status, 2) << check_output;
    EXPECT_NE(check_output.find("--max-seconds bounds a dry run only"), std::string::npos) << check_output;
}

TEST_F(HostOverUdp, PortInUseSaysWhichPortAndWhatToDo) {
    start_host();
    auto [status, output] = run_to_end(vta,
                                       {"run", "--bind", "127.0.0.1", "--port", std::to_string(port_), "--db",
                                        (folder_.path() / "other.sqlite3").string()},
                                       env_);
    EXPECT_EQ(status, 1);
    EXPECT_NE(output.find("UDP port " + std::to_string(port_) + " is already in use"), std::string::npos) << output;
}

TEST_F(HostOverUdp, BadConfigNamesTheKeyAndTheExpectedValue) {
    const auto file = folder_.path() / "bad.json";
    std::ofstream(file) << R"({"udp": {"port": "six thousand"}})";
    auto [status, output] = run_to_end(vta, {"run", "--config", file.string()}, env_);
    EXPECT_EQ(status, 2);
    EXPECT_NE(output.find("udp.port: expected an integer from 1 to 65535"), std::string::npos) << output;

    std::ofstream(file) << R"({"udp": {"prot": 6000}})";
    std::tie(status, output) = run_to_end(vta, {"run", "--config", file.string()}, env_);
    EXPECT_EQ(status, 2);
    EXPECT_NE(output.find("unknown key 'udp.prot'"), std::string::npos) << output;
}

}  // namespace
}  // namespace vta::test
