#include "captures.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace vta::pss::testing {

std::vector<CapturedDatagram> load_capture(std::string_view name) {
    const std::string path = std::string(VTA_CAPTURES_DIR) + "/" + std::string(name);
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<CapturedDatagram> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        out.push_back({j.at("t").get<std::int64_t>(), j.at("d").get<std::string>()});
    }
    return out;
}

}  // namespace vta::pss::testing
