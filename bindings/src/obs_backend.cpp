// ObsBackend over the host's vta::obs connections.

#include <ctime>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "clip_cutter.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta/obs/replay_keeper.hpp"

namespace vta::bindings {

namespace {

using vta::obs::Client;

ActionResult failure_of(const obs::Error& e) {
    std::string message = e.message;
    if (!e.comment.empty()) message += " (" + e.comment + ")";
    return ActionResult::failure(std::string(obs::to_string(e.code)), message);
}

template <class T>
std::function<void(obs::Result<T>)> reply(ActionDone done, std::function<nlohmann::json(const T&)> convert) {
    return [done = std::move(done), convert = std::move(convert)](obs::Result<T> r) {
        if (!r) return done(failure_of(r.error()));
        done(ActionResult::success(convert(r.value())));
    };
}

std::function<void(obs::VoidResult)> reply_void(ActionDone done) {
    return [done = std::move(done)](obs::VoidResult r) {
        if (!r) return done(failure_of(r.error()));
        done(ActionResult::success());
    };
}

std::string text(const nlohmann::json& args, const char* key) {
    if (!args.contains(key) || !args[key].is_string())
        throw std::invalid_argument(std::string("a string argument '") + key + "' is required");
    return args[key].get<std::string>();
}

class ClientsBackend : public ObsBackend {
public:
    explicit ClientsBackend(obs::Connections& connections) : connections_(connections) {}

    void call(const std::string&, const std::string& target, const std::string& op, const nlohmann::json& args,
              ActionDone done) override {
        std::shared_ptr<Client> client = find(target);
        if (!client) {
            done(ActionResult::failure("not_connected", "no OBS connection named or serving '" + target + "'"));
            return;
        }
        try {
            if (op == "arm_replay") return arm_replay(client, args, std::move(done));
            if (op == "disarm_replay") return keeper(client).disarm(reply_void(std::move(done)));
            if (op == "recording_clip") return recording_clip(client, args, std::move(done));
            start(*client, op, args, done);
        } catch (const std::invalid_argument& e) {
            done(ActionResult::failure("invalid_argument", e.what()));
        }
    }

    void set_event_sink(HostEventSink sink) override {
        subscriptions_.clear();
        for (const auto& client : connections_.all()) {
            std::string name = client->name();
            std::string role(obs::to_string(client->role()));
            subscriptions_.push_back(client->on_state_change(
                [sink, name, role, was = std::make_shared<bool>(false)](const obs::ConnectionState& s) {
                    bool connected = s.state == obs::State::connected;
                    if (connected == *was) return;
                    *was = connected;
                    sink(connected ? "obs.connected" : "obs.disconnected",
                         {{"connection", name}, {"role", role}, {"reason", s.reason}});
                }));
            forward(*client, "RecordStateChanged", "obs.record_state", sink);
            forward(*client, "StreamStateChanged", "obs.stream_state", sink);
            forward(*client, "ReplayBufferSaved", "obs.replay_saved", sink);
            forward(*client, "ReplayBufferStateChanged", "obs.replay_state", sink);
            forward(*client, "CurrentProgramSceneChanged", "obs.scene_changed", sink);
        }
    }

private:
    obs::ReplayKeeper& keeper(const std::shared_ptr<Client>& client) {
        auto& keeper = keepers_[client.get()];
        if (!keeper) keeper = std::make_unique<obs::ReplayKeeper>(connections_.io(), client);
        return *keeper;
    }

    void arm_replay(const std::shared_ptr<Client>& client, const nlohmann::json& args, ActionDone done) {
        const nlohmann::json options = args.value("options", nlohmann::json::object());
        if (!options.is_object()) throw std::invalid_argument("the options must be a table {seconds?, suffix?}");
        obs::ReplaySettings settings;
        if (options.contains("seconds")) {
            if (!options["seconds"].is_number() || options["seconds"].get<double>() < 0)
                throw std::invalid_argument("options.seconds must be a number of seconds, 0 or more");
            settings.seconds = static_cast<int>(options["seconds"].get<double>());
        }
        if (options.contains("suffix")) {
            if (!options["suffix"].is_string()) throw std::invalid_argument("options.suffix must be a string");
            settings.suffix = options["suffix"].get<std::string>();
        }
        keeper(client).arm(std::move(settings), reply_void(std::move(done)));
    }

    // The last `seconds` of the running recording, up to `to` (epoch seconds; default now), cut beside it.
    void recording_clip(const std::shared_ptr<Client>& client, const nlohmann::json& args, ActionDone done) {
        if (!args.contains("seconds") || !args["seconds"].is_number() || args["seconds"].get<double>() <= 0)
            throw std::invalid_argument("a number of seconds (more than 0) is required");
        const double seconds = args["seconds"].get<double>();
        const auto now = std::chrono::system_clock::now();
        const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
        const double to = args.contains("to") && args["to"].is_number() ? args["to"].get<double>() : now_s;
        const std::string source = client->status().last_record_path;
        auto& io = connections_.io();
        client->get_record_status([&io, done = std::move(done), source, seconds, behind = std::max(0.0, now_s - to),
                                   to](obs::Result<obs::RecordStatus> r) {
            if (!r) return done(failure_of(r.error()));
            if (!r.value().active)
                return done(ActionResult::failure("invalid_state", "OBS is not recording: no clip to cut"));
            if (source.empty())
                return done(ActionResult::failure("unavailable", "OBS did not say which file it records to"));
            const double end = std::max(0.0, static_cast<double>(r.value().duration_ms) / 1000.0 - behind);
            const std::filesystem::path path(source);
            const std::time_t at = static_cast<std::time_t>(to);
            std::tm local{};
            localtime_r(&at, &local);
            char stamp[16];
            std::strftime(stamp, sizeof stamp, "%H-%M-%S", &local);
            ClipCut cut;
            cut.source = source;
            cut.target =
                (path.parent_path() / ("Review " + path.stem().string() + " " + stamp + path.extension().string()))
                    .string();
            cut.from_seconds = std::max(0.0, end - seconds);
            cut.seconds = end - cut.from_seconds;
            cut_clip(io, std::move(cut), done);
        });
    }

