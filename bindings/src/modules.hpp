#pragma once
// The sandbox and the Lua modules. Each open_* adds its functions to the globals table at the top
// of the stack. Doc comments in the module files use the format read by vta_docgen:
//   //! @lua <signature>          e.g. timer.after(seconds, fn) -> id
//   //! <description lines...>

#include <string>

#include "lua.hpp"

namespace vta::bindings {

class Package;

// Builds the allow-listed globals of `package` and makes them the state's globals.
void install_sandbox(lua_State* L, Package& package);
// Loads a Lua source file of the package (text only) and pushes the chunk; false + error on failure.
bool load_package_file(lua_State* L, Package& package, const std::string& relative, std::string& error);

void open_events(lua_State* L);
void open_timer(lua_State* L);
void open_log(lua_State* L);
void open_config(lua_State* L);
void open_util(lua_State* L);
void open_store(lua_State* L);
void open_obs(lua_State* L);
void open_playback(lua_State* L);
void open_overlay(lua_State* L);
void open_courts(lua_State* L);
void open_license(lua_State* L);

}  // namespace vta::bindings
