#include "fake_obs_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <random>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "auth.hpp"

namespace vta::obs::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

namespace {

constexpr std::uint32_t intent_general = 1, intent_scenes = 4, intent_outputs = 64;

Json ok(Json data = Json::object()) {
    return {{"requestStatus", {{"result", true}, {"code", 100}}}, {"responseData", std::move(data)}};
}

Json fail(int code, std::string comment) {
    return {{"requestStatus", {{"result", false}, {"code", code}, {"comment", std::move(comment)}}}};
}

Json event(const std::string& type, std::uint32_t intent, Json data) {
    return {{"op", 5}, {"d", {{"eventType", type}, {"eventIntent", intent}, {"eventData", std::move(data)}}}};
}

websocket::close_reason close_with(int code, const char* text) {
    websocket::close_reason reason;
    reason.code = static_cast<std::uint16_t>(code);
    reason.reason = text;
    return reason;
}

std::string random_token() {
    std::random_device rd;
    std::string bytes(32, '\0');
    for (auto& b : bytes) b = static_cast<char>(rd() & 0xff);
    return detail::base64(bytes);
}

}  // namespace

struct FakeObsServer::Acceptor {
    net::io_context io;
    tcp::acceptor acceptor{io};
};

struct FakeObsServer::Connection {
    explicit Connection(tcp::socket socket) : ws(std::move(socket)), fd(ws.next_layer().native_handle()) {}
    websocket::stream<tcp::socket> ws;
    int fd;
    std::uint32_t subscriptions = 0;

    void send(const Json& message) {
        ws.text(true);
        ws.write(net::buffer(message.dump()));
    }
};

FakeObsServer::FakeObsServer(FakeObsOptions options)
    : options_(std::move(options)), acceptor_(std::make_unique<Acceptor>()) {
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    acceptor_->acceptor.open(endpoint.protocol());
    acceptor_->acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor_->acceptor.bind(endpoint);
    acceptor_->acceptor.listen();
    port_ = acceptor_->acceptor.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
}

FakeObsServer::~FakeObsServer() { stop(); }

