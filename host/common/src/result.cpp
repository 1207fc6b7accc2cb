#include "vta/common/result.hpp"

namespace vta {

std::string_view to_string(Errc code) {
    switch (code) {
        case Errc::invalid_argument:
            return "invalid_argument";
        case Errc::invalid_config:
            return "invalid_config";
        case Errc::invalid_state:
            return "invalid_state";
        case Errc::not_found:
            return "not_found";
        case Errc::unavailable:
            return "unavailable";
        case Errc::timeout:
            return "timeout";
        case Errc::closed:
            return "closed";
        case Errc::cancelled:
            return "cancelled";
        case Errc::not_connected:
            return "not_connected";
        case Errc::request_failed:
            return "request_failed";
        case Errc::protocol:
            return "protocol";
        case Errc::auth_failed:
            return "auth_failed";
        case Errc::unsupported:
            return "unsupported";
        case Errc::sqlite:
            return "sqlite";
        case Errc::io:
            return "io";
        case Errc::schema_too_new:
            return "schema_too_new";
        case Errc::schema_too_old:
            return "schema_too_old";
        case Errc::spawn_failed:
            return "spawn_failed";
        case Errc::open_failed:
            return "open_failed";
        case Errc::cut_failed:
            return "cut_failed";
        case Errc::licence_refused:
            return "licence_refused";
    }
    return "unknown";
}

std::string Error::text() const { return std::string(to_string(code)) + ": " + message; }

}  // namespace vta
