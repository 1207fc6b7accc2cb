#include "vta/web/http_server.hpp"

#include <cerrno>
#include <chrono>
#include <deque>
#include <fstream>
#include <optional>
#include <sstream>
#include <type_traits>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include "routing.hpp"
#include "vta/web/static_files.hpp"

namespace vta::web {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto idle_timeout = std::chrono::seconds(30);
constexpr auto tls_shutdown_timeout = std::chrono::seconds(5);  // a client that never answers close_notify
constexpr std::size_t max_queued_frames = 64;                   // a page further behind gets one snapshot instead
constexpr std::size_t max_page_message = 1024;

class Connection {
public:
    virtual ~Connection() = default;
    virtual void close() = 0;
};

struct Answer {
    http::status status = http::status::ok;
    std::string body;
    std::string content_type = "text/plain; charset=utf-8";
};

Answer refusal(http::status status, const std::string& reason) { return {status, reason + "\n"}; }

http::status status_of(vta::Errc code) {
    switch (code) {
        case vta::Errc::invalid_argument:
            return http::status::bad_request;
        case vta::Errc::auth_failed:
            return http::status::forbidden;
        case vta::Errc::not_found:
            return http::status::not_found;
        case vta::Errc::invalid_state:
            return http::status::conflict;
        case vta::Errc::unavailable:
            return http::status::service_unavailable;
        default:
            return http::status::internal_server_error;
    }
}

// Runs on the worker thread.
Answer run_json_route(const HttpServer::JsonRoute& handle, const JsonRequest& request) {
    vta::Result<nlohmann::json> result = handle(request);
    Answer answer;
    answer.content_type = "application/json";
    if (result) {
        answer.body = result->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    } else {
        answer.status = status_of(result.error().code);
        answer.body = nlohmann::json({{"error", result.error().message},
                                      {"code", std::string(vta::to_string(result.error().code))}})
                          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return answer;
}

// Runs on the worker thread.
Answer read_file(const vta::Result<std::filesystem::path>& file, std::size_t max_bytes) {
    if (!file)
        return refusal(file.error().code == vta::Errc::not_found ? http::status::not_found : http::status::bad_request,
                       file.error().message);
    std::error_code ec;
    const auto size = std::filesystem::file_size(*file, ec);
    if (ec) return refusal(http::status::not_found, "cannot read the file: " + ec.message());
    if (size > max_bytes) return refusal(http::status::payload_too_large, "the file is larger than the server serves");
    std::ifstream in(*file, std::ios::binary);
    Answer answer;
    answer.body.resize(size);
    if (!in.read(answer.body.data(), std::streamsize(size)))
        return refusal(http::status::internal_server_error, "cannot read the file");
    answer.content_type = std::string(content_type_of(*file));
    return answer;
}

vta::Result<std::string> read_pem(const std::filesystem::path& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return vta::Error(vta::Errc::io, "cannot read the TLS " + std::string(what) + " " + file.string() + ": " +
                                             std::generic_category().message(errno));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The server's TLS context from the files in `files`; an Error names the file and OpenSSL's reason.
vta::Result<std::unique_ptr<ssl::context>> server_tls_context(const TlsFiles& files) {
    auto chain = read_pem(files.certificate_chain, "certificate chain");
    if (!chain) return chain.error();
    auto key = read_pem(files.private_key, "private key");
    if (!key) return key.error();
    // OpenSSL's words for a file of the wrong kind ("PEM lib", "unsupported") say little.
    if (chain->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
        return vta::Error(vta::Errc::invalid_config, "the TLS certificate chain " + files.certificate_chain.string() +
                                                         " holds no PEM certificate");
    if (key->find("PRIVATE KEY-----") == std::string::npos)
        return vta::Error(vta::Errc::invalid_config,
                          "the TLS private key " + files.private_key.string() + " holds no PEM private key");
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    beast::error_code ec;
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                             ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                         ec);
    // OpenSSL would otherwise prompt on the terminal for an encrypted key's passphrase.
    if (!ec)
        context->set_password_callback([](std::size_t, ssl::context::password_purpose) { return std::string(); }, ec);
    if (ec) return vta::Error(vta::Errc::invalid_config, "cannot set up TLS: " + ec.message());
    context->use_certificate_chain(net::buffer(*chain), ec);
    if (ec)
        return vta::Error(vta::Errc::invalid_config, "the TLS certificate chain " + files.certificate_chain.string() +
                                                         " is not usable: " + ec.message());
    context->use_private_key(net::buffer(*key), ssl::context::pem, ec);
    if (ec)
        return vta::Error(vta::Errc::invalid_config,
                          "the TLS private key " + files.private_key.string() +
                              " is not usable (an unencrypted PEM key of the certificate in " +
                              files.certificate_chain.string() + " is expected): " + ec.message());
    return context;
}

}  // namespace

void limit_request(http::request_parser<http::string_body>& parser, std::size_t max_body_bytes) {
    parser.header_limit(8 * 1024);
    parser.body_limit(max_body_bytes);
}

Routing route_request(const Routes& routes, const http::request<http::string_body>& request) {
    Routing routing;
    const auto refuse = [&routing](http::status status, std::string reason, bool keep_alive, bool head) {
        routing.status = status;
        routing.reason = std::move(reason);
        routing.keep_alive = keep_alive;
        routing.head = head;
        return std::move(routing);
    };
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find_first_of("?#"));
    if (websocket::is_upgrade(request)) {
        for (const auto& [feed_path, feed] : routes.feeds)
            if (feed_path == path) {
                routing.kind = Routing::Kind::feed;
                routing.feed = feed;
                return routing;
            }
        return refuse(http::status::not_found, "no feed at " + path, false, false);
    }
    // A path may have a route per method; a method it has none for is refused, naming the first.
    const Routes::Json* other_method = nullptr;
    for (const auto& route : routes.json)
        if (route.path == path) {
            if (request.method_string() == route.method) {
                if (!request.body().empty()) {
                    routing.json_request.body = nlohmann::json::parse(request.body(), nullptr, false);
                    if (routing.json_request.body.is_discarded())
                        return refuse(http::status::bad_request, "the request body is not JSON", false, false);
                }
                if (const auto mark = target.find('?'); mark != std::string::npos)
                    routing.json_request.query = target.substr(mark + 1, target.find('#', mark) - mark - 1);
                routing.kind = Routing::Kind::json;
                routing.json = &route.handle;
                routing.keep_alive = request.keep_alive();
                return routing;
            }
            if (!other_method) other_method = &route;
        }
    if (other_method)
        return refuse(http::status::method_not_allowed, path + " takes " + other_method->method, request.keep_alive(),
                      false);
    const bool head = request.method() == http::verb::head;
    if (request.method() != http::verb::get && !head)
        return refuse(http::status::method_not_allowed, "only GET and HEAD", request.keep_alive(), head);
    if (!request.body().empty()) return refuse(http::status::bad_request, "a GET has no body", false, false);
    routing.kind = Routing::Kind::file;
    routing.rest = target;
    for (const auto& [prefix, resolve] : routes.files)
        if (path.starts_with(prefix)) {
            routing.file_route = &resolve;
            routing.rest = path.substr(prefix.size());
        }
    routing.keep_alive = request.keep_alive();
    routing.head = head;
    return routing;
}

struct HttpServer::State {
    State(net::io_context& io, HttpServerOptions o) : io(io), options(std::move(o)), acceptor(io) {}
    net::io_context& io;
    HttpServerOptions options;
    std::unique_ptr<ssl::context> tls;  // set for HTTPS
    tcp::acceptor acceptor;
    net::thread_pool files{1};
    Routes routes;
    std::vector<std::weak_ptr<Connection>> connections;
    HttpCounters counters;
    bool stopped = false;

