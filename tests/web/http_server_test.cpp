// HttpServer against a real Beast client over the loopback: files, refusals with their reason, file routes, and
// the feed (snapshot on connect, patches, a page asking again, a page that writes anything else is closed).
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <fstream>
#include <gtest/gtest.h>

#include "vta/web/http_server.hpp"

namespace vta::web {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

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
        server_ = HttpServer::open(io_, options).value();
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
    void TearDown() override {
        on_io([this] { server_->stop(); });
        work_.reset();
        thread_.join();
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
        http::request<http::string_body> req(http::verb::post, "/api/echo", 11);
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return response;
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

}  // namespace
}  // namespace vta::web