    void forward(Client& client, const char* type, const char* kind, const HostEventSink& sink) {
        std::string name = client.name();
        std::string role(obs::to_string(client.role()));
        std::string k = kind;
        subscriptions_.push_back(client.subscribe(type, [sink, name, role, k](const obs::Event& e) {
            nlohmann::json data = e.data.is_object() ? e.data : nlohmann::json::object();
            data["connection"] = name;
            data["role"] = role;  // scripts address connections by role ("rec", "str") or by name
            if (data.contains("savedReplayPath")) data["path"] = data["savedReplayPath"];
            if (data.contains("outputPath")) data["path"] = data["outputPath"];
            if (data.contains("outputActive")) data["active"] = data["outputActive"];
            if (data.contains("outputState")) data["state"] = data["outputState"];
            if (data.contains("sceneName")) data["scene"] = data["sceneName"];
            sink(k, data);
        }));
    }

    std::shared_ptr<Client> find(const std::string& target) const {
        if (auto c = connections_.by_name(target)) return c;
        std::vector<std::shared_ptr<Client>> serving;
        if (target == "rec") serving = connections_.by_role(obs::Role::rec);
        if (target == "str") serving = connections_.by_role(obs::Role::str);
        return serving.empty() ? nullptr : serving.front();
    }

    static void start(Client& c, const std::string& op, const nlohmann::json& args, ActionDone done) {
        using Json = nlohmann::json;
        if (op == "set_scene") return c.set_current_program_scene(text(args, "scene"), reply_void(done));
        if (op == "get_scene")
            return c.get_current_program_scene(reply<std::string>(done, [](const std::string& s) {
                return Json{{"scene", s}};
            }));
        if (op == "scenes")
            return c.get_scene_list(reply<obs::SceneList>(done, [](const obs::SceneList& l) {
                return Json{{"current", l.current_program}, {"scenes", l.scenes}};
            }));
        if (op == "start_record") return c.start_record(reply_void(done));
        if (op == "stop_record")
            return c.stop_record(reply<std::string>(done, [](const std::string& p) { return Json{{"path", p}}; }));
        if (op == "record_status")
            return c.get_record_status(reply<obs::RecordStatus>(done, [](const obs::RecordStatus& s) {
                return Json{{"active", s.active},
                            {"paused", s.paused},
                            {"timecode", s.timecode},
                            {"duration_ms", s.duration_ms},
                            {"bytes", s.bytes}};
            }));
        if (op == "set_record_directory") return c.set_record_directory(text(args, "directory"), reply_void(done));
        if (op == "set_filename_format") return c.set_filename_format(text(args, "format"), reply_void(done));
        if (op == "start_replay") return c.start_replay_buffer(reply_void(done));
        if (op == "stop_replay") return c.stop_replay_buffer(reply_void(done));
        if (op == "save_replay")
            return c.save_replay_buffer(reply<std::string>(done, [](const std::string& p) {
                return Json{{"path", p}};
            }));
        if (op == "start_stream") return c.start_stream(reply_void(done));
        if (op == "stop_stream") return c.stop_stream(reply_void(done));
        if (op == "stream_status")
            return c.get_stream_status(reply<obs::StreamStatus>(done, [](const obs::StreamStatus& s) {
                return Json{{"active", s.active},           {"reconnecting", s.reconnecting}, {"timecode", s.timecode},
                            {"duration_ms", s.duration_ms}, {"congestion", s.congestion},     {"bytes", s.bytes}};
            }));
        if (op == "set_source_visible") {
            bool visible = args.contains("visible") && args["visible"].is_boolean() && args["visible"].get<bool>();
            return c.set_scene_item_enabled(text(args, "scene"), text(args, "source"), visible, reply_void(done));
        }
        if (op == "set_input_settings") {
            Json settings =
                args.contains("settings") && args["settings"].is_object() ? args["settings"] : Json::object();
            bool overlay = !args.contains("overlay") || !args["overlay"].is_boolean() || args["overlay"].get<bool>();
            return c.set_input_settings(text(args, "input"), settings, overlay, reply_void(done));
        }
        if (op == "hotkey") return c.trigger_hotkey_by_name(text(args, "name"), reply_void(done));
        if (op == "broadcast")
            return c.broadcast_custom_event(args.contains("data") ? args["data"] : Json::object(), reply_void(done));
        if (op == "request") {
            Json data = args.contains("data") && args["data"].is_object() ? args["data"] : Json::object();
            c.request(text(args, "type"), data, reply<Json>(done, [](const Json& j) { return j; }));
            return;
        }
        throw std::invalid_argument("unknown OBS operation '" + op + "'");
    }

    obs::Connections& connections_;
    std::vector<obs::Subscription> subscriptions_;
    std::map<const Client*, std::unique_ptr<obs::ReplayKeeper>> keepers_;
};

}  // namespace

std::shared_ptr<ObsBackend> make_obs_backend(obs::Connections& connections) {
    return std::make_shared<ClientsBackend>(connections);
}

}  // namespace vta::bindings