    void remember(const std::shared_ptr<Connection>& c) {
        std::erase_if(connections, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
        connections.push_back(c);
    }
    std::size_t open_connections() {
        std::erase_if(connections, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
        return connections.size();
    }
};

namespace {

using State = HttpServer::State;

// Stream is PlainStream or TlsStream: one session code for HTTP and HTTPS.
template <class Stream>
class FeedSession : public Connection, public std::enable_shared_from_this<FeedSession<Stream>> {
public:
    FeedSession(std::shared_ptr<State> state, Feed& feed, Stream stream)
        : state_(std::move(state)), feed_(feed), ws_(std::move(stream)) {}

    void run(http::request<http::string_body> request) {
        beast::get_lowest_layer(ws_).expires_never();
        ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        ws_.read_message_max(max_page_message);
        ws_.async_accept(request, [self = this->shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    }

    void close() override {
        stop_following();
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

private:
    void on_accept(beast::error_code ec) {
        if (ec || state_->stopped) return;
        ++state_->counters.feed_connections;
        std::weak_ptr<FeedSession> weak = this->shared_from_this();
        follow_id_ = feed_.follow([weak](const Frame& frame) {
            if (auto self = weak.lock()) self->send(frame);
        });
        send(feed_.snapshot_frame());
        read();
    }

    void stop_following() {
        if (follow_id_ != 0 && !state_->stopped) feed_.unfollow(follow_id_);
        follow_id_ = 0;
    }

    void send(const Frame& frame) {
        if (queue_.size() >= max_queued_frames) {
            // Too far behind for patches to help: the frame being written stays, the rest becomes one snapshot.
            queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
            queue_.push_back(feed_.snapshot_frame());
        } else {
            queue_.push_back(frame);
        }
        if (!writing_) write_next();
    }

    void write_next() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(net::buffer(*queue_.front()),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
    }

    void on_write(beast::error_code ec) {
        writing_ = false;
        if (ec) return stop_following();
        queue_.pop_front();
        if (!queue_.empty()) write_next();
    }

    void read() {
        ws_.async_read(buffer_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec || state_->stopped) return stop_following();
        const auto message = nlohmann::json::parse(beast::buffers_to_string(buffer_.data()), nullptr, false);
        buffer_.consume(buffer_.size());
        if (ws_.got_text() && message.is_object() && message.value("type", "") == "snapshot") {
            send(feed_.snapshot_frame());
            return read();
        }
        stop_following();
        ws_.async_close(websocket::close_reason(websocket::close_code::policy_error,
                                                "the feed is read-only: only {\"type\":\"snapshot\"} is accepted"),
                        [self = this->shared_from_this()](beast::error_code) {});
    }

    std::shared_ptr<State> state_;
    Feed& feed_;
    websocket::stream<Stream> ws_;
    beast::flat_buffer buffer_;
    std::deque<Frame> queue_;
    bool writing_ = false;
    int follow_id_ = 0;
};

template <class Stream>
class HttpSession : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
    static constexpr bool tls = std::is_same_v<Stream, TlsStream>;

public:
    HttpSession(std::shared_ptr<State> state, Stream stream) : state_(std::move(state)), stream_(std::move(stream)) {}

    void start() {
        if constexpr (tls) {
            beast::get_lowest_layer(stream_).expires_after(idle_timeout);
            stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                self->on_handshake(ec);
            });
        } else {
            read();
        }
    }

    void close() override {
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

private:
    void on_handshake(beast::error_code ec) {
        if (state_->stopped) return close();
        if (ec) {
            ++state_->counters.refused;
            spdlog::debug("web: TLS handshake with {} failed: {}", remote(), ec.message());
            return close();
        }
        read();
    }

    void read() {
        parser_.emplace();
        limit_request(*parser_, state_->options.max_body_bytes);
        beast::get_lowest_layer(stream_).expires_after(idle_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    std::string remote() {
        beast::error_code ec;
        return beast::get_lowest_layer(stream_).socket().remote_endpoint(ec).address().to_string();
    }

    void on_read(beast::error_code ec) {
        // A TLS client may close without close_notify once it has its answer (stream_truncated).
        if (state_->stopped || ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec == net::error::operation_aborted || ec == net::error::connection_reset ||
            ec == ssl::error::stream_truncated)
            return close();
        if (ec == http::error::body_limit)
            return respond(refusal(http::status::payload_too_large, "the request body is larger than the server takes"),
                           false, false);
        if (ec) return respond(refusal(http::status::bad_request, "bad request: " + ec.message()), false, false);
        ++state_->counters.requests;
        http::request<http::string_body> request = parser_->release();
        Routing routing = route_request(state_->routes, request);
        switch (routing.kind) {
            case Routing::Kind::feed: {
                auto session = std::make_shared<FeedSession<Stream>>(state_, *routing.feed, std::move(stream_));
                state_->remember(session);
                return session->run(std::move(request));
            }
            case Routing::Kind::json:
                routing.json_request.remote = remote();
                return on_worker([handle = *routing.json,
                                  json = std::move(routing.json_request)] { return run_json_route(handle, json); },
                                 routing.keep_alive, false);
            case Routing::Kind::file:
                // The disk is read on the worker; the answer is written back on the io thread.
                return on_worker(
                    [this, route = routing.file_route ? *routing.file_route : HttpServer::FileRoute(),
                     rest = std::move(routing.rest)] {
                        const auto file = route ? route(rest) : resolve_static(state_->options.roots, rest);
                        return read_file(file, state_->options.max_file_bytes);
                    },
                    routing.keep_alive, routing.head);
            case Routing::Kind::refused:
                break;
        }
        respond(refusal(routing.status, routing.reason), routing.keep_alive, routing.head);
    }

    // Runs `work` on the worker thread and writes its Answer back from the io thread.
    template <class Work>
    void on_worker(Work work, bool keep_alive, bool head) {
        net::post(state_->files, [self = this->shared_from_this(), work = std::move(work), keep_alive, head]() mutable {
            Answer answer = work();
            net::io_context& io = self->state_->io;
            // The session moves to the io thread: it is never released on the worker.
            net::post(io, [self = std::move(self), answer = std::move(answer), keep_alive, head]() mutable {
                if (!self->state_->stopped) self->respond(std::move(answer), keep_alive, head);
            });
        });
    }

    void respond(Answer answer, bool keep_alive, bool head) {
        if (int(answer.status) >= 400) {
            ++state_->counters.refused;
            spdlog::debug("web: {} {}", int(answer.status), answer.body);
        }
        auto response = std::make_shared<http::response<http::string_body>>(answer.status, 11);
        response->set(http::field::server, "reStrike VTA");
        response->set(http::field::content_type, answer.content_type);
        response->set(http::field::cache_control, "no-cache");  // an edited page shows at the next reload
        response->set("X-Content-Type-Options", "nosniff");
        response->keep_alive(keep_alive);
        response->content_length(answer.body.size());
        if (!head) response->body() = std::move(answer.body);
        http::async_write(stream_, *response,
                          [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
                              if (ec || !response->keep_alive()) return self->finish(ec);
                              self->read();
                          });
    }

    // After the last answer (or a failed write): plain HTTP half-closes; TLS says close_notify first, unless the
    // connection already failed. Either way the session ends with its last handler.
    void finish(beast::error_code write_error) {
        if constexpr (tls) {
            if (write_error) return;
            beast::get_lowest_layer(stream_).expires_after(tls_shutdown_timeout);
            stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close(); });
        } else {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        }
    }

    std::shared_ptr<State> state_;
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
};

template <class Stream>
void serve(const std::shared_ptr<State>& state, Stream stream) {
    auto session = std::make_shared<HttpSession<Stream>>(state, std::move(stream));
    state->remember(session);
    session->start();
}

void accept_next(const std::shared_ptr<State>& state) {
    state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
        if (state->stopped) return;
        if (!ec) {
            if (state->open_connections() >= state->options.max_connections) {
                spdlog::warn("web: {} connections open, refusing another", state->options.max_connections);
            } else if (state->tls) {
                serve(state, TlsStream(std::move(socket), *state->tls));
            } else {
                serve(state, PlainStream(std::move(socket)));
            }
        }
        accept_next(state);
    });
}

}  // namespace

HttpServer::HttpServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

HttpServer::~HttpServer() { stop(); }

vta::Result<std::unique_ptr<HttpServer>> HttpServer::open(net::io_context& io, HttpServerOptions options) {
    auto state = std::make_shared<State>(io, std::move(options));
    if (state->options.tls) {
        auto context = server_tls_context(*state->options.tls);
        if (!context) return context.error();
        state->tls = std::move(*context);
    }
    const std::string where = state->options.bind + ":" + std::to_string(state->options.port);
    beast::error_code ec;
    const auto address = net::ip::make_address(state->options.bind, ec);
    if (ec) return vta::Error(vta::Errc::invalid_config, "cannot serve on " + where + ": not an IP address");
    const tcp::endpoint endpoint(address, state->options.port);
    state->acceptor.open(endpoint.protocol(), ec);
    if (!ec) state->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) state->acceptor.bind(endpoint, ec);
    if (!ec) state->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return vta::Error(vta::Errc::io, "cannot serve on " + where + ": " + ec.message());
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

void HttpServer::add_file_route(std::string prefix, FileRoute resolve) {
    state_->routes.files.emplace_back(std::move(prefix), std::move(resolve));
}

void HttpServer::add_json_route(std::string method, std::string path, JsonRoute handle) {
    state_->routes.json.push_back({std::move(method), std::move(path), std::move(handle)});
}

void HttpServer::add_feed(std::string path, Feed& feed) { state_->routes.feeds.emplace_back(std::move(path), &feed); }

void HttpServer::start() { accept_next(state_); }

void HttpServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    beast::error_code ignored;
    state_->acceptor.close(ignored);
    for (const auto& weak : state_->connections)
        if (auto c = weak.lock()) c->close();
    state_->connections.clear();
    state_->files.join();
}

tcp::endpoint HttpServer::local_endpoint() const {
    beast::error_code ec;
    return state_->acceptor.local_endpoint(ec);
}

const HttpCounters& HttpServer::counters() const { return state_->counters; }

}  // namespace vta::web
