#include "vta/licence/fingerprint.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include <spdlog/spdlog.h>

#include "json_fields.hpp"
#include "sha256.hpp"

namespace vta::licence {

namespace {

constexpr std::size_t max_value_file = 4096;
constexpr std::size_t max_route_file = 64 * 1024;  // one line per route: a few hundred routes at most
constexpr std::size_t hash_digits = 64;
constexpr unsigned route_up_flag = 0x1;  // RTF_UP

struct Component {
    const char* name;
    std::optional<std::string> Fingerprint::*field;
};

constexpr std::array<Component, 3> components{{
    {machine_id_name, &Fingerprint::machine_id},
    {product_uuid_name, &Fingerprint::product_uuid},
    {mac_name, &Fingerprint::mac},
}};

// Up to `limit` bytes; none when the file cannot be opened. /proc and /sys files report size 0, so this
// reads until the end instead of trusting the size.
std::optional<std::string> read_file(const std::filesystem::path& path, std::size_t limit) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text(limit, '\0');
    in.read(text.data(), static_cast<std::streamsize>(limit));
    if (in.bad()) return std::nullopt;
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// Trimmed and lowercased: the same machine always gives the same text, whoever formatted the file.
std::string normalised(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    text = text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Only hex digits and `separators`, with at least one digit.
bool hex_text(std::string_view text, std::string_view separators) {
    bool digit = false;
    for (char c : text) {
        if (is_hex(c)) {
            digit = true;
        } else if (separators.find(c) == std::string_view::npos) {
            return false;
        }
    }
    return digit;
}

// True when every hex digit of `text` is `digit`: the placeholders firmware writes instead of a value.
bool placeholder(std::string_view text, char digit) {
    return std::all_of(text.begin(), text.end(), [digit](char c) { return c == digit || !is_hex(c); });
}

std::optional<std::string> component_hash(const char* component, const std::string& value) {
    return sha256_hex("restrike-vta licence fingerprint v1|" + std::string(component) + "|" + value);
}

std::optional<std::string> machine_id_value(const std::filesystem::path& path) {
    const auto text = read_file(path, max_value_file);
    if (!text) return std::nullopt;
    std::string id = normalised(*text);
    // systemd writes 32 hex digits; "uninitialized" during first boot is not an id yet.
    if (id.size() != 32 || !hex_text(id, "") || placeholder(id, '0')) return std::nullopt;
    return id;
}

std::optional<std::string> product_uuid_value(const std::filesystem::path& path) {
    const auto text = read_file(path, max_value_file);
    if (!text) return std::nullopt;
    std::string uuid = normalised(*text);
    // Boards without a real UUID report all zeros or all F.
    if (!hex_text(uuid, "-") || placeholder(uuid, '0') || placeholder(uuid, 'f')) return std::nullopt;
    return uuid;
}

bool valid_interface_name(std::string_view name) {
    return !name.empty() && name.size() < 16 && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

// Colon-separated hex pairs, not all zero (the loopback's address is all zero).
std::optional<std::string> mac_of(const std::filesystem::path& interfaces, const std::string& name) {
    if (!valid_interface_name(name)) return std::nullopt;
    const auto text = read_file(interfaces / name / "address", max_value_file);
    if (!text) return std::nullopt;
    std::string mac = normalised(*text);
    if (mac.size() < 17 || mac.size() % 3 != 2) return std::nullopt;
    for (std::size_t i = 0; i < mac.size(); ++i) {
        if (i % 3 == 2 ? mac[i] != ':' : !is_hex(mac[i])) return std::nullopt;
    }
    if (placeholder(mac, '0')) return std::nullopt;
    return mac;
}

// The interface of the lowest-metric default route that is up.
std::optional<std::string> default_route_interface(const std::filesystem::path& routes) {
    const auto text = read_file(routes, max_route_file);
    if (!text) return std::nullopt;
    std::istringstream lines(*text);
    std::string line;
    std::getline(lines, line);  // the header: Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    std::optional<std::string> best;
    unsigned long best_metric = std::numeric_limits<unsigned long>::max();
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        std::string name, destination, gateway, flags, references, use, metric, mask;
        if (!(fields >> name >> destination >> gateway >> flags >> references >> use >> metric >> mask)) continue;
        if (destination != "00000000" || mask != "00000000") continue;
        unsigned flag_bits = 0;
        unsigned long metric_value = 0;
        if (std::from_chars(flags.data(), flags.data() + flags.size(), flag_bits, 16).ec != std::errc() ||
            std::from_chars(metric.data(), metric.data() + metric.size(), metric_value).ec != std::errc()) {
            continue;
        }
        if (!(flag_bits & route_up_flag) || metric_value >= best_metric) continue;
        best = name;
        best_metric = metric_value;
    }
    return best;
}

std::optional<std::string> primary_mac(const FingerprintPaths& paths) {
    if (const auto name = default_route_interface(paths.routes)) {
        if (auto mac = mac_of(paths.interfaces, *name)) {
            spdlog::debug("licence fingerprint: the MAC of {}, the default route's interface", *name);
            return mac;
        }
    }
    std::vector<std::string> names;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(paths.interfaces, error)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const bool physical : {true, false}) {
        for (const std::string& name : names) {
            if (std::filesystem::exists(paths.interfaces / name / "device", error) != physical) continue;
            if (auto mac = mac_of(paths.interfaces, name)) {
                spdlog::debug("licence fingerprint: the MAC of {} (no default route with a MAC)", name);
                return mac;
            }
        }
    }
    return std::nullopt;
}

}  // namespace

Fingerprint read_fingerprint(const FingerprintPaths& paths) {
    Fingerprint fingerprint;
    if (const auto id = machine_id_value(paths.machine_id))
        fingerprint.machine_id = component_hash(machine_id_name, *id);
    if (const auto uuid = product_uuid_value(paths.product_uuid)) {
        fingerprint.product_uuid = component_hash(product_uuid_name, *uuid);
    }
    if (const auto mac = primary_mac(paths)) fingerprint.mac = component_hash(mac_name, *mac);
    return fingerprint;
}

MachineMatch compare(const Fingerprint& licensed, const Fingerprint& current) {
    MachineMatch match;
    for (const Component& component : components) {
        if (licensed.*component.field != current.*component.field) match.differing.push_back(component.name);
    }
    return match;
}

nlohmann::json to_json(const Fingerprint& fingerprint) {
    nlohmann::json object = nlohmann::json::object();
    for (const Component& component : components) {
        const auto& hash = fingerprint.*component.field;
        object[component.name] = hash ? nlohmann::json(*hash) : nlohmann::json();
    }
    return object;
}

Result<Fingerprint> fingerprint_from_json(const nlohmann::json& object, const std::string& where) {
    if (!object.is_object()) return type_error(where, object, "an object");
    Fingerprint fingerprint;
    for (const Component& component : components) {
        auto value = member(object, where, component.name);
        if (!value) return value.error();
        const nlohmann::json& hash = **value;
        const std::string field = field_name(where, component.name);
        if (hash.is_null()) continue;
        if (!hash.is_string()) return type_error(field, hash, "a 64-digit hex hash or null");
        const auto& text = hash.get_ref<const std::string&>();
        if (text.size() != hash_digits || !std::all_of(text.begin(), text.end(), is_hex)) {
            return field_error(field, quoted_text(text) + " is not a 64-digit lowercase hex hash");
        }
        fingerprint.*component.field = text;
    }
    return fingerprint;
}

}  // namespace vta::licence
