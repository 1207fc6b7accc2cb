// The host's config file: bytes as the file's text through the same parse and checks load_config applies.
// A refusal must name what is wrong.
#include "fuzz_target.hpp"
#include "vta/host/config.hpp"

namespace vta::fuzz {

int config_one_input(const std::uint8_t* data, std::size_t size) {
    const auto document = nlohmann::json::parse(text_of(data, size), nullptr, false);
    if (document.is_discarded()) return 0;
    const auto result = host::parse_config(document);
    VTA_FUZZ_CHECK(result.config.has_value() || !result.error.empty());
    return 0;
}

}  // namespace vta::fuzz

VTA_FUZZ_ENTRY(vta::fuzz::config_one_input)
