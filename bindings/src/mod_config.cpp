//! @module config
//! The package's settings. manifest.json's "config" declares each one, and its default, once:
//! `"config": {"clip_seconds": {"type": "number", "default": 20, "min": 0, "doc": "Length of a clip"}}`.
//! A setting has `type` (string, number, integer, boolean, object or array), `default`, `doc` (one
//! line, the panel's tooltip) and optionally `label` (the panel's name for it), `enum` (the only values
//! allowed), `min` and `max` (numbers). An object may declare some of its keys in `properties`, each a
//! setting of its own (the panel shows those, e.g. "rules.break.scene"); its default then includes
//! theirs. The operator's values (workflows.packages.<name>.config in the host config) are checked
//! against it when the package loads: an unknown key or a value that does not fit is reported (log,
//! package status, `vta check`) and its default applies instead. The panel's settings show every
//! string, number, integer and boolean setting and save only the values that differ from the default.

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

//! @lua config() -> table
//! Returns the settings as a new table: the manifest's defaults with the operator's values merged in
//! (an object merges key by key, and null removes an entry of an object): `local cfg = config()`.
int config(lua_State* L) {
    if (lua_gettop(L) > 0)
        return luaL_error(L, "config() takes no defaults: declare them in manifest.json's \"config\"");
    push_json(L, package_of(L).config());
    return 1;
}

}  // namespace

void open_config(lua_State* L) {
    lua_pushcfunction(L, &guarded<config>);
    lua_setfield(L, -2, "config");
}

}  // namespace vta::bindings
