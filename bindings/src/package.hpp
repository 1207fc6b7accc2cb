#pragma once
// One loaded workflow package: its lua_State, handlers, timers and suspended coroutines.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lua.hpp"
#include "vta/bindings/runtime.hpp"

namespace vta::bindings {

class RuntimeImpl;
class Package;

// The allocator's user data: the memory cap, and the way back from a lua_State to its Package.
struct StateContext {
    std::size_t used = 0;
    std::size_t limit = 0;
    Package* package = nullptr;
};

Package& package_of(lua_State* L);

class Package {
public:
    Package(RuntimeImpl& runtime, std::uint64_t id, std::filesystem::path folder);
    ~Package();
    Package(const Package&) = delete;
    Package& operator=(const Package&) = delete;

    // Reads the manifest, builds the sandbox and runs the main file. False on any problem
    // (recorded as last_error, state `error`).
    bool load();

    RuntimeImpl& runtime() { return runtime_; }
    std::uint64_t id() const { return id_; }
    const std::string& name() const { return status_.name; }
    const Manifest& manifest() const { return manifest_; }
    // The manifest's defaults with the operator's values that fit the schema merged in.
    const nlohmann::json& config() const { return config_; }
    const PackageStatus& status();  // refreshed counters
    void set_reloads(std::uint64_t reloads) { status_.reloads = reloads; }
    PackageState state() const { return status_.state; }
    // A running package with a handler for `kind` or for "*".
    bool handles(const std::string& kind) const;
    lua_State* state_handle() { return L_; }
    bool granted(const std::string& permission) const;

    // events
    std::uint64_t add_handler(const std::string& kind, int fn_ref);
    bool remove_handler(std::uint64_t id);
    void dispatch(const Event& event);
    std::vector<std::string> handler_kinds() const;

    // timers: the registry reference keeps the function alive until cancel/unload; `file` and `line` are where
    // the script created it, for the timer bound's report
    std::uint64_t add_timer(std::int64_t delay_ms, std::int64_t interval_ms, int fn_ref, const std::string& file,
                            int line);
    bool cancel_timer(std::uint64_t id);
    // The firings the pending timers would make in a minute, by the line that created them (vta check).
    struct TimerLoad {
        std::string file;
        int line = 0;
        std::uint64_t timers = 0;
        std::uint64_t firings_per_minute = 0;
    };
    std::vector<TimerLoad> timer_load() const;

    // What a completion with JSON null gives the coroutine: true (an action that returns nothing
    // succeeded) or nil (a read that found nothing).
    enum class NullResult { is_true, is_nil };

    // Suspends the coroutine `co` (the running handler) until `start`'s completion or the timeout
    // (timeout_ms < 0: none). The coroutine then gets (value) or (nil, "code: message").
    // Call as `return package.wait(co, ...)` from a lua_CFunction.
    int wait(lua_State* co, std::int64_t timeout_ms, std::function<void(ActionDone)> start,
             NullResult null_result = NullResult::is_true);
    void complete_wait(lua_State* co, std::uint64_t token, JsonResult result);

    // Runs the function referenced by `fn_ref` as a new coroutine without arguments.
    void spawn(int fn_ref, const char* what);
    // Runs `body` on the main thread inside lua_cpcall: a Lua error (out of memory...) or a C++
    // exception in it is recorded as a failure of the package instead of reaching the host.
    bool protect(const std::function<void(lua_State*)>& body, const char* what);

    // Runaway control (called by the count hook).
    void on_hook(lua_State* L);

    void log(const std::string& level, const std::string& message);

private:
    struct Handler {
        std::uint64_t id;
        std::string kind;
        int fn_ref;
    };
    // A line that created timers: the timer bound names the one whose timers fired most.
    struct TimerSite {
        std::string file;
        int line = 0;
        std::uint64_t timers = 0;   // created there
        std::uint64_t firings = 0;  // in the current minute
    };
    struct Timer {
        int fn_ref;
        std::int64_t interval_ms;
        std::uint64_t clock_id;
        TimerSite* site;
    };
    struct Task {
        int thread_ref;
        std::string what;
        std::uint64_t wait_token = 0;  // non-zero while suspended on a wait
        std::uint64_t timeout_id = 0;  // Clock timer of the wait's deadline
        NullResult null_result = NullResult::is_true;
    };

    bool build_state(std::string& error);
    bool run_main();
    // Pops the function's `nargs` arguments from L (the main thread) and runs it as a coroutine.
    void start_task(lua_State* L, int fn_ref, int nargs, const char* what);
    void resume(lua_State* co, int nargs);
    void schedule_timer(std::uint64_t id, std::int64_t delay_ms);
    void finish(lua_State* co);
    void fire_timer(std::uint64_t id);
    // Counts a firing against RuntimeOptions::max_timer_firings_per_minute; false when that stopped the package.
    bool within_timer_bound(TimerSite& site);
    void stop_at_timer_bound();
    // The innermost line of Lua code of `co`, or where its function was defined when it has not started.
    DeadlineReached where(lua_State* co);
    void record_failure(PackageError error);
    void record_success();
    void release_all();
    void arm();
    void disarm();
    PackageError error_from(lua_State* co, int status);

    RuntimeImpl& runtime_;
    std::uint64_t id_;
    std::filesystem::path folder_;
    Manifest manifest_;
    nlohmann::json config_ = nlohmann::json::object();
    PackageStatus status_;
    StateContext context_;
    lua_State* L_ = nullptr;
    std::vector<Handler> handlers_;
    std::map<std::uint64_t, Timer> timers_;
    std::map<std::pair<std::string, int>, TimerSite> timer_sites_;  // stable addresses: timers point at them
    std::int64_t firing_minute_ = -1;                               // Clock minute the firings are counted in
    std::uint64_t firings_this_minute_ = 0;
    std::unordered_map<lua_State*, Task> tasks_;
    std::uint64_t next_id_ = 1;
    std::chrono::steady_clock::time_point deadline_{};
    bool armed_ = false;
    bool killing_ = false;
    bool killing_for_deadline_ = false;  // the run's deadline, not the slice budget, is stopping the code
    int running_depth_ = 0;
};

}  // namespace vta::bindings
