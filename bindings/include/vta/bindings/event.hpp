#pragma once
// The host-agnostic event the Lua runtime dispatches to workflow handlers. The host converts each
// decoded PSS group (and each derived event of the match tracker) into one of these.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/pss/codec.hpp"
#include "vta/pss/match_state.hpp"

namespace vta::bindings {

struct Event {
    std::string kind;  // "pt1", "clk"... or a derived kind ("point", "challenge_requested"...)
    std::string code;  // the PSS group code behind it ("" for host events)
    nlohmann::json data = nlohmann::json::object();   // group fields, or the derived event's data
    nlohmann::json match = nlohmann::json::object();  // MatchState::to_json() after the group was applied
    std::int64_t event_id = 0;                        // store id of the group (0 when not stored)
    std::optional<std::int64_t> match_id;
    std::int64_t at_us = 0;  // arrival time, microseconds since the Unix epoch
};

// One Event for the group itself (kind = its code) followed by one per derived event, in order.
std::vector<Event> events_from(const pss::Group& group, const pss::MatchTracker::Update& update,
                               const pss::MatchState& state, std::int64_t event_id, std::int64_t at_us,
                               std::optional<std::int64_t> match_id = std::nullopt);

}  // namespace vta::bindings
