#pragma once
// Named OBS connections, parsed from the host's JSON configuration.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "vta/obs/result.hpp"

namespace vta::obs {

// What an OBS instance is used for; `both` serves as rec and as str.
enum class Role { rec, str, both };

std::string_view to_string(Role role);

// obs-websocket event subscription bits.
namespace subscription {
inline constexpr std::uint32_t general = 1, config = 2, scenes = 4, inputs = 8, transitions = 16, filters = 32,
                               outputs = 64, scene_items = 128, media_inputs = 256, vendors = 512, ui = 1024,
                               all = 2047;
inline constexpr std::uint32_t default_set = general | scenes | outputs;  // 69
}  // namespace subscription

struct ConnectionConfig {
    std::string name;  // e.g. "OBS_REC"; unique within a Connections
    Role role = Role::both;
    std::string host = "127.0.0.1";
    std::uint16_t port = 4455;
    std::string password;         // empty = no authentication; never logged
    std::string password_secret;  // "password": {"secret": NAME}: the host fills `password` from its secrets file
    std::uint32_t event_subscriptions = subscription::default_set;
};

// Parses `[{"name":"OBS_REC","role":"rec","host":"127.0.0.1","port":4455,"password":"..."}, ...]`.
// Required keys: name, role ("rec"|"str"|"both"), port (1..65535). Optional: host (default
// 127.0.0.1), password (default none; a string, or {"secret": "NAME"} naming an entry of the host's secrets
// file), event_subscriptions (0..2047). Unknown keys are rejected.
// Errors (code invalid_config) name the connection (or its index) and the key and say what is expected.
Result<std::vector<ConnectionConfig>> parse_connections(const nlohmann::json& list);
Result<std::vector<ConnectionConfig>> parse_connections(std::string_view json_text);

// Timings and logging of a Client. Defaults suit a real OBS; tests shorten them.
struct ClientOptions {
    std::chrono::milliseconds request_timeout{5000};       // default per-request deadline
    std::chrono::milliseconds connect_timeout{3000};       // TCP connect + WebSocket handshake
    std::chrono::milliseconds identify_timeout{3000};      // Hello -> Identified -> state re-read
    std::chrono::milliseconds keepalive_timeout{4000};     // ping every half of it; no input for all of it = dead
    std::chrono::milliseconds backoff_initial{250};        // reconnect delay, doubled per failure...
    std::chrono::milliseconds backoff_max{2000};           // ...up to this, with +-20 % jitter: back within 3 s of OBS
    std::chrono::milliseconds replay_saved_timeout{3000};  // wait for ReplayBufferSaved
    std::chrono::milliseconds record_stopped_timeout{10000};  // wait for RecordStateChanged STOPPED
    bool reconnect = true;                                    // false: a lost connection goes to failed
    std::shared_ptr<spdlog::logger> logger;                   // null = spdlog default logger
};

}  // namespace vta::obs
