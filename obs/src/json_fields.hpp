#pragma once
// Type-tolerant field access: a field of the wrong type reads as the default instead of throwing.

#include <cstdint>
#include <limits>
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

// A number beyond std::int64_t reads as the fallback too (converting it would be undefined: the fuzzer's
// `"eventIntent": 6666…61` with a hundred digits, which nlohmann reads as a double).
inline std::int64_t int_field(const nlohmann::json& j, const char* key, std::int64_t fallback = 0) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (it->is_number_unsigned()) {
        const auto value = it->get<std::uint64_t>();
        return value <= std::uint64_t(std::numeric_limits<std::int64_t>::max()) ? std::int64_t(value) : fallback;
    }
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_number_float()) {
        // [-2^63, 2^63): the doubles whose integer part an int64_t holds.
        const double value = it->get<double>();
        if (value >= -9223372036854775808.0 && value < 9223372036854775808.0) return std::int64_t(value);
    }
    return fallback;
}

inline double double_field(const nlohmann::json& j, const char* key, double fallback = 0) {
    if (!j.is_object()) return fallback;
    const auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : fallback;
}

}  // namespace vta::obs::detail
