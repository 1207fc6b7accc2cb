#include "vta/licence_client/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace vta::licence_client {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using nlohmann::json;

// Answers larger than this are not a licence server's.
constexpr std::size_t max_answer_bytes = 256 * 1024;

struct Url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string prefix;  // the path before /api, without its trailing '/'
};

Result<Url> parse_url(const std::string& url) {
    Url parsed;
    std::string rest;
    if (url.starts_with("https://")) {
        parsed.tls = true;
        parsed.port = "443";
        rest = url.substr(std::string_view("https://").size());
    } else if (url.starts_with("http://")) {
        parsed.port = "80";
        rest = url.substr(std::string_view("http://").size());
    } else {
        return Error(Errc::invalid_argument,
                     "the licence server URL must start with https:// or http:// (got '" + url + "')");
    }
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        parsed.prefix = rest.substr(slash);
        rest.resize(slash);
        while (parsed.prefix.ends_with('/')) parsed.prefix.pop_back();
    }
    if (const auto colon = rest.rfind(':'); colon != std::string::npos && rest.find(']', colon) == std::string::npos) {
        parsed.port = rest.substr(colon + 1);
        rest.resize(colon);
        if (parsed.port.empty() || parsed.port.find_first_not_of("0123456789") != std::string::npos)
            return Error(Errc::invalid_argument, "the licence server URL '" + url + "' has a malformed port");
    }
    if (rest.starts_with('[') && rest.ends_with(']')) rest = rest.substr(1, rest.size() - 2);
    if (rest.empty()) return Error(Errc::invalid_argument, "the licence server URL '" + url + "' has no host");
    parsed.host = rest;
    return parsed;
}

// Verifies the server's chain against the system's CAs, or only against those in options.ca_file.
Result<std::unique_ptr<ssl::context>> client_tls_context(const ClientOptions& options) {
    auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
    beast::error_code ec;
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                         ec);
    if (!ec) context->set_verify_mode(ssl::verify_peer, ec);
    if (ec) return Error(Errc::unavailable, "cannot set up TLS: " + ec.message());
    if (!options.ca_file) {
        context->set_default_verify_paths(ec);
        if (ec) return Error(Errc::unavailable, "cannot load the system's CA certificates: " + ec.message());
        return context;
    }
    const std::string file = options.ca_file->string();
    std::ifstream in(*options.ca_file, std::ios::binary);
    if (!in) return Error(Errc::io, "cannot read the CA file " + file + ": " + std::generic_category().message(errno));
    std::stringstream pem;
    pem << in.rdbuf();
    const std::string text = pem.str();
    context->add_certificate_authority(net::buffer(text), ec);
    if (ec)
        return Error(Errc::invalid_argument,
                     "the CA file " + file + " holds no usable PEM certificate: " + ec.message());
    return context;
}

// The name the server's certificate must carry: an IP address as such, a host name also sent as SNI (which never
// carries an address).
VoidResult expect_certificate_for(TlsStream& stream, const std::string& host) {
    SSL* tls = stream.native_handle();
    X509_VERIFY_PARAM* check = SSL_get0_param(tls);
    X509_VERIFY_PARAM_set_hostflags(check, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    beast::error_code not_an_address;
    net::ip::make_address(host, not_an_address);
    const bool set = not_an_address
                         ? SSL_set_tlsext_host_name(tls, host.c_str()) == 1 && SSL_set1_host(tls, host.c_str()) == 1
                         : X509_VERIFY_PARAM_set1_ip_asc(check, host.c_str()) == 1;
    if (!set) return Error(Errc::invalid_argument, "cannot check the licence server's certificate for '" + host + "'");
    return {};
}

// What one request left behind: the answer, or the step that failed and why.
struct Outcome {
    http::response_parser<http::string_body> parser;
    beast::error_code failure;
    std::string failed_step;
};

// Plain HTTP has nothing to do between connecting and sending; HTTPS shakes hands.
template <class Handler>
void secure(beast::tcp_stream&, Handler&& handler) {
    handler(beast::error_code());
}
template <class Handler>
void secure(TlsStream& stream, Handler&& handler) {
    stream.async_handshake(ssl::stream_base::client, std::forward<Handler>(handler));
}

// One request and its answer, each step async on a private io_context so the deadline covers all of them
// (Beast's synchronous calls have no timeout).
template <class Stream>
void run_exchange(net::io_context& io, Stream& stream, const Url& url, http::request<http::string_body>& request,
                  std::chrono::milliseconds timeout, Outcome& outcome) {
    tcp::resolver resolver(io);
    beast::flat_buffer buffer;
    auto fail = [&](const char* step, beast::error_code ec) {
        outcome.failure = ec;
        outcome.failed_step = step;
    };
    auto& connection = beast::get_lowest_layer(stream);
    connection.expires_after(timeout);
    resolver.async_resolve(url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
        if (ec) return fail("resolve", ec);
        connection.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
            if (ec) return fail("connect", ec);
            secure(stream, [&](beast::error_code ec) {
                if (ec) return fail("TLS handshake", ec);
                http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
                    if (ec) return fail("send", ec);
                    http::async_read(stream, buffer, outcome.parser, [&](beast::error_code ec, std::size_t) {
                        if (ec) return fail("read", ec);
                    });
                });
            });
        });
    });
    // The resolver has no deadline of its own: the stream's covers the rest.
    io.run_for(timeout + std::chrono::milliseconds(100));
    if (!io.stopped()) {
        resolver.cancel();
        io.run();
        fail("resolve", net::error::timed_out);
    }
}

