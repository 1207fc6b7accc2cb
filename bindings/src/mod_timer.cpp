//! @module timer
//! Timers. The host keeps each timer (and its function) alive until it is cancelled, has fired
//! (after) or the package unloads: the garbage collector never drops one. `vta run --dry-run` stops a
//! package whose timers fire more than `--max-timer-firings` times within a minute of capture time
//! (60000 by default), naming the line that created the timers that fired most; `vta check` reports the
//! timers set up at load that would.

#include "modules.hpp"
#include "package.hpp"

namespace vta::bindings {

namespace {

int add(lua_State* L, bool repeat) {
    std::int64_t ms = seconds_arg(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (repeat && ms < 1) return luaL_argerror(L, 1, "an interval of at least 0.001 s expected");
    // The calling line: the timer bound names the line whose timers fired most.
    std::string file;
    int line = 0;
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) != 0 && lua_getinfo(L, "Sl", &ar) != 0) {
        file = ar.source[0] == '@' ? ar.source + 1 : ar.short_src;
        line = ar.currentline;
    }
    lua_pushvalue(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).add_timer(ms, repeat ? ms : 0, ref, file, line)));
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
