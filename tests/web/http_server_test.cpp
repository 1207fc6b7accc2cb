// HttpServer against a real Beast client over the loopback: files, refusals with their reason, file routes, and
// the feed (snapshot on connect, patches, a page asking again, a page that writes anything else is closed); then
// the same over HTTPS with certificates made at test time, and what a TLS port does with plain HTTP.
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <gtest/gtest.h>

#include "test_certificates.hpp"
#include "vta/web/http_server.hpp"

namespace vta::web {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

// One request and its answer over `stream` (plain or TLS); a body is sent as JSON.
template <class Stream>
http::response<http::string_body> exchange(Stream& stream, http::verb verb, const std::string& target,
                                           const std::string& body = "") {
    http::request<http::string_body> req(verb, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = body;
    }
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return response;
}

class Server : public ::testing::Test {
protected:
    void SetUp() override {
        folder_ = fs::temp_directory_path() / ("vta-http-" + std::to_string(::getpid()));
        fs::remove_all(folder_);
        fs::create_directories(folder_ / "flags");
        std::ofstream(folder_ / "index.html") << "<p>index</p>";
        std::ofstream(folder_ / "flags" / "KOR.svg") << "<svg/>";
        HttpServerOptions options;
        options.port = 0;
        options.roots = {folder_};
        configure(options);
        auto opened = HttpServer::open(io_, options);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        server_ = std::move(*opened);
        server_->add_file_route("/flags/", [this](std::string_view rest) -> vta::Result<fs::path> {
            if (rest == "KOR.svg") return folder_ / "flags" / "KOR.svg";
            return vta::Error(Errc::not_found, "no flag " + std::string(rest));
        });
        server_->add_json_route("POST", "/api/echo", [](const JsonRequest& r) -> vta::Result<nlohmann::json> {
            if (!r.body.is_object()) return vta::Error(Errc::invalid_argument, "expected an object");
            if (r.body.contains("key") && r.body["key"] == "revoked")
                return vta::Error(Errc::auth_failed, "this key was revoked");
            return nlohmann::json{{"echo", r.body}, {"from", r.remote}};
        });
        server_->add_feed("/feed", feed_);
        feed_.publish({{"score", 0}});
        server_->start();
        port_ = server_->local_endpoint().port();
        thread_ = std::thread([this] { io_.run(); });
    }
    virtual void configure(HttpServerOptions&) {}

    void TearDown() override {
        if (thread_.joinable()) {
            on_io([this] { server_->stop(); });
            work_.reset();
            thread_.join();
        }
        fs::remove_all(folder_);
    }