Result<json> exchange(const std::string& server_url, http::verb method, const std::string& path, const json& body,
                      const ClientOptions& options) {
    auto url = parse_url(server_url);
    if (!url) return url.error();
    http::request<http::string_body> request(method, url->prefix + path, 11);
    request.set(http::field::host, url->host);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::user_agent, "restrike-vta licence client");
    request.body() = body.dump();
    request.prepare_payload();
    Outcome outcome;
    outcome.parser.body_limit(max_answer_bytes);

    net::io_context io;
    if (url->tls) {
        auto context = client_tls_context(options);
        if (!context) return context.error();
        TlsStream stream(io, **context);
        if (auto expected = expect_certificate_for(stream, url->host); !expected) return expected.error();
        run_exchange(io, stream, *url, request, options.timeout, outcome);
        if (const long verdict = SSL_get_verify_result(stream.native_handle());
            outcome.failed_step == "TLS handshake" && verdict != X509_V_OK)
            return Error(Errc::unavailable, "the licence server's certificate was refused: " +
                                                std::string(X509_verify_cert_error_string(verdict)) + " (" +
                                                server_url + ")");
    } else {
        beast::tcp_stream stream(io);
        run_exchange(io, stream, *url, request, options.timeout, outcome);
    }
    const auto& failure = outcome.failure;
    const auto& failed_step = outcome.failed_step;
    const std::string where = "the licence server at " + server_url;
    if (failure == beast::error::timeout || failure == net::error::timed_out)
        return Error(Errc::timeout, where + " did not answer within " + std::to_string(options.timeout.count()) +
                                        " ms (" + failed_step + ")");
    if (failure) {
        if (failed_step == "resolve")
            return Error(Errc::unavailable, "cannot resolve " + url->host + ": " + failure.message());
        if (failed_step == "connect")
            return Error(Errc::unavailable, "cannot reach " + where + ": " + failure.message());
        return Error(Errc::unavailable, where + " broke off the exchange (" + failed_step + "): " + failure.message());
    }
    const auto& response = outcome.parser.get();
    const auto answer = json::parse(response.body(), nullptr, false);
    const int status = response.result_int();
    if (status != 200) {
        if (answer.is_object() && answer.contains("error") && answer["error"].is_string())
            return Error(Errc::request_failed, "the licence server refused: " + answer["error"].get<std::string>(),
                         status, answer.value("code", std::string()));
        std::string text = response.body().substr(0, 200);
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return Error(Errc::request_failed, "the licence server answered " + std::to_string(status) + ": " + text,
                     status);
    }
    if (answer.is_discarded() || !answer.is_object())
        return Error(Errc::protocol, where + " answered something that is not a JSON object");
    return answer;
}

Result<std::string> licence_text(Result<json> answer) {
    if (!answer) return answer.error();
    if (!answer->contains("licence") || !answer->contains("signature"))
        return Error(Errc::protocol, "the licence server's answer is not a licence file");
    return answer->dump(2) + "\n";
}

}  // namespace

Result<std::string> activate(const std::string& server_url, const std::string& key, const licence::Fingerprint& machine,
                             const ClientOptions& options) {
    return licence_text(exchange(server_url, http::verb::post, "/api/activate",
                                 json{{"key", key}, {"machine", licence::to_json(machine)}}, options));
}

Result<std::string> validate(const std::string& server_url, const std::string& licence_text_in,
                             const std::optional<licence::Fingerprint>& machine, const ClientOptions& options) {
    json body{{"licence", licence_text_in}};
    if (machine) body["machine"] = licence::to_json(*machine);
    return licence_text(exchange(server_url, http::verb::post, "/api/validate", body, options));
}

Result<json> info(const std::string& server_url, const std::string& key, const ClientOptions& options) {
    return exchange(server_url, http::verb::post, "/api/license-info", json{{"key", key}}, options);
}

}  // namespace vta::licence_client
