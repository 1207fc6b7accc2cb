//! @module globals
//! The sandbox's globals: Lua's base functions (assert, error, ipairs, next, pairs, pcall,
//! xpcall, select, tonumber, tostring, type, unpack, rawget, rawequal, setmetatable,
//! getmetatable, getfenv, setfenv), the string, table, math, bit and coroutine libraries (string.dump
//! removed, library tables read-only), os.time/clock/date/difftime, and the functions below. os, io,
//! debug, ffi and package.loadlib exist only when the manifest asks for them and the operator grants them.
//! xpcall calls its message handler after the stack has unwound (so a runaway stop reaches it too).
//! Reading a global that holds nothing is an error naming it where it is read
//! (`main.lua:12: undefined global 'cgf'`), so a typo fails at once instead of giving nil; setting
//! globals works as usual, and `rawget(_G, "name")` tests for one without the error.

// The sandbox of a package: a fresh globals table holding only allow-listed functions, text-only
// load, a require limited to the package's own files, and the string metatable sealed.

#include <fstream>
#include <sstream>

#include "modules.hpp"
#include "package.hpp"

namespace vta::bindings {

namespace {

constexpr const char* modules_key = "vta.modules";  // registry: require cache of the package
constexpr std::size_t max_source_bytes = 4u << 20;

int refuse_write(lua_State* L) { return luaL_error(L, "attempt to modify a protected table"); }

// Replaces the table at the top with an empty proxy that reads through to it and refuses writes.
void make_read_only(lua_State* L) {
    lua_newtable(L);           // proxy
    lua_createtable(L, 0, 3);  // its metatable
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, refuse_write);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

// Pushes a shallow copy of the real global library `name`, leaving out `skip` entries.
void push_library_copy(lua_State* L, const char* name, std::initializer_list<const char*> only,
                       std::initializer_list<const char*> skip) {
    lua_getfield(L, LUA_GLOBALSINDEX, name);
    const int source = lua_gettop(L);
    lua_newtable(L);
    if (only.size() > 0) {
        for (const char* key : only) {
            lua_getfield(L, source, key);
            lua_setfield(L, -2, key);
        }
    } else {
        lua_pushnil(L);
        while (lua_next(L, source) != 0) {
            bool skipped = false;
            if (lua_type(L, -2) == LUA_TSTRING)
                for (const char* key : skip)
                    if (std::strcmp(lua_tostring(L, -2), key) == 0) skipped = true;
            if (skipped) {
                lua_pop(L, 1);
                continue;
            }
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_settable(L, -4);
        }
    }
    lua_remove(L, source);
}

//! @lua load(chunk, chunkname?) -> function | nil, string
//! Compiles Lua source text (never bytecode) with the package's globals; returns nil and the
//! error message on a syntax error. `loadstring` is the same function.
int safe_load(lua_State* L) {
    size_t len = 0;
    const char* text = luaL_checklstring(L, 1, &len);
    const char* chunkname = luaL_optstring(L, 2, "=(load)");
    if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
        lua_pushnil(L);
        lua_pushliteral(L, "binary chunks are not allowed");
        return 2;
    }
    if (luaL_loadbuffer(L, text, len, chunkname) != 0) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    if (lua_istable(L, 4)) {
        lua_pushvalue(L, 4);
        lua_setfenv(L, -2);
    }
    return 1;
}

bool valid_module_name(const char* name) {
    if (*name == '\0' || *name == '.') return false;
    for (const char* c = name; *c; ++c) {
        bool ok = std::isalnum(static_cast<unsigned char>(*c)) || *c == '_' || *c == '-' ||
                  (*c == '.' && c[1] != '.' && c[1] != '\0');
        if (!ok) return false;
    }
    return true;
}

//! @lua require(name) -> any
//! Loads `name` from the package's own folder ("lib.util" reads lib/util.lua) once and returns
//! what it returned (true when nothing). Other packages, C modules and paths outside the folder
//! cannot be loaded.
int safe_require(lua_State* L) {
    const char* name = luaL_checkstring(L, 1);
    if (!valid_module_name(name)) return luaL_error(L, "module name '%s' is not allowed", name);
    lua_getfield(L, LUA_REGISTRYINDEX, modules_key);
    const int cache = lua_gettop(L);
    lua_getfield(L, cache, name);
    if (lua_isuserdata(L, -1)) return luaL_error(L, "module '%s' requires itself (a cycle)", name);
    if (!lua_isnil(L, -1)) return 1;
    lua_pop(L, 1);
    std::string relative(name);
    for (char& c : relative)
        if (c == '.') c = '/';
    relative += ".lua";
    std::string error;
    if (!load_package_file(L, package_of(L), relative, error)) return luaL_error(L, "%s", error.c_str());
    lua_pushlightuserdata(L, &package_of(L));  // marks "loading" for cycle detection
    lua_setfield(L, cache, name);
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushboolean(L, 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, cache, name);
    return 1;
}

//! @lua collectgarbage(option?) -> number
//! Only "collect" (default), "step" and "count" (kilobytes in use) are available.
int safe_collectgarbage(lua_State* L) {
    const char* option = luaL_optstring(L, 1, "collect");
    if (std::strcmp(option, "count") == 0) {
        lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
        return 1;
    }
    if (std::strcmp(option, "collect") == 0) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        lua_pushnumber(L, 0);
        return 1;
    }
    if (std::strcmp(option, "step") == 0) {
        lua_pushboolean(L, lua_gc(L, LUA_GCSTEP, 0));
        return 1;
    }
    return luaL_error(L, "collectgarbage option '%s' is not allowed", option);
}

