// Plain-text tables for `vta matches`, `vta events` and `vta stats` (their --json form is the store's own).
#pragma once

#include <string>
#include <vector>

#include "vta/store/database.hpp"

namespace vta::host {

std::string format_matches(const std::vector<store::MatchInfo>& matches);
std::string format_events(const std::vector<store::EventInfo>& events);
std::string format_stats(const store::Stats& stats);
std::string format_audit(const std::vector<store::AuditEntry>& entries);
// `vta audit --since`: a UTC date or time, or a span back from `now_us` (90s, 30m, 2h, 1d); microseconds since the
// Unix epoch.
vta::Result<std::int64_t> parse_audit_since(const std::string& text, std::int64_t now_us);

}  // namespace vta::host
