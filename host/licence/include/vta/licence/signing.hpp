// Ed25519 keys and signatures (OpenSSL's EVP API), and the vendor's public key compiled into the host.
// Keys travel as PEM text: PKCS#8 "PRIVATE KEY" and SubjectPublicKeyInfo "PUBLIC KEY", the same files
// `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vta/common/result.hpp"

namespace vta::licence {

struct KeyPair {
    std::string private_pem;  // the vendor keeps this off every court machine and out of every repository
    std::string public_pem;
};

Result<KeyPair> generate_key_pair();

// The 64-byte signature of `message`. Errc::invalid_argument when the PEM is not an unencrypted Ed25519
// private key.
Result<std::string> sign(std::string_view message, std::string_view private_key_pem);

// Errc::licence_refused when `signature` does not sign `message` with this key; Errc::invalid_argument when
// the PEM is not an Ed25519 public key.
VoidResult verify(std::string_view message, std::string_view signature, std::string_view public_key_pem);

// A short name for a public key (16 hex digits of SHA-256 over its raw 32 bytes), for messages and the
// licence file's `key` hint. Accepts a public or a private key PEM.
Result<std::string> key_id(std::string_view key_pem);

// The public key licences are verified with in this build: the PEM file named by the CMake cache option
// VTA_LICENCE_PUBLIC_KEY (host/licence/README.md).
std::string_view vendor_public_key();

// The key this process verifies licences with: vendor_public_key(), unless the program replaced it at start-up
// with trust_public_key_instead(). Only the test suite's `vta-test` does (tests/test-key): the shipped `vta`
// never calls it, so it trusts the vendor's key alone.
std::string_view trusted_public_key();
void trust_public_key_instead(std::string public_key_pem);

// Standard base64 with padding. Decoding is strict (no whitespace, zero unused bits), so a text has exactly
// one decoding and a changed character never decodes to the same bytes.
std::string to_base64(std::string_view bytes);
std::optional<std::string> from_base64(std::string_view text);

}  // namespace vta::licence
