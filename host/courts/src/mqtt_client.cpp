#include "mqtt_client.hpp"

#include <mutex>

#include <mosquitto.h>

#include "vta/common/cancel_deferred.hpp"

namespace vta::courts {

namespace {

Error mosquitto_error(int rc, const std::string& doing) {
    return Error{Errc::io, doing + ": " + mosquitto_strerror(rc), rc};
}

MqttClient::Callbacks& callbacks_of(void* user) { return *static_cast<MqttClient::Callbacks*>(user); }

}  // namespace

Result<std::unique_ptr<MqttClient>> MqttClient::create(const std::string& client_id, const CourtsConfig& config,
                                                       const Will& will, Callbacks callbacks) {
    static std::once_flag library;
    std::call_once(library, [] { mosquitto_lib_init(); });
    auto owned = std::make_unique<Callbacks>(std::move(callbacks));
    // A clean session: what was not acknowledged is in the outbox and is sent again from there.
    mosquitto* handle = mosquitto_new(client_id.c_str(), true, owned.get());
    if (!handle) return Error{Errc::io, "cannot create the MQTT client"};
    std::unique_ptr<MqttClient> client(new MqttClient(handle, std::move(owned), config));

    mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_max_inflight_messages_set(handle, 100);
    // A broker back after a restart is found within a second: the tournament's board shows the court within 2 s.
    mosquitto_reconnect_delay_set(handle, 1, 1, false);
    if (int rc = mosquitto_will_set(handle, will.topic.c_str(), int(will.payload.size()), will.payload.data(), 1, true);
        rc != MOSQ_ERR_SUCCESS)
        return mosquitto_error(rc, "setting the MQTT will");
    if (!config.username.empty()) {
        if (int rc = mosquitto_username_pw_set(handle, config.username.c_str(),
                                               config.password.empty() ? nullptr : config.password.c_str());
            rc != MOSQ_ERR_SUCCESS)
            return mosquitto_error(rc, "setting the broker credentials");
    }
    if (!config.tls_ca_file.empty()) {
        if (int rc = mosquitto_tls_set(handle, config.tls_ca_file.c_str(), nullptr, nullptr, nullptr, nullptr);
            rc != MOSQ_ERR_SUCCESS)
            return mosquitto_error(rc, "courts.tls.ca_file " + config.tls_ca_file.string());
    }
    mosquitto_connect_callback_set(handle, [](mosquitto*, void* user, int rc) {
        const CancelDeferred deferred;
        callbacks_of(user).on_connect(rc, rc == 0 ? "" : mosquitto_connack_string(rc));
    });
    mosquitto_disconnect_callback_set(handle, [](mosquitto*, void* user, int rc) {
        const CancelDeferred deferred;
        callbacks_of(user).on_disconnect(rc);
    });
    mosquitto_publish_callback_set(handle, [](mosquitto*, void* user, int mid) {
        const CancelDeferred deferred;
        callbacks_of(user).on_puback(mid);
    });
    mosquitto_message_callback_set(handle, [](mosquitto*, void* user, const mosquitto_message* message) {
        const CancelDeferred deferred;
        callbacks_of(user).on_message(
            message->topic, std::string(static_cast<const char*>(message->payload), std::size_t(message->payloadlen)));
    });
    return client;
}

MqttClient::MqttClient(mosquitto* handle, std::unique_ptr<Callbacks> callbacks, const CourtsConfig& config)
    : handle_(handle), callbacks_(std::move(callbacks)), host_(config.broker_host), port_(config.broker_port) {}

MqttClient::~MqttClient() {
    stop();
    mosquitto_destroy(handle_);
}

Result<void> MqttClient::start() {
    if (int rc = mosquitto_loop_start(handle_); rc != MOSQ_ERR_SUCCESS)
        return mosquitto_error(rc, "starting the MQTT network thread");
    running_ = true;
    // A broker not up yet is no error: the network thread retries with the reconnect delay.
    mosquitto_connect_async(handle_, host_.c_str(), port_, 10);
    return {};
}

Result<int> MqttClient::publish(const std::string& topic, const std::string& payload, bool retain) {
    int mid = 0;
    if (int rc = mosquitto_publish(handle_, &mid, topic.c_str(), int(payload.size()), payload.data(), 1, retain);
        rc != MOSQ_ERR_SUCCESS)
        return mosquitto_error(rc, "publishing on " + topic);
    return mid;
}

Result<void> MqttClient::subscribe(const std::string& topic) {
    if (int rc = mosquitto_subscribe(handle_, nullptr, topic.c_str(), 1); rc != MOSQ_ERR_SUCCESS)
        return mosquitto_error(rc, "subscribing to " + topic);
    return {};
}

void MqttClient::stop(bool flush) {
    if (!running_) return;
    running_ = false;
    mosquitto_disconnect(handle_);
    mosquitto_loop_stop(handle_, !flush);
}

}  // namespace vta::courts
