#include "vta/bindings/event.hpp"

namespace vta::bindings {

std::vector<Event> events_from(const pss::Group& group, const pss::MatchTracker::Update& update,
                               const pss::MatchState& state, std::int64_t event_id, std::int64_t at_us,
                               std::optional<std::int64_t> match_id) {
    std::vector<Event> events;
    events.reserve(1 + update.derived.size());
    Event base;
    base.kind = group.code;
    base.code = group.code;
    base.data = group.fields;
    base.match = state.to_json();
    base.event_id = event_id;
    base.match_id = match_id;
    base.at_us = at_us;
    events.push_back(base);
    for (const auto& derived : update.derived) {
        Event e = base;
        e.kind = derived.kind;
        e.data = derived.data;
        events.push_back(std::move(e));
    }
    return events;
}

}  // namespace vta::bindings
