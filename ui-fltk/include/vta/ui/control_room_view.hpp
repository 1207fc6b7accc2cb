// View models of the control-room tab and the on-air row: plain C++ from a host snapshot (each OBS's state and what
// the host last polled of it, `ObsConnectionSnapshot::live`, and the last control-room action), no FLTK.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vta/host/snapshot.hpp"
#include "vta/ui/view_models.hpp"

namespace vta::ui {

// "0:12:34": a running time, hours first.
std::string running_time(std::int64_t ms);

// One OBS in the control room. Figures the host has not polled (yet) are "–".
struct ControlRoomRow {
    std::string name;
    std::string role;   // "rec", "str", "both"
    std::string state;  // "connected", "reconnecting"...
    Tone tone = Tone::idle;
    std::string scene;   // the program scene, "–" when not known
    std::string stream;  // "LIVE 0:12:34", "off"
    Tone stream_tone = Tone::idle;
    std::string record;  // "REC 1:02:03", "PAUSED 1:02:03", "off"
    Tone record_tone = Tone::idle;
    std::string bitrate;  // "2450 kbps" while streaming
    std::string dropped;  // the stream's dropped frames, "0.4 %"
    Tone dropped_tone = Tone::idle;
    bool chosen_by_default = false;  // the STR connections (str or both)
    std::string result;              // this connection's outcome of the last action, "" when it was not part of it
    Tone result_tone = Tone::idle;
};

// Every OBS connection in config order.
std::vector<ControlRoomRow> control_room_rows(const host::HostSnapshot& snapshot);

// The last action in one line: "Switch to IVR_SCENE · 12:14:17 · 2 done, 1 failed · 72 ms"; "" before the first.
std::string control_room_summary(const host::HostSnapshot& snapshot);

// The scenes the bulk scene choice offers for the chosen connections: the first one's in OBS's order, then scenes
// only the others have.
std::vector<std::string> bulk_scenes(const host::HostSnapshot& snapshot, const std::vector<std::string>& chosen);

// The on-air row: OBS_STR (the first connection serving str) for scenes, stream and main audio; the recording on the
// first connection serving rec, like the Rec buttons.
struct OnAirView {
    struct Scene {
        std::string name;
        bool current = false;  // the program scene
    };
    std::string str_connection;  // "" when none is configured
    bool str_connected = false;
    std::vector<Scene> scenes;  // empty until the host has polled the scene list
    bool streaming = false;
    std::string stream_label;  // "Start stream", "LIVE 0:12:34 · stop"
    std::string rec_connection;
    bool rec_connected = false;
    bool recording = false;
    std::string record_label;   // "Start recording", "REC 1:02:03 · stop"
    std::optional<bool> muted;  // nothing: not known (not polled, or OBS has no such input)
    std::string mute_label;     // "Main audio on", "MAIN AUDIO MUTED", "Main audio ?"
};
OnAirView on_air(const host::HostSnapshot& snapshot);

}  // namespace vta::ui
