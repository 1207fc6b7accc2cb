#include "vta/ui/audit_rows.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>

namespace vta::ui {

namespace {

using store::AuditAction;

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

std::string local_time(std::int64_t at_us) {
    const std::time_t seconds = std::time_t(at_us / 1'000'000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

Tone tone_of(AuditAction action) {
    switch (action) {
        case AuditAction::manual_event:
        case AuditAction::replay:
        case AuditAction::back_to_live:
        case AuditAction::recording_start:
        case AuditAction::recording_stop:
        case AuditAction::control_room:
            return Tone::busy;
        case AuditAction::settings_saved:
        case AuditAction::settings_imported:
        case AuditAction::day_activated:
        case AuditAction::day_added:
        case AuditAction::tournament_created:
            return Tone::good;
        default:
            return Tone::idle;
    }
}

bool source_passes(const store::AuditSource& source, const std::string& wanted) {
    if (wanted == "all") return true;
    if (wanted == "script") return source.kind == store::AuditSource::Kind::script;
    return source.to_string() == wanted;
}

}  // namespace

const std::vector<std::string>& audit_sources() {
    static const std::vector<std::string> sources{"all", "panel", "cli", "script"};
    return sources;
}

std::vector<std::string> audit_action_names() {
    std::vector<std::string> names{"all"};
    for (int i = 0; i <= int(AuditAction::other); ++i) names.emplace_back(store::to_string(AuditAction(i)));
    return names;
}

std::vector<AuditRowView> audit_rows(const std::vector<store::AuditEntry>& entries, const AuditViewFilter& filter) {
    const std::string needle = lower(filter.text);
    std::vector<AuditRowView> rows;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
        const store::AuditEntry& e = *it;
        const std::string action(store::to_string(e.action));
        if (!source_passes(e.source, filter.source) || (filter.action != "all" && filter.action != action)) continue;
        std::string detail = e.subject;
        if (e.before || e.after) {
            if (!detail.empty()) detail += "  ";
            detail += (e.before ? e.before->dump() : "-") + " -> " + (e.after ? e.after->dump() : "-");
        }
        if (!needle.empty() && lower(detail).find(needle) == std::string::npos) continue;
        rows.push_back({e.id, local_time(e.at_us), e.source.to_string(), action, std::move(detail), tone_of(e.action)});
    }
    return rows;
}

}  // namespace vta::ui
