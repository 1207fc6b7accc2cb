// The control-room tab's and the on-air row's view models, from hand-made snapshots: no display, no host.
#include <gtest/gtest.h>

#include "vta/ui/control_room_view.hpp"

namespace vta::ui {
namespace {

using namespace std::chrono_literals;

host::ObsConnectionSnapshot connection(std::string name, std::string role, obs::State state) {
    host::ObsConnectionSnapshot c;
    c.name = std::move(name);
    c.role = std::move(role);
    c.state.state = state;
    if (state != obs::State::connected) c.state.reason = "Connection refused";
    return c;
}

// OBS_REC recording for 1:02:03, OBS_STR_1 streaming for 0:12:34 at 2450 kbps with 30 of 6000 frames dropped,
// OBS_STR_2 connected and idle, OBS_STR_3 down; polled 2 s before the snapshot was taken.
host::HostSnapshot control_room_snapshot() {
    host::HostSnapshot s;
    s.taken_at = std::chrono::system_clock::now();
    host::ObsLiveSnapshot polled;
    polled.polled_at = s.taken_at - 2s;
    polled.scenes = {"LIVE_SCENE", "IVR_SCENE", "BREAK"};
    polled.main_audio_muted = false;

    auto rec = connection("OBS_REC", "rec", obs::State::connected);
    rec.recording = true;
    rec.program_scene = "LIVE_SCENE";
    rec.live = polled;
    rec.live->record = {true, false, "01:02:01.000", (3600 + 2 * 60 + 1) * 1000, 1 << 30};
    rec.live->scenes = {"LIVE_SCENE", "REC_ONLY"};

    auto str1 = connection("OBS_STR_1", "str", obs::State::connected);
    str1.streaming = true;
    str1.program_scene = "IVR_SCENE";
    str1.live = polled;
    str1.live->stream.active = true;
    str1.live->stream.duration_ms = (12 * 60 + 32) * 1000;
    str1.live->stream.skipped_frames = 30;
    str1.live->stream.total_frames = 6000;
    str1.live->stream_kbps = 2450.4;

    auto str2 = connection("OBS_STR_2", "both", obs::State::connected);
    str2.program_scene = "LIVE_SCENE";
    str2.live = polled;

    s.obs = {rec, str1, str2, connection("OBS_STR_3", "str", obs::State::reconnecting)};
    return s;
}

TEST(ControlRoomView, RunningTimeIsHoursMinutesSeconds) {
    EXPECT_EQ(running_time(0), "0:00:00");
    EXPECT_EQ(running_time(754'999), "0:12:34");
    EXPECT_EQ(running_time((3600 * 10 + 61) * 1000), "10:01:01");
    EXPECT_EQ(running_time(-5), "0:00:00");
}

TEST(ControlRoomView, EachObsWithStateSceneOutputsBitrateAndDroppedFrames) {
    const auto rows = control_room_rows(control_room_snapshot());
    ASSERT_EQ(rows.size(), 4u);

    EXPECT_EQ(rows[0].name, "OBS_REC");
    EXPECT_EQ(rows[0].state, "connected");
    EXPECT_EQ(rows[0].tone, Tone::good);
    EXPECT_FALSE(rows[0].chosen_by_default) << "only the STR connections are chosen at first";
    EXPECT_EQ(rows[0].record, "REC 1:02:03") << "OBS's figure moved on by the 2 s since the poll";
    EXPECT_EQ(rows[0].record_tone, Tone::bad);
    EXPECT_EQ(rows[0].stream, "off");
    EXPECT_EQ(rows[0].bitrate, "–");

    EXPECT_EQ(rows[1].scene, "IVR_SCENE");
    EXPECT_EQ(rows[1].stream, "LIVE 0:12:34");
    EXPECT_EQ(rows[1].stream_tone, Tone::bad);
    EXPECT_EQ(rows[1].bitrate, "2450 kbps");
    EXPECT_EQ(rows[1].dropped, "0.5 %");
    EXPECT_EQ(rows[1].dropped_tone, Tone::busy);
    EXPECT_TRUE(rows[1].chosen_by_default);

    EXPECT_EQ(rows[2].role, "both");
    EXPECT_TRUE(rows[2].chosen_by_default) << "a connection configured as both streams too";
    EXPECT_EQ(rows[2].stream, "off");
    EXPECT_EQ(rows[2].dropped, "–");

    EXPECT_EQ(rows[3].state, "reconnecting");
    EXPECT_EQ(rows[3].tone, Tone::busy);
    EXPECT_EQ(rows[3].scene, "–");
    EXPECT_EQ(rows[3].stream, "–") << "nothing is known of a connection that is down";
    EXPECT_TRUE(rows[3].chosen_by_default);
    for (const auto& row : rows) EXPECT_EQ(row.result, "") << "no action yet";
    EXPECT_EQ(control_room_summary(control_room_snapshot()), "");
}

TEST(ControlRoomView, TheLastActionShowsPerConnectionWithTheDownOnesError) {
    auto s = control_room_snapshot();
    host::ControlRoomResult r;
    r.id = 1;
    r.request = {host::ControlRoomOperation::set_scene, {"OBS_STR_1", "OBS_STR_2", "OBS_STR_3"}, "BREAK"};
    r.started_at = s.taken_at;
    r.outcomes = {{"OBS_STR_1", host::ControlRoomOutcome::State::done, "", ""},
                  {"OBS_STR_2", host::ControlRoomOutcome::State::pending, "", ""},
                  {"OBS_STR_3", host::ControlRoomOutcome::State::failed,
                   "SetCurrentProgramScene: OBS \"OBS_STR_3\" is not connected (reconnecting)", "not_connected"}};
    s.control_room = r;
    auto rows = control_room_rows(s);
    EXPECT_EQ(rows[0].result, "") << "OBS_REC was not part of it";
    EXPECT_EQ(rows[1].result, "done");
    EXPECT_EQ(rows[1].result_tone, Tone::good);
    EXPECT_EQ(rows[2].result, "waiting for OBS…");
    EXPECT_EQ(rows[2].result_tone, Tone::busy);
    EXPECT_EQ(rows[3].result,
              "not_connected: SetCurrentProgramScene: OBS \"OBS_STR_3\" is not connected (reconnecting)");
    EXPECT_EQ(rows[3].result_tone, Tone::bad);
    const std::string waiting = control_room_summary(s);
    EXPECT_TRUE(waiting.starts_with("Last: Switch to BREAK · ")) << waiting;
    EXPECT_TRUE(waiting.ends_with(" · 1 done, 1 failed, 1 waiting")) << waiting;

    s.control_room->outcomes[1].state = host::ControlRoomOutcome::State::done;
    s.control_room->took = 72ms;
    EXPECT_TRUE(control_room_summary(s).ends_with(" · 2 done, 1 failed · 72 ms")) << control_room_summary(s);

    s.control_room->request.operation = host::ControlRoomOperation::mute;
    s.control_room->input = "MAIN_AUDIO";
    EXPECT_TRUE(control_room_summary(s).starts_with("Last: Mute MAIN_AUDIO · ")) << control_room_summary(s);
}

TEST(ControlRoomView, TheBulkSceneChoiceOffersTheChosenConnectionsScenes) {
    const auto s = control_room_snapshot();
    EXPECT_EQ(bulk_scenes(s, {"OBS_STR_1", "OBS_STR_2", "OBS_STR_3"}),
              (std::vector<std::string>{"LIVE_SCENE", "IVR_SCENE", "BREAK"}));
    EXPECT_EQ(bulk_scenes(s, {"OBS_REC", "OBS_STR_1"}),
              (std::vector<std::string>{"LIVE_SCENE", "REC_ONLY", "IVR_SCENE", "BREAK"}));
    EXPECT_TRUE(bulk_scenes(s, {"OBS_STR_3"}).empty()) << "nothing polled from a connection that is down";
    EXPECT_TRUE(bulk_scenes(s, {}).empty());
}

TEST(OnAirView, ObsStrsScenesStreamAndMuteWithTheRecordingOfObsRec) {
    auto s = control_room_snapshot();
    auto view = on_air(s);
    EXPECT_EQ(view.str_connection, "OBS_STR_1");
    EXPECT_TRUE(view.str_connected);
    ASSERT_EQ(view.scenes.size(), 3u);
    EXPECT_EQ(view.scenes[0].name, "LIVE_SCENE");
    EXPECT_FALSE(view.scenes[0].current);
    EXPECT_TRUE(view.scenes[1].current) << "IVR_SCENE is OBS_STR_1's program scene";
    EXPECT_TRUE(view.streaming);
    EXPECT_EQ(view.stream_label, "LIVE 0:12:34 · stop");
    EXPECT_EQ(view.rec_connection, "OBS_REC");
    EXPECT_TRUE(view.recording);
    EXPECT_EQ(view.record_label, "REC 1:02:03 · stop");
    EXPECT_EQ(view.muted, false);
    EXPECT_EQ(view.mute_label, "Main audio on");

    s.obs[1].live->main_audio_muted = true;
    s.obs[1].streaming = false;
    s.obs[0].live->record.paused = true;
    view = on_air(s);
    EXPECT_EQ(view.mute_label, "MAIN AUDIO MUTED");
    EXPECT_EQ(view.stream_label, "Start stream");
    EXPECT_EQ(view.record_label, "REC 1:02:01 · stop") << "a paused recording's time stands still";

    s.obs[1].live->main_audio_muted.reset();  // OBS has no input of that name
    EXPECT_EQ(on_air(s).mute_label, "Main audio ?");
    s.obs[1].live.reset();  // not polled yet
    view = on_air(s);
    EXPECT_TRUE(view.scenes.empty());
    EXPECT_FALSE(view.muted);

    host::HostSnapshot none;
    view = on_air(none);
    EXPECT_EQ(view.str_connection, "");
    EXPECT_EQ(view.rec_connection, "");
    EXPECT_EQ(view.stream_label, "Start stream");
}

}  // namespace
}  // namespace vta::ui
