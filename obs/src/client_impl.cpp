#include "client_impl.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "auth.hpp"
#include "json_fields.hpp"

namespace vta::obs {

using namespace detail;

namespace {

constexpr std::size_t max_message_bytes = 64 * 1024 * 1024;
constexpr std::size_t keep_read_buffer_bytes = 1024 * 1024;
constexpr int close_abnormal = 1006;

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Result<Json> response_result(const Json& response, const std::string& fallback_type) {
    const std::string type = str_field(response, "requestType", fallback_type);
    const Json status = response.is_object() ? response.value("requestStatus", Json::object()) : Json::object();
    if (!bool_field(status, "result")) {
        const int code = static_cast<int>(int_field(status, "code"));
        const std::string comment = str_field(status, "comment");
        std::string message = fmt::format("{} failed: OBS status {}", type, code);
        if (!comment.empty()) message += ": " + comment;
        return Error{Errc::request_failed, std::move(message), code, comment};
    }
    const auto data = response.find("responseData");
    if (data == response.end() || data->is_null()) return Json::object();
    return *data;
}

// As response_result, but moves responseData out of `response` instead of copying it.
Result<Json> take_response_result(Json& response, const std::string& fallback_type) {
    const auto data = response.find("responseData");
    if (data == response.end() || data->is_null() ||
        !bool_field(response.value("requestStatus", Json::object()), "result"))
        return response_result(response, fallback_type);
    return std::move(*data);
}

std::string ms(std::chrono::milliseconds d) { return fmt::format("{} ms", d.count()); }

}  // namespace

ClientImpl::ClientImpl(net::io_context& io, ConnectionConfig config, ClientOptions options)
    : io_(io),
      config_(std::move(config)),
      options_(std::move(options)),
      logger_(options_.logger ? options_.logger : spdlog::default_logger()),
      resolver_(io),
      reconnect_timer_(io),
      identify_timer_(io),
      jitter_rng_(std::random_device{}()),
      deadline_timer_(io),
      keepalive_timer_(io) {
    status_.name = config_.name;
    status_.role = config_.role;
}

Status ClientImpl::status() const {
    std::lock_guard lock(status_mutex_);
    return status_;
}

State ClientImpl::public_state() const {
    std::lock_guard lock(status_mutex_);
    return status_.connection.state;
}

// ---- lifecycle ------------------------------------------------------------------------------

void ClientImpl::start() {
    if (wanted_ && state_ != State::failed && state_ != State::disconnected) return;
    wanted_ = true;
    failed_attempts_ = 0;
    begin_attempt();
}

void ClientImpl::stop() {
    wanted_ = false;
    reconnect_timer_.cancel();
    identify_timer_.cancel();
    resolver_.cancel();
    close_session_gracefully();
    fail_all_pending(Errc::cancelled, "the OBS client was stopped");
    if (state_ != State::disconnected) set_state(State::disconnected, "stopped by the host");
}

void ClientImpl::shutdown() {
    subscribers_.clear();
    stop();
}

void ClientImpl::begin_attempt() {
    reconnect_timer_.cancel();
    auto s = std::make_shared<Session>(io_, ++last_session_id_);
    session_ = s;
    set_state(State::connecting);
    resolver_.async_resolve(
        config_.host, std::to_string(config_.port),
        [self = shared_from_this(), s](beast::error_code ec, net::ip::tcp::resolver::results_type r) {
            self->on_resolved(s, ec, std::move(r));
        });
}

void ClientImpl::on_resolved(const std::shared_ptr<Session>& s, beast::error_code ec,
                             net::ip::tcp::resolver::results_type results) {
    if (!current(s)) return;
    if (ec) return lose_session(close_abnormal, fmt::format("cannot resolve {}: {}", config_.host, ec.message()));
    beast::get_lowest_layer(s->ws).expires_after(options_.connect_timeout);
    beast::get_lowest_layer(s->ws).async_connect(
        results, [self = shared_from_this(), s](beast::error_code ec, const net::ip::tcp::endpoint&) {
            self->on_connected(s, ec);
        });
}

void ClientImpl::on_connected(const std::shared_ptr<Session>& s, beast::error_code ec) {
    if (!current(s)) return;
    if (ec)
        return lose_session(close_abnormal,
                            fmt::format("cannot connect to {}:{}: {}", config_.host, config_.port, ec.message()));
    beast::get_lowest_layer(s->ws).expires_never();
    beast::get_lowest_layer(s->ws).socket().set_option(net::ip::tcp::no_delay(true), ec);
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = options_.connect_timeout;  // also bounds the close handshake
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    s->ws.set_option(timeouts);
    Session* raw = s.get();  // the callback lives inside the session's stream
    s->ws.control_callback([raw](websocket::frame_type, beast::string_view) { raw->input_seen = true; });
    s->ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, "obswebsocket.json");
    }));
    s->ws.read_message_max(max_message_bytes);
    s->ws.async_handshake(fmt::format("{}:{}", config_.host, config_.port), "/",
                          [self = shared_from_this(), s](beast::error_code ec) { self->on_handshake(s, ec); });
}

