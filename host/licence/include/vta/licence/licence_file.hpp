// The signed licence file, as the licence server issues it and the host installs it:
//
//   {
//     "licence": {"licensee": ..., "key_id": ..., "features": [...], "issued": ..., "expires": ...,
//                 "machine": {...}, "last_check": ...},
//     "key": "<key_id() of the signing key>",
//     "signature": "<base64 of the 64-byte Ed25519 signature>"
//   }
//
// The signature covers canonical_licence(licence object): the object as parsed, serialised again as
// compact JSON (no whitespace, object keys sorted by their UTF-8 bytes, only the escapes JSON requires).
// So the file's layout does not matter, and fields a newer server adds are signed too. `key` is an unsigned
// hint that only lets a refusal say "signed by another key"; nothing trusts it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/licence/licence.hpp"

namespace vta::licence {

// Larger input is refused before it is parsed; a real licence is well under 2 KiB.
inline constexpr std::size_t max_licence_file_bytes = 64 * 1024;

// Errc::invalid_argument when the object holds text that is not UTF-8 (parsed JSON never does).
Result<std::string> canonical_licence(const nlohmann::json& licence_object);

// The file's text. Errc::invalid_argument when the licence breaks a rule licence_from_json checks (an
// empty licensee, a malformed feature, expires before issued) or the key is not an Ed25519 private key.
Result<std::string> sign_licence(const Licence& licence, std::string_view private_key_pem);

// Checks, in this order, and refuses with Errc::licence_refused and the first failure: over the size limit,
// empty, truncated, not JSON, no licence/key/signature, a signature that is not base64 or not 64 bytes,
// signed by another key, a missing or mistyped licence field (named), a signature that does not match (the
// file was altered).
// Whether the licence fits this machine and today is evaluate()'s question, not this one's.
// Errc::invalid_argument when `public_key_pem` is not an Ed25519 public key.
Result<Licence> verify_licence(std::string_view file_bytes, std::string_view public_key_pem);

// Reads at most max_licence_file_bytes + 1 bytes, then verify_licence. Errc::not_found when there is no
// file (the host then runs in evaluation mode), Errc::io when it cannot be read.
Result<Licence> read_licence_file(const std::filesystem::path& path, std::string_view public_key_pem);

}  // namespace vta::licence
