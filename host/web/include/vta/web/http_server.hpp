// The host's web server: static files from a list of folders, file routes (e.g. /flags/), and live feeds over
// WebSocket, on one port of the host's io_context (Boost.Beast), over plain HTTP or HTTPS. Only GET and HEAD;
// a bad request gets a 4xx with the reason and the connection goes on or closes, never the server. Files are
// read on a worker thread: the io thread never waits on the disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/web/feed.hpp"

namespace vta::web {

// HTTPS: every connection begins with the TLS handshake (TLS 1.2 or later); one that fails (plain HTTP, garbage,
// a client that refuses the certificate) closes that connection only and counts as refused. Feeds are wss://.
struct TlsFiles {
    std::filesystem::path certificate_chain;  // PEM: the server's certificate first, then its intermediates
    std::filesystem::path private_key;        // PEM, not encrypted (nobody is there to type a passphrase)
};

struct HttpServerOptions {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 3001;                 // 0: any free port (tests)
    std::vector<std::filesystem::path> roots;  // static files: the first folder that has a file serves it
    std::size_t max_connections = 256;         // beyond it a new connection is closed at once
    std::size_t max_file_bytes = 16u << 20;    // larger files are refused (413)
    std::size_t max_body_bytes = 64u << 10;    // larger request bodies are refused (413)
    std::optional<TlsFiles> tls;               // HTTPS when set; plain HTTP otherwise
};

// What a JSON route learns of its request besides the body.
struct JsonRequest {
    nlohmann::json body;  // null when the request had none
    std::string remote;   // the client's address
    std::string query;    // the target after '?', as sent (not percent-decoded); empty without one
};

struct HttpCounters {
    std::uint64_t requests = 0;
    std::uint64_t refused = 0;  // answered 4xx, or a failed TLS handshake
    std::uint64_t feed_connections = 0;
};

class HttpServer {
public:
    // Binds the port, after reading the TLS files when options.tls is set; a failure names the address or the
    // file and why (Errc::io for a file that cannot be read, Errc::invalid_config for one OpenSSL refuses).
    static vta::Result<std::unique_ptr<HttpServer>> open(boost::asio::io_context& io, HttpServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // GET <prefix><rest> serves the file `resolve(rest)` names (called on the worker thread); its Error's code
    // chooses the status (not_found 404, anything else 400). Call before start().
    using FileRoute = std::function<vta::Result<std::filesystem::path>(std::string_view rest)>;
    void add_file_route(std::string prefix, FileRoute resolve);
    // `method` ("GET", "POST") on exactly `path` runs `handle` on the worker thread (a path may have one route per
    // method; JsonRequest::query holds its query string): its value is answered 200 as
    // JSON, its Error as {"error": message, "code": "<errc>"} with a status from the code (invalid_argument 400,
    // auth_failed 403, not_found 404, invalid_state 409, unavailable 503, others 500). A body that is not JSON is
    // refused (400) before `handle` runs. Call before start().
    using JsonRoute = std::function<vta::Result<nlohmann::json>(const JsonRequest& request)>;
    void add_json_route(std::string method, std::string path, JsonRoute handle);
    // A WebSocket upgrade on `path` follows `feed`. Pages may only send {"type":"snapshot"} (the state again);
    // anything else closes their connection. Call before start().
    void add_feed(std::string path, Feed& feed);

    void start();
    // Closes the port and every connection. Safe to call twice.
    void stop();

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    const HttpCounters& counters() const;

    struct State;

private:
    explicit HttpServer(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace vta::web
