// The log tab's audit trail: the rows of the snapshot's trail that pass the operator's filter, newest first.
#pragma once

#include <string>
#include <vector>

#include "vta/store/audit.hpp"
#include "vta/ui/view_models.hpp"

namespace vta::ui {

struct AuditViewFilter {
    std::string source = "all";  // "all", "panel", "cli", "script" (any package)
    std::string action = "all";  // "all" or an action's name
    std::string text;            // case-insensitive, in the subject and the before/after JSON; "" for any
};

struct AuditRowView {
    std::int64_t id = 0;
    std::string time;        // "14:03:07" local time
    std::string source;      // "panel", "cli", "script:ivr"
    std::string action;      // "manual_event"...
    std::string detail;      // subject, then before -> after
    Tone tone = Tone::idle;  // on-air actions busy, settings and days good, the rest idle
};

const std::vector<std::string>& audit_sources();  // "all", "panel", "cli", "script"
std::vector<std::string> audit_action_names();    // "all", then every action's name
std::vector<AuditRowView> audit_rows(const std::vector<store::AuditEntry>& entries, const AuditViewFilter& filter);

}  // namespace vta::ui
