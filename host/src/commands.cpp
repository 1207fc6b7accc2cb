#include "vta/host/commands.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "vta/bindings/tools.hpp"
#include "vta/host/capture.hpp"
#include "vta/host/dry_run.hpp"
#include "vta/host/host.hpp"
#include "vta/host/logging.hpp"
#include "vta/host/options.hpp"
#include "vta/host/paths.hpp"
#include "vta/host/report.hpp"
#include "vta/host/setup.hpp"
#include "vta/host/udp_sender.hpp"
#include "vta/pss/simulator.hpp"

namespace vta::host {

namespace {

int usage_error(const std::string& command, const std::string& message) {
    std::cerr << "vta " << command << ": " << message << "\n(see `vta --help`)\n";
    return 2;
}

std::optional<store::Database> open_for_reading(const ParsedOptions& o, const std::string& command, int& exit_code) {
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) {
        exit_code = usage_error(command, setup.error().message);
        return std::nullopt;
    }
    auto database = store::Database::open_read_only(setup->database);
    if (!database) {
        std::cerr << "vta " << command << ": cannot read " << setup->database.string() << ": "
                  << database.error().message << "\n(has `vta run` been started with this XDG_DATA_HOME / config?)\n";
        exit_code = 1;
        return std::nullopt;
    }
    return std::move(database.value());
}

// Runs a read query for `vta matches|events|stats` and prints it as JSON (--json) or as a table.
template <class Query, class Format>
int print_query(const ParsedOptions& o, const std::string& command, Query query, Format format) {
    int exit_code = 0;
    auto database = open_for_reading(o, command, exit_code);
    if (!database) return exit_code;
    auto result = query(*database);
    if (!result) {
        std::cerr << "vta " << command << ": " << result.error().message << "\n";
        return 1;
    }
    std::cout << (o.has("json") ? nlohmann::json(result.value()).dump(2) : format(result.value())) << "\n";
    return 0;
}

// `vta check` and `vta run --dry-run` when a bound (--max-seconds, --max-timer-firings) stopped a package or the
// tool itself: the package's doing, not a crash nor a failure of the tool.
constexpr int exit_bound_reached = 3;

const std::set<std::string> bound_options{"max-seconds", "max-timer-firings"};

// The bounds of a tool that runs untrusted packages, from its options; the watchdog's stop ends the process
// at once (it is called on another thread while the main one is stuck), saying what was running.
vta::Result<bindings::ToolBounds> tool_bounds(const ParsedOptions& o, const std::string& command,
                                              std::chrono::seconds default_time) {
    const auto seconds = integer_option(o, "max-seconds", 0, 7 * 24 * 3600, long(default_time.count()));
    if (!seconds) return seconds.error();
    const auto firings =
        integer_option(o, "max-timer-firings", 0, 1'000'000'000'000L, long(bindings::default_timer_firings_per_minute));
    if (!firings) return firings.error();
    bindings::ToolBounds bounds;
    bounds.max_time = std::chrono::seconds(*seconds);
    bounds.max_timer_firings_per_minute = std::uint64_t(*firings);
    bounds.on_overrun = [command, seconds = *seconds](const std::string& what_was_running) {
        const std::string message = "vta " + command + ": stopped by the time bound of " + std::to_string(seconds) +
                                    " s (--max-seconds): " + what_was_running + " was still inside a call that " +
                                    "does not return " + std::to_string(bindings::overrun_grace.count()) + " s later\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, message.data(), message.size());
        std::_Exit(exit_bound_reached);
    };
    return bounds;
}

const std::set<std::string> common_valued{"config", "db"};

std::set<std::string> with_common(std::set<std::string> names) {
    names.insert(common_valued.begin(), common_valued.end());
    return names;
}

}  // namespace

