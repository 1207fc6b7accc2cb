// The machine a licence is bound to: three components, each kept only as an application-specific hash
// (SHA-256 over "restrike-vta licence fingerprint v1|<component>|<value>", lowercase hex), so neither a
// licence file nor the licence server ever holds the raw machine-id, UUID or MAC.
//
// A licence still matches when one component changed or went missing (a new network card, a DMI UUID that
// only root can read), and belongs to another machine when two or more differ.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::licence {

// Where the components are read from; tests point these at fake files.
struct FingerprintPaths {
    std::filesystem::path machine_id = "/etc/machine-id";
    std::filesystem::path product_uuid = "/sys/class/dmi/id/product_uuid";  // often readable by root only
    std::filesystem::path routes = "/proc/net/route";                       // finds the default route's interface
    std::filesystem::path interfaces = "/sys/class/net";                    // <interface>/address holds its MAC
};

// Each component is the hash of its value, or none when the value is absent or unreadable.
struct Fingerprint {
    std::optional<std::string> machine_id;    // /etc/machine-id (32 hex digits)
    std::optional<std::string> product_uuid;  // the DMI product UUID (all-zero and all-F placeholders count as absent)
    std::optional<std::string> mac;           // the primary NIC's MAC address

    bool operator==(const Fingerprint&) const = default;
};

// The primary NIC is the interface of the lowest-metric default route in `routes`; when that one has no
// usable MAC (a tunnel), the first interface by name with a non-zero address, physical ones (with a
// `device` link) before virtual ones (bridges and veths come and go with containers). Never fails: a
// component that cannot be read is left empty.
Fingerprint read_fingerprint(const FingerprintPaths& paths = {});

// The component names used in reasons and in JSON.
inline constexpr const char* machine_id_name = "machine_id";
inline constexpr const char* product_uuid_name = "product_uuid";
inline constexpr const char* mac_name = "mac";

struct MachineMatch {
    std::vector<std::string> differing;  // names of the components that changed or went missing, in field order

    bool same_machine() const { return differing.size() <= 1; }
};

// Compares component by component: equal hashes, or both absent, is unchanged.
MachineMatch compare(const Fingerprint& licensed, const Fingerprint& current);

// {"machine_id": "<hex>" or null, "product_uuid": ..., "mac": ...}
nlohmann::json to_json(const Fingerprint& fingerprint);
// Each key is required; a value is null or 64 lowercase hex digits. `where` prefixes the field named in the
// error ("licence.machine" gives "licence.machine.mac is missing").
Result<Fingerprint> fingerprint_from_json(const nlohmann::json& object, const std::string& where);

}  // namespace vta::licence
