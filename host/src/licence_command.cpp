// `vta license …`: the vendor's side (keygen, issue, revoke, serve) and the court's side (activate, status,
// request, install). The court's files live in $XDG_DATA_HOME/restrike-vta: licence.json (the signed licence)
// and licence-state.json (the last online check and the latest time seen, owner-only).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "vta/host/commands.hpp"
#include "vta/host/options.hpp"
#include "vta/host/paths.hpp"
#include "vta/licence/evaluation.hpp"
#include "vta/licence/licence_file.hpp"
#include "vta/licence/signing.hpp"
#include "vta/licence_client/client.hpp"
#include "vta/licence_client/local_files.hpp"
#include "vta/licence_server/server.hpp"
#include "vta/licence_server/store.hpp"
#include "vta/web/http_server.hpp"

namespace vta::host {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int usage(const std::string& sub, const std::string& message) {
    std::cerr << "vta license " << sub << ": " << message << "\n(see `vta --help`)\n";
    return 2;
}

int fail(const std::string& sub, const std::string& message) {
    std::cerr << "vta license " << sub << ": " << message << "\n";
    return 1;
}

licence::Time now() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

fs::path licence_folder() { return default_paths().licence_folder; }
fs::path licence_file() { return licence_client::LocalFiles::in(licence_folder()).licence; }
fs::path state_file() { return licence_client::LocalFiles::in(licence_folder()).state; }

Result<std::string> read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Error(Errc::io, "cannot read " + file.string());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The compiled-in vendor key, or the one --public-key names (tests, and checking another vendor's file).
Result<std::string> public_key(const ParsedOptions& o) {
    if (const auto file = o.value("public-key")) return read_text(*file);
    return std::string(licence::trusted_public_key());
}

// Writes a new file with `mode`; an existing one is never overwritten (a key pair is made once).
VoidResult create_file(const fs::path& file, const std::string& text, mode_t mode) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return Error(Errc::io, "cannot create " + file.string() + ": " + std::strerror(errno));
    const bool ok = ::fchmod(fd, mode) == 0 && ::write(fd, text.data(), text.size()) == ssize_t(text.size());
    ::close(fd);
    if (!ok) return Error(Errc::io, "cannot write " + file.string());
    return {};
}

int keygen(const Arguments& args) {
    const auto o = parse_options(args, {"out"}, {});
    if (!o.error.empty()) return usage("keygen", o.error);
    if (!o.value("out")) return usage("keygen", "--out DIR is required");
    const fs::path folder = *o.value("out");
    auto keys = licence::generate_key_pair();
    if (!keys) return fail("keygen", keys.error().message);
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return fail("keygen", "cannot create " + folder.string() + ": " + ec.message());
    if (auto written = create_file(folder / "private.pem", keys->private_pem, 0600); !written)
        return fail("keygen", written.error().message);
    if (auto written = create_file(folder / "public.pem", keys->public_pem, 0644); !written)
        return fail("keygen", written.error().message);
    std::cout << "key " << licence::key_id(keys->public_pem).value() << ": " << (folder / "private.pem").string()
              << " (keep it on the licence server only), " << (folder / "public.pem").string()
              << " (build with -DVTA_LICENCE_PUBLIC_KEY=<it>)\n";
    return 0;
}

std::vector<std::string> split_features(const std::string& list) {
    std::vector<std::string> features;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) features.push_back(item);
    return features;
}

int issue(const Arguments& args) {
    const auto o = parse_options(args, {"db", "licensee", "features", "seats", "days"}, {});
    if (!o.error.empty()) return usage("issue", o.error);
    for (const char* required : {"db", "licensee", "features", "days"})
        if (!o.value(required)) return usage("issue", std::string("--") + required + " is required");
    licence_server::NewKey request;
    request.licensee = *o.value("licensee");
    request.features = split_features(*o.value("features"));
    const auto days = integer_option(o, "days", 1, 36500, 0);
    if (!days) return usage("issue", days.error().message);
    // Without --seats, courts=N says how many machines the key activates.
    long default_seats = 1;
    for (const auto& f : request.features)
        if (f.starts_with("courts=")) default_seats = std::atol(f.c_str() + 7);
    const auto seats = integer_option(o, "seats", 1, 100000, std::max(default_seats, 1L));
    if (!seats) return usage("issue", seats.error().message);
    request.seats = int(*seats);
    const auto issued = now();
    request.expires = issued + std::chrono::days(*days);
    auto store = licence_server::Store::open(*o.value("db"));
    if (!store) return fail("issue", store.error().message);
    auto key = (*store)->issue(request, issued);
    if (!key) return fail("issue", key.error().message);
    std::cerr << key->key_id << " for " << key->licensee << ": " << key->seats << " seat(s), expires "
              << licence::format_time(key->expires) << "\n";
    std::cout << key->key << "\n";
    return 0;
}

