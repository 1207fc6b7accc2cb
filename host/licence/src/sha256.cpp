#include "sha256.hpp"

#include <array>

#include <openssl/err.h>
#include <openssl/evp.h>

namespace vta::licence {

std::optional<std::string> sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    std::size_t size = 0;
    if (EVP_Q_digest(nullptr, "SHA256", nullptr, data.data(), data.size(), digest.data(), &size) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    constexpr std::string_view digits = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * size);
    for (std::size_t i = 0; i < size; ++i) {
        hex += digits[digest[i] >> 4];
        hex += digits[digest[i] & 0xF];
    }
    return hex;
}

}  // namespace vta::licence
