// scripts/workflows/stream-recovery on a virtual clock: OBS_STR's stream drops or its connection
// goes away, the package restarts it with back-off and keeps the day's stream offsets continuous.
// OBS and the store are small fakes (public interfaces only); OBS_STR's events go through the
// runtime's event sink as the real backend's do.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "vta/bindings/obs_operations.hpp"
#include "vta/bindings/runtime.hpp"

namespace vta::bindings {
namespace {

const std::filesystem::path package_folder =
    std::filesystem::path(VTA_SOURCE_DIR) / "scripts/workflows/stream-recovery";
constexpr std::int64_t epoch_us = 1'700'000'000'000'000;  // the virtual clock's 0 as wall-clock time

struct Call {
    std::int64_t at_ms;
    std::string action;
    nlohmann::json args;
};

constexpr const char* output_started = "OBS_WEBSOCKET_OUTPUT_STARTED";
constexpr const char* output_stopped = "OBS_WEBSOCKET_OUTPUT_STOPPED";
constexpr const char* output_reconnecting = "OBS_WEBSOCKET_OUTPUT_RECONNECTING";
constexpr const char* reconnected = "OBS_WEBSOCKET_OUTPUT_RECONNECTED";

// OBS_STR: start_stream fails while `failing_starts` > 0 or `down`; a successful start reports
// the stream started through the event sink, as OBS does.
class FakeObs : public ObsBackend {
public:
    FakeObs(boost::asio::io_context& io, Clock& clock, std::vector<Call>& calls)
        : io_(io), clock_(clock), calls_(calls) {}
    int failing_starts = 0;
    bool down = false;
    bool streaming = false;
    std::int64_t streaming_since_ms = 0;  // virtual clock time the stream started

    void call(const std::string&, const std::string& target, const ObsOperation& op, const nlohmann::json& args,
              ActionDone done) override {
        calls_.push_back({clock_.now_ms(), "obs." + target + ":" + op.name, args});
        JsonResult result = JsonResult(true);
        if (down) {
            result = vta::Error(vta::Errc::not_connected, target + " is not connected");
        } else if (&op == &obs_op::start_stream) {
            if (failing_starts > 0) {
                --failing_starts;
                result = vta::Error(vta::Errc::request_failed, "the stream output could not start");
            } else {
                streaming = true;
                streaming_since_ms = clock_.now_ms();
                boost::asio::post(io_, [this] { report_stream(output_started); });
            }
        } else if (&op == &obs_op::stop_stream) {
            streaming = false;
            boost::asio::post(io_, [this] { report_stream(output_stopped); });
        } else if (&op == &obs_op::stream_status) {
            result = JsonResult(nlohmann::json{{"active", streaming},
                                               {"duration_ms", streaming ? clock_.now_ms() - streaming_since_ms : 0}});
        }
        boost::asio::post(io_, [done = std::move(done), result]() mutable { done(std::move(result)); });
    }
    void set_event_sink(HostEventSink sink) override { sink_ = std::move(sink); }

