//! @module playback
//! The replay viewer (mpv): open a clip at a given second, close it, and know when the operator
//! closed it.

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

// Runs `action` on the configured player and yields until it is done; without a player the call
// returns nil and the reason at once.
template <class Action>
int wait_for_player(lua_State* L, Action action) {
    Package& package = package_of(L);
    std::shared_ptr<PlaybackBackend> player = package.runtime().options().playback;
    if (!player) return push_error(L, vta::Error(vta::Errc::unavailable, "no player configured"));
    return package.wait(
        L, package.runtime().options().wait_timeout.count(),
        [player, name = package.name(), action](ActionDone done) mutable { action(*player, name, std::move(done)); });
}

//! @lua playback.open(path, options?) -> true | nil, string, string
//! Opens `path` in the viewer at `options.start` seconds (default 0), replacing the clip shown;
//! waits (yields) until the clip plays.
int open(lua_State* L) {
    std::string path = luaL_checkstring(L, 1);
    double start = 0;
    if (lua_istable(L, 2)) {
        lua_getfield(L, 2, "start");
        if (lua_isnumber(L, -1)) start = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    return wait_for_player(L, [path, start](PlaybackBackend& player, const std::string& name, ActionDone done) {
        player.open(name, path, start, std::move(done));
    });
}

//! @lua playback.close() -> true | nil, string, string
//! Closes the viewer (yields until it is gone).
int close(lua_State* L) {
    return wait_for_player(L, [](PlaybackBackend& player, const std::string& name, ActionDone done) {
        player.close(name, std::move(done));
    });
}

//! @lua playback.on_closed(fn) -> id
//! Same as on("playback.closed", fn): ev.data has path and by ("viewer" or "host").
int on_closed(lua_State* L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).add_handler("playback.closed", ref)));
    return 1;
}

}  // namespace

void open_playback(lua_State* L) {
    set_module(L, "playback",
               {
                   {"open", &guarded<open>},
                   {"close", &guarded<close>},
                   {"on_closed", &guarded<on_closed>},
               });
}

}  // namespace vta::bindings