void FakeObsServer::stop() {
    if (stopping_.exchange(true)) return;
    ::shutdown(acceptor_->acceptor.native_handle(), SHUT_RDWR);
    {
        std::lock_guard lock(mutex_);
        for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    stopped_.notify_all();
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
}

void FakeObsServer::accept_loop() {
    while (!stopping_) {
        tcp::socket socket(acceptor_->io);
        beast::error_code ec;
        acceptor_->acceptor.accept(socket, ec);
        if (stopping_) return;
        if (ec) continue;
        if (reject_connections_) continue;           // `socket` closes here: the client's handshake fails
        socket.set_option(tcp::no_delay(true), ec);  // responses and events are small separate writes
        auto connection = std::make_shared<Connection>(std::move(socket));
        std::lock_guard lock(mutex_);
        open_fds_.push_back(connection->fd);
        threads_.emplace_back([this, connection]() mutable { serve(std::move(connection)); });
    }
}

void FakeObsServer::serve(std::shared_ptr<Connection> connection) {
    Connection& c = *connection;
    try {
        c.ws.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
            res.set(beast::http::field::sec_websocket_protocol, "obswebsocket.json");
        }));
        c.ws.accept();
        ++connections_;

        const std::string challenge = random_token(), salt = random_token();
        Json hello = {{"obsWebSocketVersion", "5.1.0"}, {"rpcVersion", 1}};
        if (!options_.password.empty()) hello["authentication"] = {{"challenge", challenge}, {"salt", salt}};
        c.send({{"op", 0}, {"d", hello}});

        beast::flat_buffer buffer;
        c.ws.read(buffer);
        const Json identify = Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
        buffer.consume(buffer.size());
        if (identify.is_discarded() || identify.value("op", -1) != 1) {
            c.ws.close(close_with(4007, "Not identified"));
        } else if (!options_.password.empty() && identify["d"].value("authentication", std::string{}) !=
                                                     detail::auth_response(options_.password, salt, challenge)) {
            c.ws.close(close_with(4009, "Authentication failed."));
        } else {
            c.subscriptions = identify["d"].value("eventSubscriptions", 69u);
            last_event_subscriptions_ = c.subscriptions;
            ++identified_;
            c.send({{"op", 2}, {"d", {{"negotiatedRpcVersion", 1}}}});

            for (;;) {
                c.ws.read(buffer);
                const Json message = Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
                buffer.consume(buffer.size());
                if (message.is_discarded()) {
                    c.ws.close(close_with(4002, "Bad JSON"));
                    break;
                }
                const int op = message.value("op", -1);
                const Json& d = message["d"];
                std::vector<Json> events;
                if (op == 3) {
                    c.subscriptions = d.value("eventSubscriptions", c.subscriptions);
                    last_event_subscriptions_ = c.subscriptions;
                    c.send({{"op", 2}, {"d", {{"negotiatedRpcVersion", 1}}}});
                    continue;
                }
                if (op == 8) {
                    Json results = Json::array();
                    for (const auto& r : d["requests"]) {
                        const std::string type = r.value("requestType", "");
                        Json result = answer(c, type, r.value("requestData", Json::object()), events);
                        result["requestType"] = type;
                        if (r.contains("requestId")) result["requestId"] = r["requestId"];
                        const bool failed = !result["requestStatus"]["result"].get<bool>();
                        results.push_back(std::move(result));
                        if (failed && d.value("haltOnFailure", false)) break;
                    }
                    c.send({{"op", 9}, {"d", {{"requestId", d["requestId"]}, {"results", results}}}});
                } else if (op == 6) {
                    const std::string type = d.value("requestType", "");
                    const Json data = d.value("requestData", Json::object());
                    if (type == "Test.NoAnswer") continue;
                    if (type == "Test.Garble") {
                        c.ws.text(true);
                        c.ws.write(net::buffer(std::string("{\"op\": 7, \"d\": {\"requestId\": ")));
                        continue;
                    }
                    if (type == "Test.GoSilent") {
                        std::unique_lock lock(mutex_);
                        stopped_.wait(lock, [this] { return stopping_.load(); });
                        break;
                    }
                    if (type == "Test.Close") {
                        const int code = data.value("code", 1000);
                        if (code == 1006) {
                            ::shutdown(c.fd, SHUT_RDWR);
                        } else {
                            c.ws.close(close_with(code, "test close"));
                        }
                        break;
                    }
                    Json response = answer(c, type, data, events);
                    response["requestType"] = type;
                    response["requestId"] = d["requestId"];
                    c.send({{"op", 7}, {"d", response}});
                    if (type == "Test.Flood") {
                        const int count = data.value("count", 0);
                        for (int i = 0; i < count; ++i) c.send(event("TestFlood", intent_general, {{"i", i}}));
                    }
                } else {
                    c.ws.close(close_with(4006, "Unknown op"));
                    break;
                }
                for (const auto& e : events)
                    if (c.subscriptions & e["d"]["eventIntent"].get<std::uint32_t>()) c.send(e);
            }
        }
    } catch (const std::exception&) {
        // The client went away or stop() shut the socket down: the session simply ends.
    }
    std::lock_guard lock(mutex_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), c.fd), open_fds_.end());
    // The socket closes when `connection` is released, after its fd left open_fds_.
}

