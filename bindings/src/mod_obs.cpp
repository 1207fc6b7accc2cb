//! @module obs
//! OBS Studio connections, by role (`obs.rec`, `obs.str`) or by name (`obs.connection("OBS_REC")`).
//! Every method waits for OBS's answer without blocking the host (the handler yields) and returns
//! its result, or nil and "code: message" (codes: not_connected, timeout, request_failed,
//! closed, unsupported, invalid_state, unavailable). Calls on one connection take effect in the
//! order they were made, from whichever handler or timer: a hide made while the show before it is
//! still in flight is carried out after it.
//! @field obs.rec conn The connection serving the recording role (OBS_REC).
//! @field obs.str conn The connection serving the streaming role (OBS_STR).

#include "modules.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

constexpr const char* methods_key = "vta.obs.methods";

struct Operation {
    const char* name;
    std::vector<const char*> args;  // positional argument names, in order
};

// The documentation of each operation lives next to its entry.
const std::vector<Operation>& operations() {
    static const std::vector<Operation> ops = {
        //! @lua conn:set_scene(scene) -> true
        //! Switches the program scene.
        {"set_scene", {"scene"}},
        //! @lua conn:get_scene() -> {scene}
        //! The current program scene.
        {"get_scene", {}},
        //! @lua conn:scenes() -> {current, scenes}
        //! The scene names, in OBS's order, and the current program scene.
        {"scenes", {}},
        //! @lua conn:start_record() -> true
        //! Starts recording.
        {"start_record", {}},
        //! @lua conn:stop_record() -> {path}
        //! Stops recording; returns the file once OBS reports it stopped.
        {"stop_record", {}},
        //! @lua conn:record_status() -> {active, paused, timecode, duration_ms, bytes}
        //! The recording output's status.
        {"record_status", {}},
        //! @lua conn:set_record_directory(directory) -> true
        //! The folder new recordings go to (refused while recording).
        {"set_record_directory", {"directory"}},
        //! @lua conn:set_filename_format(format) -> true
        //! The file name pattern of new recordings (OBS date codes %CCYY %MM %DD %hh %mm %ss).
        {"set_filename_format", {"format"}},
        //! @lua conn:arm_replay(options?) -> true
        //! Keeps the replay buffer running from now on: restarts it with `options.seconds` (its length)
        //! and `options.suffix` (the clips' name suffix, OBS date codes), which OBS reads only at
        //! start, and returns once OBS reports it started; without options a running buffer is kept
        //! as it is. The host owns it from then on: it starts it
        //! once OBS's output has really shut down (OBS ignores a start before that), sends a start OBS
        //! did not confirm again, starts it again whenever OBS reports it stopped or the connection
        //! comes back, and warns once when it cannot. Fails with invalid_state when it is not running
        //! within 4 s (the host keeps trying), unsupported when OBS's profile disables it.
        {"arm_replay", {"options"}},
        //! @lua conn:disarm_replay() -> true
        //! Stops the replay buffer and stops keeping it running.
        {"disarm_replay", {}},
        //! @lua conn:start_replay() -> true
        //! Starts the replay buffer once (see arm_replay to keep it running).
        {"start_replay", {}},
        //! @lua conn:stop_replay() -> true
        //! Stops the replay buffer (an armed one is started again: use disarm_replay).
        {"stop_replay", {}},
        //! @lua conn:save_replay() -> {path}
        //! Saves the replay buffer; returns the saved clip's path.
        {"save_replay", {}},
        //! @lua conn:recording_clip(seconds, to?) -> {path, from, seconds}
        //! Cuts the last `seconds` of the running recording, up to `to` (a util.time() value, default
        //! now), into a file of its own beside it ("Review <recording> HH-MM-SS"), with ffmpeg and no
        //! re-encoding; `from` is the clip's start in the recording, in seconds. The clip of last resort
        //! when the replay buffer has none: the host must be able to read OBS's record folder.
        {"recording_clip", {"seconds", "to"}},
        //! @lua conn:start_stream() -> true
        //! Starts streaming.
        {"start_stream", {}},
        //! @lua conn:stop_stream() -> true
        //! Stops streaming.
        {"stop_stream", {}},
        //! @lua conn:stream_status() -> {active, reconnecting, timecode, duration_ms, congestion, bytes}
        //! The stream output's status.
        {"stream_status", {}},
        //! @lua conn:set_source_visible(scene, source, visible) -> true
        //! Shows or hides a source in a scene.
        {"set_source_visible", {"scene", "source", "visible"}},
        //! @lua conn:set_input_settings(input, settings, overlay?) -> true
        //! Changes an input's settings (overlay: merge with the current ones, default true).
        {"set_input_settings", {"input", "settings", "overlay"}},
        //! @lua conn:hotkey(name) -> true
        //! Triggers an OBS hotkey by name.
        {"hotkey", {"name"}},
        //! @lua conn:broadcast(data) -> true
        //! Sends a CustomEvent to every obs-websocket client (overlays).
        {"broadcast", {"data"}},
        //! @lua conn:request(type, data?) -> table
        //! Any obs-websocket v5 request by its type; returns responseData.
        {"request", {"type", "data"}},
    };
    return ops;
}

