#pragma once
// vta::obs::Client — one obs-websocket v5 connection, driven by the host's io_context.
//
// Usage: build a ConnectionConfig (or parse them with parse_connections), create
// `auto obs = std::make_shared<vta::obs::Client>(io, cfg);`, register
// `obs->on_state_change([](const vta::obs::ConnectionState& s) {...})`, then `obs->start()`: the
// client connects, authenticates, re-reads OBS's state (GetVersion, program scene, record, stream,
// replay buffer) and reports `connected`; after a drop (close 1001/1006, refusal, timeout, silent
// peer) it reconnects with capped exponential back-off, and after 4009/4010/4011 it stops in
// `failed` with the reason. Requests complete through a handler that always runs on the io_context
// and always runs exactly once, never inside the call that started the operation (so a Lua
// coroutine can yield after starting it): `obs->set_current_program_scene("LIVE_SCENE", [](vta::VoidResult r)
// { if (!r) spdlog::warn("{}", r.error().message); });` or `obs->request("GetStats", {}, [](auto r) {...});`.
// Events: `auto sub = obs->subscribe("RecordStateChanged", [](const vta::obs::Event& e) {...});`
// (the subscription ends when `sub` is destroyed or `sub.unsubscribe()` is called). `status()`
// returns a snapshot for display. Methods may be called from any thread (they are dispatched onto
// the io_context); the Client must be destroyed on the loop thread or after the loop stopped, and
// its destruction completes every pending request with `cancelled`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "vta/obs/config.hpp"
#include "vta/obs/result.hpp"

namespace vta::obs {

using Json = nlohmann::json;

template <class T>
using Handler = std::function<void(Result<T>)>;

enum class State { disconnected, connecting, identifying, connected, reconnecting, failed };

std::string_view to_string(State state);

struct ConnectionState {
    State state = State::disconnected;
    std::string reason;                                  // why we left `connected` / why `failed`
    std::chrono::system_clock::time_point next_attempt;  // set while `reconnecting`
    int attempt = 0;                                     // consecutive failed attempts
};

struct Event {
    std::string type;  // eventType, e.g. "CurrentProgramSceneChanged"
    int intent = 0;    // eventIntent (subscription bit)
    Json data;         // eventData (null when absent)
};

using EventHandler = std::function<void(const Event&)>;

struct RecordStatus {
    bool active = false;
    bool paused = false;
    std::string timecode;  // "HH:MM:SS.mmm"
    std::int64_t duration_ms = 0;
    std::int64_t bytes = 0;
};

struct StreamStatus {
    bool active = false;
    bool reconnecting = false;
    std::string timecode;
    std::int64_t duration_ms = 0;
    double congestion = 0;
    std::int64_t bytes = 0;
    std::int64_t skipped_frames = 0;
    std::int64_t total_frames = 0;
};

// GetStats: how OBS itself is doing (its CPU, and frames it could not render or encode in time).
struct Stats {
    double cpu_percent = 0;
    double memory_mb = 0;
    double active_fps = 0;
    std::int64_t render_skipped_frames = 0;
    std::int64_t render_total_frames = 0;
    std::int64_t output_skipped_frames = 0;
    std::int64_t output_total_frames = 0;
};

struct SceneList {
    std::string current_program;
    std::vector<std::string> scenes;  // top first, as OBS's scene list shows them
};

// A list OBS keeps with one current entry: transitions, profiles, scene collections.
struct NamedList {
    std::string current;
    std::vector<std::string> names;
};

struct InputVolume {
    double mul = 1;  // linear multiplier, 0..20
    double db = 0;   // the same in dB, -100..26 (-100 = silent)
};

// A volume to set, in the unit the operator thinks in.
struct VolumeSetting {
    enum class Unit { db, mul };
    Unit unit = Unit::db;
    double value = 0;
};

// What the host shows; refreshed after every (re)connect and kept current from events.
struct Status {
    std::string name;
    Role role = Role::both;
    ConnectionState connection;
    std::string obs_version;
    std::string websocket_version;
    int rpc_version = 0;
    std::vector<std::string> available_requests;  // from GetVersion, for feature detection
    std::string program_scene;
    bool recording = false;
    bool record_paused = false;
    std::string record_state;  // last RecordStateChanged outputState, e.g. "OBS_WEBSOCKET_OUTPUT_STARTED"
    std::string last_record_path;
    bool streaming = false;
    bool stream_reconnecting = false;
    bool replay_buffer_active = false;  // false also when the profile disables it
    std::string last_replay_path;
    std::uint64_t events_received = 0;
    std::uint64_t protocol_errors = 0;  // unparsable or unexpected messages ignored

