// `vta tournament …`: the tournament side of the courts' bus (docs/courts-bus.md). `run` subscribes to every court,
// keeps the PostgreSQL store and serves the board page; `results` reads the store.
#include <csignal>
#include <filesystem>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "vta/host/commands.hpp"
#include "vta/host/options.hpp"
#include "vta/host/paths.hpp"
#include "vta/host/udp_sender.hpp"
#include "vta/secrets/secrets_file.hpp"
#include "vta/tournament/service.hpp"
#include "vta/tournament/store.hpp"
#include "vta/web/feed.hpp"
#include "vta/web/http_server.hpp"

namespace vta::host {

namespace {

using nlohmann::json;

int usage(const std::string& sub, const std::string& message) {
    std::cerr << "vta tournament " << sub << ": " << message << "\n(see `vta --help`)\n";
    return 2;
}

int fail(const std::string& sub, const std::string& message) {
    std::cerr << "vta tournament " << sub << ": " << message << "\n";
    return 1;
}

constexpr const char* broker_password_secret = "tournament_broker";

int run(const Arguments& args) {
    const auto o = parse_options(
        args, {"db", "broker", "tournament", "bind", "port", "courts", "broker-user", "broker-ca", "config"}, {});
    if (!o.error.empty()) return usage("run", o.error);
    if (!o.positional.empty()) return usage("run", "unexpected argument '" + o.positional.front() + "'");
    if (!o.value("db")) return usage("run", "--db postgresql://USER@HOST:PORT/DATABASE is required");
    if (!o.value("tournament")) return usage("run", "--tournament SLUG is required (the <t> of vta/<t>/court/...)");
    const auto broker = parse_target(o.value("broker").value_or("127.0.0.1:1883"));
    if (!broker) return usage("run", "--broker: " + broker.error().message);
    const auto port = integer_option(o, "port", 0, 65535, 3002);
    if (!port) return usage("run", port.error().message);
    const auto courts = integer_option(o, "courts", 0, 99, 0);
    if (!courts) return usage("run", courts.error().message);

    boost::asio::io_context io;
    web::HttpServerOptions http_options;
    http_options.bind = o.value("bind").value_or("127.0.0.1");
    http_options.port = std::uint16_t(*port);
    http_options.roots = {VTA_SHIPPED_OVERLAYS};
    auto http = web::HttpServer::open(io, http_options);
    if (!http) return fail("run", http.error().message + " (--bind / --port)");
    web::Feed feed;

    tournament::ServiceOptions options;
    if (auto user = o.value("broker-user")) {
        // The password never on the command line: the secret "tournament_broker" beside the config.
        const auto file = secrets::secrets_file_beside(o.value("config").value_or(default_paths().config_file.string()));
        auto stored = secrets::read_secrets(file, secrets::read_machine_identity());
        if (!stored) return fail("run", "--broker-user: " + stored.error().message);
        const auto password = stored->find(broker_password_secret);
        if (password == stored->end())
            return fail("run", std::string("--broker-user: no secret \"") + broker_password_secret + "\" in " +
                                   file.string() + " (store the broker password with `vta secret set " +
                                   broker_password_secret + "`)");
        options.broker_username = *user;
        options.broker_password = password->second;
    }
    if (auto ca = o.value("broker-ca")) {
        if (!std::filesystem::exists(*ca)) return usage("run", "--broker-ca: no file " + *ca);
        options.broker_ca_file = *ca;
    }
    options.database_url = *o.value("db");
    options.broker_host = broker->host;
    options.broker_port = broker->port;
    options.tournament = *o.value("tournament");
    options.courts = int(*courts);
    // The board reaches the feed on the io thread; the database thread only posts it.
    auto service = tournament::Service::start(
        options, [&io, &feed](const json& board) { boost::asio::post(io, [&feed, board] { feed.publish(board); }); });
    if (!service) return fail("run", service.error().message);
    tournament::Service& board_source = **service;
    feed.publish(board_source.board());
    (*http)->add_feed("/feed", feed);
    (*http)->add_json_route("GET", "/api/board", [&board_source](const web::JsonRequest&) -> vta::Result<json> {
        return board_source.board();
    });
    (*http)->start();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        (*service)->stop();
        (*http)->stop();
        io.stop();
    });
    const auto endpoint = (*http)->local_endpoint();
    std::cout << "vta tournament run: " << options.tournament << " from " << broker->host << ":" << broker->port
              << ", board at http://" << endpoint.address().to_string() << ":" << endpoint.port() << "/board.html"
              << std::endl;
    io.run();
    (*service)->stop();
    return 0;
}

std::string csv_field(const std::string& value) {
    if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
    std::string quoted = "\"";
    for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

std::string side_text(const std::string& name, const std::string& noc) {
    return noc.empty() ? name : name + " (" + noc + ")";
}

int results(const Arguments& args) {
    const auto o = parse_options(args, {"db", "tournament", "day", "athlete"}, {"json", "csv"});
    if (!o.error.empty()) return usage("results", o.error);
    if (!o.positional.empty()) return usage("results", "unexpected argument '" + o.positional.front() + "'");
    if (!o.value("db")) return usage("results", "--db postgresql://USER@HOST:PORT/DATABASE is required");
    if (!o.value("day") && !o.value("athlete"))
        return usage("results", "--day D (YYYY-MM-DD or the day's number) or --athlete NAME is required");
    if (o.has("json") && o.has("csv")) return usage("results", "--json and --csv exclude each other");
    auto store = tournament::Store::open(*o.value("db"), tournament::Store::Mode::read);
    if (!store) return fail("results", store.error().message);
    tournament::ResultsQuery query;
    query.tournament = o.value("tournament");
    query.day = o.value("day");
    query.athlete = o.value("athlete");
    auto matches = (*store)->matches(query);
    if (!matches) return fail("results", matches.error().message);
    if (o.has("json")) {
        std::cout << json(*matches).dump(2) << "\n";
    } else if (o.has("csv")) {
        std::cout << "tournament,date,day,court,match,category,weight,blue,blue_noc,blue_score,red,red_noc,red_score,"
                     "winner,winner_name,decision\n";
        for (const auto& m : *matches)
            std::cout << csv_field(m.tournament) << "," << csv_field(m.date) << "," << m.day_number << "," << m.court
                      << "," << csv_field(m.number) << "," << csv_field(m.category) << "," << csv_field(m.weight) << ","
                      << csv_field(m.blue_name) << "," << csv_field(m.blue_noc) << "," << m.blue_score << ","
                      << csv_field(m.red_name) << "," << csv_field(m.red_noc) << "," << m.red_score << ","
                      << csv_field(m.winner) << "," << csv_field(m.winner_name) << "," << csv_field(m.decision) << "\n";
    } else {
        for (const auto& m : *matches)
            std::cout << m.date << "  court " << m.court << "  match " << m.number << "  "
                      << side_text(m.blue_name, m.blue_noc) << " " << m.blue_score << " - " << m.red_score << " "
                      << side_text(m.red_name, m.red_noc) << "  winner " << m.winner << " " << m.winner_name
                      << (m.decision.empty() ? "" : " (" + m.decision + ")") << "\n";
        std::cout << matches->size() << " matches\n";
    }
    return 0;
}

}  // namespace

int tournament_command(const Arguments& args) {
    const std::string sub = args.empty() ? "" : args.front();
    const Arguments rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    if (sub == "run") return run(rest);
    if (sub == "results") return results(rest);
    std::cerr << "vta tournament: expected run or results\n(see `vta --help`)\n";
    return 2;
}

}  // namespace vta::host
