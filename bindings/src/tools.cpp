#include "vta/bindings/tools.hpp"

#include <cstdio>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <spdlog/spdlog.h>

#include "recorder.hpp"
#include "runtime_impl.hpp"
#include "vta/pss/codec.hpp"
#include "vta/pss/match_state.hpp"

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
    options.store = recorder.store();
    options.logger = quiet_logger();
    options.on_log = [&report](const std::string&, const std::string& level, const std::string& message) {
        if (level == "error") report.problems.push_back(message);
    };
    auto runtime = std::make_shared<RuntimeImpl>(io, std::move(options));
    runtime->start_watching();
    bool loaded = runtime->load(folder);
    std::string error;
    read_manifest(folder, report.manifest, error);
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

DryRunReport dry_run(const std::filesystem::path& capture, const DryRunOptions& dry, std::ostream& out) {
    DryRunReport report;
    std::ifstream in(capture);
    if (!in) {
        report.error = "cannot open " + capture.string();
        return report;
    }
    boost::asio::io_context io;
    auto clock = std::make_shared<VirtualClock>(io);
    Recorder recorder(io, clock);
    recorder.on_action = [&out](const RecordedAction& a) { out << format_action(a) << '\n'; };
    RuntimeOptions options;
    options.package_roots = dry.package_roots;
    options.packages = dry.packages;
    options.clock = clock;
    options.obs = recorder.obs();
    options.playback = recorder.playback();
    options.store = recorder.store();
    options.logger = quiet_logger();
    options.on_log = [&recorder](const std::string& package, const std::string& level, const std::string& message) {
        recorder.record(package, "log." + level, message);
    };
    auto runtime = std::make_shared<RuntimeImpl>(io, std::move(options));
    runtime->start_watching();
    runtime->load_all();

    pss::MatchTracker tracker;
    std::int64_t next_event_id = 1;
    std::int64_t last_ms = 0;
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
        if (entry.is_discarded() || !entry.is_object() || !entry.contains("t") || !entry["t"].is_number() ||
            !entry.contains("d") || !entry["d"].is_string()) {
            report.error = capture.string() + ":" + std::to_string(line_number) + ": expected {\"t\": ms, \"d\": text}";
            report.actions = recorder.actions();
            report.packages = runtime->status();
            return report;
        }
        const std::int64_t t_ms = entry["t"].get<std::int64_t>();
        last_ms = std::max(last_ms, t_ms);
        clock->advance_to(t_ms);
        ++report.datagrams;
        for (const auto& group : pss::decode(entry["d"].get<std::string>())) {
            if (group.status != pss::Status::recognised) continue;
            const std::int64_t id = next_event_id++;
            auto update = tracker.apply(group, t_ms * 1000, id);
            for (const auto& event : events_from(group, update, tracker.state(), id, t_ms * 1000)) {
                ++report.events;
                runtime->dispatch(event);
            }
        }
        io.restart();
        io.poll();
    }
    clock->advance_to(last_ms + dry.tail_ms);
    report.actions = recorder.actions();
    report.packages = runtime->status();
    report.ok = true;
    return report;
}

}  // namespace vta::bindings
