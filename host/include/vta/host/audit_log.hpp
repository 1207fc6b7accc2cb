// The host's side of the audit trail (vta/store/audit.hpp): rows go to the store's Writer, which commits them on
// its own thread, so recording never waits on SQLite. Callable from any thread.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "vta/store/audit.hpp"
#include "vta/store/writer.hpp"

namespace vta::host {

// Every password-like value (a string under a key named "password", "username" is kept) replaced by "***"; a
// reference to the secrets file ({"secret": NAME}) is a name and stays.
nlohmann::json mask_secrets(nlohmann::json document);

// What changed between two config documents, as {json-pointer: value} before and after (absent: null), with
// secrets masked: a changed password shows as its path with "***" on both sides.
std::pair<nlohmann::json, nlohmann::json> config_change(const nlohmann::json& before, const nlohmann::json& after);

class AuditLog {
public:
    explicit AuditLog(store::Writer& writer) : writer_(writer) {}

    // Appends a row stamped now; before/after are masked (mask_secrets) whatever the caller passed.
    void record(store::AuditSource source, store::AuditAction action, std::string subject,
                std::optional<nlohmann::json> before = std::nullopt,
                std::optional<nlohmann::json> after = std::nullopt);

    // The control room's bulk actions (the same operation on several OBS connections at once, from the panel or a
    // script's obs.all): one row per bulk action. `operation` names it ("set_scene", "start_stream", "mute"...);
    // `request` holds the connections it went to ({"connections": [...], "arguments": {...}}, the row's before),
    // `results` one entry per connection, an error included (the row's after). The subject is the operation and
    // the connections: "set_scene on OBS_STR_1, OBS_STR_2".
    void record_control_room(store::AuditSource source, const std::string& operation, nlohmann::json request,
                             nlohmann::json results);

private:
    store::Writer& writer_;
};

}  // namespace vta::host
