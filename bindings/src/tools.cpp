#include "vta/bindings/tools.hpp"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stop_token>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "recorder.hpp"
#include "runtime_impl.hpp"
#include "vta/bindings/event.hpp"

namespace vta::bindings {

namespace {

std::shared_ptr<spdlog::logger> quiet_logger() { return std::make_shared<spdlog::logger>("vta-lua-tools"); }

std::string format_action(const RecordedAction& a) {
    char when[32];
    std::snprintf(when, sizeof when, "[%9.3f s]", static_cast<double>(a.at_ms) / 1000.0);
    std::string args = a.args.is_null() || (a.args.is_object() && a.args.empty()) ? "" : " " + a.args.dump();
    return std::string(when) + " " + a.package + "  " + a.action + args;
}

// The tools' last resort against a package stuck in a library call: a thread that hands what was running
// to ToolBounds::on_overrun once the tool is overrun_grace past its time bound. Destroying it stops it.
class Watchdog {
public:
    Watchdog(const ToolBounds& bounds, std::chrono::steady_clock::time_point deadline,
             std::shared_ptr<RuntimeImpl> runtime) {
        if (!bounds.on_overrun || bounds.max_time.count() <= 0) return;
        thread_ = std::jthread([this, on_overrun = bounds.on_overrun, when = deadline + overrun_grace,
                                runtime = std::move(runtime)](std::stop_token stop) {
            std::unique_lock lock(mutex_);
            wake_.wait_until(lock, stop, when, [] { return false; });
            if (!stop.stop_requested()) on_overrun(describe(runtime->running()));
        });
    }

private:
    std::mutex mutex_;
    std::condition_variable_any wake_;
    std::jthread thread_;  // last: it stops and joins before the members it uses go
};

std::chrono::steady_clock::time_point deadline_after(std::chrono::milliseconds time) {
    return std::chrono::steady_clock::now() + time;
}

void apply_bounds(RuntimeOptions& options, const ToolBounds& bounds, std::chrono::steady_clock::time_point deadline) {
    options.max_timer_firings_per_minute = bounds.max_timer_firings_per_minute;
    if (bounds.max_time.count() > 0) options.deadline = deadline;
}

// The timers pending after the top level ran, measured against the timer bound.
std::optional<std::string> timers_past_bound(const Package& package, std::uint64_t bound) {
    if (bound == 0) return std::nullopt;
    std::uint64_t total = 0;
    const Package::TimerLoad* heaviest = nullptr;
    const auto loads = package.timer_load();
    for (const auto& load : loads) {
        total += load.firings_per_minute;
        if (heaviest == nullptr || load.firings_per_minute > heaviest->firings_per_minute) heaviest = &load;
    }
    if (total <= bound) return std::nullopt;
    return heaviest->file + ":" + std::to_string(heaviest->line) + ": the timers set up at load would fire " +
           std::to_string(total) + " times a minute, past the timer bound of " + std::to_string(bound) +
           " (--max-timer-firings), and stop the package at once; the " + std::to_string(heaviest->timers) +
           " timers created at this line would fire " + std::to_string(heaviest->firings_per_minute) + " times";
}

}  // namespace

std::string describe(const DeadlineReached& where) {
    if (where.package.empty()) return "no package code was running";
    if (where.file.empty()) return "package " + where.package;
    if (where.line == 0) return "package " + where.package + " (" + where.file + ")";
    return "package " + where.package + " at " + where.file + ":" + std::to_string(where.line);
}

CheckReport check_package(const std::filesystem::path& folder, const nlohmann::json& packages_config,
                          const ToolBounds& bounds) {
    CheckReport report;
    const auto deadline = deadline_after(bounds.max_time);
    boost::asio::io_context io;
    auto clock = std::make_shared<VirtualClock>(io);
    Recorder recorder(io, clock);
    RuntimeOptions options;
    apply_bounds(options, bounds, deadline);
    options.packages = packages_config.is_object() ? packages_config : nlohmann::json::object();
    options.clock = clock;
    options.obs = recorder.obs();
    options.playback = recorder.playback();
    options.overlay = recorder.overlay();
    options.courts = recorder.courts();
    options.licence = recorder.licence();
    options.store = recorder.store();
    options.logger = quiet_logger();
    options.on_log = [&report](const std::string&, const std::string& level, const std::string& message) {
        if (level == "error") report.problems.push_back(message);
    };
    auto runtime = std::make_shared<RuntimeImpl>(io, std::move(options));
    const Watchdog watchdog(bounds, deadline, runtime);
    runtime->start_watching();
    bool loaded = runtime->load(folder);
    if (auto manifest = read_manifest(folder)) report.manifest = std::move(manifest.value());
    for (const auto& name : runtime->package_names()) {
        Package* p = runtime->find(name);
        const PackageStatus& status = p->status();
        report.warnings = status.warnings;
        report.problems.insert(report.problems.end(), status.config_problems.begin(), status.config_problems.end());
        report.handlers = p->handler_kinds();
        report.timers = status.timers;
        if (auto past = timers_past_bound(*p, bounds.max_timer_firings_per_minute))
            report.bounds_reached.push_back(std::move(*past));
    }
    if (const auto& reached = runtime->deadline_reached())
        report.bounds_reached.push_back("the time bound of " + std::to_string(bounds.max_time.count() / 1000) +
                                        " s (--max-seconds) was reached: " + describe(*reached) + " was running");
    report.ok = loaded && report.problems.empty() && report.bounds_reached.empty();
    return report;
}

struct DryRunWorkflows::State {
    State(const DryRunOptions& dry, std::ostream& out)
        : deadline(deadline_after(dry.bounds.max_time)),
          clock(std::make_shared<VirtualClock>(io)),
          recorder(io, clock),
          tail_ms(dry.tail_ms) {
        recorder.on_action = [&out](const RecordedAction& a) { out << format_action(a) << '\n'; };
        RuntimeOptions options;
        options.package_roots = dry.package_roots;
        options.packages = dry.packages;
        options.clock = clock;
        options.obs = recorder.obs();
        options.playback = recorder.playback();
        options.overlay = recorder.overlay();
        options.courts = recorder.courts();
        options.licence = recorder.licence();
        options.store = recorder.store();
        options.logger = quiet_logger();
        options.on_log = [this](const std::string& package, const std::string& level, const std::string& message) {
            recorder.record(package, "log." + level, message);
        };
        apply_bounds(options, dry.bounds, deadline);
        runtime = std::make_shared<RuntimeImpl>(io, std::move(options));
        watchdog = std::make_unique<Watchdog>(dry.bounds, deadline, runtime);
        runtime->start_watching();
        runtime->load_all();
    }