    bool has_request(const std::string& request_type) const;
};

struct BatchRequest {
    std::string type;
    Json data;  // null or object
};

struct BatchOptions {
    bool halt_on_failure = false;
    int execution_type = 0;  // 0 SerialRealtime, 1 SerialFrame, 2 Parallel
};

// One result per executed request, in order (fewer than sent when halt_on_failure stopped it).
using BatchResults = std::vector<Result<Json>>;

class ClientImpl;

// Ends an event subscription when destroyed or on unsubscribe(). Safe to outlive the Client.
class [[nodiscard]] Subscription {
public:
    Subscription() = default;
    Subscription(std::weak_ptr<ClientImpl> client, std::uint64_t id);
    Subscription(Subscription&& other) noexcept;
    Subscription& operator=(Subscription&& other) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;
    ~Subscription();

    void unsubscribe();
    bool active() const { return id_ != 0; }

private:
    std::weak_ptr<ClientImpl> client_;
    std::uint64_t id_ = 0;
};

using RequestId = std::uint64_t;  // returned by request(); pass to cancel()

class Client {
public:
    Client(boost::asio::io_context& io, ConnectionConfig config, ClientOptions options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const ConnectionConfig& config() const { return config_; }
    const std::string& name() const { return config_.name; }
    Role role() const { return config_.role; }

    // Connection lifecycle.
    void start();  // connect and keep connected (reconnects); also leaves `failed` to retry
    void stop();   // close; pending requests end with `cancelled`; state `disconnected`
    State state() const;
    Status status() const;
    // Called on every state change (on the io_context). Returns a handle like subscribe().
    Subscription on_state_change(std::function<void(const ConnectionState&)> handler);
    // The message path without a socket (tests/fuzz), instead of start(): a session that never connects, as
    // if its WebSocket handshake had just completed; receive() hands it one message as if OBS had sent it.
    // Both run on the io_context like every other call.
    void open_unconnected_session();
    void receive(std::string message);

    // Raw requests. `timeout` 0 = ClientOptions::request_timeout (counted from the call). The handler
    // receives responseData (an empty object when OBS sent none) or an Error.
    // Requests and batches are carried out in the order they were made: obs-websocket runs each
    // message on a thread pool, so a request sent while another is in flight could be carried out
    // first (a hide overtaking the show before it). One is sent once the one before it has ended.
    RequestId request(std::string type, Json data, Handler<Json> handler, std::chrono::milliseconds timeout = {});
    void request_batch(std::vector<BatchRequest> requests, BatchOptions options, Handler<BatchResults> handler,
                       std::chrono::milliseconds timeout = {});
    // Ends a pending request() now with `cancelled` (no-op when already completed).
    void cancel(RequestId id);
    // Changes the event subscription bitmask of the live session (and of later reconnects).
    void reidentify(std::uint32_t event_subscriptions, Handler<void> handler);

    // Events.
    Subscription subscribe(std::string event_type, EventHandler handler);
    Subscription subscribe_all(EventHandler handler);
    // One-shot wait for the next event of `event_type` for which `match` (may be empty) returns
    // true; fails with `timeout`, or with `closed` when the connection drops.
    void wait_event(std::string event_type, std::function<bool(const Event&)> match, std::chrono::milliseconds timeout,
                    Handler<Event> handler);

    // Scenes.
    void get_scene_list(Handler<SceneList> handler);
    void get_current_program_scene(Handler<std::string> handler);
    void set_current_program_scene(std::string scene, Handler<void> handler);

    // Studio mode and transitions. trigger_studio_transition takes the preview scene to program with the
    // current transition; OBS refuses it (request_failed, status 506) when studio mode is off.
    void get_studio_mode(Handler<bool> handler);
    void set_studio_mode(bool enabled, Handler<void> handler);
    void set_current_preview_scene(std::string scene, Handler<void> handler);
    void get_transition_list(Handler<NamedList> handler);
    void set_current_transition(std::string transition, Handler<void> handler);
    void trigger_studio_transition(Handler<void> handler);

    // Audio of an input (a source with audio: media, capture, ...). toggle_input_mute yields the new state.
    void get_input_mute(std::string input, Handler<bool> handler);
    void set_input_mute(std::string input, bool muted, Handler<void> handler);
    void toggle_input_mute(std::string input, Handler<bool> handler);
    void get_input_volume(std::string input, Handler<InputVolume> handler);
    void set_input_volume(std::string input, VolumeSetting volume, Handler<void> handler);

    // Profiles and scene collections. OBS answers a switch once it has loaded the new one.
    void get_profile_list(Handler<NamedList> handler);
    void set_current_profile(std::string profile, Handler<void> handler);
    void get_scene_collection_list(Handler<NamedList> handler);
    void set_current_scene_collection(std::string collection, Handler<void> handler);

    // Recording. stop_record yields the final file path once OBS reports STOPPED.
    void start_record(Handler<void> handler);
    void stop_record(Handler<std::string> handler);
    void get_record_status(Handler<RecordStatus> handler);
    void pause_record(Handler<void> handler);
    void resume_record(Handler<void> handler);
    // Record folder / file name pattern (OBS expands %CCYY %MM %DD %hh %mm %ss itself); refused with
    // invalid_state while recording. Uses SetRecordDirectory when this OBS offers it, otherwise the
    // profile parameters SimpleOutput/FilePath and AdvOut/RecFilePath.
    void set_record_directory(std::string directory, Handler<void> handler);
    void get_record_directory(Handler<std::string> handler);
    void set_filename_format(std::string format, Handler<void> handler);

    // Replay buffer. save_replay_buffer yields the saved file's path (ReplayBufferSaved event,
    // falling back to GetLastReplayBufferReplay if the event does not come in time).
    void start_replay_buffer(Handler<void> handler);
    void stop_replay_buffer(Handler<void> handler);
    void get_replay_buffer_status(Handler<bool> handler);
    void save_replay_buffer(Handler<std::string> handler);

    // Streaming.
    void start_stream(Handler<void> handler);
    void stop_stream(Handler<void> handler);
    void get_stream_status(Handler<StreamStatus> handler);

    // How OBS itself is doing (GetStats): its CPU and memory, frames it could not render or encode in time.
    void get_stats(Handler<Stats> handler);

    // Virtual camera (needs the v4l2loopback device on Linux; OBS fails the start without it).
    void start_virtual_cam(Handler<void> handler);
    void stop_virtual_cam(Handler<void> handler);
    void get_virtual_cam_status(Handler<bool> handler);

    // Sources and misc.
    void set_scene_item_enabled(std::string scene, std::string source, bool enabled, Handler<void> handler);
    void set_input_settings(std::string input, Json settings, bool overlay, Handler<void> handler);
    void broadcast_custom_event(Json event_data, Handler<void> handler);
    void trigger_hotkey_by_name(std::string hotkey_name, Handler<void> handler);

private:
    ConnectionConfig config_;
    std::shared_ptr<ClientImpl> impl_;
};

}  // namespace vta::obs