void ClientImpl::on_handshake(const std::shared_ptr<Session>& s, beast::error_code ec) {
    if (!current(s)) return;
    if (ec) return lose_session(close_abnormal, "WebSocket handshake failed: " + ec.message());
    set_state(State::identifying);
    keepalive_tick(s);
    identify_timer_.expires_after(options_.identify_timeout);
    identify_timer_.async_wait([weak = weak_from_this(), s](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !self->current(s) || self->state_ == State::connected) return;
        self->lose_session(close_abnormal, fmt::format("OBS did not complete Hello/Identify and the state "
                                                       "re-read within {}",
                                                       ms(self->options_.identify_timeout)));
    });
    read_next(s);
}

void ClientImpl::keepalive_tick(const std::shared_ptr<Session>& s) {
    keepalive_timer_.expires_after(options_.keepalive_timeout / 2);
    keepalive_timer_.async_wait([weak = weak_from_this(), s](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !self->current(s)) return;
        if (!s->input_seen)
            return self->lose_session(close_abnormal, fmt::format("OBS did not answer a keepalive ping within {}",
                                                                  ms(self->options_.keepalive_timeout)));
        s->input_seen = false;
        if (!s->ping_in_flight) {
            s->ping_in_flight = true;
            s->ws.async_ping({}, [s](beast::error_code) { s->ping_in_flight = false; });
        }
        self->keepalive_tick(s);
    });
}

void ClientImpl::read_next(const std::shared_ptr<Session>& s) {
    s->ws.async_read(s->read_buffer,
                     [self = shared_from_this(), s](beast::error_code ec, std::size_t n) { self->on_read(s, ec, n); });
}

void ClientImpl::on_read(const std::shared_ptr<Session>& s, beast::error_code ec, std::size_t bytes) {
    if (!current(s)) return;
    if (ec == websocket::error::closed) {
        const auto& reason = s->ws.reason();
        return lose_session(reason.code, fmt::format("OBS closed the connection ({}{}{})", reason.code,
                                                     reason.reason.empty() ? "" : ": ", reason.reason.c_str()));
    }
    if (ec) return lose_session(close_abnormal, "connection dropped: " + ec.message());

    s->input_seen = true;
    const auto data = s->read_buffer.data();
    on_message(s, std::string_view(static_cast<const char*>(data.data()), bytes));
    s->read_buffer.consume(bytes);
    if (s->read_buffer.capacity() > keep_read_buffer_bytes) s->read_buffer.shrink_to_fit();
    if (current(s)) read_next(s);
}

void ClientImpl::on_message(const std::shared_ptr<Session>& s, std::string_view text) {
    Json message = Json::parse(text.begin(), text.end(), nullptr, false);
    if (message.is_discarded())
        protocol_error(fmt::format("a message of {} bytes is not valid JSON", text.size()));
    else
        handle_message(s, message);
}

void ClientImpl::open_unconnected_session() {
    wanted_ = true;
    session_ = std::make_shared<Session>(io_, ++last_session_id_);
    set_state(State::identifying);
}

void ClientImpl::receive(std::string_view text) {
    if (const auto s = session_) on_message(s, text);
}

void ClientImpl::send(const std::shared_ptr<Session>& s, std::string text) {
    s->outbox.push_back(std::move(text));
    if (!s->writing) write_next(s);
}

