#include "vta/host/capture.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

namespace vta::host {

CaptureResult read_capture(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return {std::nullopt, "cannot read capture " + file.string()};
    std::vector<TimedDatagram> datagrams;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto object = nlohmann::json::parse(line, nullptr, false);
        const auto where = file.string() + ":" + std::to_string(number) + ": ";
        if (object.is_discarded() || !object.is_object()) return {std::nullopt, where + "not a JSON object"};
        // Up to ten years of milliseconds: beyond an int64_t the conversion below would be undefined.
        if (!object.contains("t") || !object["t"].is_number() || !(object["t"].get<double>() >= 0) ||
            object["t"].get<double>() > 3.2e11)
            return {std::nullopt, where + "expected \"t\": milliseconds from the start (0 to 3.2e11)"};
        if (!object.contains("d") || !object["d"].is_string())
            return {std::nullopt, where + "expected \"d\": the datagram text"};
        datagrams.push_back({std::int64_t(object["t"].get<double>()), object["d"].get<std::string>()});
    }
    return {std::move(datagrams), {}};
}

}  // namespace vta::host
