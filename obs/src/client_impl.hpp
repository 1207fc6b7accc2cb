#pragma once
// The connection engine behind vta::obs::Client. Everything here runs on the io_context thread;
// only `status_` is read from other threads (under `status_mutex_`).

#include <atomic>
#include <deque>
#include <optional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include "vta/obs/client.hpp"

namespace vta::obs {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

class ClientImpl : public std::enable_shared_from_this<ClientImpl> {
public:
    ClientImpl(net::io_context& io, ConnectionConfig config, ClientOptions options);

    net::io_context& io() { return io_; }
    const ClientOptions& options() const { return options_; }
    RequestId next_request_id() { return ++last_request_id_; }

    // Loop-thread entry points (Client dispatches onto the loop before calling these).
    void start();
    void stop();
    void shutdown();  // stop() plus dropping every subscriber: the Client is going away
    void request(RequestId id, std::string type, Json data, Handler<Json> handler, std::chrono::milliseconds timeout);
    void request_batch(std::vector<BatchRequest> requests, BatchOptions options, Handler<BatchResults> handler,
                       std::chrono::milliseconds timeout);
    void cancel(RequestId id);
    void reidentify(std::uint32_t event_subscriptions, Handler<void> handler);
    void add_subscriber(std::uint64_t id, std::string event_type, EventHandler handler);
    void add_state_handler(std::uint64_t id, std::function<void(const ConnectionState&)> handler);
    void remove_subscriber(std::uint64_t id);
    void wait_event(std::string event_type, std::function<bool(const Event&)> match, std::chrono::milliseconds timeout,
                    Handler<Event> handler);

    std::uint64_t next_subscriber_id() { return ++last_subscriber_id_; }
    Status status() const;
    State public_state() const;  // what status().connection.state says, without copying Status

    // Completes `handler` later on the loop: a handler never runs inside the call that started it
    // (a Lua coroutine must have yielded before it is resumed).
    template <class T>
    void complete_later(Handler<T> handler, Result<T> result) {
        net::post(io_, [handler = std::move(handler), result = std::move(result)]() mutable {
            invoke(handler, std::move(result));
        });
    }
    template <class T>
    static void invoke(const Handler<T>& handler, Result<T> result);

    spdlog::logger& log() const { return *logger_; }

    // The message path without a socket (tests/fuzz): opens a session that never connects, as if its WebSocket
    // handshake had just completed, and receive() hands it a message as if OBS had sent it. What the client
    // writes back fails later, on the loop, like a write to a dropped connection.
    void open_unconnected_session();
    void receive(std::string_view text);

private:
    using Ws = websocket::stream<beast::tcp_stream>;

    // One TCP/WebSocket connection attempt. Handlers capture the shared_ptr so the stream
    // outlives its pending operations; `id` tells a stale completion from a current one.
    struct Session {
        explicit Session(net::io_context& io, std::uint64_t id) : ws(io), id(id) {}
        Ws ws;
        std::uint64_t id;
        beast::flat_buffer read_buffer;
        std::deque<std::string> outbox;
        bool writing = false;
        bool input_seen = true;  // any frame (message, pong) since the last keepalive tick
        bool ping_in_flight = false;
    };

    using Deadlines = std::multimap<std::chrono::steady_clock::time_point, RequestId>;

    struct Pending {
        std::string type;                        // for messages; "RequestBatch" for batches
        std::function<void(Result<Json>)> done;  // receives responseData, or the batch's results array
        std::chrono::milliseconds timeout;
        Deadlines::iterator deadline;
    };

    struct Subscriber {
        std::string event_type;  // empty = every event
        EventHandler on_event;
        std::function<void(const ConnectionState&)> on_state;
    };

    struct Waiter {
        std::string event_type;
        std::function<bool(const Event&)> match;
        Handler<Event> handler;
        std::unique_ptr<net::steady_timer> timer;
    };

