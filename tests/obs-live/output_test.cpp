// Recording, replay buffer and streaming against a real OBS (and a real RTMP ingest).

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "live_support.hpp"

namespace vta::obs_live {
namespace {

namespace fs = std::filesystem;
using test_peers::ObsPeer;
using test_peers::ObsPeerOptions;
using test_peers::RtmpPeer;

std::int64_t size_of(const fs::path& path) {
    std::error_code error;
    auto size = fs::file_size(path, error);
    return error ? -1 : static_cast<std::int64_t>(size);
}

bool file_contains(const fs::path& file, const std::string& text) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (line.find(text) != std::string::npos) return true;
    }
    return false;
}

// Waits until OBS has recorded (or buffered) at least `length` of video, as OBS itself counts it.
bool output_ran_for(Session& session, const std::string& output_kind, Millis length) {
    return eventually(
        [&] {
            auto outputs = await<obs::Json>([&](auto done) { session.client->request("GetOutputList", {}, done); });
            if (!outputs) return false;
            for (const auto& output : outputs.value().value("outputs", obs::Json::array())) {
                if (output.value("outputKind", "") != output_kind) continue;
                auto status = await<obs::Json>([&](auto done) {
                    session.client->request("GetOutputStatus", {{"outputName", output.at("outputName")}}, done);
                });
                return status && status.value().value("outputDuration", 0) >= length.count();
            }
            return false;
        },
        15s);
}

