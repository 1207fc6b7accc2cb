//! @module obs
//! OBS Studio connections, by role (`obs.rec`, `obs.str`) or by name (`obs.connection("OBS_REC")`).
//! Every method waits for OBS's answer without blocking the host (the handler yields) and returns
//! its result, or nil, a message and a code (not_connected, timeout, request_failed, closed,
//! unsupported, invalid_state, unavailable); a missing or mistyped argument raises at the call. Calls on one connection
//! take effect in the order they were made, from whichever handler or timer: a hide made while the show before it is
//! still in flight is carried out after it.
//! @field obs.rec conn The connection serving the recording role (OBS_REC).
//! @field obs.str conn The connection serving the streaming role (OBS_STR).

#include <memory>
#include <mutex>

#include "modules.hpp"
#include "vta/bindings/obs_operations.hpp"
#include "package.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

namespace {

constexpr const char* methods_key = "vta.obs.methods";
constexpr const char* group_methods_key = "vta.obs.group_methods";

const char* type_name(ArgType type) {
    switch (type) {
        case ArgType::string:
            return "string";
        case ArgType::number:
            return "number";
        case ArgType::boolean:
            return "boolean";
        case ArgType::table:
            return "table";
    }
    return "value";
}

bool has_type(lua_State* L, int index, ArgType type) {
    switch (type) {
        case ArgType::string:
            return lua_type(L, index) == LUA_TSTRING;
        case ArgType::number:
            return lua_type(L, index) == LUA_TNUMBER;
        case ArgType::boolean:
            return lua_type(L, index) == LUA_TBOOLEAN;
        case ArgType::table:
            return lua_type(L, index) == LUA_TTABLE;
    }
    return false;
}

// The operation's arguments from the Lua stack (the first at `first`), checked against the entry; raises on a
// missing or mistyped one, or one its check refuses.
nlohmann::json collect_args(lua_State* L, const ObsOperation& op, int first) {
    nlohmann::json args = nlohmann::json::object();
    for (std::size_t i = 0; i < op.args.size(); ++i) {
        const ObsArg& arg = op.args[i];
        const int index = static_cast<int>(i) + first;
        if (lua_isnoneornil(L, index)) {
            if (!arg.optional) luaL_error(L, "obs: %s needs %s (a %s)", op.name, arg.name, type_name(arg.type));
            continue;
        }
        if (!has_type(L, index, arg.type))
            luaL_error(L, "obs: %s's %s must be a %s, got a %s", op.name, arg.name, type_name(arg.type),
                       luaL_typename(L, index));
        args[arg.name] = to_json(L, index);
    }
    if (op.check)
        if (const std::string why = op.check(args); !why.empty()) luaL_error(L, "obs: %s: %s", op.name, why.c_str());
    return args;
}

// `self`'s field `key` (a connection's target, a group's role); raises when the method was called with '.'.
std::string self_field(lua_State* L, const ObsOperation& op, const char* key, const char* example) {
    if (lua_istable(L, 1)) lua_getfield(L, 1, key);
    if (!lua_istable(L, 1) || !lua_isstring(L, -1))
        luaL_error(L, "obs: call methods with ':' (%s:%s(...))", example, op.name);
    std::string value = lua_tostring(L, -1);
    lua_pop(L, 1);
    return value;
}

const ObsOperation& operation_of(lua_State* L) {
    return *obs_operations()[static_cast<std::size_t>(lua_tointeger(L, lua_upvalueindex(1)))];
}

// Runs `start(backend, package name, done)` under the calling package's wait: one shape for a connection's call and
// a group's. Arguments are checked by the caller first, so a wrong one raises at the call site.
template <class Start>
int wait_for_obs(lua_State* L, Start start) {
    Package& package = package_of(L);
    auto obs = package.runtime().options().obs;
    if (!obs) return push_error(L, vta::Error(vta::Errc::unavailable, "no OBS connection configured"));
    auto timeout = package.runtime().options().wait_timeout.count();
    return package.wait(L, timeout, [obs, name = package.name(), start = std::move(start)](ActionDone done) {
        start(*obs, name, std::move(done));
    });
}

int call_operation(lua_State* L) {
    const ObsOperation& op = operation_of(L);
    std::string target = self_field(L, op, "target", "obs.rec");
    nlohmann::json args = collect_args(L, op, 2);
    return wait_for_obs(L, [target, &op, args](ObsBackend& obs, const std::string& name, ActionDone done) {
        obs.call(name, target, op, args, std::move(done));
    });
}

// One group call: every member's answer, by connection name, handed on once the last one came (from any thread).
class GroupResults {
public:
    GroupResults(std::size_t members, ActionDone done) : remaining_(members), done_(std::move(done)) {}

