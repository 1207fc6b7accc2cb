#include "lua.hpp"

#include <cmath>
#include <stdexcept>

namespace vta::bindings {

void push_json(lua_State* L, const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null:
        case nlohmann::json::value_t::discarded:
            lua_pushnil(L);
            return;
        case nlohmann::json::value_t::boolean:
            lua_pushboolean(L, value.get<bool>());
            return;
        case nlohmann::json::value_t::number_integer:
            lua_pushnumber(L, static_cast<lua_Number>(value.get<std::int64_t>()));
            return;
        case nlohmann::json::value_t::number_unsigned:
            lua_pushnumber(L, static_cast<lua_Number>(value.get<std::uint64_t>()));
            return;
        case nlohmann::json::value_t::number_float:
            lua_pushnumber(L, value.get<double>());
            return;
        case nlohmann::json::value_t::string: {
            const auto& s = value.get_ref<const std::string&>();
            lua_pushlstring(L, s.data(), s.size());
            return;
        }
        case nlohmann::json::value_t::array: {
            lua_createtable(L, static_cast<int>(value.size()), 0);
            int i = 1;
            for (const auto& item : value) {
                push_json(L, item);
                lua_rawseti(L, -2, i++);
            }
            return;
        }
        case nlohmann::json::value_t::object:
        case nlohmann::json::value_t::binary:
            lua_createtable(L, 0, static_cast<int>(value.size()));
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (it.value().is_null()) continue;
                lua_pushlstring(L, it.key().data(), it.key().size());
                push_json(L, it.value());
                lua_rawset(L, -3);
            }
            return;
    }
}

namespace {

nlohmann::json table_to_json(lua_State* L, int index, int depth);

nlohmann::json value_to_json(lua_State* L, int index, int depth) {
    switch (lua_type(L, index)) {
        case LUA_TNIL:
            return nullptr;
        case LUA_TBOOLEAN:
            return lua_toboolean(L, index) != 0;
        case LUA_TNUMBER: {
            double n = lua_tonumber(L, index);
            if (std::isfinite(n) && n == std::floor(n) && std::fabs(n) < 9.007e15) return static_cast<std::int64_t>(n);
            if (!std::isfinite(n)) return nullptr;
            return n;
        }
        case LUA_TSTRING: {
            size_t len = 0;
            const char* s = lua_tolstring(L, index, &len);
            return std::string(s, len);
        }
        case LUA_TTABLE:
            return table_to_json(L, index, depth + 1);
        default:
            throw std::runtime_error(std::string("cannot convert a ") + lua_typename(L, lua_type(L, index)) +
                                     " to JSON");
    }
}

nlohmann::json table_to_json(lua_State* L, int index, int depth) {
    if (depth > 32) throw std::runtime_error("table nested too deeply (or a cycle) for JSON");
    if (index < 0) index = lua_gettop(L) + index + 1;
    luaL_checkstack(L, 4, "json");
    size_t n = lua_objlen(L, index);
    size_t count = 0;
    bool array = true;
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        ++count;
        if (lua_type(L, -2) != LUA_TNUMBER) array = false;
        lua_pop(L, 1);
    }
    if (array && count > 0 && count == n) {
        auto out = nlohmann::json::array();
        for (size_t i = 1; i <= n; ++i) {
            lua_rawgeti(L, index, static_cast<int>(i));
            out.push_back(value_to_json(L, -1, depth));
            lua_pop(L, 1);
        }
        return out;
    }
    auto out = nlohmann::json::object();
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        std::string key;
        if (lua_type(L, -2) == LUA_TSTRING) {
            size_t len = 0;
            const char* s = lua_tolstring(L, -2, &len);
            key.assign(s, len);
        } else if (lua_type(L, -2) == LUA_TNUMBER) {
            key = describe(L, -2);
        } else {
            lua_pop(L, 2);
            throw std::runtime_error("JSON object keys must be strings or numbers");
        }
        try {
            out[key] = value_to_json(L, -1, depth);
        } catch (...) {
            lua_pop(L, 2);
            throw;
        }
        lua_pop(L, 1);
    }
    return out;
}

}  // namespace

nlohmann::json to_json(lua_State* L, int index) { return value_to_json(L, index, 0); }

std::string describe(lua_State* L, int index) {
    switch (lua_type(L, index)) {
        case LUA_TSTRING: {
            size_t len = 0;
            const char* s = lua_tolstring(L, index, &len);
            return std::string(s, len);
        }
        case LUA_TNUMBER: {
            double n = lua_tonumber(L, index);
            char buf[64];
            if (std::isfinite(n) && n == std::floor(n) && std::fabs(n) < 1e15)
                std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(n));
            else
                std::snprintf(buf, sizeof buf, "%.14g", n);
            return buf;
        }
        case LUA_TBOOLEAN:
            return lua_toboolean(L, index) ? "true" : "false";
        case LUA_TNIL:
            return "nil";
        default:
            return std::string("(a ") + lua_typename(L, lua_type(L, index)) + " value)";
    }
}

int push_error(lua_State* L, const vta::Error& error) {
    lua_pushnil(L);
    lua_pushlstring(L, error.message.data(), error.message.size());
    const std::string_view code = vta::to_string(error.code);
    lua_pushlstring(L, code.data(), code.size());
    return 3;
}

std::int64_t seconds_arg(lua_State* L, int index) {
    double s = luaL_checknumber(L, index);
    if (!std::isfinite(s) || s < 0 || s > 1e7) luaL_argerror(L, index, "seconds between 0 and 1e7 expected");
    return static_cast<std::int64_t>(std::llround(s * 1000.0));
}

void set_module(lua_State* L, const char* module,
                std::initializer_list<std::pair<const char*, lua_CFunction>> functions) {
    lua_createtable(L, 0, static_cast<int>(functions.size()));
    for (const auto& [name, function] : functions) {
        lua_pushcfunction(L, function);
        lua_setfield(L, -2, name);
    }
    lua_setfield(L, -2, module);
}

}  // namespace vta::bindings