    void report_stream(const char* state) {
        sink_("obs.stream_state",
              {{"connection", "OBS_STR"}, {"state", state}, {"active", std::string_view(state) == output_started}});
    }
    void report(const std::string& kind, nlohmann::json data) {
        data["connection"] = "OBS_STR";
        sink_(kind, data);
    }

private:
    boost::asio::io_context& io_;
    Clock& clock_;
    std::vector<Call>& calls_;
    HostEventSink sink_;
};

// Stream sessions with the timeline arithmetic of the real store (one day).
class FakeStore : public StoreBackend {
public:
    FakeStore(boost::asio::io_context& io, Clock& clock, std::vector<Call>& calls,
              std::map<std::string, nlohmann::json>& kv)
        : io_(io), clock_(clock), calls_(calls), kv_(kv) {}
    void events_of_match(std::int64_t, ActionDone done) override {
        answer(std::move(done), JsonResult(nlohmann::json::array()));
    }
    void events_between(std::int64_t, std::int64_t, ActionDone done) override {
        answer(std::move(done), JsonResult(nlohmann::json::array()));
    }
    JsonResult tag_events(const std::string&, const nlohmann::json& tag) override { return record("store.tag", tag); }
    JsonResult recording_started(const std::string&, const nlohmann::json& r) override {
        return record("store.recording_started", r);
    }
    JsonResult recording_stopped(const std::string&, std::int64_t, const nlohmann::json& end) override {
        return record("store.recording_stopped", end);
    }
    JsonResult add_clip(const std::string&, const nlohmann::json& clip) override { return record("store.clip", clip); }
    void stream_session_opened(const std::string&, const nlohmann::json& session, ActionDone done) override {
        const std::int64_t id = ++last_id_;
        open_[id] = session.value("started_us", std::int64_t{0});
        record("store.stream_session_opened", session);
        answer(std::move(done), JsonResult(nlohmann::json{{"id", id}, {"timeline_start_ms", closed_ms_}}));
    }
    JsonResult stream_session_closed(const std::string&, std::int64_t id, const nlohmann::json& end) override {
        // A session of an earlier run of the host is not in open_: its time was counted then.
        if (auto it = open_.find(id); it != open_.end()) {
            closed_ms_ += (end.value("ended_us", std::int64_t{0}) - it->second) / 1000;
            open_.erase(it);
        }
        nlohmann::json args = end;
        args["id"] = id;
        return record("store.stream_session_closed", args);
    }
    void match_info(std::optional<std::int64_t>, ActionDone done) override {
        answer(std::move(done), JsonResult(nullptr));
    }
    void active_day(ActionDone done) override { answer(std::move(done), JsonResult(nullptr)); }
    void kv_get(const std::string&, const std::string& key, ActionDone done) override {
        auto it = kv_.find(key);
        answer(std::move(done), JsonResult(it == kv_.end() ? nlohmann::json(nullptr) : it->second));
    }
    JsonResult kv_set(const std::string&, const std::string& key, const nlohmann::json& value) override {
        if (value.is_null())
            kv_.erase(key);
        else
            kv_[key] = value;
        return JsonResult(true);
    }

private:
    // Completes like the real store: later, from the loop.
    void answer(ActionDone done, JsonResult result) {
        boost::asio::post(io_,
                          [done = std::move(done), result = std::move(result)]() mutable { done(std::move(result)); });
    }
    JsonResult record(const std::string& action, const nlohmann::json& args) {
        calls_.push_back({clock_.now_ms(), action, args});
        return JsonResult(true);
    }

    boost::asio::io_context& io_;
    Clock& clock_;
    std::vector<Call>& calls_;
    std::map<std::string, nlohmann::json>& kv_;
    std::int64_t last_id_ = 0;
    std::int64_t closed_ms_ = 0;
    std::map<std::int64_t, std::int64_t> open_;
};

class StreamRecovery : public ::testing::Test {
protected:
    void start(const nlohmann::json& config = nlohmann::json::object()) {
        clock = std::make_shared<VirtualClock>(io);
        clock->set_epoch_origin_us(epoch_us);
        obs = std::make_shared<FakeObs>(io, *clock, calls);
        RuntimeOptions o;
        o.clock = clock;
        o.obs = obs;
        o.store = std::make_shared<FakeStore>(io, *clock, calls, kv);
        if (!config.empty()) o.packages["stream-recovery"]["config"] = config;
        o.logger = std::make_shared<spdlog::logger>("stream-recovery-test");
        o.on_log = [this](const std::string&, const std::string& level, const std::string& m) {
            logs.push_back(level + ": " + m);
        };
        runtime = std::make_unique<Runtime>(io, std::move(o));
        ASSERT_TRUE(runtime->load(package_folder));
        settle();
    }

    void settle() {
        io.restart();
        io.poll();
    }

    // Moves the virtual clock to `t_ms`, running the timers due on the way.
    void at(std::int64_t t_ms) {
        clock->advance_to(t_ms);
        settle();
    }

    void operator_stop(std::int64_t t_ms) {
        at(t_ms);
        Event e;
        e.kind = "operator_stream_stop";
        e.at_us = epoch_us + t_ms * 1000;
        runtime->dispatch(e);
        settle();
    }

    std::vector<Call> named(const std::string& action) const {
        std::vector<Call> found;
        for (const auto& c : calls)
            if (c.action == action) found.push_back(c);
        return found;
    }

    std::vector<std::int64_t> times(const std::string& action) const {
        std::vector<std::int64_t> t;
        for (const auto& c : named(action)) t.push_back(c.at_ms);
        return t;
    }

    int logged(const std::string& text) const {
        int n = 0;
        for (const auto& l : logs)
            if (l.find(text) != std::string::npos) ++n;
        return n;
    }

    void expect_no_failures() {
        for (const auto& s : runtime->status())
            EXPECT_EQ(s.failures, 0u) << s.name << ": " << (s.last_error ? s.last_error->message : "");
    }

    static std::int64_t us(std::int64_t t_ms) { return epoch_us + t_ms * 1000; }