int revoke(const Arguments& args) {
    const auto o = parse_options(args, {"db"}, {});
    if (!o.error.empty()) return usage("revoke", o.error);
    if (!o.value("db")) return usage("revoke", "--db FILE is required");
    if (o.positional.size() != 1) return usage("revoke", "expected one KEY");
    auto store = licence_server::Store::open(*o.value("db"));
    if (!store) return fail("revoke", store.error().message);
    if (auto revoked = (*store)->revoke(o.positional.front()); !revoked) return fail("revoke", revoked.error().message);
    std::cout << "revoked " << o.positional.front() << ": validations and activations are refused from now on\n";
    return 0;
}

int serve(const Arguments& args) {
    const auto o = parse_options(args, {"db", "key", "bind", "port", "tls-cert", "tls-key"}, {});
    if (!o.error.empty()) return usage("serve", o.error);
    if (!o.value("db")) return usage("serve", "--db FILE is required");
    if (!o.value("key")) return usage("serve", "--key PRIVATE.pem is required");
    if (o.value("tls-cert") && !o.value("tls-key"))
        return usage("serve", "--tls-cert needs --tls-key KEY.pem (the certificate's private key)");
    if (o.value("tls-key") && !o.value("tls-cert"))
        return usage("serve", "--tls-key needs --tls-cert CHAIN.pem (the certificate chain)");
    const auto port = integer_option(o, "port", 0, 65535, 3100);
    if (!port) return usage("serve", port.error().message);
    auto private_pem = read_text(*o.value("key"));
    if (!private_pem) return fail("serve", private_pem.error().message);
    auto store = licence_server::Store::open(*o.value("db"));
    if (!store) return fail("serve", store.error().message);
    auto licences = licence_server::LicenceServer::create(**store, {*private_pem, {}});
    if (!licences) return fail("serve", *o.value("key") + ": " + licences.error().message);

    boost::asio::io_context io;
    web::HttpServerOptions options;
    options.bind = o.value("bind").value_or("0.0.0.0");
    options.port = std::uint16_t(*port);
    if (o.value("tls-cert")) options.tls = web::TlsFiles{*o.value("tls-cert"), *o.value("tls-key")};
    auto http = web::HttpServer::open(io, options);
    if (!http) return fail("serve", http.error().message);
    (*licences)->add_routes(**http);
    (*http)->start();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        (*http)->stop();
    });
    const auto endpoint = (*http)->local_endpoint();
    std::cout << "vta license serve: listening on " << (options.tls ? "https://" : "http://")
              << endpoint.address().to_string() << ":" << endpoint.port() << " (signing key "
              << licence::key_id(*private_pem).value() << ")" << std::endl;
    io.run();
    return 0;
}

// Verifies and installs a server's answer, and records its check time.
int install_answer(const std::string& sub, const ParsedOptions& o, const std::string& text) {
    auto key = public_key(o);
    if (!key) return fail(sub, key.error().message);
    auto installed = licence_client::install_licence(licence_file(), text, *key);
    if (!installed) return fail(sub, "the licence was refused: " + installed.error().message);
    if (auto recorded = licence_client::record_server_answer(state_file(), *installed); !recorded)
        return fail(sub, recorded.error().message);
    std::cout << "installed " << licence_file().string() << ": " << installed->licensee << " (" << installed->key_id
              << "), expires " << licence::format_time(installed->expires) << "\n";
    return 0;
}

