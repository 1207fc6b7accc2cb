//! @module overlay
//! The broadcast overlay pages the host serves to OBS browser sources (scripts/overlays): show or hide a
//! page with data for it, and set custom fields any page may read. Needs "overlay" in the manifest's
//! permissions (no operator grant). Pages: "scoreboard", "intro", "ivr", "winner", "break", or any page a crew
//! added; what a page shows of the match always comes from tkStrike, the data only adds to it. Nothing waits:
//! the pages follow the change within a frame. With no overlay server (disabled in the config) the calls
//! return nil, message, "unavailable".

#include <regex>

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

// The backend, or a raised error when the manifest did not ask for the permission.
std::shared_ptr<OverlayBackend> backend(lua_State* L, const char* function) {
    Package& package = package_of(L);
    if (!package.granted("overlay"))
        luaL_error(L, "overlay.%s: add \"overlay\" to the permissions in %s's manifest.json", function,
                   package.name().c_str());
    return package.runtime().options().overlay;
}

std::string page_arg(lua_State* L, int index) {
    std::string page = luaL_checkstring(L, index);
    static const std::regex name("[a-z0-9_-]{1,40}");
    if (!std::regex_match(page, name))
        luaL_argerror(L, index, "a page name of lower-case letters, digits, '_' or '-' (e.g. \"ivr\")");
    return page;
}

int push_result(lua_State* L, const JsonResult& result) {
    if (!result.ok()) return push_error(L, result.error());
    lua_pushboolean(L, 1);
    return 1;
}

int unavailable(lua_State* L) {
    return push_error(L, vta::Error(vta::Errc::unavailable, "the overlay server is off (config overlays.enabled)"));
}

//! @lua overlay.show(page, data?) -> true | nil, string, string
//! Shows `page` (e.g. "ivr", "intro", "winner") on every browser source that has it open, with `data`
//! (a table, e.g. {side = 1, scores_before = {3, 2}} for "ivr") replacing the data it had.
int show(lua_State* L) {
    const std::string page = page_arg(L, 1);
    if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
    nlohmann::json data = lua_isnoneornil(L, 2) ? nlohmann::json::object() : to_json(L, 2);
    auto overlay = backend(L, "show");
    if (!overlay) return unavailable(L);
    return push_result(L, overlay->show(package_of(L).name(), page, data));
}

//! @lua overlay.hide(page) -> true | nil, string, string
//! Hides `page` (its data is kept until the next show).
int hide(lua_State* L) {
    const std::string page = page_arg(L, 1);
    auto overlay = backend(L, "hide");
    if (!overlay) return unavailable(L);
    return push_result(L, overlay->hide(package_of(L).name(), page));
}

//! @lua overlay.set(key, value) -> true | nil, string, string
//! Sets the custom field `key` (pages read it as state.custom[key]) to a JSON-compatible value; nil removes it.
int set(lua_State* L) {
    const std::string key = luaL_checkstring(L, 1);
    if (key.empty() || key.size() > 64) luaL_argerror(L, 1, "a key of 1 to 64 characters");
    nlohmann::json value = to_json(L, 2);
    auto overlay = backend(L, "set");
    if (!overlay) return unavailable(L);
    return push_result(L, overlay->set(package_of(L).name(), key, value));
}

}  // namespace

void open_overlay(lua_State* L) {
    set_module(L, "overlay",
               {
                   {"show", &guarded<show>},
                   {"hide", &guarded<hide>},
                   {"set", &guarded<set>},
               });
}

}  // namespace vta::bindings
