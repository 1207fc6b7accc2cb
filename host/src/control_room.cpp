#include "vta/host/control_room.hpp"

namespace vta::host {

std::string_view to_string(ControlRoomOperation operation) {
    switch (operation) {
        case ControlRoomOperation::set_scene:
            return "set_scene";
        case ControlRoomOperation::start_stream:
            return "start_stream";
        case ControlRoomOperation::stop_stream:
            return "stop_stream";
        case ControlRoomOperation::start_record:
            return "start_record";
        case ControlRoomOperation::stop_record:
            return "stop_record";
        case ControlRoomOperation::mute:
            return "mute";
        case ControlRoomOperation::unmute:
            return "unmute";
        case ControlRoomOperation::toggle_mute:
            return "toggle_mute";
    }
    return "?";
}

nlohmann::json control_room_request_json(const ControlRoomResult& result) {
    nlohmann::json arguments = nlohmann::json::object();
    if (result.request.operation == ControlRoomOperation::set_scene) arguments["scene"] = result.request.scene;
    if (!result.input.empty()) arguments["input"] = result.input;
    return {{"connections", result.request.connections}, {"arguments", std::move(arguments)}};
}

nlohmann::json control_room_outcomes_json(const ControlRoomResult& result) {
    nlohmann::json outcomes = nlohmann::json::object();
    for (const auto& o : result.outcomes) {
        nlohmann::json entry = {{"ok", o.state == ControlRoomOutcome::State::done}};
        if (o.state == ControlRoomOutcome::State::failed) entry["code"] = o.code;
        if (!o.detail.empty()) entry[o.state == ControlRoomOutcome::State::done ? "value" : "message"] = o.detail;
        outcomes[o.connection] = std::move(entry);
    }
    return outcomes;
}

}  // namespace vta::host