namespace {

// `vta run --dry-run CAPTURE`: the workflows against a capture on a virtual clock, recorders in place of
// OBS, mpv and the store; every action is printed as it would have happened.
int dry_run_command(const HostSetup& setup, const std::filesystem::path& capture, bindings::ToolBounds bounds) {
    bindings::DryRunOptions options;
    options.package_roots = setup.workflow_folders;
    options.packages = setup.config.workflows.packages;
    options.bounds = std::move(bounds);
    spdlog::set_level(spdlog::level::warn);
    const bindings::DryRunReport report = host::dry_run(capture, options, std::cout);
    if (!report.ok) {
        std::cerr << "vta run --dry-run: " << report.error << "\n";
        return 1;
    }
    std::cout << "dry run: " << report.datagrams << " datagrams, " << report.events << " events, "
              << report.actions.size() << " actions by " << report.packages.size() << " packages\n";
    bool healthy = true;
    for (const auto& p : report.packages) {
        std::cout << "  " << p.name << " " << p.version << ": " << bindings::to_string(p.state) << ", "
                  << p.handler_calls << " handler calls, " << p.failures << " failures";
        if (p.last_error)
            std::cout << "; last error " << p.last_error->file << ":" << p.last_error->line << ": "
                      << p.last_error->message;
        std::cout << "\n";
        healthy = healthy && p.failures == 0 && p.state != bindings::PackageState::error &&
                  p.state != bindings::PackageState::disabled;
    }
    bool bound_reached = false;
    for (const auto& p : report.packages) {
        if (!p.stopped_by_bound || !p.last_error) continue;
        std::cerr << "vta run --dry-run: the timer bound (--max-timer-firings "
                  << options.bounds.max_timer_firings_per_minute << " a minute) stopped package " << p.name
                  << " at capture time " << double(p.last_error->at_ms) / 1000.0 << " s; " << p.last_error->file << ":"
                  << p.last_error->line << " created the timers that fired most\n";
        bound_reached = true;
    }
    if (report.out_of_time) {
        std::cerr << "vta run --dry-run: stopped by the time bound of " << options.bounds.max_time.count() / 1000
                  << " s (--max-seconds) at capture time " << double(report.stopped_at_ms) / 1000.0
                  << " s: " << bindings::describe(*report.out_of_time) << " was running\n";
        bound_reached = true;
    }
    if (bound_reached) return exit_bound_reached;
    return healthy ? 0 : 1;
}

}  // namespace

int run_command(const Arguments& args) {
    auto valued = with_common({"bind", "port", "dry-run"});
    valued.insert(bound_options.begin(), bound_options.end());
    const auto o = parse_options(args, valued, {});
    if (!o.error.empty()) return usage_error("run", o.error);
    if (!o.positional.empty()) return usage_error("run", "unexpected argument '" + o.positional.front() + "'");
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return usage_error("run", setup.error().message);
    if (auto capture = o.value("dry-run")) {
        auto bounds = tool_bounds(o, "run --dry-run", bindings::default_dry_run_time);
        if (!bounds) return usage_error("run", bounds.error().message);
        return dry_run_command(*setup, *capture, std::move(bounds.value()));
    }
    for (const auto& name : bound_options)
        if (o.value(name)) return usage_error("run", "--" + name + " bounds a dry run only (with --dry-run)");

    if (auto problem = setup_logging(setup->config.log, setup->config.log.file); !problem.empty())
        spdlog::warn("{}", problem);
    spdlog::info("reStrike VTA {} starting", VTA_VERSION);
    spdlog::info("config: {}{}", config_file.string(),
                 std::filesystem::exists(config_file) ? "" : " (not present: embedded defaults)");
    spdlog::info("log file: {}", setup->config.log.file.string());
    for (const auto& warning : setup->warnings) spdlog::warn("{}", warning);

    boost::asio::io_context io;
    auto created = Host::create(io, *setup);
    if (!created) {
        spdlog::critical("{}", created.error().message);
        return 1;
    }
    std::unique_ptr<Host> host = std::move(created.value());
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("{} received: committing what was received and stopping", signal == SIGINT ? "SIGINT" : "SIGTERM");
        host->stop();
        io.stop();
    });
    host->start();
    io.run();
    host->stop();
    spdlog::shutdown();
    return 0;
}

int send_command(const Arguments& args) {
    const auto o = parse_options(args, {"to", "speed"}, {});
    if (!o.error.empty()) return usage_error("send", o.error);
    if (o.positional.size() != 1)
        return usage_error("send", "expected one capture file (JSON lines: {\"t\":ms,\"d\":\"...\"})");
    const auto target = parse_target(o.value("to").value_or("127.0.0.1:6000"));
    if (!target) return usage_error("send", target.error().message);
    const auto speed = number_option(o, "speed", 1);
    if (!speed) return usage_error("send", speed.error().message);
    auto capture = read_capture(o.positional.front());
    if (!capture.datagrams) return usage_error("send", capture.error);

    std::size_t position = 0;
    const auto& datagrams = *capture.datagrams;
    const SendReport report = send_paced(*target, *speed, [&]() -> std::optional<TimedDatagram> {
        if (position == datagrams.size()) return std::nullopt;
        return datagrams[position++];
    });
    std::cout << "sent " << report.sent << " datagrams (" << report.bytes << " bytes) to " << target->host << ":"
              << target->port << " in " << report.seconds << " s\n";
    if (!report.error.empty()) {
        std::cerr << "vta send: " << report.error << "\n";
        return 1;
    }
    return 0;
}

