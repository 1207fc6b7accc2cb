//! @module license
//! The licence in force on this host (`vta license status` shows the same): its state and the features it turns
//! on. Without a licence the host runs in evaluation mode (README, Licence), and a licence that lapses mid-match
//! keeps its features until the next match load, so a package may ask at any time: the answer does not change
//! under a match. Needs no permission. A dry run (`vta run --dry-run`, `vta check`) answers as a licence with
//! every feature, state "dry-run".

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

std::shared_ptr<LicenceBackend> backend(lua_State* L) { return package_of(L).runtime().options().licence; }

//! @lua license.status() -> table
//! The licence in force: {state = "valid"|"warning"|"disabled"|"expired"|"other_machine"|"invalid"|"evaluation",
//! reason = "licensed to … until …", features = {"ivr", "courts=4", …} (in force now, evaluation mode's included),
//! days_since_check, licensee, key_id, expires (with a licence), pending = the state that waits for the next
//! match load, or nil}.
int status(lua_State* L) {
    auto licence = backend(L);
    push_json(L, licence ? licence->status()
                         : nlohmann::json{{"state", "evaluation"},
                                          {"reason", "no licence service in this runtime: evaluation mode"},
                                          {"features_on", false},
                                          {"features", nlohmann::json::array()}});
    return 1;
}

//! @lua license.has(feature) -> boolean
//! True when `feature` ("ivr", "overlays", "multi_obs", "courts") is in force now, by the licence or by
//! evaluation mode.
int has(lua_State* L) {
    const std::string feature = luaL_checkstring(L, 1);
    if (feature.empty() || feature.size() > 64) luaL_argerror(L, 1, "a feature name such as \"ivr\"");
    auto licence = backend(L);
    lua_pushboolean(L, licence && licence->has(feature));
    return 1;
}

}  // namespace

void open_license(lua_State* L) {
    set_module(L, "license",
               {
                   {"status", &guarded<status>},
                   {"has", &guarded<has>},
               });
}

}  // namespace vta::bindings
