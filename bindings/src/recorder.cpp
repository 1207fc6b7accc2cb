#include "recorder.hpp"

#include <set>

#include <boost/asio/post.hpp>

namespace vta::bindings {

namespace {

void answer(Recorder& recorder, ActionDone done, ActionResult result) {
    boost::asio::post(recorder.io(),
                      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

class RecordingObs : public ObsBackend {
public:
    explicit RecordingObs(Recorder& recorder) : recorder_(recorder) {}

    void call(const std::string& package, const std::string& target, const std::string& op, const nlohmann::json& args,
              ActionDone done) override {
        recorder_.record(package, "obs." + target + ":" + op, args);
        nlohmann::json value = nullptr;
        if (op == "save_replay") {
            std::string path = "/dry-run/replay-" + std::to_string(++recorder_.replays) + ".mkv";
            value = {{"path", path}};
            if (recorder_.obs_sink) recorder_.obs_sink("obs.replay_saved", {{"connection", target}, {"path", path}});
        } else if (op == "recording_clip") {
            value = {{"path", "/dry-run/review-" + std::to_string(++recorder_.replays) + ".mkv"},
                     {"from", 0},
                     {"seconds", args.value("seconds", 0.0)}};
        } else if (op == "start_record" || op == "start_stream") {
            active_.insert(target + (op == "start_record" ? ":record" : ":stream"));
        } else if (op == "stop_stream") {
            active_.erase(target + ":stream");
        } else if (op == "stop_record") {
            active_.erase(target + ":record");
            value = {{"path", "/dry-run/recording-" + std::to_string(++recorder_.recordings) + ".mkv"}};
        } else if (op == "get_scene") {
            value = {{"scene", "dry-run"}};
        } else if (op == "scenes") {
            value = {{"current", "dry-run"}, {"scenes", nlohmann::json::array({"dry-run"})}};
        } else if (op == "record_status" || op == "stream_status") {
            value = {{"active", active_.count(target + (op == "record_status" ? ":record" : ":stream")) > 0}};
        } else if (op == "request") {
            value = nlohmann::json::object();
        }
        answer(recorder_, std::move(done), ActionResult::success(std::move(value)));
        // As OBS does: the switch is answered first, then reported once it is on air.
        if (op == "set_scene" && recorder_.obs_sink) {
            nlohmann::json changed = {{"connection", target}, {"scene", args.value("scene", "")}};
            if (target == "rec" || target == "str") changed["role"] = target;
            boost::asio::post(recorder_.io(), [sink = recorder_.obs_sink, changed = std::move(changed)] {
                sink("obs.scene_changed", changed);
            });
        }
    }

    void set_event_sink(HostEventSink sink) override { recorder_.obs_sink = std::move(sink); }

private:
    Recorder& recorder_;
    std::set<std::string> active_;  // "<target>:record" / "<target>:stream" started and not stopped
};

class RecordingPlayback : public PlaybackBackend {
public:
    explicit RecordingPlayback(Recorder& recorder) : recorder_(recorder) {}

    void open(const std::string& package, const std::string& path, double start_seconds, ActionDone done) override {
        recorder_.record(package, "playback.open", {{"path", path}, {"start", start_seconds}});
        answer(recorder_, std::move(done), ActionResult::success());
    }

    void close(const std::string& package, ActionDone done) override {
        recorder_.record(package, "playback.close", nlohmann::json::object());
        answer(recorder_, std::move(done), ActionResult::success());
    }

    void set_event_sink(HostEventSink sink) override { recorder_.playback_sink = std::move(sink); }

private:
    Recorder& recorder_;
};

class RecordingStore : public StoreBackend {
public:
    explicit RecordingStore(Recorder& recorder) : recorder_(recorder) {}

    ActionResult events_of_match(std::int64_t) override { return ActionResult::success(nlohmann::json::array()); }
    ActionResult events_between(std::int64_t, std::int64_t) override {
        return ActionResult::success(nlohmann::json::array());
    }
    ActionResult tag_events(const std::string& package, const nlohmann::json& tag) override {
        recorder_.record(package, "store.tag", tag);
        return ActionResult::success(true);
    }
    ActionResult recording_started(const std::string& package, const nlohmann::json& recording) override {
        return new_row(package, "store.recording_started", recording);
    }
    ActionResult recording_stopped(const std::string& package, std::int64_t id, const nlohmann::json& end) override {
        recorder_.record(package, "store.recording_stopped", with_id(id, end));
        return ActionResult::success(true);
    }
    ActionResult add_clip(const std::string& package, const nlohmann::json& clip) override {
        return new_row(package, "store.clip", clip);
    }
    ActionResult stream_session_opened(const std::string& package, const nlohmann::json& session) override {
        const std::int64_t id = ++recorder_.last_row_id;
        recorder_.open_streams[id] = session.value("started_us", std::int64_t{0});
        nlohmann::json opened = {{"id", id}, {"timeline_start_ms", recorder_.closed_stream_ms}};
        recorder_.record(package, "store.stream_session_opened", with_id(id, session));
        return ActionResult::success(std::move(opened));
    }
    ActionResult stream_session_closed(const std::string& package, std::int64_t id,
                                       const nlohmann::json& end) override {
        auto open = recorder_.open_streams.find(id);
        if (open != recorder_.open_streams.end()) {
            recorder_.closed_stream_ms += (end.value("ended_us", open->second) - open->second) / 1000;
            recorder_.open_streams.erase(open);
        }
        recorder_.record(package, "store.stream_session_closed", with_id(id, end));
        return ActionResult::success(true);
    }
    ActionResult match_info(std::optional<std::int64_t>) override { return ActionResult::success(nullptr); }
    ActionResult active_day() override { return ActionResult::success(nullptr); }
    ActionResult kv_get(const std::string& package, const std::string& key) override {
        auto it = recorder_.kv.find(package + "\n" + key);
        return ActionResult::success(it == recorder_.kv.end() ? nlohmann::json() : it->second);
    }
    ActionResult kv_set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        recorder_.record(package, "store.set", {{"key", key}, {"value", value}});
        if (value.is_null())
            recorder_.kv.erase(package + "\n" + key);
        else
            recorder_.kv[package + "\n" + key] = value;
        return ActionResult::success(true);
    }

private:
    static nlohmann::json with_id(std::int64_t id, nlohmann::json row) {
        row["id"] = id;
        return row;
    }

    ActionResult new_row(const std::string& package, const std::string& action, const nlohmann::json& row) {
        const std::int64_t id = ++recorder_.last_row_id;
        recorder_.record(package, action, with_id(id, row));
        return ActionResult::success(id);
    }

    Recorder& recorder_;
};

}  // namespace

std::shared_ptr<ObsBackend> Recorder::obs() { return std::make_shared<RecordingObs>(*this); }
std::shared_ptr<PlaybackBackend> Recorder::playback() { return std::make_shared<RecordingPlayback>(*this); }
std::shared_ptr<StoreBackend> Recorder::store() { return std::make_shared<RecordingStore>(*this); }

void Recorder::record(const std::string& package, const std::string& action, const nlohmann::json& args) {
    actions_.push_back(RecordedAction{clock_->now_ms(), package, action, args});
    if (on_action) on_action(actions_.back());
}

}  // namespace vta::bindings