void ClientImpl::write_next(const std::shared_ptr<Session>& s) {
    if (s->outbox.empty() || !current(s)) {
        s->writing = false;
        return;
    }
    s->writing = true;
    s->ws.text(true);
    s->ws.async_write(net::buffer(s->outbox.front()),
                      [self = shared_from_this(), s](beast::error_code ec, std::size_t) {
                          s->outbox.pop_front();
                          if (ec) {
                              s->writing = false;
                              if (self->current(s)) self->lose_session(close_abnormal, "write failed: " + ec.message());
                              return;
                          }
                          self->write_next(s);
                      });
}

void ClientImpl::close_session_gracefully() {
    keepalive_timer_.cancel();
    if (!session_) return;
    auto s = std::move(session_);
    session_.reset();
    if (!s->ws.is_open()) {
        beast::error_code ignored;
        beast::get_lowest_layer(s->ws).socket().close(ignored);
        return;
    }
    s->ws.async_close(websocket::close_code::normal, [s](beast::error_code) {
        beast::error_code ignored;
        beast::get_lowest_layer(s->ws).socket().close(ignored);
    });
}

void ClientImpl::lose_session(int close_code, const std::string& reason) {
    if (!session_) return;
    auto s = std::move(session_);
    session_.reset();
    identify_timer_.cancel();
    keepalive_timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(s->ws).socket().close(ignored);
    const bool was_connected = state_ == State::connected;
    fail_all_pending(Errc::closed, fmt::format("connection to OBS \"{}\" lost: {}", config_.name, reason));
    if (was_connected) logger_->warn("OBS \"{}\": {}", config_.name, reason);

    switch (close_code) {
        case 4009:
            return fail_permanently(Errc::auth_failed, "authentication failed: wrong password (4009)");
        case 4010:
            return fail_permanently(Errc::unsupported, "OBS does not support RPC version 1 (4010)");
        case 4011:
            return fail_permanently(Errc::closed, "session invalidated: kicked by the user in OBS (4011)");
        default:
            break;
    }
    if (wanted_ && options_.reconnect)
        schedule_reconnect(reason);
    else
        fail_permanently(Errc::closed, reason);
}

void ClientImpl::fail_permanently(Errc code, const std::string& reason) {
    wanted_ = false;
    reconnect_timer_.cancel();
    identify_timer_.cancel();
    close_session_gracefully();
    fail_all_pending(Errc::closed, reason);
    logger_->error("OBS \"{}\": {} [{}]", config_.name, reason, to_string(code));
    set_state(State::failed, reason);
}

void ClientImpl::schedule_reconnect(const std::string& reason) {
    ++failed_attempts_;
    const int doublings = std::min(failed_attempts_ - 1, 20);
    const auto base = std::min<std::chrono::milliseconds::rep>(options_.backoff_max.count(),
                                                               options_.backoff_initial.count() << doublings);
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const auto delay = std::chrono::milliseconds(std::min<std::chrono::milliseconds::rep>(
        options_.backoff_max.count(), static_cast<std::chrono::milliseconds::rep>(base * jitter(jitter_rng_))));
    logger_->info("OBS \"{}\": reconnecting in {} (attempt {}): {}", config_.name, ms(delay), failed_attempts_, reason);
    set_state(
        State::reconnecting, reason,
        std::chrono::system_clock::now() + std::chrono::duration_cast<std::chrono::system_clock::duration>(delay));
    reconnect_timer_.expires_after(delay);
    reconnect_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || !self->wanted_ || self->state_ != State::reconnecting) return;
        self->begin_attempt();
    });
}

void ClientImpl::fail_all_pending(Errc code, const std::string& message) {
    auto pending = std::move(pending_);
    pending_.clear();
    reidentify_ids_.clear();
    ordered_in_flight_.reset();
    ordered_waiting_.clear();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    deadlines_.clear();
    for (auto& [id, p] : pending) {
        p.done(Error{code, fmt::format("{}: {}", p.type, message)});
    }
    for (auto& [id, w] : waiters) {
        w.timer->cancel();
        invoke(w.handler, Result<Event>(Error{code, fmt::format("waiting for {}: {}", w.event_type, message)}));
    }
}