TEST_F(ObsLiveTest, RecordingLandsInTheFolderAndFileNameTheClientSet) {
    ObsPeer peer;
    auto session = connect(peer);
    auto folder = peer.dir() / "client-chosen-folder";
    fs::create_directories(folder);

    auto set_folder = await<void>([&](auto done) { session.client->set_record_directory(folder.string(), done); });
    ASSERT_TRUE(set_folder) << describe(set_folder.error());
    auto read_back = await<std::string>([&](auto done) { session.client->get_record_directory(done); });
    ASSERT_TRUE(read_back) << describe(read_back.error());
    EXPECT_EQ(fs::path(read_back.value()), folder);
    auto set_name = await<void>([&](auto done) { session.client->set_filename_format("match-0042-court-1", done); });
    ASSERT_TRUE(set_name) << describe(set_name.error());

    auto started = await<void>([&](auto done) { session.client->start_record(done); });
    ASSERT_TRUE(started) << describe(started.error());
    ASSERT_TRUE(session.wait_event("RecordStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STARTED", 10s));
    ASSERT_TRUE(output_ran_for(session, "ffmpeg_muxer", 2s)) << "the recording did not reach 2 s";

    auto moving = await<void>(
        [&](auto done) { session.client->set_record_directory((peer.dir() / "elsewhere").string(), done); });
    ASSERT_FALSE(moving) << "changing the folder while recording must be refused";
    EXPECT_EQ(moving.error().code, vta::Errc::invalid_state) << describe(moving.error());

    auto stopped = await<std::string>([&](auto done) { session.client->stop_record(done); });
    ASSERT_TRUE(stopped) << describe(stopped.error());
    auto expected = folder / "match-0042-court-1.mkv";
    EXPECT_EQ(fs::path(stopped.value()), expected);
    EXPECT_TRUE(fs::exists(expected));
    EXPECT_GT(size_of(expected), 10'000) << expected;
    EXPECT_EQ(session.client->status().last_record_path, expected.string());
    EXPECT_FALSE(session.client->status().recording);
}

TEST_F(ObsLiveTest, ReplayBufferSaveReturnsThePathOfAnExistingClip) {
    ObsPeer peer;
    auto session = connect(peer);

    auto started = await<void>([&](auto done) { session.client->start_replay_buffer(done); });
    ASSERT_TRUE(started) << describe(started.error());
    ASSERT_TRUE(session.wait_event("ReplayBufferStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STARTED", 10s));
    EXPECT_TRUE(eventually([&] { return session.client->status().replay_buffer_active; }, 2s));
    ASSERT_TRUE(output_ran_for(session, "replay_buffer", 1500ms)) << "the replay buffer did not fill 1.5 s";

    // OBS names clips to the second, so two saves within one second share a name (the later
    // overwrites the earlier): freshness is checked against a file touched just before asking.
    std::vector<Clock::duration> latencies;
    std::string last_clip;
    for (int i = 0; i < 3; ++i) {
        auto marker = peer.dir() / "before-save";
        std::ofstream(marker) << i;
        auto from = session.events->size();
        auto asked = Clock::now();
        auto saved = await<std::string>([&](auto done) { session.client->save_replay_buffer(done); });
        latencies.push_back(Clock::now() - asked);
        ASSERT_TRUE(saved) << describe(saved.error());
        fs::path clip = saved.value();
        EXPECT_TRUE(fs::exists(clip)) << clip;
        EXPECT_GT(size_of(clip), 10'000) << clip;
        EXPECT_EQ(clip.parent_path(), peer.record_dir());
        EXPECT_EQ(clip.filename().string().rfind("Replay", 0), 0u) << clip << " lacks the profile's prefix";
        EXPECT_GE(fs::last_write_time(clip), fs::last_write_time(marker)) << clip << " is an older clip";
        EXPECT_TRUE(session.wait_event("ReplayBufferSaved", "savedReplayPath", saved.value(), 2s, from))
            << "OBS announced no ReplayBufferSaved for " << clip;
        last_clip = saved.value();
    }
    EXPECT_EQ(session.client->status().last_replay_path, last_clip);
    auto figures = summarize(latencies);
    report("replay_save_latency_median_ms", std::to_string(figures.median_ms));
    report("replay_save_latency_max_ms", std::to_string(figures.max_ms));
    EXPECT_LT(figures.max_ms, 3000.0);
}

TEST_F(ObsLiveTest, StreamDropIsReportedAsReconnectingAndRecovers) {
    RtmpPeer rtmp;
    ObsPeerOptions options;
    options.rtmp_url = rtmp.url();
    ObsPeer peer(options);
    auto session = connect(peer);

    auto started = await<void>([&](auto done) { session.client->start_stream(done); });
    ASSERT_TRUE(started) << describe(started.error());
    ASSERT_TRUE(session.wait_event("StreamStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STARTED", 15s))
        << "OBS did not start streaming to " << rtmp.url();
    EXPECT_TRUE(eventually([&] { return session.client->status().streaming; }, 2s));
    ASSERT_TRUE(output_ran_for(session, "rtmp_output", 1s));
    EXPECT_TRUE(file_contains(rtmp.dir() / "logs/error.log", "publish: name='vta'"))
        << "nginx-rtmp saw no publish with the key vta";

    auto from = session.events->size();
    auto receiver_gone = Clock::now();
    rtmp.stop();
    auto reconnecting =
        session.wait_event("StreamStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_RECONNECTING", 15s, from);
    ASSERT_TRUE(reconnecting) << "OBS did not report the drop";
    report("stream_drop_detected_ms",
           std::to_string(std::chrono::duration_cast<Millis>(reconnecting->at - receiver_gone).count()));
    EXPECT_TRUE(eventually([&] { return session.client->status().stream_reconnecting; }, 2s));
    auto during = await<obs::StreamStatus>([&](auto done) { session.client->get_stream_status(done); });
    ASSERT_TRUE(during) << describe(during.error());
    EXPECT_TRUE(during.value().reconnecting);

    from = session.events->size();
    rtmp.start();
    ASSERT_TRUE(session.wait_event("StreamStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_RECONNECTED", 20s, from))
        << "OBS did not reconnect to the restarted receiver";
    EXPECT_TRUE(eventually([&] { return !session.client->status().stream_reconnecting; }, 2s));

    auto stopped = await<void>([&](auto done) { session.client->stop_stream(done); });
    ASSERT_TRUE(stopped) << describe(stopped.error());
    ASSERT_TRUE(session.wait_event("StreamStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STOPPED", 10s));
    EXPECT_TRUE(eventually([&] { return !session.client->status().streaming; }, 2s));
}

}  // namespace
}  // namespace vta::obs_live
