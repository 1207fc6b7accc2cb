//! @module store
//! The match database: events, tags, tournament/match info, and key/value data of the package.
//! The reads (store.events, store.match, store.day, store.get) and store.stream_session_opened wait
//! for the store's reader thread: like the obs calls they yield, so they work in event handlers and
//! timer callbacks only (not at load time). The other calls queue rows for the store's writer and
//! return at once. Failures return nil, message, code; wrong arguments raise an error.

#include <cmath>

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

std::shared_ptr<StoreBackend> backend(lua_State* L) { return package_of(L).runtime().options().store; }

// Suspends the handler until `start` completes on the backend: a read finding nothing gives nil.
int wait_for(lua_State* L, std::shared_ptr<StoreBackend> store,
             std::function<void(StoreBackend&, const std::string& package, ActionDone)> start) {
    Package& package = package_of(L);
    return package.wait(
        L, package.runtime().options().wait_timeout.count(),
        [store = std::move(store), start = std::move(start), name = package.name()](ActionDone done) {
            start(*store, name, std::move(done));
        },
        Package::NullResult::is_nil);
}

int push_result(lua_State* L, const JsonResult& result) {
    if (!result.ok()) return push_error(L, result.error());
    push_json(L, result.value());
    return 1;
}

int unavailable(lua_State* L) { return push_error(L, vta::Error(vta::Errc::unavailable, "no store configured")); }

std::int64_t field_us(lua_State* L, int table, const char* key, std::int64_t fallback) {
    lua_getfield(L, table, key);
    std::int64_t value = fallback;
    if (lua_isnumber(L, -1)) value = static_cast<std::int64_t>(std::llround(lua_tonumber(L, -1) * 1e6));
    lua_pop(L, 1);
    return value;
}

// Copies table[key] into out[json_key] when it is set: epoch seconds become microseconds.
void copy_seconds_as_us(lua_State* L, int table, const char* key, nlohmann::json& out, const char* json_key) {
    lua_getfield(L, table, key);
    if (lua_isnumber(L, -1)) out[json_key] = static_cast<std::int64_t>(std::llround(lua_tonumber(L, -1) * 1e6));
    lua_pop(L, 1);
}

void copy_integer(lua_State* L, int table, const char* key, nlohmann::json& out) {
    lua_getfield(L, table, key);
    if (lua_isnumber(L, -1)) out[key] = static_cast<std::int64_t>(lua_tonumber(L, -1));
    lua_pop(L, 1);
}

void copy_string(lua_State* L, int table, const char* key, nlohmann::json& out, const char* json_key = nullptr) {
    lua_getfield(L, table, key);
    if (lua_type(L, -1) == LUA_TSTRING) out[json_key ? json_key : key] = lua_tostring(L, -1);
    lua_pop(L, 1);
}

// A Lua number that must be a row id: whole and positive.
std::int64_t check_id(lua_State* L, int index) {
    const lua_Number n = luaL_checknumber(L, index);
    if (n < 1 || n != std::floor(n)) luaL_argerror(L, index, "expected a row id (a whole number from 1)");
    return static_cast<std::int64_t>(n);
}

// A time field the row cannot do without.
bool require_seconds(lua_State* L, int table, const char* key, nlohmann::json& out, const char* json_key) {
    copy_seconds_as_us(L, table, key, out, json_key);
    return out.contains(json_key);
}

int missing(lua_State* L, const char* call, const char* key) {
    return luaL_error(L, "%s needs %s (epoch seconds, like ev.at)", call, key);
}

