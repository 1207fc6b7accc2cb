#pragma once
// `vta check PACKAGE` and `vta run --dry-run CAPTURE.jsonl`, for the host's command line.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/bindings/runtime.hpp"

namespace vta::bindings {

// What the tools may spend on untrusted packages. A dry run of a 12-match day (6,759 datagrams, the shipped
// packages and the example) takes 0.2 s on a 2-core machine.
struct ToolBounds {
    // Wall time of the whole tool (0: none). Past it no package code starts and Lua code is stopped at its
    // next count hook; a library call that never returns (a pathological string.find) is for on_overrun.
    std::chrono::milliseconds max_time{0};
    // Timer firings per package within one minute of capture time (0: none); past them the package is
    // stopped and the others go on. A rate, not a total, so a long capture never stops a steady package.
    std::uint64_t max_timer_firings_per_minute = 0;
    // Called on a watchdog thread when the tool still runs overrun_grace after max_time: the main thread is
    // stuck where no hook reaches. It gets what was running and must end the process (the command line
    // prints it and exits); null: no watchdog.
    std::function<void(const std::string& what_was_running)> on_overrun;
};

// 60 s: 300 times the 12-match day above, so captures of several days fit even on a loaded machine, while a
// runaway package costs at most a minute.
inline constexpr std::chrono::seconds default_dry_run_time{60};
// 10 s: a check only runs the package's top level, which takes milliseconds (each run of its Lua code is
// cut at the runtime's slice budget anyway).
inline constexpr std::chrono::seconds default_check_time{10};
// 60,000 a minute, a thousand a second on average: a hundred times a package ticking a 10 Hz clock, while
// the shipped packages fire a few a minute. 2,000 timers at 1 ms reach it within 30 ms of capture time.
inline constexpr std::uint64_t default_timer_firings_per_minute = 60000;
// Cooperative stops take effect within a hook interval, so code still running this long after max_time is
// stuck in a library call.
inline constexpr std::chrono::seconds overrun_grace{2};

// "package runaway at main.lua:4", "package runaway (main.lua)", or that no package code was running.
std::string describe(const DeadlineReached& where);

struct CheckReport {
    bool ok = false;  // loaded and ran its top level without error
    Manifest manifest;
    std::vector<std::string> problems;  // errors: manifest, syntax (file:line), top-level failures
    std::vector<std::string> warnings;  // permissions asked and not granted...
    std::vector<std::string> handlers;  // event kinds it subscribes to
    std::size_t timers = 0;
    // The bounds: the time ran out, or the timers set up at load would fire past the timer bound.
    std::vector<std::string> bounds_reached;
};

// Loads the package in `folder` in a sandbox with recorders in place of OBS, mpv and the store,
// runs its top level (which registers handlers) and reports; no handler or timer runs.
CheckReport check_package(const std::filesystem::path& folder, const nlohmann::json& packages_config = {},
                          const ToolBounds& bounds = {default_check_time, default_timer_firings_per_minute, {}});

// One thing a package did during a dry run.
struct RecordedAction {
    std::int64_t at_ms = 0;  // capture time
    std::string package;
    std::string action;  // "obs.rec:set_scene", "playback.open", "store.tag", "log.info"...
    nlohmann::json args;
};

struct DryRunReport {
    bool ok = false;
    std::string error;  // why the capture could not be replayed
    std::size_t datagrams = 0;
    std::size_t events = 0;
    std::vector<RecordedAction> actions;
    std::vector<PackageStatus> packages;
    // Set when ToolBounds::max_time stopped the run: what was running then; capture time it stopped at.
    std::optional<DeadlineReached> out_of_time;
    std::int64_t stopped_at_ms = 0;
};

struct DryRunOptions {
    std::vector<std::filesystem::path> package_roots;
    nlohmann::json packages = nlohmann::json::object();
    std::int64_t tail_ms = 60000;  // keep the clock running this long after the last datagram
    ToolBounds bounds{default_dry_run_time, default_timer_firings_per_minute, {}};
};

struct Event;

// The workflows' half of `vta run --dry-run`: every package loaded in a sandbox on a virtual clock, with
// recorders standing in for OBS, mpv and the store, printing each action to `out` as it happens
// ("[  12.345 s] package  action  args"). The host feeds it the events its own ingest path derives from a
// capture (vta/host/dry_run.hpp), so a dry run sees what a live host would.
class DryRunWorkflows {
public:
    DryRunWorkflows(const DryRunOptions& options, std::ostream& out);
    ~DryRunWorkflows();
    DryRunWorkflows(const DryRunWorkflows&) = delete;
    DryRunWorkflows& operator=(const DryRunWorkflows&) = delete;

    // Completes what the handlers started that answers at once, then moves the virtual clock to `ms` (capture
    // time), running the timers due by then.
    void advance_to(std::int64_t ms);
    // Starts the handlers of `event`; they go on at the next advance_to or finish.
    void dispatch(const Event& event);
    // Lets the clock run options.tail_ms past `last_ms`, then reports what the packages did.
    DryRunReport finish(std::int64_t last_ms);
    // True once options.bounds.max_time has passed: the rest of the capture is not worth feeding.
    bool out_of_time();

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace vta::bindings
