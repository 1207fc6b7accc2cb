// Reading required fields of untrusted JSON, with errors that name the field: "licence.expires is missing",
// "licence.features must be an array, not a string".
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::licence {

// Errc::licence_refused with `field` and what is wrong with it.
Error field_error(const std::string& field, const std::string& problem);

// "where.key", or "key" at the top level (`where` empty).
std::string field_name(const std::string& where, std::string_view key);

// `object[key]` when `object` has it; `where` names `object` in the error.
Result<const nlohmann::json*> member(const nlohmann::json& object, const std::string& where, std::string_view key);

// `object[key]` when it is a string.
Result<std::string> string_member(const nlohmann::json& object, const std::string& where, std::string_view key);

// `text` as a JSON string for a message, cut to 40 characters: a refusal never echoes a whole file.
std::string quoted_text(std::string_view text);

// "must be <expected>, not <the JSON type of value>".
Error type_error(const std::string& field, const nlohmann::json& value, const std::string& expected);

}  // namespace vta::licence