//! @lua store.events(query?) -> table[] | nil, string, string
//! Events of the current match (no query), of `{match_id = n}`, or of a time window
//! `{since = seconds, to = seconds}` (epoch seconds, like ev.at; at most 10000 events). Each event has
//! id, code, at_us, fields, match_id, round, clip_path, rec_offset_ms, str_offset_ms, clip_offset_ms.
//! Waits for the store (handlers and timers only).
int events(lua_State* L) {
    if (!lua_isnoneornil(L, 1)) luaL_checktype(L, 1, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "match_id");
        if (lua_isnumber(L, -1)) {
            const auto id = static_cast<std::int64_t>(lua_tonumber(L, -1));
            return wait_for(L, store, [id](StoreBackend& s, const std::string&, ActionDone done) {
                s.events_of_match(id, std::move(done));
            });
        }
        lua_pop(L, 1);
        const std::int64_t since = field_us(L, 1, "since", 0);
        const std::int64_t until = field_us(L, 1, "to", INT64_MAX / 2);
        return wait_for(L, store, [since, until](StoreBackend& s, const std::string&, ActionDone done) {
            s.events_between(since, until, std::move(done));
        });
    }
    auto id = package_of(L).runtime().last_match_id();
    return wait_for(L, store, [id](StoreBackend& s, const std::string&, ActionDone done) {
        if (!id) return done(JsonResult(nlohmann::json::array()));
        s.events_of_match(*id, std::move(done));
    });
}

//! @lua store.tag(tag) -> true | nil, string, string
//! Links the events received in `[since, to]` (epoch seconds) to a clip and/or to the
//! recording and stream running then: `{since =, to =, clip_path =, clip_started =,
//! recording_started =, stream_started =, stream_timeline_start_ms =}`. The *_started fields
//! (epoch seconds) set clip_offset_ms, rec_offset_ms and str_offset_ms; str_offset_ms adds
//! stream_timeline_start_ms (from store.stream_session_opened) so it runs on across sessions.
int tag(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json t = nlohmann::json::object();
    t["since_us"] = field_us(L, 1, "since", 0);
    t["until_us"] = field_us(L, 1, "to", INT64_MAX / 2);
    lua_getfield(L, 1, "clip_path");
    if (lua_isstring(L, -1)) t["clip_path"] = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (std::int64_t r = field_us(L, 1, "recording_started", -1); r >= 0) t["recording_started_us"] = r;
    if (std::int64_t s = field_us(L, 1, "stream_started", -1); s >= 0) t["stream_started_us"] = s;
    if (std::int64_t c = field_us(L, 1, "clip_started", -1); c >= 0) t["clip_started_us"] = c;
    copy_integer(L, 1, "stream_timeline_start_ms", t);
    return push_result(L, store->tag_events(package_of(L).name(), t));
}

//! @lua store.recording_started(recording) -> integer | nil, string, string
//! Stores a recording that has started: `{started =, match_id =, connection =, folder =, file =,
//! path =}` (started in epoch seconds, the rest optional). Returns its id for store.recording_stopped.
int recording_started(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json r = nlohmann::json::object();
    if (!require_seconds(L, 1, "started", r, "started_us")) return missing(L, "store.recording_started", "started");
    copy_integer(L, 1, "match_id", r);
    for (const char* key : {"connection", "folder", "file", "path"}) copy_string(L, 1, key, r);
    return push_result(L, store->recording_started(package_of(L).name(), r));
}