    void add(const std::string& member, const JsonResult& result) {
        nlohmann::json entry;
        if (result.ok())
            entry = {{"ok", true}, {"value", result.value().is_null() ? nlohmann::json(true) : result.value()}};
        else
            entry = {{"ok", false},
                     {"message", result.error().message},
                     {"code", std::string(vta::to_string(result.error().code))}};
        ActionDone finish;
        nlohmann::json results;
        {
            std::lock_guard lock(mutex_);
            results_[member] = std::move(entry);
            if (--remaining_ > 0) return;
            finish = std::move(done_);
            results = std::move(results_);
        }
        finish(JsonResult(std::move(results)));
    }

private:
    std::mutex mutex_;
    std::size_t remaining_;
    ActionDone done_;
    nlohmann::json results_ = nlohmann::json::object();
};

int call_group_operation(lua_State* L) {
    const ObsOperation& op = operation_of(L);
    std::string role = self_field(L, op, "role", "obs.all(\"str\")");
    nlohmann::json args = collect_args(L, op, 2);
    // A call that changes OBS is recorded in the host's audit trail with the package's name, once every member
    // answered.
    std::shared_ptr<AuditBackend> audit =
        op.effect == ObsEffect::changes ? package_of(L).runtime().options().audit : nullptr;
    // Every member is asked at once; each answers by itself (a connection that is down at once, with
    // not_connected), so the slowest member bounds the wait, never the sum.
    return wait_for_obs(L, [role, &op, args, audit](ObsBackend& obs, const std::string& name, ActionDone done) {
        const std::vector<std::string> members = obs.members(role);
        if (members.empty()) return done(JsonResult(nlohmann::json::object()));
        if (audit)
            done = [audit, name, &op, request = nlohmann::json{{"connections", members}, {"arguments", args}},
                    done = std::move(done)](JsonResult r) {
                if (r) audit->control_room(name, op.name, request, r.value());
                done(std::move(r));
            };
        auto results = std::make_shared<GroupResults>(members.size(), std::move(done));
        for (const auto& member : members)
            obs.call(name, member, op, args, [results, member](JsonResult r) { results->add(member, r); });
    });
}

int unknown_method(lua_State* L) {
    return luaL_error(L, "obs: a connection has no method '%s' (see the obs operations in the reference)",
                      lua_tostring(L, 2) ? lua_tostring(L, 2) : "?");
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

//! @lua obs.all(role) -> group
//! The control room: every connection serving `role` ("str", "rec" (each includes the connections
//! configured as both), "both", or "all" for every connection) as one group. A group has the
//! methods of a connection; a call runs on all its connections at once and returns, once each has
//! answered, one result per connection by name: `{ok = true, value = <the method's result>}` or
//! `{ok = false, message = ..., code = ...}`. A connection that is down answers at once with
//! not_connected and never holds the others up. A group call that changes OBS (a scene switch, an
//! output started or stopped, a mute...; not one that only reads) leaves one row in the host's audit
//! trail, source "script:<package>", with every connection's result. E.g. `for name, r in
//! pairs(obs.all("str"):set_scene("LIVE_SCENE")) do if not r.ok then log.warn(name, r.message) end end`.
int all(lua_State* L) {
    const std::string role = luaL_checkstring(L, 1);
    if (role != "str" && role != "rec" && role != "both" && role != "all")
        return luaL_error(L, "obs.all: role must be \"str\", \"rec\", \"both\" or \"all\", got \"%s\"", role.c_str());
    lua_createtable(L, 0, 1);
    lua_pushstring(L, role.c_str());
    lua_setfield(L, -2, "role");
    lua_createtable(L, 0, 2);
    lua_getfield(L, LUA_REGISTRYINDEX, group_methods_key);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    return 1;
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

// The methods of a connection (or of a group) in the registry under `key`: one closure per operation.
void register_methods(lua_State* L, const char* key, lua_CFunction call) {
    const auto& operations = obs_operations();
    lua_createtable(L, 0, static_cast<int>(operations.size()));
    for (std::size_t i = 0; i < operations.size(); ++i) {
        lua_pushinteger(L, static_cast<lua_Integer>(i));
        lua_pushcclosure(L, call, 1);
        lua_setfield(L, -2, operations[i]->name);
    }
    // A misspelt method raises where it is used instead of calling nil.
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, &guarded<unknown_method>);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_setfield(L, LUA_REGISTRYINDEX, key);
}

}  // namespace

void open_obs(lua_State* L) {
    register_methods(L, methods_key, &guarded<call_operation>);
    register_methods(L, group_methods_key, &guarded<call_group_operation>);

    lua_createtable(L, 0, 5);
    push_connection(L, "rec");
    lua_setfield(L, -2, "rec");
    push_connection(L, "str");
    lua_setfield(L, -2, "str");
    set_function<connection>(L, "connection");
    set_function<all>(L, "all");
    set_function<on_event>(L, "on");
    lua_setfield(L, -2, "obs");
}

}  // namespace vta::bindings