    // Past the deadline with no package caught running, the time went to the capture itself.
    bool out_of_time() {
        if (!runtime->past_deadline()) return false;
        runtime->reach_deadline({});
        return true;
    }

    void run_ready() {
        io.restart();
        io.poll();
    }

    std::chrono::steady_clock::time_point deadline;
    boost::asio::io_context io;
    std::shared_ptr<VirtualClock> clock;
    Recorder recorder;
    std::int64_t tail_ms;
    std::shared_ptr<RuntimeImpl> runtime;
    std::unique_ptr<Watchdog> watchdog;  // after the runtime: stopped before it goes
    std::size_t events = 0;
};

DryRunWorkflows::DryRunWorkflows(const DryRunOptions& options, std::ostream& out)
    : state_(std::make_unique<State>(options, out)) {}

DryRunWorkflows::~DryRunWorkflows() = default;

void DryRunWorkflows::advance_to(std::int64_t ms) {
    if (state_->out_of_time()) return;
    state_->run_ready();
    state_->clock->advance_to(ms);
}

void DryRunWorkflows::dispatch(const Event& event) {
    if (state_->out_of_time()) return;
    ++state_->events;
    state_->runtime->dispatch(event);
}

bool DryRunWorkflows::out_of_time() { return state_->out_of_time(); }

DryRunReport DryRunWorkflows::finish(std::int64_t last_ms) {
    if (!state_->out_of_time()) {
        state_->run_ready();
        state_->clock->advance_to(last_ms + state_->tail_ms);
    }
    DryRunReport report;
    report.ok = true;
    report.out_of_time = state_->runtime->deadline_reached();
    report.stopped_at_ms = state_->clock->now_ms();
    report.events = state_->events;
    report.actions = state_->recorder.actions();
    report.packages = state_->runtime->status();
    return report;
}

}  // namespace vta::bindings
