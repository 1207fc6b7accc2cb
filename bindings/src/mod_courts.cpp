//! @module courts
//! Messages between the courts of a tournament over the courts' bus (docs/courts-bus.md): a package publishes a
//! table under a topic suffix, and every court's packages that listen to that suffix get it, this court's included
//! (`from_court` tells). For example an organiser's package sends "next session at 14:00" to every court's panel.
//! Needs "courts" in the manifest's permissions (no operator grant: it reaches only the broker and the topics of
//! the config `courts`). A message is queued in the court's outbox, so it survives a broker away for a while;
//! with the bus off (config courts.enabled false) publish returns nil, message, "unavailable". A dry run records
//! courts.publish.

#include <regex>

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

std::shared_ptr<CourtsBackend> backend(lua_State* L, const char* function) {
    Package& package = package_of(L);
    if (!package.granted("courts"))
        luaL_error(L, "courts.%s: add \"courts\" to the permissions in %s's manifest.json", function,
                   package.name().c_str());
    return package.runtime().options().courts;
}

std::string suffix_arg(lua_State* L, int index) {
    std::string suffix = luaL_checkstring(L, index);
    static const std::regex levels("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*");
    if (suffix.size() > 200 || !std::regex_match(suffix, levels))
        luaL_argerror(
            L, index,
            "a topic suffix of letters, digits, '_' and '-' in levels separated by '/' (e.g. \"panel/notice\")");
    return suffix;
}

//! @lua courts.publish(topic_suffix, data) -> true | nil, string, string
//! Publishes `data` (a table) to every court on vta/<tournament>/lua/<topic_suffix> as {court, package, data}.
int publish(lua_State* L) {
    const std::string suffix = suffix_arg(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    nlohmann::json data = to_json(L, 2);
    auto courts = backend(L, "publish");
    if (!courts)
        return push_error(L, vta::Error(vta::Errc::unavailable, "the courts' bus is off (config courts.enabled)"));
    auto published = courts->publish(package_of(L).name(), suffix, data);
    if (!published.ok()) return push_error(L, published.error());
    lua_pushboolean(L, 1);
    return 1;
}

//! @lua courts.on(topic_suffix, fn) -> id
//! Calls `fn(data, from_court)` in a new coroutine for each message any court publishes on `topic_suffix`
//! (`from_court` is its number). `off(id)` removes it. With the bus off it never fires.
int on(lua_State* L) {
    const std::string suffix = suffix_arg(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    auto courts = backend(L, "on");
    // A Lua wrapper, not a C one: the handler may yield (wait on OBS) as any event handler does.
    if (luaL_loadstring(L, "local fn = ... return function(ev) return fn(ev.data.data, ev.data.court) end") != 0)
        return lua_error(L);
    lua_pushvalue(L, 2);
    lua_call(L, 1, 1);
    const int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (courts) courts->subscribe(suffix);
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).add_handler("courts:" + suffix, ref)));
    return 1;
}

}  // namespace

void open_courts(lua_State* L) {
    set_module(L, "courts",
               {
                   {"publish", &guarded<publish>},
                   {"on", &guarded<on>},
               });
}

}  // namespace vta::bindings