void ClientImpl::set_state(State state, std::string reason, std::chrono::system_clock::time_point next_attempt) {
    state_ = state;
    const ConnectionState snapshot{state, std::move(reason), next_attempt, failed_attempts_};
    update_status([&](Status& s) { s.connection = snapshot; });
    logger_->debug("OBS \"{}\": state {}{}{}", config_.name, to_string(state), snapshot.reason.empty() ? "" : ": ",
                   snapshot.reason);
    std::vector<std::uint64_t> ids;
    for (const auto& [id, sub] : subscribers_)
        if (sub.on_state) ids.push_back(id);
    for (const auto id : ids) {
        const auto it = subscribers_.find(id);
        if (it == subscribers_.end()) continue;
        const auto handler = it->second.on_state;
        try {
            handler(snapshot);
        } catch (const std::exception& e) {
            logger_->error("OBS \"{}\": a state handler threw: {}", config_.name, e.what());
        }
    }
}

// ---- protocol -------------------------------------------------------------------------------

void ClientImpl::protocol_error(const std::string& what) {
    update_status([](Status& s) { ++s.protocol_errors; });
    logger_->warn("OBS \"{}\": ignored a message: {}", config_.name, what);
}

void ClientImpl::handle_message(const std::shared_ptr<Session>& s, Json& message) {
    try {
        const auto op = message.find("op");  // end() for a non-object
        const auto d = message.find("d");
        if (!message.is_object() || op == message.end() || !op->is_number_integer() || d == message.end() ||
            !d->is_object())
            return protocol_error("not an {\"op\": N, \"d\": {...}} object");
        switch (op->get<int>()) {
            case 0:
                return handle_hello(s, *d);
            case 2:
                return handle_identified(s, *d);
            case 5:
                return handle_event(*d);
            case 7:
                return handle_response(*d, false);
            case 9:
                return handle_response(*d, true);
            default:
                return protocol_error(fmt::format("unexpected op {}", op->get<int>()));
        }
    } catch (const std::exception& e) {
        protocol_error(e.what());
    }
}

void ClientImpl::handle_hello(const std::shared_ptr<Session>& s, const Json& d) {
    if (state_ != State::identifying) return protocol_error("Hello after Identify");
    Json identify = {{"rpcVersion", 1}, {"eventSubscriptions", config_.event_subscriptions}};
    if (const auto auth = d.find("authentication"); auth != d.end() && auth->is_object()) {
        if (config_.password.empty())
            return fail_permanently(Errc::auth_failed, "OBS requires a password but none is configured");
        identify["authentication"] =
            auth_response(config_.password, str_field(*auth, "salt"), str_field(*auth, "challenge"));
    }
    send(s, dump({{"op", 1}, {"d", std::move(identify)}}));
}

void ClientImpl::handle_identified(const std::shared_ptr<Session>& s, const Json& d) {
    update_status([&](Status& st) { st.rpc_version = static_cast<int>(int_field(d, "negotiatedRpcVersion", 1)); });
    if (state_ == State::identifying) return refresh_state(s);
    if (reidentify_ids_.empty()) return protocol_error("Identified without Identify/Reidentify");
    const RequestId id = reidentify_ids_.front();
    reidentify_ids_.pop_front();
    const auto it = pending_.find(id);
    if (it == pending_.end()) return;
    take_pending(it)(Json::object());
}

void ClientImpl::refresh_state(const std::shared_ptr<Session>& s) {
    const RequestId id = next_request_id();
    Json requests = Json::array();
    for (const char* type :
         {"GetVersion", "GetCurrentProgramScene", "GetRecordStatus", "GetStreamStatus", "GetReplayBufferStatus"})
        requests.push_back({{"requestType", type}});
    Json message = {{"op", 8},
                    {"d", {{"requestId", std::to_string(id)}, {"haltOnFailure", false}, {"requests", requests}}}};
    send_request(
        s, id, "RequestBatch", std::move(message),
        [weak = weak_from_this(), s](Result<Json> results) {
            auto self = weak.lock();
            if (!self || !self->current(s)) return;
            if (!results) return self->lose_session(close_abnormal, "state re-read failed: " + results.error().message);
            self->apply_refresh(results.value());
            self->identify_timer_.cancel();
            self->failed_attempts_ = 0;
            self->logger_->info("OBS \"{}\": connected to {}:{}", self->config_.name, self->config_.host,
                                self->config_.port);
            self->set_state(State::connected);
        },
        options_.identify_timeout);
}

