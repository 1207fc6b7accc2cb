#pragma once
// Type-tolerant field access: a field of the wrong type reads as the default instead of throwing.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace vta::obs::detail {

inline std::string str_field(const nlohmann::json& j, const char* key, std::string fallback = {}) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

inline bool bool_field(const nlohmann::json& j, const char* key, bool fallback = false) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

inline std::int64_t int_field(const nlohmann::json& j, const char* key, std::int64_t fallback = 0) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : fallback;
}

inline double double_field(const nlohmann::json& j, const char* key, double fallback = 0) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace vta::obs::detail
