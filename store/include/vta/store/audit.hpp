#pragma once
// The audit trail (schema v5): what an operator, a CLI command or a script did to the record or to what is on air,
// with when, by whom and, where it applies, the value before and after. The typed contract lives here; the table
// holds the action as its name and before/after as JSON text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vta::store {

// Every action the trail knows. Add new ones at the end and give them a name in audit.cpp.
enum class AuditAction {
    manual_event,        // PSS groups the operator typed in manual mode (subject: the text)
    replay,              // the panel's Replay
    back_to_live,        // the panel's Back to live
    recording_start,     // subject: the OBS connection asked
    recording_stop,      //
    settings_saved,      // before/after: the changed config paths, secrets masked
    settings_imported,   // subject: the file; after: the changed config paths, secrets masked
    workflow_enabled,    // subject: the package
    workflow_disabled,   //
    workflow_reloaded,   //
    day_activated,       // before/after: the active tournament day
    day_added,           //
    tournament_created,  //
    control_room,        // a bulk action across OBS connections; subject: the operation and the connections
    secret_set,          // subject: the secret's name (never its value)
    secret_deleted,      //
    other,               // read back only: an action a newer build wrote
};

std::string_view to_string(AuditAction action);
// Empty for a name no AuditAction has.
std::optional<AuditAction> parse_audit_action(std::string_view name);

// Who did it: the panel's operator, a `vta` command, or a workflow package.
struct AuditSource {
    enum class Kind { panel, cli, script } kind = Kind::panel;
    std::string package;  // the script's package name

    static AuditSource panel() { return {Kind::panel, {}}; }
    static AuditSource cli() { return {Kind::cli, {}}; }
    static AuditSource script(std::string package) { return {Kind::script, std::move(package)}; }
    // "panel", "cli", "script:<package>"
    std::string to_string() const;
    static std::optional<AuditSource> parse(std::string_view text);
};

struct AuditRow {
    std::int64_t at_us = 0;  // microseconds since the Unix epoch, like datagram.received_us
    AuditSource source;
    AuditAction action = AuditAction::replay;
    std::string subject;
    std::optional<nlohmann::json> before;
    std::optional<nlohmann::json> after;
};

struct AuditEntry : AuditRow {
    std::int64_t id = 0;
};

struct AuditFilter {
    std::optional<std::int64_t> since_us;  // rows at or after this time
    std::optional<std::int64_t> limit;     // only the newest `limit` rows (still oldest first)
};

void to_json(nlohmann::json& j, const AuditEntry& e);

}  // namespace vta::store