    boost::asio::io_context io;
    std::shared_ptr<VirtualClock> clock;
    std::shared_ptr<FakeObs> obs;
    std::vector<Call> calls;
    std::vector<std::string> logs;
    std::map<std::string, nlohmann::json> kv;  // the package's store data, kept across runs like the real one
    std::unique_ptr<Runtime> runtime;
};

TEST_F(StreamRecovery, ADroppedStreamIsRestartedWithBackOffIntoANewSession) {
    start();
    at(1000);
    obs->report_stream(output_started);
    settle();
    auto opened = named("store.stream_session_opened");
    ASSERT_EQ(opened.size(), 1u);
    EXPECT_EQ(opened[0].args.value("started_us", std::int64_t{0}), us(1000));
    EXPECT_EQ(opened[0].args.value("connection", ""), "OBS_STR");

    obs->failing_starts = 2;
    at(60000);
    obs->report_stream(output_stopped);
    settle();
    auto closed = named("store.stream_session_closed");
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].args.value("reason", ""), "stream stopped");
    EXPECT_EQ(closed[0].args.value("ended_us", std::int64_t{0}), us(60000));

    // Attempts after 2, 4 and 8 s; the third starts the stream and a new session opens.
    at(200000);
    EXPECT_EQ(times("obs.OBS_STR:start_stream"), (std::vector<std::int64_t>{62000, 66000, 74000}));
    opened = named("store.stream_session_opened");
    ASSERT_EQ(opened.size(), 2u);
    EXPECT_EQ(opened[1].at_ms, 74000);
    EXPECT_EQ(logged("gave up"), 0);

    // Every tag of the second session places it after the first one's 59 s.
    auto tags = named("store.tag");
    ASSERT_FALSE(tags.empty());
    std::int64_t last_offset_ms = -1;
    for (const auto& t : tags) {
        const std::int64_t since = t.args.value("since_us", std::int64_t{0});
        const std::int64_t until = t.args.value("until_us", std::int64_t{0});
        const std::int64_t started = t.args.value("stream_started_us", std::int64_t{0});
        const std::int64_t timeline = t.args.value("stream_timeline_start_ms", std::int64_t{0});
        EXPECT_LE(since, until);
        const std::int64_t first = timeline + (since - started) / 1000;
        const std::int64_t last = timeline + (until - started) / 1000;
        EXPECT_GE(first, last_offset_ms) << t.args.dump();
        last_offset_ms = last;
        EXPECT_EQ(timeline, started == us(74000) ? 59000 : 0);
    }
    EXPECT_EQ(last_offset_ms, 59000 + (200000 - 74000) / 10000 * 10000) << "tagged every 10 s";
    expect_no_failures();
}

TEST_F(StreamRecovery, GivingUpAfterTheConfiguredAttemptsIsReportedOnce) {
    start({{"restart_attempts", 3}, {"restart_first_delay", 5}, {"restart_factor", 3}, {"restart_max_delay", 20}});
    at(1000);
    obs->report_stream(output_started);
    settle();
    obs->failing_starts = 100;
    at(10000);
    obs->report_stream(output_stopped);
    settle();
    at(600000);
    // 5 s, then 15 s, then 45 s capped at 20 s.
    EXPECT_EQ(times("obs.OBS_STR:start_stream"), (std::vector<std::int64_t>{15000, 30000, 50000}));
    EXPECT_EQ(logged("gave up restarting the stream on OBS_STR after 3 attempts"), 1);
    EXPECT_EQ(named("store.stream_session_opened").size(), 1u);
    expect_no_failures();
}

TEST_F(StreamRecovery, ADisconnectClosesTheSessionAndTheStreamComesBackWhenObsDoes) {
    start();
    at(1000);
    obs->report_stream(output_started);
    settle();
    at(30000);
    obs->down = true;
    obs->report("obs.disconnected", {{"reason", "connection reset"}});
    settle();
    auto closed = named("store.stream_session_closed");
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].args.value("reason", ""), "disconnected: connection reset");

    at(40000);  // attempts at 32 s and 36 s fail: OBS_STR is down
    obs->down = false;
    at(100000);  // the next one, at 44 s, starts the stream
    EXPECT_EQ(times("obs.OBS_STR:start_stream"), (std::vector<std::int64_t>{32000, 36000, 44000}));
    auto opened = named("store.stream_session_opened");
    ASSERT_EQ(opened.size(), 2u);
    EXPECT_EQ(opened[1].at_ms, 44000);
    expect_no_failures();
}

