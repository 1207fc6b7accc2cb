#pragma once
// LuaJIT's C API, and helpers every module uses: JSON <-> Lua conversion, safe value-to-text,
// and the guard that keeps C++ exceptions from crossing into Lua.

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <luajit.h>
}

#include <cstring>
#include <exception>
#include <initializer_list>
#include <utility>
#include <string>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::bindings {

// Pushes `value` as Lua data (objects and arrays become tables, null becomes nil).
void push_json(lua_State* L, const nlohmann::json& value);
// Converts the value at `index` to JSON; tables with keys 1..n become arrays. Throws
// std::runtime_error on functions, cycles or nesting deeper than 32.
nlohmann::json to_json(lua_State* L, int index);

// Text of a value without running any metamethod (an error object's __tostring may misbehave).
std::string describe(lua_State* L, int index);

// Wraps a lua_CFunction body so no C++ exception reaches Lua: the exception's message is copied,
// the catch block is left, and only then is the Lua error raised (LuaJIT unwinds with its own
// exception; only std::exception is caught here so Lua errors pass through untouched).
template <lua_CFunction Body>
int guarded(lua_State* L) {
    char message[400];
    try {
        return Body(L);
    } catch (const std::exception& e) {
        std::strncpy(message, e.what(), sizeof message - 1);
        message[sizeof message - 1] = '\0';
    }
    return luaL_error(L, "%s", message);
}

// Sets t[name] = guarded<Body> on the table at the top of the stack.
template <lua_CFunction Body>
void set_function(lua_State* L, const char* name) {
    lua_pushcfunction(L, &guarded<Body>);
    lua_setfield(L, -2, name);
}

// Sets t[module] = {name = function, ...} on the table at the top of the stack. Pass the functions
// as &guarded<Body>, so no C++ exception crosses into Lua.
void set_module(lua_State* L, const char* module,
                std::initializer_list<std::pair<const char*, lua_CFunction>> functions);

// The Lua side of an operational failure: pushes nil, the message and the code (vta::to_string), returns 3.
// Wrong arguments raise at the call site instead (luaL_argerror / luaL_error).
int push_error(lua_State* L, const vta::Error& error);

// Seconds (Lua number) to milliseconds, rejecting negative and non-finite values.
std::int64_t seconds_arg(lua_State* L, int index);

}  // namespace vta::bindings