int call_operation(lua_State* L) {
    const auto& op = operations()[static_cast<std::size_t>(lua_tointeger(L, lua_upvalueindex(1)))];
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_getfield(L, 1, "target");
    if (!lua_isstring(L, -1)) return luaL_error(L, "obs: call methods with ':' (obs.rec:%s(...))", op.name);
    std::string target = lua_tostring(L, -1);
    lua_pop(L, 1);
    nlohmann::json args = nlohmann::json::object();
    for (std::size_t i = 0; i < op.args.size(); ++i) {
        int index = static_cast<int>(i) + 2;
        if (!lua_isnoneornil(L, index)) args[op.args[i]] = to_json(L, index);
    }
    Package& package = package_of(L);
    auto obs = package.runtime().options().obs;
    if (!obs) {
        lua_pushnil(L);
        lua_pushliteral(L, "unavailable: no OBS connection configured");
        return 2;
    }
    std::string name = package.name();
    std::string operation = op.name;
    auto timeout = package.runtime().options().wait_timeout.count();
    return package.wait(L, timeout, [obs, name, target, operation, args](ActionDone done) {
        obs->call(name, target, operation, args, std::move(done));
    });
}

void push_connection(lua_State* L, const char* target) {
    lua_createtable(L, 0, 1);
    lua_pushstring(L, target);
    lua_setfield(L, -2, "target");
    lua_createtable(L, 0, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, methods_key);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
}

//! @lua obs.connection(name) -> conn
//! The connection configured under `name` (calls fail with not_connected when there is none).
int connection(lua_State* L) {
    push_connection(L, luaL_checkstring(L, 1));
    return 1;
}

//! @lua obs.on(kind, fn) -> id
//! Same as on("obs." .. kind, fn). Kinds: connected, disconnected, record_state, stream_state,
//! replay_state, replay_saved, scene_changed; ev.data has connection (its name), role ("rec", "str" or
//! "both") and the OBS event's fields.
int on_event(lua_State* L) {
    std::string kind = std::string("obs.") + luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    int ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pushnumber(L, static_cast<lua_Number>(package_of(L).add_handler(kind, ref)));
    return 1;
}

}  // namespace

void open_obs(lua_State* L) {
    lua_createtable(L, 0, static_cast<int>(operations().size()));
    for (std::size_t i = 0; i < operations().size(); ++i) {
        lua_pushinteger(L, static_cast<lua_Integer>(i));
        lua_pushcclosure(L, &guarded<call_operation>, 1);
        lua_setfield(L, -2, operations()[i].name);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, methods_key);

    lua_createtable(L, 0, 4);
    push_connection(L, "rec");
    lua_setfield(L, -2, "rec");
    push_connection(L, "str");
    lua_setfield(L, -2, "str");
    set_function<connection>(L, "connection");
    set_function<on_event>(L, "on");
    lua_setfield(L, -2, "obs");
}

}  // namespace vta::bindings