int simulate_command(const Arguments& args) {
    const auto o = parse_options(args, {"to", "speed", "matches", "seed"}, {});
    if (!o.error.empty()) return usage_error("simulate", o.error);
    const auto target = parse_target(o.value("to").value_or("127.0.0.1:6000"));
    if (!target) return usage_error("simulate", target.error().message);
    const auto speed_option = number_option(o, "speed", 1);
    const auto matches_option = integer_option(o, "matches", 1, 10000, 3);
    const auto seed_option = integer_option(o, "seed", 0, 2'000'000'000, 1);
    for (const vta::Error* e :
         {speed_option ? nullptr : &speed_option.error(), matches_option ? nullptr : &matches_option.error(),
          seed_option ? nullptr : &seed_option.error()})
        if (e) return usage_error("simulate", e->message);
    const double speed = *speed_option;
    const long matches = *matches_option, seed = *seed_option;

    pss::SimulatorOptions options;
    options.matches = int(matches);
    pss::MatchSimulator simulator(std::uint64_t(seed), options);
    std::cout << "simulating " << matches << " matches (seed " << seed << ") to " << target->host << ":" << target->port
              << (speed > 0 ? " at " + std::to_string(speed) + "x" : std::string(" as fast as possible")) << std::endl;
    const SendReport report = send_paced(*target, speed, [&]() -> std::optional<TimedDatagram> {
        auto next = simulator.next();
        if (!next) return std::nullopt;
        return TimedDatagram{next->at_ms, std::move(next->datagram)};
    });
    for (const auto& r : simulator.results())
        std::cout << "match " << r.number << ": " << r.athletes[0].long_name << " (" << r.athletes[0].noc << ") "
                  << r.scores[0] << " - " << r.scores[1] << " " << r.athletes[1].long_name << " (" << r.athletes[1].noc
                  << "), winner " << r.winner << " " << r.decision << "\n";
    std::cout << "sent " << report.sent << " datagrams in " << report.seconds << " s\n";
    if (!report.error.empty()) {
        std::cerr << "vta simulate: " << report.error << "\n";
        return 1;
    }
    return 0;
}

int matches_command(const Arguments& args) {
    const auto o = parse_options(args, common_valued, {"json"});
    if (!o.error.empty()) return usage_error("matches", o.error);
    return print_query(
        o, "matches", [](store::Database& db) { return db.list_matches({}); }, format_matches);
}

int events_command(const Arguments& args) {
    const auto o = parse_options(args, with_common({"match"}), {"json"});
    if (!o.error.empty()) return usage_error("events", o.error);
    if (!o.value("match")) return usage_error("events", "--match ID is required (see `vta matches`)");
    const auto match_option = integer_option(o, "match", 1, std::numeric_limits<long>::max(), 0);
    if (!match_option) return usage_error("events", match_option.error().message);
    const long match = *match_option;
    return print_query(
        o, "events", [match](store::Database& db) { return db.list_events(match); }, format_events);
}

int stats_command(const Arguments& args) {
    const auto o = parse_options(args, common_valued, {"json"});
    if (!o.error.empty()) return usage_error("stats", o.error);
    return print_query(
        o, "stats", [](store::Database& db) { return db.stats(); }, format_stats);
}

int check_command(const Arguments& args) {
    const auto o = parse_options(args, {"config", "max-seconds", "max-timer-firings"}, {});
    if (!o.error.empty()) return usage_error("check", o.error);
    if (o.positional.size() != 1) return usage_error("check", "expected one package folder (holding manifest.json)");
    auto bounds = tool_bounds(o, "check", bindings::default_check_time);
    if (!bounds) return usage_error("check", bounds.error().message);
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return usage_error("check", setup.error().message);
    spdlog::set_level(spdlog::level::off);  // the report below is the output
    const auto report = bindings::check_package(o.positional.front(), setup->config.workflows.packages, bounds.value());
    std::cout << (report.manifest.name.empty() ? o.positional.front()
                                               : report.manifest.name + " " + report.manifest.version)
              << ": " << (report.ok ? "ok" : "problems found") << "\n";
    for (const auto& p : report.problems) std::cout << "  error: " << p << "\n";
    for (const auto& w : report.warnings) std::cout << "  warning: " << w << "\n";
    if (!report.handlers.empty()) {
        std::cout << "  handles:";
        for (const auto& h : report.handlers) std::cout << " " << h;
        std::cout << "\n";
    }
    if (report.timers) std::cout << "  timers: " << report.timers << "\n";
    for (const auto& b : report.bounds_reached) std::cout << "  bound: " << b << "\n";
    if (!report.bounds_reached.empty()) return exit_bound_reached;
    return report.ok ? 0 : 1;
}

int config_command(const Arguments& args) {
    const auto o = parse_options(args, {"config"}, {"defaults", "check"});
    if (!o.error.empty()) return usage_error("config", o.error);
    if (o.has("defaults")) {
        std::cout << default_config_json().dump(2) << "\n";
        return 0;
    }
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) {
        std::cerr << "vta config: " << setup.error().message << "\n";
        return 1;
    }
    std::cout << "config file: " << config_file.string()
              << (std::filesystem::exists(config_file) ? " (valid)" : " (not present: embedded defaults)") << "\n"
              << "database:    " << setup->database.string() << "\n"
              << "log file:    " << setup->config.log.file.string() << "\n"
              << "secrets:     " << setup->secrets_file.string()
              << (std::filesystem::exists(setup->secrets_file) ? "" : " (not present)") << "\n";
    for (const auto& warning : setup->warnings) std::cout << "warning: " << warning << "\n";
    return 0;
}

