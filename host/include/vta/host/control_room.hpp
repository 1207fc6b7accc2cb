// The control room's operations from the panel: one OBS operation on a chosen set of connections at once (a bulk
// action of the control-room tab, or the on-air row on OBS_STR alone), and what each connection answered.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace vta::host {

enum class ControlRoomOperation {
    set_scene,     // the program scene (ControlRoomRequest::scene)
    start_stream,  //
    stop_stream,   //
    start_record,  //
    stop_record,   //
    mute,          // the main audio input (config panel.main_audio_input)
    unmute,        //
    toggle_mute,   // each connection flips its own state: the on-air row's toggle
};

std::string_view to_string(ControlRoomOperation operation);  // "set_scene", "start_stream"...

struct ControlRoomRequest {
    ControlRoomOperation operation = ControlRoomOperation::set_scene;
    std::vector<std::string> connections;  // by name, in the order the results list them
    std::string scene;                     // set_scene only
};

// One connection's answer to a control-room action.
struct ControlRoomOutcome {
    enum class State { pending, done, failed };
    std::string connection;
    State state = State::pending;
    std::string detail;  // why it failed ("OBS \"OBS_STR_3\" is not connected ..."), or what it answered: the new
                         // mute state of a toggle ("muted"), the stopped recording's file
    std::string code;    // vta::Errc's name when failed: "not_connected", "request_failed"...
};

// The last control-room action and its outcomes so far, for the panel.
struct ControlRoomResult {
    std::uint64_t id = 0;  // one more for every action
    ControlRoomRequest request;
    std::string input;                         // the audio input a mute acted on
    std::vector<ControlRoomOutcome> outcomes;  // in the request's order
    std::chrono::system_clock::time_point started_at;
    std::optional<std::chrono::milliseconds> took;  // set once every connection answered

    bool complete() const { return took.has_value(); }
};

// The request as the audit row's `before` ({"connections": [...], "arguments": {...}}) and the outcomes as its
// `after` ({name: {"ok": true} | {"ok": false, "message", "code"}}): the same shape a script's obs.all call leaves.
nlohmann::json control_room_request_json(const ControlRoomResult& result);
nlohmann::json control_room_outcomes_json(const ControlRoomResult& result);

}  // namespace vta::host
