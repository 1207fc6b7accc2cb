// ReplayKeeper: a small state machine on the client's io_context. Every transition bumps `step_`;
// a response, event or timer that belongs to an older step is ignored, so overlapping OBS answers
// can never act twice.

#include "vta/obs/replay_keeper.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "json_fields.hpp"

namespace vta::obs {

namespace net = boost::asio;
using namespace detail;

namespace {

// obs-websocket request status codes the keeper acts on.
constexpr int output_running = 500;
constexpr int output_not_running = 501;
constexpr int invalid_resource_state = 604;  // the replay buffer is disabled in the profile

constexpr const char* output_started = "OBS_WEBSOCKET_OUTPUT_STARTED";
constexpr const char* output_stopped = "OBS_WEBSOCKET_OUTPUT_STOPPED";

}  // namespace

std::string_view to_string(ReplayState state) {
    switch (state) {
        case ReplayState::disarmed:
            return "disarmed";
        case ReplayState::stopping:
            return "stopping";
        case ReplayState::starting:
            return "starting";
        case ReplayState::waiting:
            return "waiting";
        case ReplayState::running:
            return "running";
        case ReplayState::failed:
            return "failed";
    }
    return "unknown";
}

class ReplayKeeper::Impl : public std::enable_shared_from_this<Impl> {
public:
    Impl(net::io_context& io, std::shared_ptr<Client> client, ReplayKeeperOptions options)
        : io_(io), client_(std::move(client)), options_(options), timer_(io), deadline_(io) {}

    void subscribe() {
        std::weak_ptr<Impl> weak = shared_from_this();
        events_ = client_->subscribe("ReplayBufferStateChanged", [weak](const Event& e) {
            if (auto self = weak.lock()) self->on_replay_event(str_field(e.data, "outputState"));
        });
        connection_ = client_->on_state_change([weak](const ConnectionState& s) {
            if (auto self = weak.lock()) self->on_connection(s.state);
        });
    }

    void close() {
        deadline_.cancel();
        events_.unsubscribe();
        connection_.unsubscribe();
        transition();
        complete(Error{Errc::cancelled, "the replay buffer keeper was stopped"});
    }

    void arm(ReplaySettings settings, Handler<void> done) {
        armed_ = true;
        settings_ = std::move(settings);
        pending_.push_back(std::move(done));
        begin_trying();
        if (client_->state() != State::connected) {
            set_state(ReplayState::waiting);
            transition();
            complete(Error{Errc::not_connected, "OBS is not connected; the replay buffer starts once it is"});
            return;
        }
        const auto step = transition();
        const bool running = client_->status().replay_buffer_active || state_ == ReplayState::running;
        // Nothing to change: a running buffer is kept as it is (a host restarted mid-match adopts it).
        if (running && settings_.seconds == 0 && !settings_.suffix) return confirmed();
        if (!running) return configure_and_start(step);
        set_state(ReplayState::stopping);
        after(options_.stop_timeout, step, [](Impl& self) { self.configure_and_start(self.transition()); });
        client_->request("StopReplayBuffer", {}, guard(step, [](Impl& self, Result<Json> r) {
                             // Not running after all: nothing to wait for. Otherwise STOPPED (or the timeout) goes on.
                             if (!r && r.error().status_code == output_not_running)
                                 self.configure_and_start(self.transition());
                         }));
    }

    void disarm(Handler<void> done) {
        armed_ = false;
        transition();
        deadline_.cancel();
        set_state(ReplayState::disarmed);
        complete(Error{Errc::cancelled, "the replay buffer was disarmed"});
        client_->request("StopReplayBuffer", {}, [done = std::move(done)](Result<Json> r) {
            if (!r && r.error().status_code != output_not_running) return done(r.error());
            done(Result<void>());
        });
    }

    ReplayState state() const { return state_.load(); }
    net::io_context& io() { return io_; }

private:
    std::uint64_t transition() {
        timer_.cancel();
        return ++step_;
    }

    void set_state(ReplayState s) { state_ = s; }

    // A completion that runs only while `step` is still the current one.
    template <class F>
    Handler<Json> guard(std::uint64_t step, F f) {
        return [weak = weak_from_this(), step, f](Result<Json> r) {
            auto self = weak.lock();
            if (self && self->step_ == step) f(*self, std::move(r));
        };
    }

