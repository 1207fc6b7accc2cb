#include "json_fields.hpp"

namespace vta::licence {

Error field_error(const std::string& field, const std::string& problem) {
    return Error(Errc::licence_refused, field + " " + problem);
}

std::string quoted_text(std::string_view text) {
    constexpr std::size_t shown = 40;
    const bool cut = text.size() > shown;
    // A cut may split a UTF-8 sequence: `replace` prints U+FFFD for it instead of throwing.
    return nlohmann::json(std::string(text.substr(0, shown)))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
           (cut ? "..." : "");
}

Error type_error(const std::string& field, const nlohmann::json& value, const std::string& expected) {
    const std::string type = value.type_name();
    const std::string article = value.is_null() ? "" : value.is_object() || value.is_array() ? "an " : "a ";
    return field_error(field, "must be " + expected + ", not " + article + type);
}

std::string field_name(const std::string& where, std::string_view key) {
    return where.empty() ? std::string(key) : where + "." + std::string(key);
}

Result<const nlohmann::json*> member(const nlohmann::json& object, const std::string& where, std::string_view key) {
    const std::string field = field_name(where, key);
    if (!object.is_object()) return type_error(where, object, "an object");
    const auto found = object.find(key);
    if (found == object.end()) return field_error(field, "is missing");
    return &*found;
}

Result<std::string> string_member(const nlohmann::json& object, const std::string& where, std::string_view key) {
    auto value = member(object, where, key);
    if (!value) return value.error();
    if (!(*value)->is_string()) return type_error(field_name(where, key), **value, "a string");
    return (*value)->get<std::string>();
}

}  // namespace vta::licence