    template <class F>
    void on_io(F f) {
        std::promise<void> done;
        net::post(io_, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }

    tcp::socket connect() {
        tcp::socket socket(client_io_);
        socket.connect({net::ip::make_address("127.0.0.1"), port_});
        return socket;
    }

    http::response<http::string_body> request(http::verb verb, const std::string& target) {
        beast::tcp_stream stream(connect());
        http::request<http::empty_body> req(verb, target, 11);
        req.set(http::field::host, "127.0.0.1");
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.skip(verb == http::verb::head);
        http::read(stream, buffer, parser);
        return parser.release();
    }

    // Sends raw bytes and returns the status line the server answered with ("" when it just closed).
    std::string raw(const std::string& bytes) {
        tcp::socket socket = connect();
        net::write(socket, net::buffer(bytes));
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        beast::error_code ec;
        http::read(socket, buffer, response, ec);
        return ec ? "" : std::to_string(response.result_int()) + " " + response.body();
    }

    using Socket = websocket::stream<tcp::socket>;
    std::unique_ptr<Socket> open_feed(const std::string& target = "/feed") {
        auto ws = std::make_unique<Socket>(connect());
        ws->handshake("127.0.0.1", target);
        return ws;
    }
    static nlohmann::json next(Socket& ws) {
        beast::flat_buffer buffer;
        ws.read(buffer);
        return nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
    }

    fs::path folder_;
    net::io_context io_, client_io_;
    std::optional<net::executor_work_guard<net::io_context::executor_type>> work_{io_.get_executor()};
    std::unique_ptr<HttpServer> server_;
    Feed feed_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

TEST_F(Server, ServesFilesAndHead) {
    auto r = request(http::verb::get, "/");
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(r.body(), "<p>index</p>");
    EXPECT_EQ(r[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(r[http::field::cache_control], "no-cache");
    r = request(http::verb::head, "/index.html");
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(r[http::field::content_length], "12");
    EXPECT_EQ(request(http::verb::get, "/flags/KOR.svg").body(), "<svg/>");
}

TEST_F(Server, BadRequestsGetA4xxWithTheReasonAndTheServerGoesOn) {
    auto r = request(http::verb::get, "/missing.html");
    EXPECT_EQ(r.result(), http::status::not_found);
    EXPECT_NE(r.body().find("missing.html"), std::string::npos) << r.body();
    r = request(http::verb::get, "/%2e%2e/%2e%2e/etc/passwd");
    EXPECT_EQ(r.result(), http::status::bad_request);
    EXPECT_NE(r.body().find(".."), std::string::npos) << r.body();
    EXPECT_EQ(request(http::verb::post, "/index.html").result(), http::status::method_not_allowed);
    EXPECT_EQ(request(http::verb::get, "/flags/XXX.svg").result(), http::status::not_found);
    EXPECT_EQ(raw("\x01\x02garbage\r\n\r\n").substr(0, 4), "400 ");
    EXPECT_EQ(raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n").substr(0, 4), "400 ");
    EXPECT_EQ(raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").substr(0, 4), "405 ");
    EXPECT_EQ(raw("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n").substr(0, 4), "200 ");
    std::uint64_t refused = 0;
    on_io([&] { refused = server_->counters().refused; });
    EXPECT_EQ(refused, 7u);
}

TEST_F(Server, JsonRoutesAnswerJsonAndRefuseWithTheReason) {
    const auto post = [this](const std::string& body) {
        beast::tcp_stream stream(connect());
        return exchange(stream, http::verb::post, "/api/echo", body);
    };
    auto r = post(R"({"key": "K-1"})");
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(r[http::field::content_type], "application/json");
    EXPECT_EQ(nlohmann::json::parse(r.body()),
              nlohmann::json::parse(R"({"echo": {"key": "K-1"}, "from": "127.0.0.1"})"));
    r = post(R"({"key": "revoked"})");
    EXPECT_EQ(r.result(), http::status::forbidden);
    EXPECT_EQ(nlohmann::json::parse(r.body()),
              nlohmann::json::parse(R"({"error": "this key was revoked", "code": "auth_failed"})"));
    r = post("[1, 2]");
    EXPECT_EQ(r.result(), http::status::bad_request);
    r = post("{not json");
    EXPECT_EQ(r.result(), http::status::bad_request);
    EXPECT_NE(r.body().find("not JSON"), std::string::npos);
    EXPECT_EQ(post(std::string(100 * 1024, ' ')).result(), http::status::payload_too_large);
    EXPECT_EQ(request(http::verb::get, "/api/echo").result(), http::status::method_not_allowed);
}

TEST_F(Server, AFeedSendsTheSnapshotThenPatches) {
    auto ws = open_feed();
    auto first = next(*ws);
    EXPECT_EQ(first["type"], "snapshot");
    EXPECT_EQ(first["seq"], 2);
    EXPECT_EQ(first["state"], nlohmann::json({{"score", 0}}));
    EXPECT_GT(first["sent_ms"].get<std::int64_t>(), 0);

    on_io([&] { feed_.publish({{"score", 3}, {"names", {"KIM", "LEE"}}}); });
    auto patch = next(*ws);
    EXPECT_EQ(patch["type"], "patch");
    EXPECT_EQ(patch["seq"], 3);
    nlohmann::json state = first["state"];
    EXPECT_EQ(state.patch(patch["patch"]), nlohmann::json({{"score", 3}, {"names", {"KIM", "LEE"}}}));

    on_io([&] { feed_.publish({{"score", 3}, {"names", {"KIM", "LEE"}}}); });  // no change: no frame
    ws->write(net::buffer(std::string(R"({"type":"snapshot"})")));
    auto again = next(*ws);
    EXPECT_EQ(again["type"], "snapshot") << again;
    EXPECT_EQ(again["seq"], 3);
}

TEST_F(Server, TheFeedIsReadOnly) {
    auto ws = open_feed();
    next(*ws);
    ws->write(net::buffer(std::string(R"({"type":"set","score":99})")));
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws->read(buffer, ec);
    EXPECT_EQ(ec, websocket::error::closed);
    EXPECT_EQ(ws->reason().code, websocket::close_code::policy_error);
    EXPECT_NE(std::string(ws->reason().reason.c_str()).find("read-only"), std::string::npos);
    EXPECT_THROW(open_feed("/other"), beast::system_error) << "no feed there";
    EXPECT_EQ(request(http::verb::get, "/").result(), http::status::ok);
}

TEST_F(Server, StoppingClosesEveryConnection) {
    auto ws = open_feed();
    next(*ws);
    on_io([&] { server_->stop(); });
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws->read(buffer, ec);
    EXPECT_TRUE(ec);
    EXPECT_THROW(connect(), beast::system_error);
}

// The same server over HTTPS: certificates for 127.0.0.1 from a CA made for the test.
class TlsServer : public Server {
protected:
    void configure(HttpServerOptions& options) override {
        certificates_ = test::make_test_certificates(folder_ / "tls", "web test CA");
        options.tls = TlsFiles{certificates_.server_chain, certificates_.server_key};
    }

    using TlsStream = beast::ssl_stream<beast::tcp_stream>;

    // A client that trusts only the test CA and checks the certificate is for 127.0.0.1.
    std::unique_ptr<TlsStream> connect_tls() {
        client_tls_.set_verify_mode(net::ssl::verify_peer);
        client_tls_.load_verify_file(certificates_.ca.string());
        auto stream = std::make_unique<TlsStream>(connect(), client_tls_);
        stream->set_verify_callback(net::ssl::host_name_verification("127.0.0.1"));
        stream->handshake(net::ssl::stream_base::client);
        return stream;
    }

    std::uint64_t refused() {
        std::uint64_t count = 0;
        on_io([&] { count = server_->counters().refused; });
        return count;
    }

    test::TestCertificates certificates_;
    net::ssl::context client_tls_{net::ssl::context::tls_client};
};

TEST_F(TlsServer, ServesFilesAndJsonRoutesOverOneTlsConnection) {
    auto stream = connect_tls();
    auto r = exchange(*stream, http::verb::get, "/");
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(r.body(), "<p>index</p>");
    EXPECT_EQ(exchange(*stream, http::verb::get, "/flags/KOR.svg").body(), "<svg/>");
    r = exchange(*stream, http::verb::post, "/api/echo", R"({"key": "K-1"})");
    EXPECT_EQ(r.result(), http::status::ok);
    EXPECT_EQ(nlohmann::json::parse(r.body()),
              nlohmann::json::parse(R"({"echo": {"key": "K-1"}, "from": "127.0.0.1"})"));
    r = exchange(*stream, http::verb::get, "/missing.html");
    EXPECT_EQ(r.result(), http::status::not_found);
    EXPECT_NE(r.body().find("missing.html"), std::string::npos) << r.body();
}

TEST_F(TlsServer, PlainHttpAndGarbageOnTheTlsPortCloseThatConnectionOnly) {
    EXPECT_EQ(raw("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"), "") << "no plain HTTP answer on a TLS port";
    EXPECT_EQ(raw(std::string("\x16\x03\x01\x00\x05garbage", 12)), "") << "a TLS record of garbage";
    // A client that does not trust the certificate gives up during the handshake.
    {
        net::ssl::context untrusting(net::ssl::context::tls_client);
        untrusting.set_verify_mode(net::ssl::verify_peer);
        TlsStream stream(connect(), untrusting);
        beast::error_code ec;
        stream.handshake(net::ssl::stream_base::client, ec);
        EXPECT_TRUE(ec);
    }
    // The server notices the refused handshake after the client has given up.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (refused() < 3 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto stream = connect_tls();
    EXPECT_EQ(exchange(*stream, http::verb::get, "/index.html").body(), "<p>index</p>");
    EXPECT_EQ(refused(), 3u);
}

TEST_F(TlsServer, FeedsWorkOverTls) {
    websocket::stream<TlsStream> ws(std::move(*connect_tls()));
    ws.handshake("127.0.0.1", "/feed");
    beast::flat_buffer buffer;
    ws.read(buffer);
    auto first = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
    EXPECT_EQ(first["type"], "snapshot");
    EXPECT_EQ(first["state"], nlohmann::json({{"score", 0}}));
    on_io([&] { feed_.publish({{"score", 5}}); });
    buffer.clear();
    ws.read(buffer);
    auto patch = nlohmann::json::parse(beast::buffers_to_string(buffer.data()));
    EXPECT_EQ(patch["type"], "patch");
    EXPECT_EQ(first["state"].patch(patch["patch"]), nlohmann::json({{"score", 5}}));
    ws.close(websocket::close_code::normal);
}

TEST(TlsFiles, BadFilesAtOpenAreAnErrorNamingTheFile) {
    const auto folder = fs::temp_directory_path() / ("vta-http-tls-files-" + std::to_string(::getpid()));
    fs::remove_all(folder);
    const auto mine = test::make_test_certificates(folder / "mine", "first CA");
    const auto other = test::make_test_certificates(folder / "other", "second CA");
    std::ofstream(folder / "garbage.pem")
        << "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n";
    net::io_context io;
    const auto open_with = [&](const fs::path& chain, const fs::path& key) {
        HttpServerOptions options;
        options.port = 0;
        options.tls = TlsFiles{chain, key};
        return HttpServer::open(io, options);
    };
    ASSERT_TRUE(open_with(mine.server_chain, mine.server_key).ok());

    auto missing = open_with(folder / "nothing.pem", mine.server_key);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, Errc::io);
    EXPECT_NE(missing.error().message.find((folder / "nothing.pem").string()), std::string::npos)
        << missing.error().message;
    EXPECT_NE(missing.error().message.find("No such file"), std::string::npos) << missing.error().message;

    auto garbage_key = open_with(mine.server_chain, folder / "garbage.pem");
    ASSERT_FALSE(garbage_key.ok());
    EXPECT_EQ(garbage_key.error().code, Errc::invalid_config);
    EXPECT_NE(garbage_key.error().message.find((folder / "garbage.pem").string()), std::string::npos)
        << garbage_key.error().message;

    auto wrong_key = open_with(mine.server_chain, other.server_key);
    ASSERT_FALSE(wrong_key.ok());
    EXPECT_NE(wrong_key.error().message.find(other.server_key.string()), std::string::npos)
        << wrong_key.error().message;

    auto key_as_chain = open_with(mine.server_key, mine.server_key);
    ASSERT_FALSE(key_as_chain.ok());
    EXPECT_NE(key_as_chain.error().message.find("certificate chain " + mine.server_key.string() +
                                                " holds no PEM certificate"),
              std::string::npos)
        << key_as_chain.error().message;
    fs::remove_all(folder);
}

}  // namespace
}  // namespace vta::web
