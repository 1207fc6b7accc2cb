#include "vta/store/audit.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <utility>

#include <SQLiteCpp/Column.h>

#include "audit_rows.hpp"

namespace vta::store {

namespace {

constexpr std::array<std::pair<AuditAction, std::string_view>, 17> action_names{{
    {AuditAction::manual_event, "manual_event"},
    {AuditAction::replay, "replay"},
    {AuditAction::back_to_live, "back_to_live"},
    {AuditAction::recording_start, "recording_start"},
    {AuditAction::recording_stop, "recording_stop"},
    {AuditAction::settings_saved, "settings_saved"},
    {AuditAction::settings_imported, "settings_imported"},
    {AuditAction::workflow_enabled, "workflow_enabled"},
    {AuditAction::workflow_disabled, "workflow_disabled"},
    {AuditAction::workflow_reloaded, "workflow_reloaded"},
    {AuditAction::day_activated, "day_activated"},
    {AuditAction::day_added, "day_added"},
    {AuditAction::tournament_created, "tournament_created"},
    {AuditAction::control_room, "control_room"},
    {AuditAction::secret_set, "secret_set"},
    {AuditAction::secret_deleted, "secret_deleted"},
    {AuditAction::other, "other"},
}};

constexpr std::string_view script_prefix = "script:";

// "2026-12-05T14:03:07.123Z"
std::string iso_utc(std::int64_t at_us) {
    const std::time_t seconds = std::time_t(at_us / 1'000'000);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03dZ", int(at_us / 1000 % 1000));
    return std::string(text) + millis;
}

}  // namespace

std::string_view to_string(AuditAction action) {
    for (const auto& [value, name] : action_names)
        if (value == action) return name;
    return "unknown";
}

std::optional<AuditAction> parse_audit_action(std::string_view name) {
    for (const auto& [value, known] : action_names)
        if (known == name) return value;
    return std::nullopt;
}

std::string AuditSource::to_string() const {
    switch (kind) {
        case Kind::panel:
            return "panel";
        case Kind::cli:
            return "cli";
        case Kind::script:
            break;
    }
    return std::string(script_prefix) + package;
}

std::optional<AuditSource> AuditSource::parse(std::string_view text) {
    if (text == "panel") return panel();
    if (text == "cli") return cli();
    if (text.size() > script_prefix.size() && text.substr(0, script_prefix.size()) == script_prefix)
        return script(std::string(text.substr(script_prefix.size())));
    return std::nullopt;
}

void to_json(nlohmann::json& j, const AuditEntry& e) {
    j = {{"id", e.id},
         {"at_us", e.at_us},
         {"at", iso_utc(e.at_us)},
         {"source", e.source.to_string()},
         {"action", to_string(e.action)},
         {"subject", e.subject},
         {"before", e.before.value_or(nullptr)},
         {"after", e.after.value_or(nullptr)}};
}

}  // namespace vta::store

namespace vta::store::detail {

namespace {

void bind_json(SQLite::Statement& statement, int index, const std::optional<nlohmann::json>& value) {
    if (value)
        statement.bind(index, value->dump());
    else
        statement.bind(index);
}

std::optional<nlohmann::json> read_json(const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    auto parsed = nlohmann::json::parse(column.getString(), nullptr, false);
    return parsed.is_discarded() ? nlohmann::json(column.getString()) : parsed;
}

}  // namespace

void bind_audit(SQLite::Statement& statement, const AuditRow& row) {
    statement.bind(1, row.at_us);
    statement.bind(2, row.source.to_string());
    statement.bind(3, std::string(to_string(row.action)));
    statement.bind(4, row.subject);
    bind_json(statement, 5, row.before);
    bind_json(statement, 6, row.after);
}

AuditEntry read_audit(SQLite::Statement& query) {
    AuditEntry entry;
    entry.id = query.getColumn(0).getInt64();
    entry.at_us = query.getColumn(1).getInt64();
    const std::string source = query.getColumn(2).getString();
    // The table's CHECK keeps other sources out; a script name is whatever follows "script:".
    entry.source = AuditSource::parse(source).value_or(AuditSource::script(source));
    const std::string action = query.getColumn(3).getString();
    // An action a newer build wrote is listed, not dropped: a dispute needs every row.
    entry.action = parse_audit_action(action).value_or(AuditAction::other);
    entry.subject = query.getColumn(4).getString();
    entry.before = read_json(query.getColumn(5));
    entry.after = read_json(query.getColumn(6));
    return entry;
}

}  // namespace vta::store::detail
