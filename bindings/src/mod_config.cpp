//! @module config
//! The package's settings: the defaults in the script, then manifest.json's "config", then the
//! operator's config (packages.<name>.config), later ones winning.

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

//! @lua config(defaults?) -> table
//! Returns the merged settings as a new table: `local cfg = config { ivr_scene = "IVR" }`.
int config(lua_State* L) {
    Package& package = package_of(L);
    nlohmann::json merged = nlohmann::json::object();
    if (lua_istable(L, 1)) {
        merged = to_json(L, 1);
        if (!merged.is_object()) merged = nlohmann::json::object();
    }
    merged.merge_patch(package.manifest().config);
    const auto& packages = package.runtime().options().packages;
    if (packages.is_object() && packages.contains(package.name())) {
        const auto& entry = packages.at(package.name());
        if (entry.is_object() && entry.contains("config") && entry["config"].is_object())
            merged.merge_patch(entry["config"]);
    }
    push_json(L, merged);
    return 1;
}

}  // namespace

void open_config(lua_State* L) {
    lua_pushcfunction(L, &guarded<config>);
    lua_setfield(L, -2, "config");
}

}  // namespace vta::bindings
