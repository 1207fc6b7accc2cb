//! @module util
//! Small helpers: time, sleeping, JSON.

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

//! @lua util.now() -> number
//! Seconds on the host's clock (monotonic; in a dry run, the capture's time).
int now(lua_State* L) {
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).runtime().clock().now_ms()) / 1000.0);
    return 1;
}

//! @lua util.time() -> number
//! Seconds since the Unix epoch on the host's wall clock: the time base of ev.at and of the
//! store's times (in a dry run, the capture's time).
int wall_time(lua_State* L) {
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).runtime().clock().epoch_us()) / 1e6);
    return 1;
}

//! @lua util.sleep(seconds) -> true
//! Suspends the handler for `seconds` without blocking the host (yields).
int sleep(lua_State* L) {
    std::int64_t ms = seconds_arg(L, 1);
    Package& package = package_of(L);
    Clock& clock = package.runtime().clock();
    return package.wait(L, -1,
                        [&clock, ms](ActionDone done) { clock.schedule(ms, [done] { done(JsonResult(nullptr)); }); });
}

//! @lua util.json_encode(value) -> string
//! Encodes a table, string, number, boolean or nil as JSON (tables with keys 1..n become arrays).
int json_encode(lua_State* L) {
    luaL_checkany(L, 1);
    std::string text = to_json(L, 1).dump();
    lua_pushlstring(L, text.data(), text.size());
    return 1;
}

//! @lua util.json_decode(text) -> any | nil, string, string
//! Decodes JSON text; nil and a message when it is not valid JSON (JSON null becomes nil).
int json_decode(lua_State* L) {
    size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    nlohmann::json value = nlohmann::json::parse(text, text + len, nullptr, false);
    if (value.is_discarded()) return push_error(L, vta::Error(vta::Errc::invalid_argument, "invalid JSON"));
    push_json(L, value);
    return 1;
}

//! @lua util.format_clock(seconds) -> string
//! Formats a match clock as the scoreboard does: 95 -> "1:35".
int format_clock(lua_State* L) {
    long long s = static_cast<long long>(luaL_checknumber(L, 1));
    if (s < 0) s = 0;
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
    lua_pushstring(L, text);
    return 1;
}

}  // namespace

void open_util(lua_State* L) {
    set_module(L, "util",
               {
                   {"now", &guarded<now>},
                   {"time", &guarded<wall_time>},
                   {"sleep", &guarded<sleep>},
                   {"json_encode", &guarded<json_encode>},
                   {"json_decode", &guarded<json_decode>},
                   {"format_clock", &guarded<format_clock>},
               });
}

}  // namespace vta::bindings
