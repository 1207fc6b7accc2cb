#pragma once
// Named secrets kept apart from config.json, in a file encrypted with AES-256-GCM under a key derived from
// the machine (HKDF-SHA256 over /etc/machine-id and the DMI product UUID where readable). A config, a
// backup or the secrets file itself copied to another machine carries no usable secret; the machine's
// identity is never stored, only which of its parts the key was derived from.
//
// The config refers to a secret by name: an OBS connection's "password": {"secret": "obs_rec"}.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "vta/common/result.hpp"

namespace vta::secrets {

// What the key is derived from. Tests pass their own to play another machine.
struct MachineIdentity {
    std::string machine_id;                   // /etc/machine-id (else /var/lib/dbus/machine-id)
    std::optional<std::string> product_uuid;  // /sys/class/dmi/id/product_uuid: usually readable by root only
};

// This machine's identity, as this user can read it.
MachineIdentity read_machine_identity();

using Secrets = std::map<std::string, std::string>;  // name -> value

// secrets.json.enc in the folder of `config_file`.
std::filesystem::path secrets_file_beside(const std::filesystem::path& config_file);

// 1..64 of a-z, 0-9, '_', '-', '.': a name that is safe to print and to type.
bool valid_secret_name(std::string_view name);

// The name an OBS connection's password is stored under: obs_ and the connection's name in lower case, other
// characters as '_' ("OBS REC" gives "obs_obs_rec"), at most 64 characters.
std::string obs_password_secret_name(std::string_view connection);

// The secrets in `file`; a missing file holds none. A file made on another machine or altered since it was
// written is refused (Errc::invalid_config) with a message naming the file and saying so.
Result<Secrets> read_secrets(const std::filesystem::path& file, const MachineIdentity& machine);

// Replaces `file` with `secrets` (mode 0600, its new folders 0700) under a fresh random nonce.
VoidResult write_secrets(const std::filesystem::path& file, const Secrets& secrets, const MachineIdentity& machine);

}  // namespace vta::secrets
