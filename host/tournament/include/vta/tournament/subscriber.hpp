// An MQTT subscriber (libmosquitto) with a persistent session: the broker keeps the QoS 1 messages that come while
// this side is away and delivers them when it is back, after the retained ones. Callbacks run on libmosquitto's
// own network thread and must not block it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "vta/common/result.hpp"

namespace vta::tournament {

struct SubscriberOptions {
    std::string host = "127.0.0.1";
    int port = 1883;
    std::string client_id;     // the session's name: the same one after a restart gets the messages kept meanwhile
    std::string topic_filter;  // subscribed with QoS 1 on every (re)connect
    // Retained {"online": true, "since_ms"} once subscribed, {"online": false, "since_ms"} as the MQTT will and at
    // a clean stop: the courts publish again what this side may have missed while it was away. Empty: none.
    std::string status_topic;
    int keepalive_seconds = 5;
    std::string username;  // empty: anonymous
    std::string password;  // never logged
    std::string ca_file;   // set: TLS, the broker's certificate chaining to this CA and naming `host`
};

class Subscriber {
public:
    using OnMessage = std::function<void(const std::string& topic, const std::string& payload, bool retained)>;
    using OnConnection = std::function<void(bool connected, const std::string& reason)>;

    // Starts the network thread; a broker that is not reachable yet is retried every second or two.
    // Errc::invalid_argument for options libmosquitto refuses.
    static vta::Result<std::unique_ptr<Subscriber>> start(SubscriberOptions options, OnMessage on_message,
                                                          OnConnection on_connection);
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    // QoS 1, from any thread; Errc::closed once stopped, Errc::unavailable while the broker is away.
    vta::VoidResult publish(const std::string& topic, const std::string& payload, bool retain);

    // Says offline (status_topic), disconnects and joins the network thread; no callback runs afterwards. Safe to
    // call twice.
    void stop();

    struct State;

private:
    explicit Subscriber(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace vta::tournament