    template <class F>
    void after(std::chrono::milliseconds delay, std::uint64_t step, F f) {
        timer_.expires_after(delay);
        timer_.async_wait([weak = weak_from_this(), step, f](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!ec && self && self->step_ == step) f(*self);
        });
    }

    void configure_and_start(std::uint64_t step) {
        std::vector<BatchRequest> parameters;
        for (const char* category : {"SimpleOutput", "AdvOut"}) {
            if (settings_.seconds > 0)
                parameters.push_back({"SetProfileParameter",
                                      {{"parameterCategory", category},
                                       {"parameterName", "RecRBTime"},
                                       {"parameterValue", std::to_string(settings_.seconds)}}});
            if (settings_.suffix)
                parameters.push_back({"SetProfileParameter",
                                      {{"parameterCategory", category},
                                       {"parameterName", "RecRBSuffix"},
                                       {"parameterValue", *settings_.suffix}}});
        }
        set_state(ReplayState::starting);
        if (parameters.empty()) return when_output_idle(step);
        client_->request_batch(std::move(parameters), {}, [weak = weak_from_this(), step](Result<BatchResults> r) {
            auto self = weak.lock();
            if (!self || self->step_ != step) return;
            const Error* failed = !r ? &r.error() : nullptr;
            if (r)
                for (const auto& item : r.value())
                    if (!item) failed = &item.error();
            if (failed)
                self->log().warn("OBS \"{}\": could not set the replay buffer's length and clip names: {}",
                                 self->client_->name(), failed->message);
            self->when_output_idle(step);
        });
    }

    // OBS reports the buffer STOPPED before its output has shut down (the encoder stop lags under
    // load), and ignores a start meanwhile. The output's own status (GetOutputStatus, by the name
    // GetOutputList gives the `replay_buffer` output: the name is localised) tells when it is free.
    // Where OBS lacks them, the unconfirmed-start retries cover it.
    void when_output_idle(std::uint64_t step) {
        if (!output_name_) {
            client_->request("GetOutputList", {}, guard(step, [step](Impl& self, Result<Json> r) {
                                 self.output_name_ = std::string();
                                 if (r)
                                     if (const auto outputs = r.value().find("outputs");
                                         outputs != r.value().end() && outputs->is_array())
                                         for (const auto& output : *outputs)
                                             if (str_field(output, "outputKind") == "replay_buffer")
                                                 self.output_name_ = str_field(output, "outputName");
                                 self.when_output_idle(step);
                             }));
            return;
        }
        if (output_name_->empty()) return start(step);
        idle_since_ = std::chrono::steady_clock::now();
        poll_output(step, options_.retry_initial / 5);
    }

    void poll_output(std::uint64_t step, std::chrono::milliseconds pause) {
        client_->request(
            "GetOutputStatus", {{"outputName", *output_name_}}, guard(step, [step, pause](Impl& self, Result<Json> r) {
                const bool busy = r && bool_field(r.value(), "outputActive");
                if (!busy || std::chrono::steady_clock::now() - self.idle_since_ > self.options_.stop_timeout)
                    return self.start(step);
                self.after(pause, step, [step, pause](Impl& self) {
                    self.poll_output(step, std::min(pause * 2, self.options_.retry_max));
                });
            }));
    }

