// The licence file: bytes as its contents through verify_licence with the public key this build trusts (the
// seeds name that key, so the fields past the key check are reached; no fuzzed input carries a valid signature).
#include "fuzz_target.hpp"
#include "vta/licence/licence_file.hpp"
#include "vta/licence/signing.hpp"

namespace vta::fuzz {

int licence_one_input(const std::uint8_t* data, std::size_t size) {
    const auto licence = licence::verify_licence(text_of(data, size), licence::vendor_public_key());
    VTA_FUZZ_CHECK(!licence);  // nobody here holds the vendor's private key
    VTA_FUZZ_CHECK(licence.error().code == Errc::licence_refused && !licence.error().message.empty());
    return 0;
}

}  // namespace vta::fuzz

VTA_FUZZ_ENTRY(vta::fuzz::licence_one_input)