TEST_F(StreamRecovery, ObsReconnectingByItselfSplitsTheSessionWithoutARestart) {
    start();
    at(1000);
    obs->report_stream(output_started);
    settle();
    at(20000);
    obs->report_stream(output_reconnecting);
    settle();
    at(27000);
    obs->report_stream(reconnected);
    settle();
    at(40000);
    auto closed = named("store.stream_session_closed");
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].args.value("reason", ""), "OBS reconnecting");
    EXPECT_EQ(times("store.stream_session_opened"), (std::vector<std::int64_t>{1000, 27000}));
    EXPECT_TRUE(named("obs.OBS_STR:start_stream").empty());

    // OBS giving up is a drop like any other.
    obs->report_stream(output_reconnecting);
    settle();
    obs->report_stream(output_stopped);
    settle();
    at(43000);
    EXPECT_EQ(times("obs.OBS_STR:start_stream"), (std::vector<std::int64_t>{42000}));
    EXPECT_EQ(times("store.stream_session_opened"), (std::vector<std::int64_t>{1000, 27000, 42000}));
    expect_no_failures();
}

TEST_F(StreamRecovery, TheOperatorsStopIsNotRestarted) {
    start();
    at(1000);
    obs->report_stream(output_started);
    settle();
    operator_stop(20000);
    at(300000);
    EXPECT_EQ(times("obs.OBS_STR:stop_stream"), (std::vector<std::int64_t>{20000}));
    auto closed = named("store.stream_session_closed");
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].args.value("reason", ""), "operator");
    EXPECT_TRUE(named("obs.OBS_STR:start_stream").empty());
    expect_no_failures();
}

TEST_F(StreamRecovery, ASessionLeftOpenByARestartedHostContinuesWhileObsStreamedOn) {
    // The previous run of the host: session 7 began 100 s before this run, 42 s into the day's stream.
    const double began = double(epoch_us) / 1e6 - 100;
    kv["open_session"] = {{"id", 7}, {"started", began}, {"timeline_start_ms", 42000}, {"tagged_until", began + 90}};
    start();
    obs->streaming = true;
    obs->streaming_since_ms = -100000;
    obs->report("obs.connected", {});
    settle();
    EXPECT_TRUE(named("store.stream_session_opened").empty());
    EXPECT_TRUE(named("store.stream_session_closed").empty());
    EXPECT_EQ(logged("stream session 7 continues after the host restarted"), 1);

    at(10000);  // the regular tag carries on the old session's place in the timeline
    auto tags = named("store.tag");
    ASSERT_FALSE(tags.empty());
    EXPECT_EQ(tags.back().args.value("stream_started_us", std::int64_t{0}), epoch_us - 100'000'000);
    EXPECT_EQ(tags.back().args.value("stream_timeline_start_ms", std::int64_t{0}), 42000);
    expect_no_failures();
}

TEST_F(StreamRecovery, ASessionLeftOpenIsClosedWhereItWasLastTaggedWhenTheStreamIsNotTheSame) {
    const double began = double(epoch_us) / 1e6 - 100;
    kv["open_session"] = {{"id", 7}, {"started", began}, {"timeline_start_ms", 42000}, {"tagged_until", began + 90}};
    start();
    obs->streaming = true;  // a stream started 3 s ago: not the one session 7 followed
    obs->streaming_since_ms = -3000;
    obs->report("obs.connected", {});
    settle();
    auto closed = named("store.stream_session_closed");
    ASSERT_EQ(closed.size(), 1u);
    EXPECT_EQ(closed[0].args.value("id", 0), 7);
    EXPECT_EQ(closed[0].args.value("reason", ""), "host stopped");
    EXPECT_EQ(closed[0].args.value("ended_us", std::int64_t{0}), epoch_us - 10'000'000);
    ASSERT_EQ(named("store.stream_session_opened").size(), 1u) << "the stream running now gets a session of its own";
    EXPECT_FALSE(kv.contains("open_session") && kv["open_session"].value("id", 0) == 7);
    expect_no_failures();
}

TEST_F(StreamRecovery, TwoHandlersResumingWhileTheStoreAnswersOpenOneSession) {
    start();
    obs->streaming = true;
    obs->streaming_since_ms = -3000;
    // Both handlers wait on OBS and then on the store before either has a session.
    obs->report("obs.connected", {});
    obs->report("obs.connected", {});
    settle();
    EXPECT_EQ(named("store.stream_session_opened").size(), 1u);
    expect_no_failures();
}

}  // namespace
}  // namespace vta::bindings
