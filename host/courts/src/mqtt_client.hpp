#pragma once
// libmosquitto behind a small RAII class. The library runs its network thread (mosquitto_loop_start): it connects,
// reconnects with back-off and calls the callbacks there. The calls below are safe from any thread.

#include <functional>
#include <memory>
#include <string>

#include "vta/common/result.hpp"
#include "vta/courts/config.hpp"

struct mosquitto;

namespace vta::courts {

class MqttClient {
public:
    // Called on the network thread.
    struct Callbacks {
        std::function<void(int rc, std::string reason)> on_connect;  // rc 0: connected
        std::function<void(int rc)> on_disconnect;                   // rc 0: asked for by stop()
        std::function<void(int mid)> on_puback;
        std::function<void(std::string topic, std::string payload)> on_message;
    };
    struct Will {
        std::string topic;
        std::string payload;
    };

    static Result<std::unique_ptr<MqttClient>> create(const std::string& client_id, const CourtsConfig& config,
                                                      const Will& will, Callbacks callbacks);
    ~MqttClient();  // stop()
    MqttClient(const MqttClient&) = delete;
    MqttClient& operator=(const MqttClient&) = delete;

    // Starts the network thread, which connects and keeps reconnecting.
    Result<void> start();
    // QoS 1; returns the message id the acknowledgement will carry.
    Result<int> publish(const std::string& topic, const std::string& payload, bool retain);
    Result<void> subscribe(const std::string& topic);
    // Disconnects (no will) and joins the network thread. `flush`: let the thread send what is queued first (only
    // while connected: otherwise it may be sleeping before a reconnect attempt). Idempotent.
    void stop(bool flush = false);

private:
    MqttClient(mosquitto* handle, std::unique_ptr<Callbacks> callbacks, const CourtsConfig& config);
    mosquitto* handle_;
    std::unique_ptr<Callbacks> callbacks_;  // the library's user data
    std::string host_;
    int port_;
    bool running_ = false;
};

}  // namespace vta::courts
