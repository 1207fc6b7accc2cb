// Sends timed datagrams over UDP, paced by their timestamps: `vta send` (captures) and
// `vta simulate` (generated matches).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "vta/common/result.hpp"
#include "vta/host/capture.hpp"

namespace vta::host {

struct Target {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6000;
};

// Parses "HOST:PORT" (or ":PORT", or "PORT").
vta::Result<Target> parse_target(const std::string& text);

struct SendReport {
    std::uint64_t sent = 0;
    std::uint64_t bytes = 0;
    double seconds = 0;
    std::string error;  // set when sending stopped early
};

// Pulls datagrams from `next` until it returns nothing and sends each at start + at_ms / speed.
// speed <= 0 sends as fast as possible.
SendReport send_paced(const Target& target, double speed, const std::function<std::optional<TimedDatagram>()>& next);

}  // namespace vta::host
