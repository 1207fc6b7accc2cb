#include "vta/licence/signing.hpp"

#include <array>
#include <cstdint>
#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "sha256.hpp"

namespace vta::licence {

namespace {

constexpr std::size_t signature_bytes = 64;
constexpr std::size_t raw_key_bytes = 32;
constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// Never prompts on the terminal for a passphrase: an encrypted key simply fails to load.
int no_passphrase(char*, int, int, void*) { return 0; }

enum class KeyKind { public_key, private_key, either };

PkeyPtr load_key(std::string_view pem, KeyKind kind) {
    // OpenSSL reads a private key PEM with the one call and a public one with the other; `either` tries both.
    auto read = [&](bool private_key) {
        BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
        EVP_PKEY* key = nullptr;
        if (bio) {
            key = private_key ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                              : PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr);
        }
        return PkeyPtr(key, EVP_PKEY_free);
    };
    PkeyPtr key(nullptr, EVP_PKEY_free);
    if (kind != KeyKind::private_key) key = read(false);
    if (!key && kind != KeyKind::public_key) key = read(true);
    // Failed reads leave errors queued; another OpenSSL user on this thread (TLS) must not find them.
    ERR_clear_error();
    if (key && EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) key.reset();
    return key;
}

std::string pem_of(EVP_PKEY* key, bool private_key) {
    BioPtr bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio) return {};
    const int written = private_key ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                                    : PEM_write_bio_PUBKEY(bio.get(), key);
    if (written != 1) return {};
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

Result<KeyPair> generate_key_pair() {
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
    if (!key) {
        ERR_clear_error();
        return Error(Errc::unavailable, "OpenSSL could not generate an Ed25519 key");
    }
    KeyPair pair{pem_of(key.get(), true), pem_of(key.get(), false)};
    if (pair.private_pem.empty() || pair.public_pem.empty()) {
        ERR_clear_error();
        return Error(Errc::unavailable, "OpenSSL could not write the new key as PEM");
    }
    return pair;
}

Result<std::string> sign(std::string_view message, std::string_view private_key_pem) {
    PkeyPtr key = load_key(private_key_pem, KeyKind::private_key);
    if (!key) return Error(Errc::invalid_argument, "the signing key is not an unencrypted Ed25519 private key (PEM)");
    MdCtxPtr context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::string signature(signature_bytes, '\0');
    std::size_t size = signature.size();
    // Ed25519 hashes the message itself (PureEdDSA): the digest must be NULL and the call one-shot.
    const bool signed_ok = context && EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
                           EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    if (!signed_ok || size != signature_bytes) {
        ERR_clear_error();
        return Error(Errc::unavailable, "OpenSSL could not sign with the Ed25519 key");
    }
    return signature;
}

VoidResult verify(std::string_view message, std::string_view signature, std::string_view public_key_pem) {
    PkeyPtr key = load_key(public_key_pem, KeyKind::public_key);
    if (!key) return Error(Errc::invalid_argument, "the verifying key is not an Ed25519 public key (PEM)");
    if (signature.size() != signature_bytes) {
        return Error(Errc::licence_refused,
                     "the signature is " + std::to_string(signature.size()) + " bytes; an Ed25519 signature is 64");
    }
    MdCtxPtr context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const int verified =
        context && EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) == 1
            ? EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                               signature.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size())
            : -1;
    ERR_clear_error();
    if (verified == 1) return {};
    if (verified == 0) return Error(Errc::licence_refused, "the signature does not match the signed text");
    return Error(Errc::unavailable, "OpenSSL could not verify with the Ed25519 key");
}

Result<std::string> key_id(std::string_view key_pem) {
    PkeyPtr key = load_key(key_pem, KeyKind::either);
    if (!key) return Error(Errc::invalid_argument, "not an Ed25519 key (PEM)");
    std::array<unsigned char, raw_key_bytes> raw{};
    std::size_t size = raw.size();
    if (EVP_PKEY_get_raw_public_key(key.get(), raw.data(), &size) != 1 || size != raw.size()) {
        ERR_clear_error();
        return Error(Errc::unavailable, "OpenSSL could not read the raw Ed25519 public key");
    }
    const auto hash = sha256_hex(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
    if (!hash) return Error(Errc::unavailable, "OpenSSL has no SHA-256");
    return hash->substr(0, 16);
}

std::string to_base64(std::string_view bytes) {
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t left = bytes.size() - i;
        std::uint32_t group = static_cast<std::uint8_t>(bytes[i]) << 16;
        if (left > 1) group |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
        if (left > 2) group |= static_cast<std::uint8_t>(bytes[i + 2]);
        text += base64_alphabet[(group >> 18) & 63];
        text += base64_alphabet[(group >> 12) & 63];
        text += left > 1 ? base64_alphabet[(group >> 6) & 63] : '=';
        text += left > 2 ? base64_alphabet[group & 63] : '=';
    }
    return text;
}

std::optional<std::string> from_base64(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    const std::size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
    std::string bytes;
    bytes.reserve(text.size() / 4 * 3);
    std::uint32_t group = 0;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        const std::size_t value = base64_alphabet.find(text[i]);
        if (value == std::string_view::npos) return std::nullopt;
        group = (group << 6) | static_cast<std::uint32_t>(value);
        if (i % 4 == 3) {
            bytes += static_cast<char>(group >> 16);
            bytes += static_cast<char>(group >> 8);
            bytes += static_cast<char>(group);
            group = 0;
        }
    }
    // The last group: 2 characters carry one byte, 3 carry two; the bits beyond them must be zero.
    if (padding == 2) {
        if (group & 0xF) return std::nullopt;
        bytes += static_cast<char>(group >> 4);
    } else if (padding == 1) {
        if (group & 0x3) return std::nullopt;
        bytes += static_cast<char>(group >> 10);
        bytes += static_cast<char>(group >> 2);
    }
    return bytes;
}

namespace {
std::string& replaced_public_key() {
    static std::string key;
    return key;
}
}  // namespace

std::string_view trusted_public_key() {
    return replaced_public_key().empty() ? vendor_public_key() : std::string_view(replaced_public_key());
}

void trust_public_key_instead(std::string public_key_pem) { replaced_public_key() = std::move(public_key_pem); }

}  // namespace vta::licence
