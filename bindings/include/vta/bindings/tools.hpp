#pragma once
// `vta check PACKAGE` and `vta run --dry-run CAPTURE.jsonl`, for the host's command line.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/bindings/runtime.hpp"

namespace vta::bindings {

struct CheckReport {
    bool ok = false;  // loaded and ran its top level without error
    Manifest manifest;
    std::vector<std::string> problems;  // errors: manifest, syntax (file:line), top-level failures
    std::vector<std::string> warnings;  // permissions asked and not granted...
    std::vector<std::string> handlers;  // event kinds it subscribes to
    std::size_t timers = 0;
};

// Loads the package in `folder` in a sandbox with recorders in place of OBS, mpv and the store,
// runs its top level (which registers handlers) and reports; no handler runs.
CheckReport check_package(const std::filesystem::path& folder, const nlohmann::json& packages_config = {});

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
};

struct DryRunOptions {
    std::vector<std::filesystem::path> package_roots;
    nlohmann::json packages = nlohmann::json::object();
    std::int64_t tail_ms = 60000;  // keep the clock running this long after the last datagram
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

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace vta::bindings