//! @lua store.recording_stopped(id, end) -> true | nil, string, string
//! Ends recording `id`: `{ended =, path =, stopped_by =}` (ended in epoch seconds; path, when
//! known, replaces the stored one; stopped_by says why).
int recording_stopped(lua_State* L) {
    const std::int64_t id = check_id(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json end = nlohmann::json::object();
    if (!require_seconds(L, 2, "ended", end, "ended_us")) return missing(L, "store.recording_stopped", "ended");
    copy_string(L, 2, "path", end);
    copy_string(L, 2, "stopped_by", end);
    return push_result(L, store->recording_stopped(package_of(L).name(), id, end));
}

//! @lua store.clip(clip) -> integer | nil, string, string
//! Stores a replay clip request, saved or not: `{requested =, since =, to =, path =, error =,
//! reason =, side =, match_id =}` (times in epoch seconds; a failed request has error and no path).
//! Returns the clip's id.
int clip(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json c = nlohmann::json::object();
    if (!require_seconds(L, 1, "requested", c, "requested_us")) return missing(L, "store.clip", "requested");
    copy_seconds_as_us(L, 1, "since", c, "since_us");
    copy_seconds_as_us(L, 1, "to", c, "until_us");
    if (!c.contains("since_us")) c["since_us"] = c["requested_us"];
    if (!c.contains("until_us")) c["until_us"] = c["requested_us"];
    copy_integer(L, 1, "match_id", c);
    copy_integer(L, 1, "side", c);
    for (const char* key : {"path", "error", "reason"}) copy_string(L, 1, key, c);
    return push_result(L, store->add_clip(package_of(L).name(), c));
}

//! @lua store.stream_session_opened(session) -> {id, timeline_start_ms} | nil, string, string
//! Stores a stream session that has started: `{started =, connection =, day_id =}` (started in
//! epoch seconds; day_id defaults to the active day). timeline_start_ms is where the session
//! starts in the day's stream: the summed durations of the day's earlier sessions. Waits for the
//! store to read the active day (handlers and timers only).
int stream_session_opened(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json session = nlohmann::json::object();
    if (!require_seconds(L, 1, "started", session, "started_us"))
        return missing(L, "store.stream_session_opened", "started");
    copy_string(L, 1, "connection", session);
    copy_integer(L, 1, "day_id", session);
    return wait_for(L, store, [session](StoreBackend& s, const std::string& package, ActionDone done) {
        s.stream_session_opened(package, session, std::move(done));
    });
}

//! @lua store.stream_session_closed(id, end) -> true | nil, string, string
//! Ends stream session `id`: `{ended =, reason =}` (ended in epoch seconds; reason e.g.
//! "operator", "stream stopped", "disconnected").
int stream_session_closed(lua_State* L) {
    const std::int64_t id = check_id(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    auto store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json end = nlohmann::json::object();
    if (!require_seconds(L, 2, "ended", end, "ended_us")) return missing(L, "store.stream_session_closed", "ended");
    copy_string(L, 2, "reason", end);
    return push_result(L, store->stream_session_closed(package_of(L).name(), id, end));
}

//! @lua store.match(id?) -> table? | nil, string, string
//! The stored match `id` (default: the current one, else the newest) with athletes and scores; nil
//! when there is none. Waits for the store (handlers and timers only).
int match(lua_State* L) {
    std::optional<std::int64_t> id = package_of(L).runtime().last_match_id();
    if (!lua_isnoneornil(L, 1)) id = check_id(L, 1);
    auto store = backend(L);
    if (!store) return unavailable(L);
    return wait_for(L, store,
                    [id](StoreBackend& s, const std::string&, ActionDone done) { s.match_info(id, std::move(done)); });
}

//! @lua store.day() -> table? | nil, string, string
//! The active tournament and day: tournament_id, tournament_name, day_id, day_number, date; nil when
//! none is set. Waits for the store (handlers and timers only).
int day(lua_State* L) {
    auto store = backend(L);
    if (!store) return unavailable(L);
    return wait_for(L, store,
                    [](StoreBackend& s, const std::string&, ActionDone done) { s.active_day(std::move(done)); });
}

//! @lua store.get(key) -> any | nil, string, string
//! The package's value stored under `key` (nil when none), including one store.set just before.
//! Kept across restarts. Waits for the store (handlers and timers only).
int get(lua_State* L) {
    std::string key = luaL_checkstring(L, 1);
    auto store = backend(L);
    if (!store) return unavailable(L);
    return wait_for(L, store, [key](StoreBackend& s, const std::string& package, ActionDone done) {
        s.kv_get(package, key, std::move(done));
    });
}

//! @lua store.set(key, value) -> true | nil, string, string
//! Stores a JSON-compatible value under `key` for this package (nil deletes it). Queued for the
//! store's writer: does not wait.
int set(lua_State* L) {
    const char* key = luaL_checkstring(L, 1);
    auto store = backend(L);
    if (!store) return unavailable(L);
    JsonResult r = store->kv_set(package_of(L).name(), key, to_json(L, 2));
    if (r) r.value() = true;
    return push_result(L, r);
}

}  // namespace

void open_store(lua_State* L) {
    set_module(L, "store",
               {
                   {"events", &guarded<events>},
                   {"tag", &guarded<tag>},
                   {"recording_started", &guarded<recording_started>},
                   {"recording_stopped", &guarded<recording_stopped>},
                   {"clip", &guarded<clip>},
                   {"stream_session_opened", &guarded<stream_session_opened>},
                   {"stream_session_closed", &guarded<stream_session_closed>},
                   {"match", &guarded<match>},
                   {"day", &guarded<day>},
                   {"get", &guarded<get>},
                   {"set", &guarded<set>},
               });
}

}  // namespace vta::bindings