Json FakeObsServer::answer(Connection&, const std::string& type, const Json& data, std::vector<Json>& events) {
    std::lock_guard lock(state_mutex_);
    const auto str = [&](const char* key) { return data.value(key, std::string{}); };
    if (type == "GetVersion") {
        ++version_requests_;
        Json requests = {"GetVersion",         "GetSceneList",     "GetCurrentProgramScene",   "SetCurrentProgramScene",
                         "StartRecord",        "StopRecord",       "GetRecordStatus",          "SetProfileParameter",
                         "GetRecordDirectory", "SaveReplayBuffer", "GetLastReplayBufferReplay"};
        if (options_.offer_set_record_directory) requests.push_back("SetRecordDirectory");
        return ok({{"obsVersion", "29.0.2"},
                   {"obsWebSocketVersion", "5.1.0"},
                   {"rpcVersion", 1},
                   {"availableRequests", requests}});
    }
    if (type == "GetSceneList") {
        Json scenes = Json::array();
        // Like obs-websocket: bottom of the UI list first, sceneIndex 0 at the bottom (scenes_ is top first).
        for (std::size_t i = scenes_.size(); i-- > 0;)
            scenes.push_back({{"sceneName", scenes_[i]}, {"sceneIndex", scenes_.size() - 1 - i}});
        return ok({{"currentProgramSceneName", program_scene_}, {"scenes", scenes}});
    }
    if (type == "GetCurrentProgramScene") return ok({{"currentProgramSceneName", program_scene_}});
    if (type == "SetCurrentProgramScene") {
        if (!data.contains("sceneName")) return fail(300, "Your request is missing the `sceneName` field.");
        const std::string scene = str("sceneName");
        if (std::find(scenes_.begin(), scenes_.end(), scene) == scenes_.end())
            return fail(600, "No source was found by the name of `" + scene + "`.");
        program_scene_ = scene;
        events.push_back(event("CurrentProgramSceneChanged", intent_scenes, {{"sceneName", scene}}));
        return ok();
    }
    if (type == "GetRecordStatus") {
        const auto duration = recording_duration_locked().count();
        return ok({{"outputActive", recording_},
                   {"outputPaused", false},
                   {"outputTimecode", "00:00:00.000"},
                   {"outputDuration", duration},
                   {"outputBytes", 0}});
    }
    if (type == "StartRecord") {
        if (recording_) return fail(500, "The record output is already active.");
        recording_ = true;
        recording_since_ = std::chrono::steady_clock::now();
        events.push_back(event(
            "RecordStateChanged", intent_outputs,
            {{"outputActive", false}, {"outputState", "OBS_WEBSOCKET_OUTPUT_STARTING"}, {"outputPath", nullptr}}));
        events.push_back(event("RecordStateChanged", intent_outputs,
                               {{"outputActive", true},
                                {"outputState", "OBS_WEBSOCKET_OUTPUT_STARTED"},
                                {"outputPath", options_.recording_path}}));
        return ok();
    }
    if (type == "StopRecord") {
        if (!recording_) return fail(501, "The record output is not active.");
        recording_ = false;
        events.push_back(event(
            "RecordStateChanged", intent_outputs,
            {{"outputActive", false}, {"outputState", "OBS_WEBSOCKET_OUTPUT_STOPPING"}, {"outputPath", nullptr}}));
        events.push_back(event("RecordStateChanged", intent_outputs,
                               {{"outputActive", false},
                                {"outputState", "OBS_WEBSOCKET_OUTPUT_STOPPED"},
                                {"outputPath", "/tmp/fake-obs/recording.mkv"}}));
        return ok({{"outputPath", "/tmp/fake-obs/recording.mkv"}});
    }
    if (type == "GetStreamStatus")
        return ok({{"outputActive", false},
                   {"outputReconnecting", false},
                   {"outputTimecode", "00:00:00.000"},
                   {"outputDuration", 0},
                   {"outputCongestion", 0},
                   {"outputBytes", 0},
                   {"outputSkippedFrames", 0},
                   {"outputTotalFrames", 0}});
    if (type == "GetReplayBufferStatus") return ok({{"outputActive", replay_active_}});
    const auto replay_event = [&](const char* state) {
        events.push_back(
            event("ReplayBufferStateChanged", intent_outputs,
                  {{"outputActive", std::string(state) == "OBS_WEBSOCKET_OUTPUT_STARTED"}, {"outputState", state}}));
    };
    const bool replay_output_active = replay_active_ || std::chrono::steady_clock::now() < replay_output_busy_until_;
    if (type == "GetOutputList" && options_.offer_output_status)
        return ok({{"outputs", Json::array({{{"outputName", "Replay Buffer"},
                                             {"outputKind", "replay_buffer"},
                                             {"outputActive", replay_output_active}}})}});
    if (type == "GetOutputStatus" && options_.offer_output_status) {
        if (str("outputName") != "Replay Buffer") return fail(600, "No output was found by that name.");
        return ok({{"outputActive", replay_output_active}, {"outputReconnecting", false}});
    }
    if (type == "StartReplayBuffer") {
        if (!options_.replay_available) return fail(604, "Replay buffer is not available.");
        if (replay_active_) return fail(500, "The replay buffer output is already active.");
        ++replay_starts_;
        // OBS 29 accepts the start, then ignores it while the stopped output is still shutting down.
        if (std::chrono::steady_clock::now() < replay_output_busy_until_) return ok();
        replay_active_ = true;
        replay_event("OBS_WEBSOCKET_OUTPUT_STARTING");
        replay_event("OBS_WEBSOCKET_OUTPUT_STARTED");
        return ok();
    }
    if (type == "StopReplayBuffer" || type == "Test.ObsStopsReplayBuffer") {
        if (!replay_active_) return fail(501, "The replay buffer output is not active.");
        replay_active_ = false;
        replay_output_busy_until_ = std::chrono::steady_clock::now() + options_.replay_stop_lag;
        replay_event("OBS_WEBSOCKET_OUTPUT_STOPPING");
        replay_event("OBS_WEBSOCKET_OUTPUT_STOPPED");
        return ok();
    }
    if (type == "SaveReplayBuffer" || type == "GetLastReplayBufferReplay") {
        if (!replay_active_) return fail(501, "The replay buffer output is not active.");
        if (type == "GetLastReplayBufferReplay")
            return ok({{"savedReplayPath", "/tmp/fake-obs/replay-" + std::to_string(saved_replays_) + ".mkv"}});
        ++saved_replays_;
        if (options_.send_replay_saved_event)
            events.push_back(
                event("ReplayBufferSaved", intent_outputs,
                      {{"savedReplayPath", "/tmp/fake-obs/replay-" + std::to_string(saved_replays_) + ".mkv"}}));
        return ok();
    }
    if (type == "SetProfileParameter") {
        profile_[str("parameterCategory") + "/" + str("parameterName")] = str("parameterValue");
        return ok();
    }
    if (type == "SetRecordDirectory" && options_.offer_set_record_directory) {
        profile_["RecordDirectory"] = str("recordDirectory");
        return ok();
    }
    if (type == "GetRecordDirectory") return ok({{"recordDirectory", profile_["SimpleOutput/FilePath"]}});
    if (type == "GetSceneItemId") {
        if (str("sourceName") != "Overlay") return fail(600, "No scene items were found in the specified scene.");
        return ok({{"sceneItemId", 7}});
    }
    if (type == "SetSceneItemEnabled") {
        scene_items_[str("sceneName") + "/" + std::to_string(data.value("sceneItemId", 0))] =
            data.value("sceneItemEnabled", false);
        return ok();
    }
    if (type == "BroadcastCustomEvent") {
        events.push_back(event("CustomEvent", intent_general, data.value("eventData", Json::object())));
        return ok();
    }
    if (type == "SetInputSettings" || type == "TriggerHotkeyByName" || type == "GetStats" || type == "Test.Flood")
        return ok();
    return fail(204, "Your request type is not valid.");
}

