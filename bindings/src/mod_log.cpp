//! @module log
//! The host's log, tagged with the package name.

#include "modules.hpp"
#include "package.hpp"

namespace vta::bindings {

namespace {

int write(lua_State* L, const char* level) {
    std::string line;
    for (int i = 1, n = lua_gettop(L); i <= n; ++i) {
        if (i > 1) line += ' ';
        line += describe(L, i);
    }
    package_of(L).log(level, line);
    return 0;
}

//! @lua log.debug(...)
//! Logs the arguments, separated by spaces, at level debug.
int debug(lua_State* L) { return write(L, "debug"); }
//! @lua log.info(...)
//! Logs at level info.
int info(lua_State* L) { return write(L, "info"); }
//! @lua log.warn(...)
//! Logs at level warn.
int warn(lua_State* L) { return write(L, "warn"); }
//! @lua log.error(...)
//! Logs at level error (it does not stop the handler: use error() for that).
int error(lua_State* L) { return write(L, "error"); }

}  // namespace

void open_log(lua_State* L) {
    set_module(L, "log",
               {
                   {"debug", &guarded<debug>},
                   {"info", &guarded<info>},
                   {"warn", &guarded<warn>},
                   {"error", &guarded<error>},
               });
}

}  // namespace vta::bindings
