//! @module timer
//! Timers. The host keeps each timer (and its function) alive until it is cancelled, has fired
//! (after) or the package unloads: the garbage collector never drops one.

#include "modules.hpp"
#include "package.hpp"

namespace vta::bindings {

namespace {

int add(lua_State* L, bool repeat) {
    std::int64_t ms = seconds_arg(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (repeat && ms < 1) return luaL_argerror(L, 1, "an interval of at least 0.001 s expected");
    lua_pushvalue(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).add_timer(ms, repeat ? ms : 0, ref)));
    return 1;
}

//! @lua timer.after(seconds, fn) -> id
//! Calls `fn()` once, in a new coroutine, after `seconds`.
int after(lua_State* L) { return add(L, false); }

//! @lua timer.every(seconds, fn) -> id
//! Calls `fn()` every `seconds` until cancelled.
int every(lua_State* L) { return add(L, true); }

//! @lua timer.cancel(id) -> boolean
//! Stops a timer; false when it already fired or was cancelled.
int cancel(lua_State* L) {
    lua_pushboolean(L, package_of(L).cancel_timer(static_cast<std::uint64_t>(luaL_checknumber(L, 1))));
    return 1;
}

}  // namespace

void open_timer(lua_State* L) {
    set_module(L, "timer",
               {
                   {"after", &guarded<after>},
                   {"every", &guarded<every>},
                   {"cancel", &guarded<cancel>},
               });
}

}  // namespace vta::bindings