    // From an arm or a stop until OBS confirms the start: past warn_after, one warning and the arm fails.
    void begin_trying() {
        if (trying_) return;
        trying_ = true;
        retry_delay_ = options_.retry_initial / 2;
        deadline_.expires_after(options_.warn_after);
        deadline_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (ec || !self || !self->trying_ || !self->armed_) return;
            self->give_up_waiting();
        });
    }

    void give_up_waiting() {
        if (!warned_ && client_->state() == State::connected) {
            warned_ = true;
            log().warn(
                "OBS \"{}\": the replay buffer is not running {} s after it was asked for ({}); still "
                "trying, challenges meanwhile get their clip from the recording",
                client_->name(), options_.warn_after.count() / 1000.0, last_problem_);
        }
        complete(Error{Errc::invalid_state, "the replay buffer is not running yet: " + last_problem_});
    }

    void start(std::uint64_t step) {
        set_state(ReplayState::starting);
        last_problem_ = "OBS did not report it started";
        after(options_.confirm_timeout, step, [](Impl& self) { self.unconfirmed("OBS did not report it started"); });
        client_->request("StartReplayBuffer", {}, guard(step, [](Impl& self, Result<Json> r) {
                             if (r) return;  // STARTED (or the confirmation timeout) decides
                             const Error& e = r.error();
                             if (e.status_code == output_running) return self.confirmed();
                             if (e.status_code == invalid_resource_state || e.code == Errc::unsupported)
                                 return self.unavailable(e);
                             self.unconfirmed(e.message);
                         }));
    }

    void confirmed() {
        transition();
        set_state(ReplayState::running);
        trying_ = false;
        deadline_.cancel();
        if (warned_) log().info("OBS \"{}\": the replay buffer is running again", client_->name());
        warned_ = false;
        complete(Result<void>());
    }

    void unconfirmed(const std::string& why) {
        const auto step = transition();
        set_state(ReplayState::waiting);
        last_problem_ = why;
        if (client_->state() != State::connected) return;  // started again once connected
        retry_delay_ = std::min(options_.retry_max, retry_delay_ * 2);
        after(retry_delay_, step, [](Impl& self) { self.when_output_idle(self.transition()); });
    }

    void unavailable(const Error& e) {
        transition();
        trying_ = false;
        deadline_.cancel();
        set_state(ReplayState::failed);
        log().warn("OBS \"{}\": the replay buffer cannot run ({}); enable it in OBS's output settings", client_->name(),
                   e.comment.empty() ? e.message : e.comment);
        complete(Error{Errc::unsupported, "the replay buffer is not available: " + e.message});
    }

    void on_replay_event(const std::string& output_state) {
        if (!armed_) return;
        const ReplayState s = state_;
        if (output_state == output_started && s != ReplayState::stopping) return confirmed();
        if (output_state != output_stopped) return;
        if (s == ReplayState::stopping) return configure_and_start(transition());
        if (s == ReplayState::running) {
            log().info("OBS \"{}\": the replay buffer stopped; starting it again", client_->name());
            begin_trying();
            const auto step = transition();
            set_state(ReplayState::waiting);
            after(options_.retry_initial, step, [](Impl& self) { self.when_output_idle(self.transition()); });
        }
    }

    void on_connection(State s) {
        if (!armed_) return;
        if (s == State::connected) {
            // The client re-read OBS's state before reporting connected.
            if (client_->status().replay_buffer_active) return confirmed();
            output_name_.reset();  // OBS may have restarted with another language
            begin_trying();
            return when_output_idle(transition());
        }
        transition();
        trying_ = false;
        deadline_.cancel();
        set_state(ReplayState::waiting);
        complete(Error{Errc::not_connected, "OBS disconnected before the replay buffer started"});
    }

    void complete(Result<void> result) {
        auto handlers = std::move(pending_);
        pending_.clear();
        for (auto& h : handlers) h(result);
    }

    spdlog::logger& log() const { return *(options_.logger ? options_.logger : spdlog::default_logger()); }

    net::io_context& io_;
    std::shared_ptr<Client> client_;
    ReplayKeeperOptions options_;
    net::steady_timer timer_;
    Subscription events_;
    Subscription connection_;
    net::steady_timer deadline_;
    bool armed_ = false;
    bool warned_ = false;
    bool trying_ = false;
    std::string last_problem_;
    std::chrono::milliseconds retry_delay_{0};
    std::uint64_t step_ = 0;
    ReplaySettings settings_;
    std::atomic<ReplayState> state_{ReplayState::disarmed};
    std::vector<Handler<void>> pending_;
    std::optional<std::string> output_name_;  // the replay buffer's output in OBS; empty: OBS cannot say
    std::chrono::steady_clock::time_point idle_since_;
};

ReplayKeeper::ReplayKeeper(net::io_context& io, std::shared_ptr<Client> client, ReplayKeeperOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(client), std::move(options))) {
    impl_->subscribe();
}

ReplayKeeper::~ReplayKeeper() { impl_->close(); }

void ReplayKeeper::arm(ReplaySettings settings, Handler<void> done) {
    net::post(impl_->io(), [impl = impl_, settings = std::move(settings), done = std::move(done)]() mutable {
        impl->arm(std::move(settings), std::move(done));
    });
}

void ReplayKeeper::disarm(Handler<void> done) {
    net::post(impl_->io(), [impl = impl_, done = std::move(done)]() mutable { impl->disarm(std::move(done)); });
}

ReplayState ReplayKeeper::state() const { return impl_->state(); }

}  // namespace vta::obs
