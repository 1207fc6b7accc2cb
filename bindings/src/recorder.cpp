#include "recorder.hpp"

#include <boost/asio/post.hpp>

#include "vta/bindings/obs_operations.hpp"

namespace vta::bindings {

namespace {

void answer(Recorder& recorder, ActionDone done, JsonResult result) {
    boost::asio::post(recorder.io(),
                      [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
}

class RecordingObs : public ObsBackend {
public:
    explicit RecordingObs(Recorder& recorder) : recorder_(recorder) {}

    void call(const std::string& package, const std::string& target, const ObsOperation& op, const nlohmann::json& args,
              ActionDone done) override {
        recorder_.record(package, "obs." + target + ":" + op.name, args);
        answer(recorder_, std::move(done), JsonResult(op.dry_run(recorder_, target, args)));
    }

    // A dry run knows roles, not connections: a group call reaches the role as one member.
    std::vector<std::string> members(const std::string& role) const override { return {role}; }

    void set_event_sink(HostEventSink sink) override { recorder_.obs_sink = std::move(sink); }

private:
    Recorder& recorder_;
};

class RecordingPlayback : public PlaybackBackend {
public:
    explicit RecordingPlayback(Recorder& recorder) : recorder_(recorder) {}

    void open(const std::string& package, const std::string& path, double start_seconds, ActionDone done) override {
        recorder_.record(package, "playback.open", {{"path", path}, {"start", start_seconds}});
        answer(recorder_, std::move(done), JsonResult(nullptr));
    }

    void close(const std::string& package, ActionDone done) override {
        recorder_.record(package, "playback.close", nlohmann::json::object());
        answer(recorder_, std::move(done), JsonResult(nullptr));
    }

    void set_event_sink(HostEventSink sink) override { recorder_.playback_sink = std::move(sink); }

private:
    Recorder& recorder_;
};

class RecordingCourts : public CourtsBackend {
public:
    explicit RecordingCourts(Recorder& recorder) : recorder_(recorder) {}

    JsonResult publish(const std::string& package, const std::string& suffix, const nlohmann::json& data) override {
        recorder_.record(package, "courts.publish", {{"suffix", suffix}, {"data", data}});
        return JsonResult(nullptr);
    }
    void subscribe(const std::string&) override {}
    void set_event_sink(HostEventSink) override {}

private:
    Recorder& recorder_;
};

class RecordingOverlay : public OverlayBackend {
public:
    explicit RecordingOverlay(Recorder& recorder) : recorder_(recorder) {}

    JsonResult show(const std::string& package, const std::string& page, const nlohmann::json& data) override {
        recorder_.record(package, "overlay.show", {{"page", page}, {"data", data}});
        return JsonResult(nullptr);
    }
    JsonResult hide(const std::string& package, const std::string& page) override {
        recorder_.record(package, "overlay.hide", {{"page", page}});
        return JsonResult(nullptr);
    }
    JsonResult set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        recorder_.record(package, "overlay.set", {{"key", key}, {"value", value}});
        return JsonResult(nullptr);
    }

private:
    Recorder& recorder_;
};

class DryRunLicence : public LicenceBackend {
public:
    nlohmann::json status() override {
        return {{"state", "dry-run"},
                {"reason", "a dry run answers as a licence with every feature"},
                {"features_on", true},
                {"features", nlohmann::json::array()},
                {"pending", nullptr}};
    }
    bool has(const std::string&) override { return true; }
};

class RecordingStore : public StoreBackend {
public:
    explicit RecordingStore(Recorder& recorder) : recorder_(recorder) {}

    void events_of_match(std::int64_t, ActionDone done) override {
        answer(recorder_, std::move(done), JsonResult(nlohmann::json::array()));
    }
    void events_between(std::int64_t, std::int64_t, ActionDone done) override {
        answer(recorder_, std::move(done), JsonResult(nlohmann::json::array()));
    }
    void match_info(std::optional<std::int64_t>, ActionDone done) override {
        answer(recorder_, std::move(done), JsonResult(nullptr));
    }
    void active_day(ActionDone done) override { answer(recorder_, std::move(done), JsonResult(nullptr)); }
    void kv_get(const std::string& package, const std::string& key, ActionDone done) override {
        auto it = recorder_.kv.find(package + "\n" + key);
        answer(recorder_, std::move(done), JsonResult(it == recorder_.kv.end() ? nlohmann::json() : it->second));
    }
    JsonResult kv_set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        recorder_.record(package, "store.set", {{"key", key}, {"value", value}});
        if (value.is_null())
            recorder_.kv.erase(package + "\n" + key);
        else
            recorder_.kv[package + "\n" + key] = value;
        return JsonResult(true);
    }
    JsonResult tag_events(const std::string& package, const nlohmann::json& tag) override {
        recorder_.record(package, "store.tag", tag);
        return JsonResult(true);
    }
    JsonResult recording_started(const std::string& package, const nlohmann::json& recording) override {
        return new_row(package, "store.recording_started", recording);
    }
    JsonResult recording_stopped(const std::string& package, std::int64_t id, const nlohmann::json& end) override {
        recorder_.record(package, "store.recording_stopped", with_id(id, end));
        return JsonResult(true);
    }
    JsonResult add_clip(const std::string& package, const nlohmann::json& clip) override {
        return new_row(package, "store.clip", clip);
    }
    void stream_session_opened(const std::string& package, const nlohmann::json& session, ActionDone done) override {
        const std::int64_t id = ++recorder_.last_row_id;
        recorder_.open_streams[id] = session.value("started_us", std::int64_t{0});
        nlohmann::json opened = {{"id", id}, {"timeline_start_ms", recorder_.closed_stream_ms}};
        recorder_.record(package, "store.stream_session_opened", with_id(id, session));
        answer(recorder_, std::move(done), JsonResult(std::move(opened)));
    }
    JsonResult stream_session_closed(const std::string& package, std::int64_t id, const nlohmann::json& end) override {
        auto open = recorder_.open_streams.find(id);
        if (open != recorder_.open_streams.end()) {
            recorder_.closed_stream_ms += (end.value("ended_us", open->second) - open->second) / 1000;
            recorder_.open_streams.erase(open);
        }
        recorder_.record(package, "store.stream_session_closed", with_id(id, end));
        return JsonResult(true);
    }

private:
    static nlohmann::json with_id(std::int64_t id, nlohmann::json row) {
        row["id"] = id;
        return row;
    }

    JsonResult new_row(const std::string& package, const std::string& action, const nlohmann::json& row) {
        const std::int64_t id = ++recorder_.last_row_id;
        recorder_.record(package, action, with_id(id, row));
        return JsonResult(id);
    }

    Recorder& recorder_;
};

}  // namespace

std::shared_ptr<ObsBackend> Recorder::obs() { return std::make_shared<RecordingObs>(*this); }
std::shared_ptr<PlaybackBackend> Recorder::playback() { return std::make_shared<RecordingPlayback>(*this); }
std::shared_ptr<StoreBackend> Recorder::store() { return std::make_shared<RecordingStore>(*this); }
std::shared_ptr<OverlayBackend> Recorder::overlay() { return std::make_shared<RecordingOverlay>(*this); }
std::shared_ptr<CourtsBackend> Recorder::courts() { return std::make_shared<RecordingCourts>(*this); }
std::shared_ptr<LicenceBackend> Recorder::licence() { return std::make_shared<DryRunLicence>(); }

void Recorder::record(const std::string& package, const std::string& action, const nlohmann::json& args) {
    actions_.push_back(RecordedAction{clock_->now_ms(), package, action, args});
    if (on_action) on_action(actions_.back());
}

}  // namespace vta::bindings
