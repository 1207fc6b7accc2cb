// Display names of the public enums and small Status helpers.

#include <algorithm>

#include "vta/obs/client.hpp"

namespace vta::obs {

std::string_view to_string(Role role) {
    switch (role) {
        case Role::rec:
            return "rec";
        case Role::str:
            return "str";
        case Role::both:
            return "both";
    }
    return "unknown";
}

std::string_view to_string(State state) {
    switch (state) {
        case State::disconnected:
            return "disconnected";
        case State::connecting:
            return "connecting";
        case State::identifying:
            return "identifying";
        case State::connected:
            return "connected";
        case State::reconnecting:
            return "reconnecting";
        case State::failed:
            return "failed";
    }
    return "unknown";
}

bool Status::has_request(const std::string& request_type) const {
    return std::find(available_requests.begin(), available_requests.end(), request_type) != available_requests.end();
}

}  // namespace vta::obs
