#pragma once
// An in-process obs-websocket v5 server for tests and the benchmark. It speaks Hello (with
// authentication), Identify/Reidentify, requests, batches and events, and misbehaves on demand
// through test-only request types:
//   Test.NoAnswer            never answers
//   Test.Garble              answers with text that is not JSON
//   Test.Close {code}        closes without answering: 1006 drops TCP without a close frame
//   Test.Flood {count}       answers, then sends `count` TestFlood events as fast as it can
//   Test.GoSilent            stops reading and writing; TCP stays open (a dead peer)
//   Test.ObsStopsReplayBuffer  stops the replay buffer as OBS does on its own (a full disk)
// Each connection is served by its own thread with blocking Beast calls.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace vta::obs::testing {

struct FakeObsOptions {
    std::string password;                     // empty: no authentication
    bool offer_set_record_directory = false;  // list SetRecordDirectory in availableRequests
    bool send_replay_saved_event = true;      // false: only GetLastReplayBufferReplay knows the path
    bool replay_available = true;             // false: the profile disables the replay buffer (604)
    // After a stop, OBS 29 reports STOPPED at once, but its output shuts down for a while longer, and a
    // StartReplayBuffer meanwhile is answered with success and ignored.
    std::chrono::milliseconds replay_stop_lag{0};
    // GetOutputList / GetOutputStatus, which see the output itself still active during that lag.
    bool offer_output_status = true;
    // What StartRecord reports it records to (GetRecordStatus counts the duration from the start).
    std::string recording_path = "/tmp/fake-obs/recording.mkv";
};

class FakeObsServer {
public:
    explicit FakeObsServer(FakeObsOptions options = {});
    ~FakeObsServer();
    FakeObsServer(const FakeObsServer&) = delete;
    FakeObsServer& operator=(const FakeObsServer&) = delete;

    std::uint16_t port() const { return port_; }
    const FakeObsOptions& options() const { return options_; }
    void stop();

    // While true, TCP connections are accepted and closed at once (the WebSocket handshake fails).
    void set_reject_connections(bool reject) { reject_connections_ = reject; }

    int connections() const { return connections_; }            // accepted WebSocket sessions
    int identified() const { return identified_; }              // successful Identify
    int version_requests() const { return version_requests_; }  // GetVersion seen (state re-reads)
    std::uint32_t last_event_subscriptions() const { return last_event_subscriptions_; }
    std::string profile_parameter(const std::string& category, const std::string& name) const;
    std::string program_scene() const;
    bool scene_item_enabled(const std::string& scene, int item_id) const;
    void set_recording(bool recording);
    bool replay_active() const;
    std::chrono::milliseconds recording_duration() const;  // 0 while not recording
    int replay_starts() const;                             // StartReplayBuffer requests accepted, ignored ones included

private:
    struct Connection;
    void accept_loop();
    void serve(std::shared_ptr<Connection> connection);
    std::chrono::milliseconds recording_duration_locked() const;  // state_mutex_ held
    nlohmann::json answer(Connection& c, const std::string& type, const nlohmann::json& data,
                          std::vector<nlohmann::json>& events);

    FakeObsOptions options_;
    struct Acceptor;
    std::unique_ptr<Acceptor> acceptor_;
    std::uint16_t port_ = 0;
    std::thread accept_thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> reject_connections_{false};

    std::mutex mutex_;  // guards the members below and the shared OBS state
    std::condition_variable stopped_;
    std::vector<std::thread> threads_;
    std::vector<int> open_fds_;

    std::atomic<int> connections_{0};
    std::atomic<int> identified_{0};
    std::atomic<int> version_requests_{0};
    std::atomic<std::uint32_t> last_event_subscriptions_{0};

    mutable std::mutex state_mutex_;
    std::string program_scene_ = "LIVE_SCENE";
    std::vector<std::string> scenes_{"LIVE_SCENE", "IVR_SCENE"};
    bool recording_ = false;
    std::chrono::steady_clock::time_point recording_since_;
    bool replay_active_ = false;
    int replay_starts_ = 0;
    std::chrono::steady_clock::time_point replay_output_busy_until_;
    int saved_replays_ = 0;
    std::map<std::string, std::string> profile_;
    std::map<std::string, bool> scene_items_;  // "scene/id" -> enabled
};

}  // namespace vta::obs::testing
