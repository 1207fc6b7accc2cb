#pragma once
// vta::bindings::Runtime — the Lua workflow runtime on LuaJIT.
//
// Each workflow package (a folder with manifest.json and Lua files) gets its own lua_State with a
// memory cap, allow-listed globals and the JIT engine off (see sandbox.cpp for why). Handlers run
// as coroutines on the host's io_context: a call that waits (an OBS request, a sleep, opening mpv)
// yields and is resumed from the loop when the answer or its timeout comes. Errors are logged with
// package, file, line and traceback; after `max_consecutive_failures` failing handlers in a row a
// package is disabled. Everything here must be used from the io_context's thread.
//
// Usage:
//   vta::bindings::RuntimeOptions opt;
//   opt.package_roots = {"scripts/workflows", user_folder};
//   opt.obs = ...; opt.playback = ...; opt.store = ...;   // backends (null: calls fail with "unavailable")
//   vta::bindings::Runtime rt(io, opt);
//   rt.load_all();
//   for (auto& ev : vta::bindings::events_from(group, update, state, id, at_us, match_id)) rt.dispatch(ev);

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include "vta/bindings/backends.hpp"
#include "vta/bindings/clock.hpp"
#include "vta/bindings/event.hpp"

namespace vta::bindings {

enum class PackageState { loaded, running, error, disabled };
std::string_view to_string(PackageState state);

enum class ConfigType { string, number, integer, boolean, object, array };
std::string_view to_string(ConfigType type);

// One setting of a package, declared in manifest.json's "config" (see docs/scripting.md, config).
struct ConfigField {
    std::string key;  // path from the top of the config, dotted below an object: "rules.break.scene"
    ConfigType type = ConfigType::string;
    nlohmann::json default_value;         // an object's includes its properties' defaults
    std::string doc;                      // one line, for the panel's tooltip and the reference
    std::string label;                    // short name for the panel; empty: the key
    std::vector<nlohmann::json> choices;  // "enum": the only values allowed; empty: any of the type
    std::optional<double> min, max;       // numbers only
    std::vector<ConfigField> properties;  // an object's declared keys; it may hold others
};

struct Manifest {
    std::string name;
    std::string version;
    std::string author;
    std::string description;
    std::vector<std::string> permissions;  // "os", "io", "ffi", "debug", "loadlib"
    std::vector<ConfigField> config;       // the schema, in the manifest's order
    std::string main = "main.lua";
};

// Reads and validates <folder>/manifest.json; an error names the key at fault ("manifest.json: ...").
vta::Result<Manifest> read_manifest(const std::filesystem::path& folder);
// The same checks on the text of a manifest.json (tests/fuzz feeds it bytes).
vta::Result<Manifest> parse_manifest(std::string_view text);

// The defaults of every setting: {"key": default, ...}.
nlohmann::json config_defaults(const std::vector<ConfigField>& schema);

// "" when `value` fits `field`, else what was expected and what came:
// `expected a whole number from 1 to 10, got "ten"`. Checks an object's declared properties too.
std::string check_config_value(const ConfigField& field, const nlohmann::json& value);

struct ConfigCheck {
    nlohmann::json values = nlohmann::json::object();  // the operator's values that fit
    std::vector<std::string> problems;                 // "config 'clip_seconds': expected a number, got \"ten\"; ..."
};

// Sorts the operator's values (workflows.packages.<name>.config) into those that fit the schema and
// one problem per key that does not (an unknown key, a wrong type or value): such a key is left out,
// so its default applies.
ConfigCheck check_config(const std::vector<ConfigField>& schema, const nlohmann::json& values);

// What config() returns: the defaults, with the values that fit merged in as a JSON merge patch (an
// object merges key by key; null removes an entry of an object).
nlohmann::json merged_config(const std::vector<ConfigField>& schema, const nlohmann::json& values);

// A failure of a package, as shown in the host status.
struct PackageError {
    std::string message;  // first line of the Lua error, without location
    std::string file;     // "main.lua"
    int line = 0;
    std::string traceback;
    std::int64_t at_ms = 0;  // Clock time
};

struct PackageStatus {
    std::string name;
    std::string version;
    std::filesystem::path folder;
    PackageState state = PackageState::loaded;
    std::vector<std::string> granted;   // permissions in effect
    std::vector<std::string> warnings;  // e.g. permissions asked but not granted
    // Operator config values that do not fit the manifest's schema (their defaults apply instead).
    std::vector<std::string> config_problems;
    std::optional<PackageError> last_error;
    int consecutive_failures = 0;
    std::uint64_t failures = 0;
    std::uint64_t handler_calls = 0;
    std::uint64_t reloads = 0;
    std::size_t memory_bytes = 0;
    std::size_t handlers = 0;
    std::size_t timers = 0;
    std::size_t waiting = 0;        // coroutines suspended on a wait
    bool stopped_by_bound = false;  // RuntimeOptions::max_timer_firings_per_minute stopped it (last_error says where)
};

// Where RuntimeOptions::deadline found the packages: the line running then, or where the timer that was
// due had been created.
struct DeadlineReached {
    std::string package;  // empty: no package code was running or due
    std::string file;     // empty: not known
    int line = 0;         // 0: not known (a main chunk)
};

// The operator's configuration of packages:
//   {"<name>": {"config": {...overrides...}, "grant": ["os", ...], "enabled": true}}
struct RuntimeOptions {
    std::vector<std::filesystem::path> package_roots;  // each subfolder with manifest.json is a package
    nlohmann::json packages = nlohmann::json::object();
    std::size_t memory_limit_bytes = 64u << 20;
    std::chrono::milliseconds slice_budget{50};  // longest a handler may run before it yields
    int max_consecutive_failures = 5;
    std::chrono::milliseconds wait_timeout{10000};  // default deadline of a yielding call
    bool hot_reload = false;                        // watch package folders (inotify)
    std::chrono::milliseconds reload_debounce{200};
    // Bounds of the tools that run untrusted packages (vta check, vta run --dry-run); the live host leaves
    // them off. Timer firings a package may make within one minute of Clock time (0: no bound): past them
    // the package is stopped (disabled, stopped_by_bound) and the others go on.
    std::uint64_t max_timer_firings_per_minute = 0;
    // Past this instant no package code starts and the running code is stopped at its next hook.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::shared_ptr<Clock> clock;  // null: real time on the io_context
    std::shared_ptr<ObsBackend> obs;
    std::shared_ptr<PlaybackBackend> playback;
    std::shared_ptr<StoreBackend> store;
    std::shared_ptr<OverlayBackend> overlay;
    std::shared_ptr<CourtsBackend> courts;    // null: the courts' bus is off (config courts.enabled)
    std::shared_ptr<LicenceBackend> licence;  // null: evaluation mode (license.status().state "evaluation")
    std::shared_ptr<AuditBackend> audit;      // null: group calls are not recorded (dry runs, tools)
    std::shared_ptr<spdlog::logger> logger;   // null: spdlog default logger
    // The current match between dispatched events (the host's tracker), for match() and store calls;
    // null: the match of the last dispatched event.
    std::function<nlohmann::json()> current_match;
    std::function<std::optional<std::int64_t>()> current_match_id;
    std::function<void(const PackageStatus&)> on_status;  // a package changed state (on the loop)
    // Every log line of a package (log.*, print, errors), after it went to the logger.
    std::function<void(const std::string& package, const std::string& level, const std::string& message)> on_log;
};

class RuntimeImpl;

class Runtime {
public:
    Runtime(boost::asio::io_context& io, RuntimeOptions options);
    ~Runtime();  // unloads every package
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    // Loads every package under the roots; returns how many loaded without error. A package that
    // fails to load is kept in state `error` with its problem, the others still run.
    int load_all();
    // Loads (or reloads) the package in `folder`. False when it failed (see status()).
    bool load(const std::filesystem::path& folder);
    bool reload(const std::string& name);
    void unload(const std::string& name);

    // Runs every handler of every running package subscribed to `event.kind` (and to "*").
    void dispatch(const Event& event);
    // True when a running package has a handler for `kind` (or for "*"): lets the host skip building
    // events nobody would receive.
    bool wants(const std::string& kind) const;

    std::vector<PackageStatus> status() const;
    std::optional<PackageStatus> status(const std::string& name) const;

private:
    std::shared_ptr<RuntimeImpl> impl_;
};

}  // namespace vta::bindings
