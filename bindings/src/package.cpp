#include "package.hpp"

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <set>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "modules.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

// Every allocation of a package's state goes through here: the cap makes a memory bomb fail with
// LUA_ERRMEM inside that package instead of starving the host.
void* limited_alloc(void* ud, void* ptr, size_t old_size, size_t new_size) {
    auto* context = static_cast<StateContext*>(ud);
    const size_t old_bytes = ptr ? old_size : 0;
    if (new_size == 0) {
        std::free(ptr);
        context->used -= old_bytes;
        return nullptr;
    }
    if (new_size > old_bytes && context->used - old_bytes + new_size > context->limit) return nullptr;
    void* block = std::realloc(ptr, new_size);
    if (block == nullptr) return nullptr;
    context->used = context->used - old_bytes + new_size;
    return block;
}

// Runaway control. LuaJIT's hooks do not fire inside compiled traces, so the sandboxed states run
// with the JIT engine off (see build_state): every Lua instruction then goes through the
// interpreter, where this count hook fires every hook_instructions instructions and checks the
// slice deadline. A watchdog thread was the alternative, but it cannot safely stop a trace
// without patching machine code, and the interpreter is fast enough for handlers (see the
// benchmark). Once a slice overruns, the hook fires on every instruction and raises each time,
// so a pcall in the script cannot swallow the stop: the error re-raises until the coroutine is dead.
constexpr int hook_instructions = 1000;

// The lines whose timers a package counts for the timer bound's report; past them the firings of new lines are
// counted together, so chunks load()ed under ever new names cannot grow the table without end.
constexpr std::size_t max_timer_sites = 1024;
constexpr std::int64_t minute_ms = 60000;

void count_hook(lua_State* L, lua_Debug*) { package_of(L).on_hook(L); }

struct ProtectedCall {
    const std::function<void(lua_State*)>* body;
    char error[400];
    bool failed;
};

int protected_thunk(lua_State* L) {
    auto* call = static_cast<ProtectedCall*>(lua_touserdata(L, 1));
    lua_settop(L, 0);
    try {
        (*call->body)(L);
        return 0;
    } catch (const std::exception& e) {
        std::strncpy(call->error, e.what(), sizeof call->error - 1);
        call->error[sizeof call->error - 1] = '\0';
        call->failed = true;
    }
    return 0;
}

// Error handler of the main chunk: the message followed by the traceback, built without running
// any metamethod of the error object.
int message_handler(lua_State* L) {
    std::string message = describe(L, 1);
    luaL_traceback(L, L, message.c_str(), 1);
    return 1;
}

bool parse_location(const std::string& text, std::string& file, int& line, std::string* rest) {
    for (size_t pos = text.find(".lua:"); pos != std::string::npos; pos = text.find(".lua:", pos + 1)) {
        size_t start = pos;
        while (start > 0 && text[start - 1] != ' ' && text[start - 1] != '\t' && text[start - 1] != '\n' &&
               text[start - 1] != '"')
            --start;
        size_t digits = pos + 5;
        size_t end = digits;
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
        if (end == digits || end >= text.size() || text[end] != ':') continue;
        file = text.substr(start, pos + 4 - start);
        line = std::atoi(text.c_str() + digits);
        if (rest) {
            size_t body = end + 1;
            while (body < text.size() && text[body] == ' ') ++body;
            *rest = start == 0 ? text.substr(body) : text;
        }
        return true;
    }
    return false;
}

}  // namespace

Package& package_of(lua_State* L) {
    void* ud = nullptr;
    lua_getallocf(L, &ud);
    return *static_cast<StateContext*>(ud)->package;
}

Package::Package(RuntimeImpl& runtime, std::uint64_t id, std::filesystem::path folder)
    : runtime_(runtime), id_(id), folder_(std::move(folder)) {
    status_.name = folder_.filename().string();
    status_.folder = folder_;
    context_.package = this;
    context_.limit = runtime_.options().memory_limit_bytes;
}

Package::~Package() {
    release_all();
    if (L_ != nullptr) lua_close(L_);
}

bool Package::granted(const std::string& permission) const {
    for (const auto& g : status_.granted)
        if (g == permission) return true;
    return false;
}

const PackageStatus& Package::status() {
    status_.memory_bytes = context_.used;
    status_.handlers = handlers_.size();
    status_.timers = timers_.size();
    status_.waiting = 0;
    for (const auto& [co, task] : tasks_)
        if (task.wait_token != 0) ++status_.waiting;
    return status_;
}