//! @lua print(...)
//! Logs its arguments at level info, separated by tabs (tables show as "(a table value)").
int safe_print(lua_State* L) {
    std::string line;
    for (int i = 1, n = lua_gettop(L); i <= n; ++i) {
        if (i > 1) line += '\t';
        line += describe(L, i);
    }
    package_of(L).log("info", line);
    return 0;
}

// xpcall with the message handler run after the unwinding, as an ordinary call. LuaJIT runs a
// message handler with hooks off when the error came from a hook, so a handler that loops after
// a runaway stop would never be stopped; here the count hook still reaches it. (The handler
// therefore sees the stack after unwinding; debug.traceback is not in the sandbox anyway.)
constexpr const char* safe_xpcall = R"lua(
local pcall, select, unpack = pcall, select, unpack
local function pack(...) return select("#", ...), { ... } end
return function(f, handler, ...)
  local n, results = pack(pcall(f, ...))
  if results[1] then return unpack(results, 1, n) end
  local _, handled = pcall(handler, results[2])
  return false, handled
end
)lua";

// The globals' __index: a read of a name no one set is a typo far more often than a test for
// absence (rawget does that), so it fails where it happens.
int undefined_global(lua_State* L) {
    if (lua_type(L, 2) != LUA_TSTRING) return 0;
    return luaL_error(L, "undefined global '%s'", lua_tostring(L, 2));
}

void push_safe_xpcall(lua_State* L) {
    if (luaL_loadbuffer(L, safe_xpcall, std::strlen(safe_xpcall), "=xpcall") != 0) lua_error(L);
    lua_call(L, 0, 1);
    lua_newtable(L);  // its environment: nothing, so getfenv(xpcall) reveals nothing
    lua_setfenv(L, -2);
}

}  // namespace

bool load_package_file(lua_State* L, Package& package, const std::string& relative, std::string& error) {
    std::filesystem::path path = package.status().folder / relative;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = relative + ": cannot open the file";
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string source = text.str();
    if (source.size() > max_source_bytes) {
        error = relative + ": larger than 4 MiB";
        return false;
    }
    if (!source.empty() && source[0] == LUA_SIGNATURE[0]) {
        error = relative + ": binary chunks are not allowed";
        return false;
    }
    std::string chunkname = "@" + relative;
    if (luaL_loadbuffer(L, source.data(), source.size(), chunkname.c_str()) != 0) {
        error = describe(L, -1);
        lua_pop(L, 1);
        return false;
    }
    return true;
}

void install_sandbox(lua_State* L, Package& package) {
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, modules_key);

    lua_newtable(L);  // the package's globals
    const int globals = lua_gettop(L);
    for (const char* name :
         {"assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber", "tostring", "type", "unpack",
          "rawget", "rawequal", "setmetatable", "getmetatable", "getfenv", "setfenv", "_VERSION"}) {
        lua_getfield(L, LUA_GLOBALSINDEX, name);
        lua_setfield(L, globals, name);
    }

    push_library_copy(L, "string", {}, {"dump"});
    // Method calls on strings ("x"):rep(3) go through the string metatable: point it at the copy
    // without dump, and hide it from getmetatable.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    make_read_only(L);
    lua_setfield(L, globals, "string");

    for (const char* lib : {"table", "math", "bit", "coroutine"}) {
        push_library_copy(L, lib, {}, {});
        make_read_only(L);
        lua_setfield(L, globals, lib);
    }
    if (package.granted("os"))
        push_library_copy(L, "os", {}, {});
    else
        push_library_copy(L, "os", {"time", "clock", "date", "difftime"}, {});
    make_read_only(L);
    lua_setfield(L, globals, "os");
    if (package.granted("io")) {
        lua_getfield(L, LUA_GLOBALSINDEX, "io");
        lua_setfield(L, globals, "io");
    }
    if (package.granted("debug")) {
        lua_getfield(L, LUA_GLOBALSINDEX, "debug");
        lua_setfield(L, globals, "debug");
    }
    if (package.granted("ffi")) {
        lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");
        lua_getfield(L, -1, "ffi");
        lua_setfield(L, globals, "ffi");
        lua_pop(L, 1);
    }
    if (package.granted("loadlib")) {
        lua_createtable(L, 0, 1);
        lua_getfield(L, LUA_GLOBALSINDEX, "package");
        lua_getfield(L, -1, "loadlib");
        lua_setfield(L, -3, "loadlib");
        lua_pop(L, 1);
        lua_setfield(L, globals, "package");
    }

    push_safe_xpcall(L);
    lua_setfield(L, globals, "xpcall");
    lua_pushcfunction(L, &guarded<safe_load>);
    lua_pushvalue(L, -1);
    lua_setfield(L, globals, "load");
    lua_setfield(L, globals, "loadstring");
    set_function<safe_require>(L, "require");
    set_function<safe_collectgarbage>(L, "collectgarbage");
    set_function<safe_print>(L, "print");
    lua_pushvalue(L, globals);
    lua_setfield(L, globals, "_G");

    open_events(L);
    open_timer(L);
    open_log(L);
    open_config(L);
    open_util(L);
    open_store(L);
    open_obs(L);
    open_playback(L);
    open_overlay(L);
    open_courts(L);
    open_license(L);

    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, undefined_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, globals);

    lua_replace(L, LUA_GLOBALSINDEX);
}

}  // namespace vta::bindings
