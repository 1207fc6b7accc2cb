//! @module store
//! The match database: events, tags, tournament/match info, and key/value data of the package.
//! These calls do not yield; they return nil and a message on failure.

#include <cmath>

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

StoreBackend* backend(lua_State* L) { return package_of(L).runtime().options().store.get(); }

int push_result(lua_State* L, const ActionResult& result) {
    if (!result.ok) {
        lua_pushnil(L);
        std::string text = result.error_code + ": " + result.error_message;
        lua_pushlstring(L, text.data(), text.size());
        return 2;
    }
    push_json(L, result.value);
    return 1;
}

int unavailable(lua_State* L) {
    lua_pushnil(L);
    lua_pushliteral(L, "unavailable: no store configured");
    return 2;
}

std::int64_t field_us(lua_State* L, int table, const char* key, std::int64_t fallback) {
    lua_getfield(L, table, key);
    std::int64_t value = fallback;
    if (lua_isnumber(L, -1)) value = static_cast<std::int64_t>(std::llround(lua_tonumber(L, -1) * 1e6));
    lua_pop(L, 1);
    return value;
}

//! @lua store.events(query?) -> table[] | nil, string
//! Events of the current match (no query), of `{match_id = n}`, or of a time window
//! `{since = seconds, to = seconds}` (epoch seconds, like ev.at). Each event has id, code,
//! at_us, fields, match_id, round, clip_path, rec_offset_ms, str_offset_ms.
int events(lua_State* L) {
    StoreBackend* store = backend(L);
    if (!store) return unavailable(L);
    if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "match_id");
        if (lua_isnumber(L, -1)) return push_result(L, store->events_of_match(static_cast<std::int64_t>(lua_tonumber(L, -1))));
        lua_pop(L, 1);
        return push_result(L, store->events_between(field_us(L, 1, "since", 0),
                                                    field_us(L, 1, "to", INT64_MAX / 2)));
    }
    auto id = package_of(L).runtime().last_match_id();
    if (!id) return push_result(L, ActionResult::success(nlohmann::json::array()));
    return push_result(L, store->events_of_match(*id));
}

//! @lua store.tag(tag) -> true | nil, string
//! Links the events received in `[since, to]` (epoch seconds) to a clip and/or to the
//! recording and stream running then: `{since =, to =, clip_path =, recording_started =,
//! stream_started =}` (the two last in epoch seconds; they set rec_offset_ms / str_offset_ms).
int tag(lua_State* L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    StoreBackend* store = backend(L);
    if (!store) return unavailable(L);
    nlohmann::json t = nlohmann::json::object();
    t["since_us"] = field_us(L, 1, "since", 0);
    t["until_us"] = field_us(L, 1, "to", INT64_MAX / 2);
    lua_getfield(L, 1, "clip_path");
    if (lua_isstring(L, -1)) t["clip_path"] = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (std::int64_t r = field_us(L, 1, "recording_started", -1); r >= 0) t["recording_started_us"] = r;
    if (std::int64_t s = field_us(L, 1, "stream_started", -1); s >= 0) t["stream_started_us"] = s;
    return push_result(L, store->tag_events(package_of(L).name(), t));
}

//! @lua store.match(id?) -> table | nil, string
//! The stored match `id` (default: the current one, else the newest) with athletes and scores.
int match(lua_State* L) {
    StoreBackend* store = backend(L);
    if (!store) return unavailable(L);
    std::optional<std::int64_t> id = package_of(L).runtime().last_match_id();
    if (lua_isnumber(L, 1)) id = static_cast<std::int64_t>(lua_tonumber(L, 1));
    return push_result(L, store->match_info(id));
}

//! @lua store.day() -> table | nil, string
//! The active tournament and day: tournament_id, tournament_name, day_id, day_number, date.
int day(lua_State* L) {
    StoreBackend* store = backend(L);
    if (!store) return unavailable(L);
    return push_result(L, store->active_day());
}

//! @lua store.get(key) -> any
//! The package's value stored under `key` (nil when none). Kept across restarts.
int get(lua_State* L) {
    const char* key = luaL_checkstring(L, 1);
    StoreBackend* store = backend(L);
    if (!store) return unavailable(L);
    return push_result(L, store->kv_get(package_of(L).name(), key));
}

//! @lua store.set(key, value) -> true | nil, string
//! Stores a JSON-compatible value under `key` for this package (nil deletes it).
int set(lua_State* L) {
    const char* key = luaL_checkstring(L, 1);
    StoreBackend* store = backend(L);
    if (!store) return unavailable(L);
    ActionResult r = store->kv_set(package_of(L).name(), key, to_json(L, 2));
    if (r.ok) r.value = true;
    return push_result(L, r);
}

}  // namespace

void open_store(lua_State* L) {
    set_module(L, "store", {
        {"events", &guarded<events>},
        {"tag", &guarded<tag>},
        {"match", &guarded<match>},
        {"day", &guarded<day>},
        {"get", &guarded<get>},
        {"set", &guarded<set>},
    });
}

}  // namespace vta::bindings