bool Package::load() {
    status_.state = PackageState::loaded;
    auto manifest = read_manifest(folder_);
    if (!manifest) {
        const std::string& error = manifest.error().message;
        PackageError e{error, "manifest.json", 0, {}, runtime_.clock().now_ms()};
        status_.state = PackageState::error;
        status_.last_error = e;
        log("error", error);
        return false;
    }
    manifest_ = std::move(manifest.value());
    status_.name = manifest_.name;
    status_.version = manifest_.version;
    const auto& operator_entry = runtime_.options().packages.contains(manifest_.name)
                                     ? runtime_.options().packages.at(manifest_.name)
                                     : nlohmann::json::object();
    // The host's own services only need the manifest to ask: overlay, and courts, which reaches only the broker
    // and the vta/<tournament>/lua/ topics the operator configured. What escapes the sandbox (os, io, ffi, debug,
    // loadlib) also needs the operator's grant.
    static const std::set<std::string> asked_is_granted = {"overlay", "courts"};
    for (const auto& permission : manifest_.permissions) {
        bool grant = asked_is_granted.count(permission) > 0;
        if (operator_entry.is_object() && operator_entry.contains("grant") && operator_entry["grant"].is_array())
            for (const auto& g : operator_entry["grant"])
                if (g.is_string() && g.get<std::string>() == permission) grant = true;
        if (grant)
            status_.granted.push_back(permission);
        else
            status_.warnings.push_back("permission '" + permission +
                                       "' is asked by the manifest but not granted in the operator's config");
    }
    for (const auto& w : status_.warnings) log("warn", w);
    const auto checked = check_config(manifest_.config, operator_entry.is_object() && operator_entry.contains("config")
                                                            ? operator_entry["config"]
                                                            : nlohmann::json());
    status_.config_problems = checked.problems;
    for (const auto& p : status_.config_problems) log("warn", p);
    config_ = config_defaults(manifest_.config);
    config_.merge_patch(checked.values);
    if (std::string error; !build_state(error)) {
        status_.state = PackageState::error;
        status_.last_error = PackageError{error, manifest_.main, 0, {}, runtime_.clock().now_ms()};
        log("error", error);
        return false;
    }
    if (!run_main()) {
        status_.state = PackageState::error;
        release_all();
        return false;
    }
    status_.state = PackageState::running;
    return true;
}

