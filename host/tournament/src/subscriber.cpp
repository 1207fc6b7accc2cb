#include "vta/tournament/subscriber.hpp"

#include <atomic>
#include <chrono>
#include <mutex>

#include <mosquitto.h>
#include <nlohmann/json.hpp>

#include "vta/common/cancel_deferred.hpp"

namespace vta::tournament {

struct Subscriber::State {
    SubscriberOptions options;
    OnMessage on_message;
    OnConnection on_connection;
    std::mutex client_mutex;  // publish() from other threads against stop()
    mosquitto* client = nullptr;
    bool stopped = false;
    std::atomic<bool> connected{false};  // set by the network thread's callbacks
};

namespace {

std::string status_payload(bool online) {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return nlohmann::json{{"online", online},
                          {"since_ms", std::chrono::duration_cast<std::chrono::milliseconds>(now).count()}}
        .dump();
}

void connected_callback(mosquitto* client, void* user, int rc) {
    const CancelDeferred deferred;
    auto* s = static_cast<Subscriber::State*>(user);
    if (rc != 0) {
        s->on_connection(false, mosquitto_connack_string(rc));
        return;
    }
    s->connected = true;
    // Connected counts from the SUBACK (subscribed_callback): only then does the broker route the courts' messages.
    if (const int rc = mosquitto_subscribe(client, nullptr, s->options.topic_filter.c_str(), 1); rc != MOSQ_ERR_SUCCESS)
        s->on_connection(false, std::string("subscribe: ") + mosquitto_strerror(rc));
}

void subscribed_callback(mosquitto* client, void* user, int, int count, const int* granted) {
    const CancelDeferred deferred;
    auto* s = static_cast<Subscriber::State*>(user);
    const bool granted_ok = count == 1 && granted[0] >= 0 && granted[0] <= 2;
    if (granted_ok && !s->options.status_topic.empty()) {
        const std::string online = status_payload(true);
        mosquitto_publish(client, nullptr, s->options.status_topic.c_str(), int(online.size()), online.data(), 1, true);
    }
    s->on_connection(granted_ok, granted_ok ? "connected" : "the broker refused the subscription");
}

void disconnected_callback(mosquitto*, void* user, int rc) {
    const CancelDeferred deferred;
    auto* s = static_cast<Subscriber::State*>(user);
    s->connected = false;
    s->on_connection(false, rc == 0 ? "disconnected" : std::string("connection lost: ") + mosquitto_strerror(rc));
}

void message_callback(mosquitto*, void* user, const mosquitto_message* message) {
    const CancelDeferred deferred;
    auto* s = static_cast<Subscriber::State*>(user);
    s->on_message(message->topic,
                  std::string(static_cast<const char*>(message->payload), std::size_t(message->payloadlen)),
                  message->retain);
}

}  // namespace

Subscriber::Subscriber(std::unique_ptr<State> state) : state_(std::move(state)) {}

Subscriber::~Subscriber() { stop(); }

vta::Result<std::unique_ptr<Subscriber>> Subscriber::start(SubscriberOptions options, OnMessage on_message,
                                                           OnConnection on_connection) {
    static std::once_flag library;
    std::call_once(library, [] { mosquitto_lib_init(); });
    auto state = std::make_unique<State>();
    state->options = std::move(options);
    state->on_message = std::move(on_message);
    state->on_connection = std::move(on_connection);
    // clean_session false: the broker keeps this client's subscription and its QoS 1 messages while it is away.
    state->client = mosquitto_new(state->options.client_id.c_str(), false, state.get());
    if (!state->client)
        return vta::Error(vta::Errc::invalid_argument,
                          "mqtt: cannot make a client named '" + state->options.client_id + "'");
    mosquitto_connect_callback_set(state->client, connected_callback);
    mosquitto_disconnect_callback_set(state->client, disconnected_callback);
    mosquitto_message_callback_set(state->client, message_callback);
    mosquitto_subscribe_callback_set(state->client, subscribed_callback);
    mosquitto_reconnect_delay_set(state->client, 1, 1, false);
    if (!state->options.username.empty())
        if (const int rc = mosquitto_username_pw_set(state->client, state->options.username.c_str(),
                                                     state->options.password.empty() ? nullptr
                                                                                     : state->options.password.c_str());
            rc != MOSQ_ERR_SUCCESS)
            return vta::Error(vta::Errc::invalid_argument,
                              std::string("mqtt: the broker credentials: ") + mosquitto_strerror(rc));
    if (!state->options.ca_file.empty())
        if (const int rc =
                mosquitto_tls_set(state->client, state->options.ca_file.c_str(), nullptr, nullptr, nullptr, nullptr);
            rc != MOSQ_ERR_SUCCESS)
            return vta::Error(vta::Errc::invalid_argument,
                              "mqtt: the broker's CA " + state->options.ca_file + ": " + mosquitto_strerror(rc));
    if (!state->options.status_topic.empty()) {
        const std::string offline = status_payload(false);
        mosquitto_will_set(state->client, state->options.status_topic.c_str(), int(offline.size()), offline.data(), 1,
                           true);
    }
    std::unique_ptr<Subscriber> subscriber(new Subscriber(std::move(state)));
    State& s = *subscriber->state_;
    if (const int rc = mosquitto_loop_start(s.client); rc != MOSQ_ERR_SUCCESS)
        return vta::Error(vta::Errc::unavailable,
                          std::string("mqtt: cannot start the network thread: ") + mosquitto_strerror(rc));
    // A refused first attempt is retried by the network thread like any later loss of the broker.
    if (const int rc =
            mosquitto_connect_async(s.client, s.options.host.c_str(), s.options.port, s.options.keepalive_seconds);
        rc != MOSQ_ERR_SUCCESS)
        s.on_connection(false, std::string("cannot connect: ") + mosquitto_strerror(rc));
    return subscriber;
}

vta::VoidResult Subscriber::publish(const std::string& topic, const std::string& payload, bool retain) {
    std::lock_guard lock(state_->client_mutex);
    if (state_->stopped) return vta::Error(vta::Errc::closed, "mqtt: the subscriber is stopped");
    if (const int rc =
            mosquitto_publish(state_->client, nullptr, topic.c_str(), int(payload.size()), payload.data(), 1, retain);
        rc != MOSQ_ERR_SUCCESS)
        return vta::Error(vta::Errc::unavailable, "mqtt: publishing on " + topic + ": " + mosquitto_strerror(rc));
    return {};
}

void Subscriber::stop() {
    if (!state_) return;
    std::lock_guard lock(state_->client_mutex);
    if (state_->stopped) return;
    state_->stopped = true;
    if (!state_->options.status_topic.empty()) {
        const std::string offline = status_payload(false);
        mosquitto_publish(state_->client, nullptr, state_->options.status_topic.c_str(), int(offline.size()),
                          offline.data(), 1, true);
    }
    // Connected, the DISCONNECT ends the network thread's loop: it is joined, not cancelled (a cancel can land
    // while libmosquitto holds its lock: ThreadSanitizer saw it). Not connected, it may sleep out the reconnect
    // delay or block in connect(): cancelled there, as the courts' client does. Read before the DISCONNECT, whose
    // callback clears it.
    const bool connected = state_->connected;
    mosquitto_disconnect(state_->client);
    mosquitto_loop_stop(state_->client, !connected);
    mosquitto_destroy(state_->client);
    state_->client = nullptr;
}

}  // namespace vta::tournament
