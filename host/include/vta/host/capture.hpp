// Capture files: one JSON object a line, {"t": <ms from start>, "d": "<datagram>"}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vta::host {

struct TimedDatagram {
    std::int64_t at_ms = 0;
    std::string bytes;
};

struct CaptureResult {
    std::optional<std::vector<TimedDatagram>> datagrams;
    std::string error;  // names the file and line when datagrams is empty
};

CaptureResult read_capture(const std::filesystem::path& file);

}  // namespace vta::host
