// Typed operations against the fake OBS.

#include <gtest/gtest.h>

#include <limits>

#include "json_fields.hpp"
#include "test_support.hpp"

namespace vta::obs::testing {
namespace {

TEST(ObsTypedOps, Scenes) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto list = await<SceneList>(rig.io, [&](auto h) { rig.client->get_scene_list(h); });
    ASSERT_TRUE(list);
    EXPECT_EQ(list.value().current_program, "LIVE_SCENE");
    EXPECT_EQ(list.value().scenes, (std::vector<std::string>{"LIVE_SCENE", "IVR_SCENE"}));
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_current_program_scene("IVR_SCENE", h); }));
    auto current = await<std::string>(rig.io, [&](auto h) { rig.client->get_current_program_scene(h); });
    ASSERT_TRUE(current);
    EXPECT_EQ(current.value(), "IVR_SCENE");
    EXPECT_EQ(rig.server.program_scene(), "IVR_SCENE");
}

TEST(ObsTypedOps, StopRecordReturnsTheFinalPath) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->start_record(h); }));
    ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->status().recording; }));
    auto status = await<RecordStatus>(rig.io, [&](auto h) { rig.client->get_record_status(h); });
    ASSERT_TRUE(status);
    EXPECT_TRUE(status.value().active);
    auto path = await<std::string>(rig.io, [&](auto h) { rig.client->stop_record(h); });
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(path.value(), "/tmp/fake-obs/recording.mkv");
    EXPECT_FALSE(rig.client->status().recording);
    EXPECT_EQ(rig.client->status().record_state, "OBS_WEBSOCKET_OUTPUT_STOPPED");

    auto again = await<std::string>(rig.io, [&](auto h) { rig.client->stop_record(h); });
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().status_code, 501);
}

TEST(ObsTypedOps, RecordFolderUsesProfileParametersOn51) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_record_directory("/data/rec", h); }));
    EXPECT_EQ(rig.server.profile_parameter("SimpleOutput", "FilePath"), "/data/rec");
    EXPECT_EQ(rig.server.profile_parameter("AdvOut", "RecFilePath"), "/data/rec");
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_filename_format("match-%CCYY%MM%DD", h); }));
    EXPECT_EQ(rig.server.profile_parameter("Output", "FilenameFormatting"), "match-%CCYY%MM%DD");
    auto dir = await<std::string>(rig.io, [&](auto h) { rig.client->get_record_directory(h); });
    ASSERT_TRUE(dir);
    EXPECT_EQ(dir.value(), "/data/rec");
}

TEST(ObsTypedOps, RecordFolderUsesSetRecordDirectoryWhenOffered) {
    Rig rig(FakeObsOptions{.password = {}, .offer_set_record_directory = true});
    ASSERT_TRUE(rig.connect());
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->set_record_directory("/data/rec", h); }));
    EXPECT_EQ(rig.server.profile_parameter("", "RecordDirectory"), "/data/rec");
    EXPECT_EQ(rig.server.profile_parameter("SimpleOutput", "FilePath"), "");
}

TEST(ObsTypedOps, RecordFolderIsRefusedWhileRecording) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    rig.server.set_recording(true);
    auto r = await<void>(rig.io, [&](auto h) { rig.client->set_record_directory("/data/rec", h); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_state);
    EXPECT_NE(r.error().message.find("while OBS is recording"), std::string::npos);
    auto name = await<void>(rig.io, [&](auto h) { rig.client->set_filename_format("x", h); });
    ASSERT_FALSE(name);
    EXPECT_EQ(name.error().code, Errc::invalid_state);
    EXPECT_EQ(rig.server.profile_parameter("SimpleOutput", "FilePath"), "");
}

