#pragma once
// obs-websocket v5 authentication string, computed with OpenSSL EVP.

#include <string>
#include <string_view>

namespace vta::obs::detail {

std::string base64(std::string_view bytes);
std::string sha256(std::string_view bytes);  // binary digest, 32 bytes

// base64(sha256(base64(sha256(password + salt)) + challenge))
std::string auth_response(std::string_view password, std::string_view salt, std::string_view challenge);

}  // namespace vta::obs::detail
