// Loads the example captures (one {"t": ms, "d": datagram} object a line) for tests and benchmarks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vta::pss::testing {

struct CapturedDatagram {
    std::int64_t t_ms = 0;
    std::string datagram;
};

// Reads examples/captures/<name>; throws std::runtime_error when the file cannot be read.
std::vector<CapturedDatagram> load_capture(std::string_view name);

}  // namespace vta::pss::testing