    // Connection lifecycle.
    void begin_attempt();
    void on_resolved(const std::shared_ptr<Session>& s, beast::error_code ec,
                     net::ip::tcp::resolver::results_type results);
    void on_connected(const std::shared_ptr<Session>& s, beast::error_code ec);
    void on_handshake(const std::shared_ptr<Session>& s, beast::error_code ec);
    void read_next(const std::shared_ptr<Session>& s);
    void keepalive_tick(const std::shared_ptr<Session>& s);
    void on_read(const std::shared_ptr<Session>& s, beast::error_code ec, std::size_t bytes);
    void on_message(const std::shared_ptr<Session>& s, std::string_view text);
    void send(const std::shared_ptr<Session>& s, std::string text);
    void write_next(const std::shared_ptr<Session>& s);
    bool current(const std::shared_ptr<Session>& s) const { return s && s == session_; }

    // Ends the current session. `close_code` follows RFC 6455 / obs-websocket (1006 = dropped).
    void lose_session(int close_code, const std::string& reason);
    void close_session_gracefully();
    void schedule_reconnect(const std::string& reason);
    void fail_permanently(Errc code, const std::string& reason);
    void fail_all_pending(Errc code, const std::string& message);

    // Protocol.
    void handle_message(const std::shared_ptr<Session>& s, Json& message);  // may move parts out
    void handle_hello(const std::shared_ptr<Session>& s, const Json& d);
    void handle_identified(const std::shared_ptr<Session>& s, const Json& d);
    void handle_response(Json& d, bool batch);
    void handle_event(Json& d);
    void refresh_state(const std::shared_ptr<Session>& s);
    void apply_refresh(const Json& results);
    void update_status_from_event(const Event& event);
    void protocol_error(const std::string& what);
    // Removes a pending request and its deadline; returns its completion.
    std::function<void(Result<Json>)> take_pending(std::unordered_map<RequestId, Pending>::iterator it);
    void arm_deadline_timer(std::chrono::steady_clock::time_point when);
    void on_deadline();
    // `ordered`: sent once every earlier ordered request has ended (see Client::request).
    void send_request(const std::shared_ptr<Session>& s, RequestId id, std::string type, Json message,
                      std::function<void(Result<Json>)> done, std::chrono::milliseconds timeout, bool ordered = false);
    void send_next_ordered();

    void set_state(State state, std::string reason = {}, std::chrono::system_clock::time_point next_attempt = {});
    template <class F>
    void update_status(F&& change) {
        std::lock_guard lock(status_mutex_);
        change(status_);
    }

    net::io_context& io_;
    ConnectionConfig config_;
    ClientOptions options_;
    std::shared_ptr<spdlog::logger> logger_;
    net::ip::tcp::resolver resolver_;
    net::steady_timer reconnect_timer_;
    net::steady_timer identify_timer_;
    std::mt19937 jitter_rng_;

    std::shared_ptr<Session> session_;
    std::uint64_t last_session_id_ = 0;
    bool wanted_ = false;  // between start() and stop()
    State state_ = State::disconnected;
    int failed_attempts_ = 0;

    std::atomic<RequestId> last_request_id_{0};
    std::atomic<std::uint64_t> last_subscriber_id_{0};
    std::unordered_map<RequestId, Pending> pending_;
    // One timer serves every request deadline: a per-request timer would cost an allocation and
    // timer-queue work on every round trip.
    Deadlines deadlines_;
    net::steady_timer deadline_timer_;
    std::chrono::steady_clock::time_point deadline_armed_ = std::chrono::steady_clock::time_point::max();
    // OBS never pings: every half keepalive period we ping, and a whole period without any input
    // means a dead peer. (Beast's own idle timer would re-arm a timer on every read.)
    net::steady_timer keepalive_timer_;
    std::deque<RequestId> reidentify_ids_;  // Reidentify requests awaiting Identified, oldest first
    // Ordered requests: the one OBS is carrying out, and the ones waiting for it (already pending,
    // so their deadlines run), with their text, oldest first.
    std::optional<RequestId> ordered_in_flight_;
    std::deque<std::pair<RequestId, std::string>> ordered_waiting_;
    std::map<std::uint64_t, Subscriber> subscribers_;
    std::map<std::uint64_t, Waiter> waiters_;

    mutable std::mutex status_mutex_;
    Status status_;
};

template <class T>
void ClientImpl::invoke(const Handler<T>& handler, Result<T> result) {
    if (!handler) return;
    try {
        handler(std::move(result));
    } catch (const std::exception& e) {
        spdlog::error("obs: a completion handler threw: {}", e.what());
    } catch (...) {
        spdlog::error("obs: a completion handler threw");
    }
}

}  // namespace vta::obs