bool Package::build_state(std::string& error) {
    L_ = lua_newstate(limited_alloc, &context_);
    if (L_ == nullptr) {
        error = "could not create a Lua state (memory cap too small?)";
        return false;
    }
    bool ok = protect(
        [this](lua_State* L) {
            luaL_openlibs(L);
            install_sandbox(L, *this);
        },
        "sandbox");
    if (!ok) {
        error = "could not build the sandbox: " + (status_.last_error ? status_.last_error->message : "");
        return false;
    }
    // After luaL_openlibs: opening the jit library switches the engine back on.
    luaJIT_setmode(L_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
    lua_sethook(L_, count_hook, LUA_MASKCOUNT, hook_instructions);
    return true;
}

bool Package::run_main() {
    bool ran = false;
    std::string failure;
    protect(
        [&](lua_State* L) {
            lua_pushcfunction(L, message_handler);
            std::string error;
            if (!load_package_file(L, *this, manifest_.main, error)) {
                failure = error;
                return;
            }
            if (runtime_.options().deadline) runtime_.note_running(DeadlineReached{name(), manifest_.main, 0});
            arm();
            int status = lua_pcall(L, 0, 0, 1);
            disarm();
            if (status != 0) {
                failure = status == LUA_ERRMEM ? "not enough memory (package memory cap reached)" : describe(L, -1);
                return;
            }
            ran = true;
        },
        "load");
    if (!ran && !failure.empty()) {
        PackageError e;
        e.at_ms = runtime_.clock().now_ms();
        size_t tb = failure.find("\nstack traceback:");
        std::string head = failure.substr(0, tb);
        if (tb != std::string::npos) e.traceback = failure.substr(tb + 1);
        e.message = head;
        if (!parse_location(head, e.file, e.line, &e.message)) parse_location(e.traceback, e.file, e.line, nullptr);
        status_.last_error = e;
        ++status_.failures;
        log("error", (e.file.empty() ? std::string() : e.file + ":" + std::to_string(e.line) + ": ") + e.message +
                         (e.traceback.empty() ? "" : "\n" + e.traceback));
    }
    return ran;
}

bool Package::protect(const std::function<void(lua_State*)>& body, const char* what) {
    ProtectedCall call{&body, {}, false};
    int status = lua_cpcall(L_, protected_thunk, &call);
    std::string message;
    if (status != 0) {
        message = status == LUA_ERRMEM ? "not enough memory (package memory cap reached)" : describe(L_, -1);
        lua_settop(L_, 0);
    } else if (call.failed) {
        message = call.error;
    } else {
        return true;
    }
    record_failure(PackageError{std::string(what) + ": " + message, {}, 0, {}, runtime_.clock().now_ms()});
    return false;
}

void Package::arm() {
    if (running_depth_++ > 0) return;
    deadline_ = std::chrono::steady_clock::now() + runtime_.options().slice_budget;
    if (const auto& run_deadline = runtime_.options().deadline) deadline_ = std::min(deadline_, *run_deadline);
    armed_ = true;
}

void Package::disarm() {
    if (--running_depth_ > 0) return;
    armed_ = false;
    if (killing_) {
        killing_ = false;
        killing_for_deadline_ = false;
        lua_sethook(L_, count_hook, LUA_MASKCOUNT, hook_instructions);
    }
}

void Package::on_hook(lua_State* L) {
    if (!armed_) return;
    if (!killing_) {
        if (std::chrono::steady_clock::now() < deadline_) return;
        killing_ = true;
        killing_for_deadline_ = runtime_.past_deadline();
        if (killing_for_deadline_) runtime_.reach_deadline(where(L));
        lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    }
    // Name the interrupted line ourselves: luaL_error's level 1 is the caller inside a hook.
    lua_Debug ar;
    if (lua_getstack(L, 0, &ar) != 0 && lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0)
        lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
    else
        lua_pushliteral(L, "");
    if (killing_for_deadline_)
        lua_pushliteral(L, "stopped: the time bound of the run was reached");
    else
        lua_pushfstring(L, "runaway: stopped after %d ms without yielding",
                        static_cast<int>(runtime_.options().slice_budget.count()));
    lua_concat(L, 2);
    lua_error(L);
}

std::uint64_t Package::add_handler(const std::string& kind, int fn_ref) {
    std::uint64_t id = next_id_++;
    handlers_.push_back(Handler{id, kind, fn_ref});
    return id;
}

bool Package::remove_handler(std::uint64_t id) {
    for (auto it = handlers_.begin(); it != handlers_.end(); ++it) {
        if (it->id != id) continue;
        luaL_unref(L_, LUA_REGISTRYINDEX, it->fn_ref);
        handlers_.erase(it);
        return true;
    }
    return false;
}

std::vector<std::string> Package::handler_kinds() const {
    std::vector<std::string> kinds;
    for (const auto& h : handlers_) kinds.push_back(h.kind);
    return kinds;
}

bool Package::handles(const std::string& kind) const {
    if (status_.state != PackageState::running) return false;
    for (const auto& h : handlers_)
        if (h.kind == kind || h.kind == "*") return true;
    return false;
}

void Package::dispatch(const Event& event) {
    if (status_.state != PackageState::running) return;
    std::vector<std::uint64_t> ids;
    for (const auto& h : handlers_)
        if (h.kind == event.kind || h.kind == "*") ids.push_back(h.id);
    if (ids.empty()) return;
    protect(
        [&](lua_State* L) {
            lua_createtable(L, 0, 8);
            lua_pushlstring(L, event.kind.data(), event.kind.size());
            lua_setfield(L, -2, "kind");
            lua_pushlstring(L, event.code.data(), event.code.size());
            lua_setfield(L, -2, "code");
            push_json(L, event.data);
            lua_setfield(L, -2, "data");
            lua_pushnumber(L, static_cast<lua_Number>(event.event_id));
            lua_setfield(L, -2, "event_id");
            if (event.match_id) {
                lua_pushnumber(L, static_cast<lua_Number>(*event.match_id));
                lua_setfield(L, -2, "match_id");
            }
            lua_pushnumber(L, static_cast<lua_Number>(event.at_us) / 1e6);
            lua_setfield(L, -2, "at");
            lua_pushnumber(L, static_cast<lua_Number>(event.at_us));
            lua_setfield(L, -2, "at_us");
            push_json(L, event.match);
            const int event_index = lua_gettop(L) - 1;
            for (std::uint64_t id : ids) {
                if (status_.state != PackageState::running) return;
                for (const auto& h : handlers_) {
                    if (h.id != id) continue;
                    lua_pushvalue(L, event_index);
                    lua_pushvalue(L, event_index + 1);
                    start_task(L, h.fn_ref, 2, "handler");
                    break;
                }
            }
        },
        "dispatch");
}

void Package::start_task(lua_State* L, int fn_ref, int nargs, const char* what) {
    lua_State* co = lua_newthread(L);
    int thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_rawgeti(L, LUA_REGISTRYINDEX, fn_ref);
    lua_insert(L, -(nargs + 1));
    lua_xmove(L, co, nargs + 1);
    tasks_.emplace(co, Task{thread_ref, what});
    ++status_.handler_calls;
    resume(co, nargs);
}

void Package::spawn(int fn_ref, const char* what) {
    if (status_.state != PackageState::running) return;
    protect([&](lua_State* L) { start_task(L, fn_ref, 0, what); }, what);
}

void Package::resume(lua_State* co, int nargs) {
    if (runtime_.options().deadline) {
        if (runtime_.past_deadline()) {
            runtime_.reach_deadline(where(co));
            finish(co);
            return;
        }
        runtime_.note_running(where(co));
    }
    arm();
    int status = lua_resume(co, nargs);
    disarm();
    if (status == LUA_YIELD) {
        auto it = tasks_.find(co);
        if (it != tasks_.end() && it->second.wait_token != 0) return;
        PackageError e{"a handler yielded outside a waiting call (coroutine.yield at its top level)",
                       {},
                       0,
                       {},
                       runtime_.clock().now_ms()};
        finish(co);
        record_failure(std::move(e));
        return;
    }
    if (status == 0) {
        finish(co);
        record_success();
        return;
    }
    PackageError e = error_from(co, status);
    finish(co);
    record_failure(std::move(e));
}

DeadlineReached Package::where(lua_State* co) {
    DeadlineReached here{name(), {}, 0};
    lua_Debug ar;
    for (int level = 0; lua_getstack(co, level, &ar) != 0; ++level) {
        if (lua_getinfo(co, "Sl", &ar) != 0 && ar.currentline > 0) {
            here.file = ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
            here.line = ar.currentline;
            return here;
        }
    }
    // A coroutine that has not started has no frame yet: its function waits at the bottom of its stack.
    if (lua_gettop(co) > 0 && lua_isfunction(co, 1) && lua_checkstack(co, 1)) {
        lua_pushvalue(co, 1);
        if (lua_getinfo(co, ">S", &ar) != 0 && ar.linedefined > 0) {
            here.file = ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
            here.line = ar.linedefined;
        }
    }
    return here;
}

PackageError Package::error_from(lua_State* co, int status) {
    PackageError e;
    e.at_ms = runtime_.clock().now_ms();
    std::string raw = status == LUA_ERRMEM ? "not enough memory (package memory cap reached)" : describe(co, -1);
    e.message = raw;
    if (lua_checkstack(L_, 2)) {
        luaL_traceback(L_, co, nullptr, 0);
        e.traceback = describe(L_, -1);
        lua_pop(L_, 1);
    }
    if (!parse_location(raw, e.file, e.line, &e.message)) {
        lua_Debug ar;
        for (int level = 0; lua_getstack(co, level, &ar) != 0; ++level) {
            if (lua_getinfo(co, "Sl", &ar) != 0 && ar.currentline > 0 && ar.source[0] == '@') {
                e.file = ar.source + 1;
                e.line = ar.currentline;
                break;
            }
        }
        if (e.file.empty()) parse_location(e.traceback, e.file, e.line, nullptr);
    }
    return e;
}

void Package::finish(lua_State* co) {
    auto it = tasks_.find(co);
    if (it == tasks_.end()) return;
    if (it->second.timeout_id != 0) runtime_.clock().cancel(it->second.timeout_id);
    luaL_unref(L_, LUA_REGISTRYINDEX, it->second.thread_ref);
    tasks_.erase(it);
}

int Package::wait(lua_State* co, std::int64_t timeout_ms, std::function<void(ActionDone)> start,
                  NullResult null_result) {
    auto it = tasks_.find(co);
    if (it == tasks_.end())
        return luaL_error(co,
                          "this call waits: use it in a handler or timer callback (not at load time, "
                          "nor in a coroutine of your own)");
    const std::uint64_t token = next_id_++;
    std::weak_ptr<RuntimeImpl> weak = runtime_.weak_from_this();
    const std::uint64_t package_id = id_;
    it->second.wait_token = token;
    it->second.null_result = null_result;
    if (timeout_ms >= 0) {
        it->second.timeout_id = runtime_.clock().schedule(timeout_ms, [weak, package_id, co, token] {
            if (auto rt = weak.lock())
                if (Package* p = rt->find(package_id))
                    p->complete_wait(co, token, vta::Error(vta::Errc::timeout, "no answer in time"));
        });
    }
    ActionDone done = [weak, package_id, co, token](JsonResult result) {
        auto rt = weak.lock();
        if (!rt) return;
        boost::asio::post(rt->io(), [weak, package_id, co, token, result = std::move(result)]() mutable {
            if (auto runtime = weak.lock())
                if (Package* p = runtime->find(package_id)) p->complete_wait(co, token, std::move(result));
        });
    };
    try {
        start(std::move(done));
    } catch (...) {
        if (it->second.timeout_id != 0) runtime_.clock().cancel(it->second.timeout_id);
        it->second.wait_token = 0;
        it->second.timeout_id = 0;
        throw;
    }
    return lua_yield(co, 0);
}

void Package::complete_wait(lua_State* co, std::uint64_t token, JsonResult result) {
    auto it = tasks_.find(co);
    if (it == tasks_.end() || it->second.wait_token != token) return;
    if (it->second.timeout_id != 0) runtime_.clock().cancel(it->second.timeout_id);
    it->second.wait_token = 0;
    it->second.timeout_id = 0;
    const bool null_is_true = it->second.null_result == NullResult::is_true;
    protect(
        [&](lua_State* L) {
            int n = 1;
            if (!result.ok())
                n = push_error(L, result.error());
            else if (result.value().is_null() && null_is_true)
                lua_pushboolean(L, 1);
            else
                push_json(L, result.value());
            lua_xmove(L, co, n);
            resume(co, n);
        },
        "resume");
}

std::uint64_t Package::add_timer(std::int64_t delay_ms, std::int64_t interval_ms, int fn_ref, const std::string& file,
                                 int line) {
    std::uint64_t id = next_id_++;
    std::pair<std::string, int> key{file, line};
    if (timer_sites_.size() >= max_timer_sites && !timer_sites_.contains(key)) key = {"(other lines)", 0};
    TimerSite& site = timer_sites_[key];
    site.file = key.first;
    site.line = key.second;
    ++site.timers;
    timers_[id] = Timer{fn_ref, interval_ms, 0, &site};
    schedule_timer(id, delay_ms);
    return id;
}

std::vector<Package::TimerLoad> Package::timer_load() const {
    std::map<std::pair<std::string, int>, TimerLoad> by_site;
    for (const auto& [id, timer] : timers_) {
        TimerLoad& load = by_site[{timer.site->file, timer.site->line}];
        load.file = timer.site->file;
        load.line = timer.site->line;
        ++load.timers;
        const std::int64_t interval = timer.interval_ms;
        load.firings_per_minute += interval > 0 ? std::uint64_t((minute_ms + interval - 1) / interval) : 1;
    }
    std::vector<TimerLoad> loads;
    for (auto& [key, load] : by_site) loads.push_back(std::move(load));
    return loads;
}

void Package::schedule_timer(std::uint64_t id, std::int64_t delay_ms) {
    std::weak_ptr<RuntimeImpl> weak = runtime_.weak_from_this();
    const std::uint64_t package_id = id_;
    timers_[id].clock_id = runtime_.clock().schedule(delay_ms, [weak, package_id, id] {
        if (auto rt = weak.lock())
            if (Package* p = rt->find(package_id)) p->fire_timer(id);
    });
}

bool Package::cancel_timer(std::uint64_t id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return false;
    runtime_.clock().cancel(it->second.clock_id);
    luaL_unref(L_, LUA_REGISTRYINDEX, it->second.fn_ref);
    timers_.erase(it);
    return true;
}

void Package::fire_timer(std::uint64_t id) {
    auto it = timers_.find(id);
    if (it == timers_.end() || status_.state != PackageState::running) return;
    TimerSite& site = *it->second.site;
    if (runtime_.past_deadline()) {
        runtime_.reach_deadline(DeadlineReached{name(), site.file, site.line});
        return;
    }
    if (!within_timer_bound(site)) return;
    const int fn_ref = it->second.fn_ref;
    if (it->second.interval_ms > 0) {
        schedule_timer(id, it->second.interval_ms);
        spawn(fn_ref, "timer");
        return;
    }
    timers_.erase(it);
    spawn(fn_ref, "timer");
    luaL_unref(L_, LUA_REGISTRYINDEX, fn_ref);
}

bool Package::within_timer_bound(TimerSite& site) {
    const std::uint64_t bound = runtime_.options().max_timer_firings_per_minute;
    if (bound == 0) return true;
    const std::int64_t minute = runtime_.clock().now_ms() / minute_ms;
    if (minute != firing_minute_) {
        firing_minute_ = minute;
        firings_this_minute_ = 0;
        for (auto& [key, counted] : timer_sites_) counted.firings = 0;
    }
    ++site.firings;
    if (++firings_this_minute_ <= bound) return true;
    stop_at_timer_bound();
    return false;
}

void Package::stop_at_timer_bound() {
    const TimerSite* most = nullptr;
    for (const auto& [key, site] : timer_sites_)
        if (most == nullptr || site.firings > most->firings) most = &site;
    PackageError e;
    e.file = most->file;
    e.line = most->line;
    e.at_ms = runtime_.clock().now_ms();
    e.message = "stopped by the timer bound: its timers fired more than " +
                std::to_string(runtime_.options().max_timer_firings_per_minute) +
                " times within a minute; the timers created at this line fired most (" + std::to_string(most->firings) +
                " times, " + std::to_string(most->timers) + " timers created here)";
    log("error", e.file + ":" + std::to_string(e.line) + ": " + e.message);
    status_.last_error = std::move(e);
    status_.stopped_by_bound = true;
    status_.state = PackageState::disabled;
    release_all();
    runtime_.notify(*this);
}

void Package::record_success() {
    if (status_.consecutive_failures == 0) return;
    status_.consecutive_failures = 0;
    runtime_.notify(*this);
}

void Package::record_failure(PackageError error) {
    ++status_.failures;
    ++status_.consecutive_failures;
    std::string where = error.file.empty() ? std::string() : error.file + ":" + std::to_string(error.line) + ": ";
    log("error", where + error.message + (error.traceback.empty() ? "" : "\n" + error.traceback));
    status_.last_error = std::move(error);
    const int limit = runtime_.options().max_consecutive_failures;
    if (status_.state == PackageState::running && limit > 0 && status_.consecutive_failures >= limit) {
        status_.state = PackageState::disabled;
        log("error", "disabled after " + std::to_string(status_.consecutive_failures) + " failures in a row");
        release_all();
    }
    runtime_.notify(*this);
}

void Package::release_all() {
    if (L_ == nullptr) return;
    for (auto& [id, timer] : timers_) {
        runtime_.clock().cancel(timer.clock_id);
        luaL_unref(L_, LUA_REGISTRYINDEX, timer.fn_ref);
    }
    timers_.clear();
    for (auto& [co, task] : tasks_) {
        if (task.timeout_id != 0) runtime_.clock().cancel(task.timeout_id);
        luaL_unref(L_, LUA_REGISTRYINDEX, task.thread_ref);
    }
    tasks_.clear();
    for (const auto& h : handlers_) luaL_unref(L_, LUA_REGISTRYINDEX, h.fn_ref);
    handlers_.clear();
}

void Package::log(const std::string& level, const std::string& message) {
    auto& logger = runtime_.logger();
    if (level == "error")
        logger.error("[lua:{}] {}", status_.name, message);
    else if (level == "warn")
        logger.warn("[lua:{}] {}", status_.name, message);
    else if (level == "debug")
        logger.debug("[lua:{}] {}", status_.name, message);
    else
        logger.info("[lua:{}] {}", status_.name, message);
    if (runtime_.options().on_log) runtime_.options().on_log(status_.name, level, message);
}

}  // namespace vta::bindings