namespace {
const char* help_text = R"(reStrike VTA — PSS ingest, match state and event store for taekwondo broadcasts

usage: vta <command> [options]
       vta                           with a display (DISPLAY set): the control panel, as `vta panel`

  panel     [--config FILE] [--bind ADDR] [--port N] [--db FILE] [--size WxH]
            the FLTK control panel with the host running in the same process

  run       [--config FILE] [--bind ADDR] [--port N] [--db FILE]
            receive PSS over UDP (default 0.0.0.0:6000), keep the match state, store every datagram,
            run the workflow packages
  run --dry-run CAPTURE.jsonl [--max-seconds S] [--max-timer-firings N]
            run the workflows against a capture on a virtual clock and print every action they take
  check     PACKAGE-FOLDER [--max-seconds S] [--max-timer-firings N]
            load a workflow package in the sandbox and report its problems
            Both bound what untrusted packages may cost: --max-seconds of wall time for the whole command
            (default 60 for a dry run, 10 for check), --max-timer-firings per package within a minute of
            capture time (default 60000; check compares the timers a package sets up at load). A package past
            the timer bound is stopped and the others go on; 0 turns a bound off. Exit status 3 says a bound
            stopped a package or the command, naming the package and the line.
  send      CAPTURE.jsonl [--to HOST:PORT] [--speed X|max]     replay a capture ({"t":ms,"d":"..."} a line)
  simulate  [--matches N] [--seed S] [--speed X|max] [--to HOST:PORT]   generate realistic matches
  matches   [--json]                 matches in the store
  events    --match ID [--json]      events of one match
  stats     [--json]                 received, stored, unknown, invalid, per code
  config    [--defaults]             where the config, database and log are; or print the defaults
  audit     [--since TIME] [--json]  the audit trail: who (panel, cli, script:NAME) did what to the record or on
                                     air, with before/after; TIME is UTC (2026-12-05 or 2026-12-05T14:00Z) or a
                                     span back from now (90s, 30m, 2h, 1d)
  obs status [--json] [--wait S]     each configured OBS connection: state, reason, OBS and obs-websocket versions
  status    [--json] [--config FILE] health at a glance from the running host (asked on 127.0.0.1:overlays.port):
                                     CPU, memory, free disk where OBS_REC records, UDP rate and silence, each
                                     OBS's CPU, skipped frames and congestion, the store; each ok/warning/alert;
                                     exit 1 when no host answers
  chapters  --day D [--out FILE]     YouTube chapters of day D (id or YYYY-MM-DD) from the stream offsets
  secret set NAME                    store a secret (e.g. an OBS password) read from standard input, never from
                                     the command line, in secrets.json.enc beside the config; the config names
                                     it: "password": {"secret": "NAME"}
  secret list                        the names of the stored secrets (never their values)
  secret delete NAME                 remove a stored secret
            secret takes --config FILE too; the file is encrypted under a key derived from this machine, so it is
            useless elsewhere (README, Secrets at rest)

