#pragma once
// `vta check PACKAGE` and `vta run --dry-run CAPTURE.jsonl`, for the host's command line.

#include <cstdint>
#include <filesystem>
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

// Replays a capture ({"t": ms, "d": "datagram"} per line) through the PSS decoder and match
// tracker into the workflows on a virtual clock, with a recorder standing in for OBS, mpv and
// the store; prints each action as it happens to `out` ("[  12.345 s] package  action  args").
DryRunReport dry_run(const std::filesystem::path& capture, const DryRunOptions& options, std::ostream& out);

}  // namespace vta::bindings
