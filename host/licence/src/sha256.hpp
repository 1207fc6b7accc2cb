// SHA-256 for the fingerprint's component hashes and the key ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vta::licence {

// Lowercase hex of SHA-256(data); none only when OpenSSL has no working SHA-256 (a broken installation).
std::optional<std::string> sha256_hex(std::string_view data);

}  // namespace vta::licence