  license status [--json]            the licence: state, features, expiry, days since the last check, machine match
  license activate KEY --server URL [--ca FILE]
            fetch this machine's licence from the licence server (https://HOST[:PORT], or http:// on a closed
            network) and install it; the server's certificate is checked against the system's CAs, or only
            those in the PEM file --ca names
  license request KEY [--out FILE]   air-gapped: write {key, machine} for the vendor (the body of /api/activate)
  license install FILE               verify and install a licence file (the vendor's answer to a request)
            activate, status and install verify with the built-in vendor key, or --public-key FILE
  license keygen --out DIR           vendor: a new key pair, DIR/private.pem (0600) and DIR/public.pem
  license issue --db FILE --licensee NAME --features ivr,overlays,courts=N --days D [--seats N]
            vendor: a new licence key (printed); seats default to courts=N, else 1
  license revoke --db FILE KEY       vendor: refuse the key's activations and validations from now on
  license serve --db FILE --key PRIVATE.pem [--bind ADDR] [--port N] [--tls-cert CHAIN.pem --tls-key KEY.pem]
            vendor: the licence server (POST /api/activate, /api/validate; GET /api/license-info), default
            0.0.0.0:3100; HTTPS with the certificate chain and its key, plain HTTP (closed networks only)
            without them

  tournament run --db URL --tournament T [--broker HOST:PORT] [--bind ADDR] [--port N] [--courts N]
                 [--broker-user NAME [--config FILE]] [--broker-ca FILE]
            subscribe to every court of tournament T on the MQTT broker (default 127.0.0.1:1883, see
            docs/courts-bus.md), keep the tournament store in PostgreSQL (URL: postgresql://USER@HOST:PORT/DB;
            schema made and migrated here) and serve the board: http://ADDR:N/board.html (default
            127.0.0.1:3002), GET /api/board, the feed /feed; --courts N shows courts 1..N before they report
            --broker-user: the broker's user, its password the secret "tournament_broker" (`vta secret set
            tournament_broker`); --broker-ca: TLS, the broker's certificate chaining to that CA
  tournament results --db URL (--day D | --athlete NAME) [--tournament T] [--json|--csv]
            decided matches of day D (YYYY-MM-DD or the day's number), or of an athlete (part of a name)

Readers (matches, events, stats, audit, config) take --config FILE and --db FILE too. Files live under the XDG
folders: $XDG_CONFIG_HOME/restrike-vta/config.json, $XDG_DATA_HOME/restrike-vta/vta.sqlite3,
$XDG_STATE_HOME/restrike-vta/vta.log, $XDG_DATA_HOME/restrike-vta/licence.json and licence-state.json,
$XDG_CONFIG_HOME/restrike-vta/secrets.json.enc. The host creates its config, secrets and database owner-only.
)";
}  // namespace

int main_command(int argc, char** argv) {
    const Arguments all(argv + 1, argv + argc);
    if (all.empty() || all.front() == "--help" || all.front() == "-h" || all.front() == "help") {
        std::cout << help_text;
        return all.empty() ? 2 : 0;
    }
    if (all.front() == "--version") {
        std::cout << "vta " << VTA_VERSION << "\n";
        return 0;
    }
    const std::string command = all.front();
    const Arguments rest(all.begin() + 1, all.end());
    if (command == "run") return run_command(rest);
    if (command == "send") return send_command(rest);
    if (command == "simulate") return simulate_command(rest);
    if (command == "matches") return matches_command(rest);
    if (command == "events") return events_command(rest);
    if (command == "stats") return stats_command(rest);
    if (command == "config") return config_command(rest);
    if (command == "obs") return obs_command(rest);
    if (command == "status") return status_command(rest);
    if (command == "check") return check_command(rest);
    if (command == "chapters") return chapters_command(rest);
    if (command == "license") return license_command(rest);
    if (command == "tournament") return tournament_command(rest);
    if (command == "secret") return secret_command(rest);
    if (command == "audit") return audit_command(rest);
    std::cerr << "vta: unknown command '" << command << "'\n" << help_text;
    return 2;
}

}  // namespace vta::host
