#include "vta/licence_client/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace vta::licence_client {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;

// Answers larger than this are not a licence server's.
constexpr std::size_t max_answer_bytes = 256 * 1024;

struct Url {
    std::string host;
    std::string port = "80";
    std::string prefix;  // the path before /api, without its trailing '/'
};

Result<Url> parse_url(const std::string& url) {
    constexpr std::string_view scheme = "http://";
    if (!url.starts_with(scheme))
        return Error(Errc::invalid_argument, "the licence server URL must start with http:// (got '" + url + "')");
    Url parsed;
    std::string rest = url.substr(scheme.size());
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

// One request and its answer, each step async on a private io_context so the deadline covers all of them
// (Beast's synchronous calls have no timeout).
Result<json> exchange(const std::string& server_url, http::verb method, const std::string& path, const json& body,
                      const ClientOptions& options) {
    auto url = parse_url(server_url);
    if (!url) return url.error();
    net::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    beast::flat_buffer buffer;
    http::request<http::string_body> request(method, url->prefix + path, 11);
    request.set(http::field::host, url->host);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::user_agent, "restrike-vta licence client");
    request.body() = body.dump();
    request.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_answer_bytes);

    beast::error_code failure;
    std::string failed_step;
    auto fail = [&](const char* step, beast::error_code ec) {
        failure = ec;
        failed_step = step;
    };
    stream.expires_after(options.timeout);
    resolver.async_resolve(url->host, url->port, [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
        if (ec) return fail("resolve", ec);
        stream.async_connect(endpoints, [&](beast::error_code ec, const tcp::endpoint&) {
            if (ec) return fail("connect", ec);
            http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
                if (ec) return fail("send", ec);
                http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
                    if (ec) return fail("read", ec);
                });
            });
        });
    });
    // The resolver has no deadline of its own: the stream's covers the rest.
    io.run_for(options.timeout + std::chrono::milliseconds(100));
    if (!io.stopped()) {
        resolver.cancel();
        io.run();
        fail("resolve", net::error::timed_out);
    }
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
    const auto& response = parser.get();
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