void ClientImpl::apply_refresh(const Json& results) {
    if (!results.is_array()) return;
    update_status([&](Status& st) {
        for (const auto& r : results) {
            const auto data = response_result(r, {});
            if (!data) {
                if (str_field(r, "requestType") == "GetReplayBufferStatus") st.replay_buffer_active = false;
                continue;
            }
            const Json& d = data.value();
            const std::string type = str_field(r, "requestType");
            if (type == "GetVersion") {
                st.obs_version = str_field(d, "obsVersion");
                st.websocket_version = str_field(d, "obsWebSocketVersion");
                st.rpc_version = static_cast<int>(int_field(d, "rpcVersion", st.rpc_version));
                st.available_requests.clear();
                if (const auto it = d.find("availableRequests"); it != d.end() && it->is_array())
                    for (const auto& name : *it)
                        if (name.is_string()) st.available_requests.push_back(name.get<std::string>());
            } else if (type == "GetCurrentProgramScene") {
                st.program_scene = str_field(d, "currentProgramSceneName", str_field(d, "sceneName"));
            } else if (type == "GetRecordStatus") {
                st.recording = bool_field(d, "outputActive");
                st.record_paused = bool_field(d, "outputPaused");
                st.record_state = st.recording ? "OBS_WEBSOCKET_OUTPUT_STARTED" : "OBS_WEBSOCKET_OUTPUT_STOPPED";
            } else if (type == "GetStreamStatus") {
                st.streaming = bool_field(d, "outputActive");
                st.stream_reconnecting = bool_field(d, "outputReconnecting");
            } else if (type == "GetReplayBufferStatus") {
                st.replay_buffer_active = bool_field(d, "outputActive");
            }
        }
    });
}

void ClientImpl::handle_response(Json& d, bool batch) {
    const std::string id_text = str_field(d, "requestId");
    RequestId id = 0;
    const auto parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    const auto it = parsed.ec == std::errc{} ? pending_.find(id) : pending_.end();
    if (it == pending_.end()) {
        logger_->debug("OBS \"{}\": response to an unknown or expired request \"{}\"", config_.name, id_text);
        return;
    }
    const std::string type = it->second.type;
    auto done = take_pending(it);
    if (!batch) return done(take_response_result(d, type));
    const auto results = d.find("results");
    if (results == d.end() || !results->is_array()) {
        protocol_error("RequestBatchResponse without results");
        return done(Error{Errc::protocol, "RequestBatch: the response has no results array"});
    }
    done(std::move(*results));
}

void ClientImpl::handle_event(Json& d) {
    Event event{str_field(d, "eventType"), static_cast<int>(int_field(d, "eventIntent")), Json()};
    if (const auto it = d.find("eventData"); it != d.end()) event.data = std::move(*it);
    update_status_from_event(event);

    std::vector<std::uint64_t> ready;
    for (auto& [id, w] : waiters_) {
        if (w.event_type != event.type) continue;
        bool matched = true;
        if (w.match) {
            try {
                matched = w.match(event);
            } catch (const std::exception&) {
                matched = false;
            }
        }
        if (matched) ready.push_back(id);
    }
    for (const auto id : ready) {
        const auto it = waiters_.find(id);
        if (it == waiters_.end()) continue;
        auto handler = std::move(it->second.handler);
        it->second.timer->cancel();
        waiters_.erase(it);
        invoke(handler, Result<Event>(event));
    }

    std::vector<std::uint64_t> ids;
    for (const auto& [id, sub] : subscribers_)
        if (sub.on_event && (sub.event_type.empty() || sub.event_type == event.type)) ids.push_back(id);
    for (const auto id : ids) {
        const auto it = subscribers_.find(id);
        if (it == subscribers_.end()) continue;
        const auto handler = it->second.on_event;
        try {
            handler(event);
        } catch (const std::exception& e) {
            logger_->error("OBS \"{}\": a handler of {} threw: {}", config_.name, event.type, e.what());
        }
    }
}