std::string FakeObsServer::profile_parameter(const std::string& category, const std::string& name) const {
    std::lock_guard lock(state_mutex_);
    const auto it = profile_.find(category.empty() ? name : category + "/" + name);
    return it == profile_.end() ? std::string{} : it->second;
}

std::string FakeObsServer::program_scene() const {
    std::lock_guard lock(state_mutex_);
    return program_scene_;
}

bool FakeObsServer::scene_item_enabled(const std::string& scene, int item_id) const {
    std::lock_guard lock(state_mutex_);
    const auto it = scene_items_.find(scene + "/" + std::to_string(item_id));
    return it != scene_items_.end() && it->second;
}

void FakeObsServer::set_recording(bool recording) {
    std::lock_guard lock(state_mutex_);
    recording_ = recording;
}

std::chrono::milliseconds FakeObsServer::recording_duration_locked() const {
    if (!recording_) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - recording_since_);
}

std::chrono::milliseconds FakeObsServer::recording_duration() const {
    std::lock_guard lock(state_mutex_);
    return recording_duration_locked();
}

bool FakeObsServer::replay_active() const {
    std::lock_guard lock(state_mutex_);
    return replay_active_;
}

int FakeObsServer::replay_starts() const {
    std::lock_guard lock(state_mutex_);
    return replay_starts_;
}

}  // namespace vta::obs::testing
