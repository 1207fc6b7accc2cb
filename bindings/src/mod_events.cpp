//! @module events
//! Match events. `on`, `off` and `match` are also globals.

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

//! @lua on(kind, fn) -> id
//! Calls `fn(ev, match)` in a new coroutine for each event of `kind` ("*" for every event).
//! Kinds: the PSS codes ("pt1", "clk", "ch1"...) and the derived kinds match_loaded, match_ready,
//! round_started, round_ended, clock_started, clock_stopped, point, warning, challenge_requested,
//! challenge_accepted, challenge_rejected, challenge_cancelled, challenge_resolved,
//! injury_started, injury_ended, break_started, break_ended, winner; host events obs.* and
//! playback.closed. `ev` has kind, code, data, event_id, match_id, at (seconds since the epoch)
//! and at_us; `match` is a copy of the match state (changing it changes nothing in the host).
//! The handler stays registered until `off(id)` or the package unloads.
int on(lua_State* L) {
    const char* kind = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).add_handler(kind, ref)));
    return 1;
}

//! @lua off(id) -> boolean
//! Removes the handler `on` returned; false when it was already removed.
int off(lua_State* L) {
    auto id = static_cast<std::uint64_t>(luaL_checknumber(L, 1));
    lua_pushboolean(L, package_of(L).remove_handler(id));
    return 1;
}

//! @lua match() -> table
//! A copy of the current match state (number, category, athletes, scores, round, clock_seconds,
//! clock_running, challenge, winner, decided...), empty before the first event.
int match(lua_State* L) {
    push_json(L, package_of(L).runtime().last_match());
    return 1;
}

}  // namespace

void open_events(lua_State* L) {
    set_module(L, "events",
               {
                   {"on", &guarded<on>},
                   {"off", &guarded<off>},
                   {"match", &guarded<match>},
               });
    set_function<on>(L, "on");
    set_function<off>(L, "off");
    set_function<match>(L, "match");
}

}  // namespace vta::bindings