void ClientImpl::update_status_from_event(const Event& e) {
    update_status([&](Status& st) {
        ++st.events_received;
        if (e.type == "CurrentProgramSceneChanged") {
            st.program_scene = str_field(e.data, "sceneName", st.program_scene);
        } else if (e.type == "RecordStateChanged") {
            st.record_state = str_field(e.data, "outputState");
            st.recording = bool_field(e.data, "outputActive", st.recording);
            if (st.record_state == "OBS_WEBSOCKET_OUTPUT_PAUSED")
                st.record_paused = true;
            else if (st.record_state == "OBS_WEBSOCKET_OUTPUT_RESUMED" || !st.recording)
                st.record_paused = false;
            const std::string path = str_field(e.data, "outputPath");
            if (!path.empty()) st.last_record_path = path;
        } else if (e.type == "StreamStateChanged") {
            const std::string state = str_field(e.data, "outputState");
            st.streaming = bool_field(e.data, "outputActive", st.streaming);
            st.stream_reconnecting = state == "OBS_WEBSOCKET_OUTPUT_RECONNECTING";
        } else if (e.type == "ReplayBufferStateChanged") {
            st.replay_buffer_active = bool_field(e.data, "outputActive", st.replay_buffer_active);
        } else if (e.type == "ReplayBufferSaved") {
            st.last_replay_path = str_field(e.data, "savedReplayPath", st.last_replay_path);
        }
    });
    if (e.type == "ExitStarted") logger_->info("OBS \"{}\": OBS is shutting down", config_.name);
}

// ---- requests -------------------------------------------------------------------------------

void ClientImpl::send_request(const std::shared_ptr<Session>& s, RequestId id, std::string type, Json message,
                              std::function<void(Result<Json>)> done, std::chrono::milliseconds timeout, bool ordered) {
    if (timeout.count() <= 0) timeout = options_.request_timeout;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto slot = deadlines_.emplace(deadline, id);
    pending_.emplace(id, Pending{std::move(type), std::move(done), timeout, slot});
    if (deadline < deadline_armed_) arm_deadline_timer(deadline);
    if (!ordered) return send(s, dump(message));
    if (ordered_in_flight_) {
        ordered_waiting_.emplace_back(id, dump(message));
        return;
    }
    ordered_in_flight_ = id;
    send(s, dump(message));
}

void ClientImpl::send_next_ordered() {
    ordered_in_flight_.reset();
    if (!session_) return ordered_waiting_.clear();  // their requests end with the session
    while (!ordered_waiting_.empty()) {
        auto [id, text] = std::move(ordered_waiting_.front());
        ordered_waiting_.pop_front();
        if (!pending_.contains(id)) continue;  // timed out or cancelled while waiting
        ordered_in_flight_ = id;
        return send(session_, std::move(text));
    }
}

std::function<void(Result<Json>)> ClientImpl::take_pending(std::unordered_map<RequestId, Pending>::iterator it) {
    const bool ends_ordered = ordered_in_flight_ == it->first;
    auto done = std::move(it->second.done);
    deadlines_.erase(it->second.deadline);
    pending_.erase(it);
    if (ends_ordered) send_next_ordered();
    return done;
}

void ClientImpl::arm_deadline_timer(std::chrono::steady_clock::time_point when) {
    deadline_armed_ = when;
    deadline_timer_.expires_at(when);
    deadline_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        self->on_deadline();
    });
}

void ClientImpl::on_deadline() {
    deadline_armed_ = std::chrono::steady_clock::time_point::max();
    const auto now = std::chrono::steady_clock::now();
    std::vector<RequestId> expired;
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it) expired.push_back(it->second);
    for (const RequestId id : expired) {
        const auto it = pending_.find(id);
        if (it == pending_.end()) continue;  // completed by an earlier handler in this loop
        const std::string type = it->second.type;
        const auto timeout = it->second.timeout;
        take_pending(it)(Error{Errc::timeout, fmt::format("{}: no answer from OBS within {}", type, ms(timeout))});
    }
    if (!deadlines_.empty() && deadlines_.begin()->first < deadline_armed_)
        arm_deadline_timer(deadlines_.begin()->first);
}

void ClientImpl::request(RequestId id, std::string type, Json data, Handler<Json> handler,
                         std::chrono::milliseconds timeout) {
    if (state_ != State::connected || !session_)
        return complete_later(
            std::move(handler),
            Result<Json>(Error{Errc::not_connected, fmt::format("{}: OBS \"{}\" is not connected ({})", type,
                                                                config_.name, to_string(state_))}));
    Json message = {{"op", 6}};
    Json& d = message["d"];
    d["requestType"] = type;
    d["requestId"] = std::to_string(id);
    if (!data.is_null()) d["requestData"] = std::move(data);
    send_request(
        session_, id, type, std::move(message),
        [handler = std::move(handler)](Result<Json> r) { invoke(handler, std::move(r)); }, timeout, true);
}

