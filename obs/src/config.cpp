// ConnectionConfig parsing. Error messages name the entry and the key but never echo a value,
// so a password typed into the wrong key cannot leak into a log.

#include <set>

#include <fmt/format.h>

#include "vta/obs/config.hpp"

namespace vta::obs {
namespace {

Error config_error(const std::string& entry, std::string_view key, std::string_view expected,
                   const nlohmann::json* got) {
    std::string message = fmt::format("OBS connection {}: key \"{}\": expected {}", entry, key, expected);
    if (got) message += fmt::format(", got {}", got->is_null() ? "null" : got->type_name());
    return Error{Errc::invalid_config, std::move(message)};
}

Result<ConnectionConfig> parse_entry(const nlohmann::json& item, std::size_t index) {
    std::string entry = fmt::format("#{}", index);
    if (!item.is_object())
        return Error{Errc::invalid_config,
                     fmt::format("OBS connection {}: expected an object, got {}", entry, item.type_name())};

    ConnectionConfig cfg;
    const auto name = item.find("name");
    if (name == item.end()) return config_error(entry, "name", "a non-empty string (missing)", nullptr);
    if (!name->is_string() || name->get_ref<const std::string&>().empty())
        return config_error(entry, "name", "a non-empty string", &*name);
    cfg.name = name->get<std::string>();
    entry = fmt::format("\"{}\" (#{})", cfg.name, index);

    for (const auto& [key, value] : item.items()) {
        if (key == "name") continue;
        if (key == "role") {
            const std::string role = value.is_string() ? value.get<std::string>() : std::string{};
            if (role == "rec")
                cfg.role = Role::rec;
            else if (role == "str")
                cfg.role = Role::str;
            else if (role == "both")
                cfg.role = Role::both;
            else
                return config_error(entry, key, "one of \"rec\", \"str\", \"both\"",
                                    value.is_string() ? nullptr : &value);
        } else if (key == "host") {
            if (!value.is_string() || value.get_ref<const std::string&>().empty())
                return config_error(entry, key, "a non-empty host name or address", &value);
            cfg.host = value.get<std::string>();
        } else if (key == "port") {
            if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > 65535)
                return config_error(entry, key, "an integer 1..65535", &value);
            cfg.port = static_cast<std::uint16_t>(value.get<std::int64_t>());
        } else if (key == "password") {
            if (value.is_string()) {
                cfg.password = value.get<std::string>();
            } else {
                const auto secret = value.is_object() && value.size() == 1 ? value.find("secret") : value.end();
                if (secret == value.end() || !secret->is_string() || secret->get_ref<const std::string&>().empty())
                    return config_error(entry, key, "a string, or {\"secret\": \"NAME\"} naming a stored secret",
                                        &value);
                cfg.password_secret = secret->get<std::string>();
            }
        } else if (key == "event_subscriptions") {
            if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
                value.get<std::int64_t>() > subscription::all)
                return config_error(entry, key, "an integer bitmask 0..2047", &value);
            cfg.event_subscriptions = static_cast<std::uint32_t>(value.get<std::int64_t>());
        } else {
            return config_error(entry, key,
                                "no such key (known: name, role, host, port, password, event_subscriptions)", nullptr);
        }
    }
    if (!item.contains("role")) return config_error(entry, "role", "\"rec\", \"str\" or \"both\" (missing)", nullptr);
    if (!item.contains("port")) return config_error(entry, "port", "an integer 1..65535 (missing)", nullptr);
    return cfg;
}

}  // namespace

Result<std::vector<ConnectionConfig>> parse_connections(const nlohmann::json& list) {
    if (!list.is_array())
        return Error{Errc::invalid_config,
                     fmt::format("OBS connections: expected an array of objects, got {}", list.type_name())};
    std::vector<ConnectionConfig> configs;
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto entry = parse_entry(list[i], i);
        if (!entry) return entry.error();
        if (!names.insert(entry.value().name).second)
            return Error{Errc::invalid_config,
                         fmt::format("OBS connection \"{}\" (#{}): key \"name\": expected a unique name, "
                                     "it is used twice",
                                     entry.value().name, i)};
        configs.push_back(std::move(entry).value());
    }
    return configs;
}

Result<std::vector<ConnectionConfig>> parse_connections(std::string_view json_text) {
    auto parsed = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (parsed.is_discarded()) return Error{Errc::invalid_config, "OBS connections: the text is not valid JSON"};
    return parse_connections(parsed);
}

}  // namespace vta::obs
