#include "vta/ui/control_room_view.hpp"

#include <algorithm>
#include <cstdio>

namespace vta::ui {

namespace {

using host::ControlRoomOperation;
using host::ControlRoomOutcome;

constexpr const char* unknown = "–";

// An output's running time now: OBS's figure at the poll, moved on by the time since (it runs while active).
std::int64_t running_ms(std::int64_t polled_ms, const host::ObsLiveSnapshot& live, const host::HostSnapshot& snapshot) {
    const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(snapshot.taken_at - live.polled_at);
    return polled_ms + std::max<std::int64_t>(0, since.count());
}

const host::ObsConnectionSnapshot* first_serving(const host::HostSnapshot& snapshot, const std::string& role) {
    for (const auto& c : snapshot.obs)
        if (c.role == role || c.role == "both") return &c;
    return nullptr;
}

std::string operation_text(const host::ControlRoomResult& r) {
    switch (r.request.operation) {
        case ControlRoomOperation::set_scene:
            return "Switch to " + r.request.scene;
        case ControlRoomOperation::start_stream:
            return "Start stream";
        case ControlRoomOperation::stop_stream:
            return "Stop stream";
        case ControlRoomOperation::start_record:
            return "Start recording";
        case ControlRoomOperation::stop_record:
            return "Stop recording";
        case ControlRoomOperation::mute:
            return "Mute " + r.input;
        case ControlRoomOperation::unmute:
            return "Unmute " + r.input;
        case ControlRoomOperation::toggle_mute:
            return "Toggle mute of " + r.input;
    }
    return "";
}

}  // namespace

std::string running_time(std::int64_t ms) {
    const std::int64_t seconds = std::max<std::int64_t>(0, ms) / 1000;
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
    return text;
}

std::vector<ControlRoomRow> control_room_rows(const host::HostSnapshot& snapshot) {
    const auto connections = connection_rows(snapshot);  // the UDP row first
    std::vector<ControlRoomRow> rows;
    for (std::size_t i = 0; i < snapshot.obs.size(); ++i) {
        const host::ObsConnectionSnapshot& c = snapshot.obs[i];
        ControlRoomRow row;
        row.name = c.name;
        row.role = c.role;
        row.state = connections[i + 1].state;
        row.tone = connections[i + 1].tone;
        row.chosen_by_default = c.role == "str" || c.role == "both";
        const bool connected = c.state.state == obs::State::connected;
        row.scene = connected && !c.program_scene.empty() ? c.program_scene : unknown;
        const host::ObsLiveSnapshot* live = connected && c.live ? &*c.live : nullptr;
        row.stream = row.record = row.bitrate = row.dropped = unknown;
        if (connected) {
            row.stream = c.streaming ? "LIVE" : "off";
            row.stream_tone = c.streaming ? Tone::bad : Tone::idle;  // red: on air
            row.record = c.recording ? "REC" : "off";
            row.record_tone = c.recording ? Tone::bad : Tone::idle;
        }
        if (live) {
            if (c.streaming && live->stream.active) {
                row.stream += " " + running_time(running_ms(live->stream.duration_ms, *live, snapshot));
                char figure[32];
                std::snprintf(figure, sizeof figure, "%.0f kbps", live->stream_kbps);
                row.bitrate = figure;
                if (live->stream.total_frames > 0) {
                    const double percent =
                        100.0 * double(live->stream.skipped_frames) / double(live->stream.total_frames);
                    std::snprintf(figure, sizeof figure, "%.1f %%", percent);
                    row.dropped = figure;
                    row.dropped_tone = percent >= 1.0 ? Tone::bad : percent > 0 ? Tone::busy : Tone::good;
                }
            }
            if (c.recording && live->record.active) {
                const std::int64_t ms = live->record.paused ? live->record.duration_ms
                                                            : running_ms(live->record.duration_ms, *live, snapshot);
                row.record = std::string(live->record.paused ? "PAUSED " : "REC ") + running_time(ms);
                if (live->record.paused) row.record_tone = Tone::busy;
            }
        }
        if (snapshot.control_room) {
            for (const auto& o : snapshot.control_room->outcomes) {
                if (o.connection != c.name) continue;
                switch (o.state) {
                    case ControlRoomOutcome::State::pending:
                        row.result = "waiting for OBS…";
                        row.result_tone = Tone::busy;
                        break;
                    case ControlRoomOutcome::State::done:
                        row.result = "done" + (o.detail.empty() ? "" : ": " + o.detail);
                        row.result_tone = Tone::good;
                        break;
                    case ControlRoomOutcome::State::failed:
                        row.result = o.code + ": " + o.detail;
                        row.result_tone = Tone::bad;
                        break;
                }
            }
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string control_room_summary(const host::HostSnapshot& snapshot) {
    if (!snapshot.control_room) return "";
    const host::ControlRoomResult& r = *snapshot.control_room;
    int done = 0, failed = 0, waiting = 0;
    for (const auto& o : r.outcomes)
        (o.state == ControlRoomOutcome::State::done     ? done
         : o.state == ControlRoomOutcome::State::failed ? failed
                                                        : waiting)++;
    std::string text = "Last: " + operation_text(r) + " · " + format_local_time(r.started_at).substr(0, 8) + " · " +
                       std::to_string(done) + " done";
    if (failed) text += ", " + std::to_string(failed) + " failed";
    if (waiting) text += ", " + std::to_string(waiting) + " waiting";
    if (r.took) text += " · " + std::to_string(r.took->count()) + " ms";
    return text;
}

std::vector<std::string> bulk_scenes(const host::HostSnapshot& snapshot, const std::vector<std::string>& chosen) {
    std::vector<std::string> scenes;
    for (const auto& name : chosen)
        for (const auto& c : snapshot.obs) {
            if (c.name != name || !c.live) continue;
            for (const auto& scene : c.live->scenes)
                if (std::find(scenes.begin(), scenes.end(), scene) == scenes.end()) scenes.push_back(scene);
        }
    return scenes;
}

OnAirView on_air(const host::HostSnapshot& snapshot) {
    OnAirView view;
    view.stream_label = "Start stream";
    view.record_label = "Start recording";
    view.mute_label = "Main audio ?";
    if (const auto* str = first_serving(snapshot, "str")) {
        view.str_connection = str->name;
        view.str_connected = str->state.state == obs::State::connected;
        const host::ObsLiveSnapshot* live = view.str_connected && str->live ? &*str->live : nullptr;
        view.streaming = view.str_connected && str->streaming;
        if (view.streaming)
            view.stream_label =
                "LIVE " +
                (live && live->stream.active ? running_time(running_ms(live->stream.duration_ms, *live, snapshot)) + " "
                                             : std::string()) +
                "· stop";
        if (live) {
            for (const auto& scene : live->scenes) view.scenes.push_back({scene, scene == str->program_scene});
            view.muted = live->main_audio_muted;
        }
        if (view.muted) view.mute_label = *view.muted ? "MAIN AUDIO MUTED" : "Main audio on";
    }
    if (const auto* rec = first_serving(snapshot, "rec")) {
        view.rec_connection = rec->name;
        view.rec_connected = rec->state.state == obs::State::connected;
        const host::ObsLiveSnapshot* live = view.rec_connected && rec->live ? &*rec->live : nullptr;
        view.recording = view.rec_connected && rec->recording;
        if (view.recording)
            view.record_label =
                "REC " +
                (live && live->record.active
                     ? running_time(live->record.paused ? live->record.duration_ms
                                                        : running_ms(live->record.duration_ms, *live, snapshot)) +
                           " "
                     : std::string()) +
                "· stop";
    }
    return view;
}

}  // namespace vta::ui