void ClientImpl::request_batch(std::vector<BatchRequest> requests, BatchOptions batch_options,
                               Handler<BatchResults> handler, std::chrono::milliseconds timeout) {
    if (state_ != State::connected || !session_)
        return complete_later(std::move(handler),
                              Result<BatchResults>(Error{Errc::not_connected,
                                                         fmt::format("RequestBatch: OBS \"{}\" is not connected ({})",
                                                                     config_.name, to_string(state_))}));
    const RequestId id = next_request_id();
    Json list = Json::array();
    for (std::size_t i = 0; i < requests.size(); ++i) {
        Json r = {{"requestType", requests[i].type}, {"requestId", std::to_string(i)}};
        if (!requests[i].data.is_null()) r["requestData"] = std::move(requests[i].data);
        list.push_back(std::move(r));
    }
    Json d = {{"requestId", std::to_string(id)},
              {"haltOnFailure", batch_options.halt_on_failure},
              {"executionType", batch_options.execution_type},
              {"requests", std::move(list)}};
    send_request(
        session_, id, "RequestBatch", {{"op", 8}, {"d", std::move(d)}},
        [handler = std::move(handler)](Result<Json> r) {
            if (!r) return invoke(handler, Result<BatchResults>(r.error()));
            BatchResults results;
            for (const auto& item : r.value()) results.push_back(response_result(item, "request"));
            invoke(handler, Result<BatchResults>(std::move(results)));
        },
        timeout, true);
}

void ClientImpl::cancel(RequestId id) {
    const auto it = pending_.find(id);
    if (it == pending_.end()) return;
    const std::string type = it->second.type;
    auto done = take_pending(it);
    net::post(io_, [done = std::move(done), type] {
        done(Error{Errc::cancelled, fmt::format("{}: cancelled by the caller", type)});
    });
}

void ClientImpl::reidentify(std::uint32_t event_subscriptions, Handler<void> handler) {
    config_.event_subscriptions = event_subscriptions;
    if (state_ != State::connected || !session_)
        return complete_later(
            std::move(handler),
            Result<void>(Error{Errc::not_connected, fmt::format("Reidentify: OBS \"{}\" is not connected ({}); the new "
                                                                "subscriptions apply from the next connection",
                                                                config_.name, to_string(state_))}));
    const RequestId id = next_request_id();
    reidentify_ids_.push_back(id);
    send_request(session_, id, "Reidentify", {{"op", 3}, {"d", {{"eventSubscriptions", event_subscriptions}}}},
                 [handler = std::move(handler)](Result<Json> r) {
                     invoke(handler, r ? Result<void>() : Result<void>(r.error()));
                 },
                 {});
}

// ---- events ---------------------------------------------------------------------------------

void ClientImpl::add_subscriber(std::uint64_t id, std::string event_type, EventHandler handler) {
    subscribers_[id] = Subscriber{std::move(event_type), std::move(handler), {}};
}

void ClientImpl::add_state_handler(std::uint64_t id, std::function<void(const ConnectionState&)> handler) {
    subscribers_[id] = Subscriber{{}, {}, std::move(handler)};
}

void ClientImpl::remove_subscriber(std::uint64_t id) { subscribers_.erase(id); }

void ClientImpl::wait_event(std::string event_type, std::function<bool(const Event&)> match,
                            std::chrono::milliseconds timeout, Handler<Event> handler) {
    if (state_ != State::connected)
        return complete_later(
            std::move(handler),
            Result<Event>(Error{Errc::not_connected, fmt::format("waiting for {}: OBS \"{}\" is not connected ({})",
                                                                 event_type, config_.name, to_string(state_))}));
    if (timeout.count() <= 0) timeout = options_.request_timeout;
    const std::uint64_t id = next_subscriber_id();
    auto timer = std::make_unique<net::steady_timer>(io_, timeout);
    timer->async_wait([weak = weak_from_this(), id, timeout](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) return;
        const auto it = self->waiters_.find(id);
        if (it == self->waiters_.end()) return;
        auto handler = std::move(it->second.handler);
        const std::string type = std::move(it->second.event_type);
        self->waiters_.erase(it);
        invoke(handler, Result<Event>(Error{Errc::timeout, fmt::format("no {} event within {}", type, ms(timeout))}));
    });
    waiters_.emplace(id, Waiter{std::move(event_type), std::move(match), std::move(handler), std::move(timer)});
}

}  // namespace vta::obs