TEST(ObsTypedOps, SaveReplayWaitsForTheSavedEvent) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->start_replay_buffer(h); }));
    auto active = await<bool>(rig.io, [&](auto h) { rig.client->get_replay_buffer_status(h); });
    ASSERT_TRUE(active);
    EXPECT_TRUE(active.value());
    auto path = await<std::string>(rig.io, [&](auto h) { rig.client->save_replay_buffer(h); });
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(path.value(), "/tmp/fake-obs/replay-1.mkv");
    EXPECT_EQ(rig.client->status().last_replay_path, "/tmp/fake-obs/replay-1.mkv");
}

TEST(ObsTypedOps, SaveReplayFallsBackWithoutTheEvent) {
    Rig rig(FakeObsOptions{.password = {}, .offer_set_record_directory = false, .send_replay_saved_event = false});
    ASSERT_TRUE(rig.connect());
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->start_replay_buffer(h); }));
    auto path = await<std::string>(rig.io, [&](auto h) { rig.client->save_replay_buffer(h); });
    ASSERT_TRUE(path) << path.error().message;
    EXPECT_EQ(path.value(), "/tmp/fake-obs/replay-1.mkv");
}

TEST(ObsTypedOps, SaveReplayFailsWhenTheBufferIsOff) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto path = await<std::string>(rig.io, [&](auto h) { rig.client->save_replay_buffer(h); });
    ASSERT_FALSE(path);
    EXPECT_EQ(path.error().code, Errc::request_failed);
}

TEST(ObsTypedOps, SceneItemEnabledBySourceName) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    ASSERT_TRUE(
        await<void>(rig.io, [&](auto h) { rig.client->set_scene_item_enabled("LIVE_SCENE", "Overlay", true, h); }));
    EXPECT_TRUE(rig.server.scene_item_enabled("LIVE_SCENE", 7));
    auto missing =
        await<void>(rig.io, [&](auto h) { rig.client->set_scene_item_enabled("LIVE_SCENE", "Nope", true, h); });
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().status_code, 600);
}

TEST(ObsTypedOps, StreamStatusAndMisc) {
    Rig rig;
    ASSERT_TRUE(rig.connect());
    auto stream = await<StreamStatus>(rig.io, [&](auto h) { rig.client->get_stream_status(h); });
    ASSERT_TRUE(stream);
    EXPECT_FALSE(stream.value().active);
    EXPECT_EQ(stream.value().timecode, "00:00:00.000");
    std::optional<Json> custom;
    auto sub = rig.client->subscribe("CustomEvent", [&](const Event& e) { custom = e.data; });
    ASSERT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->broadcast_custom_event({{"match", 12}}, h); }));
    ASSERT_TRUE(run_until(rig.io, [&] { return custom.has_value(); }));
    EXPECT_EQ((*custom)["match"], 12);
    EXPECT_TRUE(await<void>(rig.io, [&](auto h) { rig.client->trigger_hotkey_by_name("OBSBasic.Screenshot", h); }));
    EXPECT_TRUE(await<void>(rig.io, [&](auto h) {
        rig.client->set_input_settings("Score", {{"text", "3:2"}}, true, h);
    }));
}

// Fields read leniently: a number no int64_t holds (the fuzzer's hundred-digit "eventIntent", read as a double)
// is the fallback, never an undefined conversion.
TEST(JsonFields, NumbersBeyondInt64ReadAsTheFallback) {
    const auto j =
        Json::parse(R"({"big": 6666666666666666666666666666666666666666, "huge_unsigned": 18446744073709551615,
        "negative": -9223372036854775808, "float": 42.9, "text": "7"})");
    EXPECT_EQ(detail::int_field(j, "big", -1), -1);
    EXPECT_EQ(detail::int_field(j, "huge_unsigned", -1), -1);
    EXPECT_EQ(detail::int_field(j, "negative", -1), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(detail::int_field(j, "float", -1), 42);
    EXPECT_EQ(detail::int_field(j, "text", -1), -1);
    EXPECT_EQ(detail::int_field(j, "missing", -1), -1);
}

}  // namespace
}  // namespace vta::obs::testing
