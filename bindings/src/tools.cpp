#include "vta/bindings/tools.hpp"

#include <cstdio>

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

}  // namespace

CheckReport check_package(const std::filesystem::path& folder, const nlohmann::json& packages_config) {
    CheckReport report;
    boost::asio::io_context io;
    auto clock = std::make_shared<VirtualClock>(io);
    Recorder recorder(io, clock);
    RuntimeOptions options;
    options.packages = packages_config.is_object() ? packages_config : nlohmann::json::object();
    options.clock = clock;
    options.obs = recorder.obs();
    options.playback = recorder.playback();
    options.overlay = recorder.overlay();
    options.licence = recorder.licence();
    options.store = recorder.store();
    options.logger = quiet_logger();
    options.on_log = [&report](const std::string&, const std::string& level, const std::string& message) {
        if (level == "error") report.problems.push_back(message);
    };
    auto runtime = std::make_shared<RuntimeImpl>(io, std::move(options));
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
    }
    report.ok = loaded && report.problems.empty();
    return report;
}

struct DryRunWorkflows::State {
    State(const DryRunOptions& dry, std::ostream& out)
        : clock(std::make_shared<VirtualClock>(io)), recorder(io, clock), tail_ms(dry.tail_ms) {
        recorder.on_action = [&out](const RecordedAction& a) { out << format_action(a) << '\n'; };
        RuntimeOptions options;
        options.package_roots = dry.package_roots;
        options.packages = dry.packages;
        options.clock = clock;
        options.obs = recorder.obs();
        options.playback = recorder.playback();
        options.overlay = recorder.overlay();
        options.licence = recorder.licence();
        options.store = recorder.store();
        options.logger = quiet_logger();
        options.on_log = [this](const std::string& package, const std::string& level, const std::string& message) {
            recorder.record(package, "log." + level, message);
        };
        runtime = std::make_shared<RuntimeImpl>(io, std::move(options));
        runtime->start_watching();
        runtime->load_all();
    }

    void run_ready() {
        io.restart();
        io.poll();
    }

    boost::asio::io_context io;
    std::shared_ptr<VirtualClock> clock;
    Recorder recorder;
    std::int64_t tail_ms;
    std::shared_ptr<RuntimeImpl> runtime;
    std::size_t events = 0;
};

DryRunWorkflows::DryRunWorkflows(const DryRunOptions& options, std::ostream& out)
    : state_(std::make_unique<State>(options, out)) {}

DryRunWorkflows::~DryRunWorkflows() = default;

void DryRunWorkflows::advance_to(std::int64_t ms) {
    state_->run_ready();
    state_->clock->advance_to(ms);
}

void DryRunWorkflows::dispatch(const Event& event) {
    ++state_->events;
    state_->runtime->dispatch(event);
}

DryRunReport DryRunWorkflows::finish(std::int64_t last_ms) {
    state_->run_ready();
    state_->clock->advance_to(last_ms + state_->tail_ms);
    DryRunReport report;
    report.ok = true;
    report.events = state_->events;
    report.actions = state_->recorder.actions();
    report.packages = state_->runtime->status();
    return report;
}

}  // namespace vta::bindings
