// Plain-text tables for `vta matches`, `vta events` and `vta stats` (their --json form is the store's own).
#pragma once

#include <string>
#include <vector>

#include "vta/store/database.hpp"

namespace vta::host {

std::string format_matches(const std::vector<store::MatchInfo>& matches);
std::string format_events(const std::vector<store::EventInfo>& events);
std::string format_stats(const store::Stats& stats);

}  // namespace vta::host
