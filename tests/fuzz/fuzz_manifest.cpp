// A workflow package's manifest.json: bytes as its text through parse_manifest; an accepted manifest's schema
// then checks its own defaults (they must fit) and a few hostile values.
#include "fuzz_target.hpp"
#include "vta/bindings/runtime.hpp"

namespace vta::fuzz {

int manifest_one_input(const std::uint8_t* data, std::size_t size) {
    const auto manifest = bindings::parse_manifest(text_of(data, size));
    if (!manifest) {
        VTA_FUZZ_CHECK(!manifest.error().message.empty());
        return 0;
    }
    const auto& schema = manifest->config;
    const nlohmann::json defaults = bindings::config_defaults(schema);
    VTA_FUZZ_CHECK(bindings::check_config(schema, defaults).problems.empty());
    for (const auto& field : schema) {
        VTA_FUZZ_CHECK(bindings::check_config_value(field, field.default_value).empty());
        for (const nlohmann::json& value : {nlohmann::json(), nlohmann::json(-1e308), nlohmann::json("x"),
                                            nlohmann::json::array({1}), nlohmann::json::object({{"a", 1}})})
            bindings::check_config_value(field, value);
    }
    bindings::check_config(schema, nlohmann::json::object({{"unknown", 1}}));
    return 0;
}

}  // namespace vta::fuzz

VTA_FUZZ_ENTRY(vta::fuzz::manifest_one_input)