int activate(const Arguments& args) {
    const auto o = parse_options(args, {"server", "public-key", "ca"}, {});
    if (!o.error.empty()) return usage("activate", o.error);
    if (o.positional.size() != 1) return usage("activate", "expected one KEY");
    if (!o.value("server")) return usage("activate", "--server URL is required");
    licence_client::ClientOptions client;
    if (const auto ca = o.value("ca")) client.ca_file = *ca;
    auto text = licence_client::activate(*o.value("server"), o.positional.front(), licence::read_fingerprint(), client);
    if (!text) return fail("activate", text.error().message);
    return install_answer("activate", o, *text);
}

int status(const Arguments& args) {
    const auto o = parse_options(args, {"public-key"}, {"json"});
    if (!o.error.empty()) return usage("status", o.error);
    auto key = public_key(o);
    if (!key) return fail("status", key.error().message);
    const auto evaluation = licence_client::evaluate_installed(licence_client::LocalFiles::in(licence_folder()), *key,
                                                               now(), licence::read_fingerprint());
    json j = licence::to_json(evaluation);
    j["licence_file"] = licence_file().string();
    if (auto id = licence::key_id(*key)) j["verified_with_key"] = *id;
    if (o.has("json")) {
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::cout << "state:    " << j["state"].get<std::string>() << " — " << evaluation.reason << "\n"
              << "in force:";
    for (const auto& f : j["features"]) std::cout << " " << f.get<std::string>();
    std::cout << (j["features"].empty() ? " evaluation mode only\n" : "\n");
    if (evaluation.licence) {
        std::cout << "licensee: " << evaluation.licence->licensee << " (" << evaluation.licence->key_id << ")\n"
                  << "licensed:";
        for (const auto& f : evaluation.licence->features) std::cout << " " << f;
        std::cout << "\nexpires:  " << licence::format_time(evaluation.licence->expires) << "\n"
                  << "checked:  " << evaluation.days_since_check << " day(s) ago\n"
                  << "machine:  "
                  << (evaluation.machine.differing.empty() ? std::string("this one")
                      : evaluation.machine.same_machine()
                          ? "this one (" + evaluation.machine.differing.front() + " changed)"
                          : std::string("another machine"))
                  << "\n";
    }
    if (evaluation.clock_behind) std::cout << "clock:    " << evaluation.clock_warning << "\n";
    return 0;
}

int request(const Arguments& args) {
    const auto o = parse_options(args, {"out"}, {});
    if (!o.error.empty()) return usage("request", o.error);
    if (o.positional.size() != 1) return usage("request", "expected one KEY");
    // The body of POST /api/activate: the vendor posts it and hands back the answer for `vta license install`.
    const std::string text =
        json{{"key", o.positional.front()}, {"machine", licence::to_json(licence::read_fingerprint())}}.dump(2) + "\n";
    if (!o.value("out")) {
        std::cout << text;
        return 0;
    }
    std::ofstream out(*o.value("out"), std::ios::binary | std::ios::trunc);
    if (!(out << text) || !out.flush()) return fail("request", "cannot write " + *o.value("out"));
    std::cerr << "wrote " << *o.value("out") << ": give it to the licence vendor, then `vta license install ANSWER`\n";
    return 0;
}

int install(const Arguments& args) {
    const auto o = parse_options(args, {"public-key"}, {});
    if (!o.error.empty()) return usage("install", o.error);
    if (o.positional.size() != 1) return usage("install", "expected one answer FILE");
    auto text = read_text(o.positional.front());
    if (!text) return fail("install", text.error().message);
    return install_answer("install", o, *text);
}

}  // namespace

int license_command(const Arguments& args) {
    const std::string sub = args.empty() ? "" : args.front();
    const Arguments rest(args.empty() ? args.end() : args.begin() + 1, args.end());
    if (sub == "keygen") return keygen(rest);
    if (sub == "issue") return issue(rest);
    if (sub == "revoke") return revoke(rest);
    if (sub == "serve") return serve(rest);
    if (sub == "activate") return activate(rest);
    if (sub == "status") return status(rest);
    if (sub == "request") return request(rest);
    if (sub == "install") return install(rest);
    std::cerr << "vta license: expected keygen, issue, revoke, serve, activate, status, request or install\n"
                 "(see `vta --help`)\n";
    return 2;
}

}  // namespace vta::host
