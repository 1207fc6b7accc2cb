#include "auth.hpp"

#include <openssl/evp.h>

namespace vta::obs::detail {

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    return out;
}

std::string sha256(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) return {};
    return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string auth_response(std::string_view password, std::string_view salt, std::string_view challenge) {
    const std::string secret = base64(sha256(std::string(password) + std::string(salt)));
    return base64(sha256(secret + std::string(challenge)));
}

}  // namespace vta::obs::detail
