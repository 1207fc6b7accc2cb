// The shipped workflows end to end with real peers: day 3 replayed over UDP into `vta run`, which
// drives a headless OBS_REC and OBS_STR (streaming to nginx-rtmp) and mpv. Everything is checked
// on what the peers themselves produced or reported: files probed with ffprobe, scene changes from
// OBS's own events, mpv's command lines, and the store through `vta ... --json`.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>

#include "court.hpp"

namespace vta::e2e {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// What OBS_REC itself reported of its replay buffer, for a failure's message.
std::string replay_buffer_states(obs_live::Session& watch) {
    std::string states = "\nOBS_REC's replay buffer:";
    for (const auto& e : watch.events->entries())
        if (e.entry.type == "ReplayBufferStateChanged" || e.entry.type == "ReplayBufferSaved")
            states += " " + e.entry.data.value("outputState", e.entry.type);
    return states;
}

std::vector<fs::path> files_under(const fs::path& root, const std::string& extension) {
    std::vector<fs::path> found;
    if (!fs::exists(root)) return found;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file() && entry.path().extension() == extension) found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    return found;
}

std::vector<std::string> lines_of(const fs::path& file) {
    std::vector<std::string> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// Program scenes OBS_STR reported, in order.
std::vector<std::string> program_scenes(obs_live::Session& watch) {
    std::vector<std::string> scenes;
    for (const auto& e : watch.events->entries())
        if (e.entry.type == "CurrentProgramSceneChanged") scenes.push_back(e.entry.data.value("sceneName", ""));
    return scenes;
}

TEST(WorkflowsEndToEnd, Day3RecordsEachMatchAndReviewsEveryChallengeOnRealPeers) {
    CourtOptions options;
    options.packages = {
        {"new-match", {{"config", {{"stop_after_winner", 2}, {"replay_seconds", 15}}}}},
        {"ivr", {{"config", {{"play_from", 4}, {"clip_seconds", 15}, {"debounce_seconds", 2}}}}},
    };
    Court court(options);

    // The stream is live before the day starts, as at a real court.
    auto& str = court.str_watch();
    auto started = obs_live::await<void>([&](auto done) { str.client->start_stream(done); });
    ASSERT_TRUE(started) << obs_live::describe(started.error());
    ASSERT_TRUE(str.wait_event("StreamStateChanged", "outputState", "OBS_WEBSOCKET_OUTPUT_STARTED", 20s));

    ASSERT_TRUE(court.wait_log("stream-recovery: stream session", 20s)) << court.host_log();

    const auto capture = accelerated_capture(fs::path(VTA_CAPTURES) / "day-3-matches.jsonl",
                                             court.folder() / "day-3-fast.jsonl", 20.0, 2500ms);
    auto sender = court.vta_started({"send", capture.string(), "--to", "127.0.0.1:" + std::to_string(court.udp_port())},
                                    "send.log");

    // Mid-match 103 the stream receiver goes away and comes back: OBS_STR reconnects, and the day's
    // stream goes on in a new session.
    ASSERT_TRUE(court.wait_log("new-match: recording match 103", 240s)) << court.host_log();
    court.rtmp().stop();
    // Back once OBS_STR has noticed: it reports reconnecting and the session closes.
    ASSERT_TRUE(court.wait_log("stream-recovery: stream session 1 closed", 30s)) << court.host_log();
    court.rtmp().start();
    // OBS waits longer before each reconnection try: on a starved CPU the try that finds the receiver back
    // can come over a minute later, or OBS gives up and stream-recovery restarts the stream.
    ASSERT_TRUE(court.wait_log("stream-recovery: stream session 2 opened", 180s)) << court.host_log();

    const auto sent_status = sender->wait(300s);
    ASSERT_EQ(sent_status, 0) << sender->output();

    // Each match's recording stops 2 s after its winner (or when the next match loads).
    ASSERT_TRUE(court.wait_log("new-match: recording of match", 30s, 3)) << court.host_log();
    ASSERT_TRUE(court.wait_log("ivr: review", 30s, 4)) << court.host_log();

    // Three playable recordings, in <root>/<tournament>/<day>, named from match and athletes.
    std::vector<fs::path> recordings;
    for (const auto& file : files_under(court.recordings_root(), ".mkv"))
        if (file.filename().string().rfind("Replay", 0) != 0) recordings.push_back(file);
    ASSERT_EQ(recordings.size(), 3u) << court.host_log();
    const std::vector<std::string> expected_names = {
        "101 Emma O'CONNOR (IRL) vs Kareem ABDULLAH (JOR).mkv",
        "102 Thi NGUYEN (VIE) vs Kareem ABDULLAH (JOR).mkv",
        "103 Ralf MÜLLER (GER) vs Vladislav SHCHERBAKOV (AIN).mkv",
    };
    auto day = court.vta_json({"matches", "--json"});
    for (std::size_t i = 0; i < recordings.size(); ++i) {
        EXPECT_EQ(recordings[i].filename().string(), expected_names[i]);
        EXPECT_EQ(recordings[i].parent_path().parent_path().parent_path(), court.recordings_root());
        EXPECT_GT(probe_video_seconds(recordings[i]), 3.0) << recordings[i] << " is not a playable video";
    }

    // Every challenge (4 in the day) produced a playable clip and an mpv run from the configured second:
    // the replay buffer's, or one cut from the recording when the buffer had none.
    const auto is_clip = [](const fs::path& file) {
        const auto name = file.filename().string();
        return name.rfind("Replay", 0) == 0 || name.rfind("Review ", 0) == 0;
    };
    std::vector<fs::path> clips;
    for (const auto& file : files_under(court.rec().home().parent_path(), ".mkv"))
        if (is_clip(file)) clips.push_back(file);
    for (const auto& file : files_under(court.recordings_root(), ".mkv"))
        if (is_clip(file)) clips.push_back(file);
    EXPECT_EQ(clips.size(), 4u) << court.host_log() << replay_buffer_states(court.rec_watch());
    std::cout << "clips: "
              << std::count_if(clips.begin(), clips.end(),
                               [](const fs::path& f) { return f.filename().string().rfind("Replay", 0) == 0; })
              << " from the replay buffer, "
              << std::count_if(clips.begin(), clips.end(),
                               [](const fs::path& f) { return f.filename().string().rfind("Review ", 0) == 0; })
              << " cut from the recording\n";
    for (const auto& clip : clips) EXPECT_GT(probe_video_seconds(clip), 1.0) << clip;
    const auto mpv_starts = lines_of(court.mpv_log());
    EXPECT_EQ(mpv_starts.size(), 4u);
    for (const auto& start : mpv_starts) {
        EXPECT_NE(start.find("--start=4.000"), std::string::npos) << start;
        EXPECT_NE(start.find("--vo=null"), std::string::npos) << start;
        EXPECT_TRUE(start.find("Replay") != std::string::npos || start.find("Review ") != std::string::npos) << start;
    }

    // OBS_STR itself reported IVR_SCENE for each review, and LIVE_SCENE after it.
    const auto scenes = program_scenes(str);
    std::vector<std::string> expected_scenes;
    for (int i = 0; i < 4; ++i) expected_scenes.insert(expected_scenes.end(), {"IVR_SCENE", "LIVE_SCENE"});
    EXPECT_EQ(scenes, expected_scenes) << court.host_log();

    // Stored events carry the clip path and the offset into the recording.
    ASSERT_TRUE(day.is_array());
    ASSERT_EQ(day.size(), 3u);
    std::set<std::string> tagged_clips;
    std::size_t with_recording_offset = 0, events = 0;
    for (const auto& match : day) {
        auto stored = court.vta_json({"events", "--match", std::to_string(match["id"].get<long long>()), "--json"});
        for (const auto& e : stored) {
            ++events;
            if (!e["clip_path"].is_null()) tagged_clips.insert(e["clip_path"].get<std::string>());
            if (!e["rec_offset_ms"].is_null()) ++with_recording_offset;
        }
    }
    EXPECT_EQ(tagged_clips.size(), 4u);
    for (const auto& clip : tagged_clips) EXPECT_TRUE(fs::exists(clip)) << clip;
    EXPECT_GT(with_recording_offset, events / 2) << "most events happen while a match is recorded";

    // The day's stream timeline: every event's offset into it only grows, across both sessions,
    // and the chapters start each match at its first event's offset.
    std::vector<std::pair<std::int64_t, std::int64_t>> stream_offsets;  // event id, str_offset_ms
    std::vector<std::pair<std::string, std::int64_t>> first_offsets;    // match number, offset
    for (const auto& match : day) {
        auto stored = court.vta_json({"events", "--match", std::to_string(match["id"].get<long long>()), "--json"});
        bool first = true;
        for (const auto& e : stored) {
            if (e["str_offset_ms"].is_null()) continue;
            stream_offsets.emplace_back(e["id"].get<std::int64_t>(), e["str_offset_ms"].get<std::int64_t>());
            if (first)
                first_offsets.emplace_back(match["number"].get<std::string>(), e["str_offset_ms"].get<std::int64_t>());
            first = false;
        }
    }
    std::sort(stream_offsets.begin(), stream_offsets.end());
    EXPECT_GT(stream_offsets.size(), events * 9 / 10) << "events streamed without an offset";
    for (std::size_t i = 1; i < stream_offsets.size(); ++i)
        ASSERT_LE(stream_offsets[i - 1].second, stream_offsets[i].second)
            << "event " << stream_offsets[i].first << " goes back in the stream";
    ASSERT_EQ(first_offsets.size(), 3u);

    const auto day_id = std::to_string(day[0]["day_id"].get<long long>());
    const auto chapters_file = court.folder() / "chapters.txt";
    auto [chapters_status, chapters_out] = court.vta({"chapters", "--day", day_id, "--out", chapters_file.string()});
    ASSERT_EQ(chapters_status, 0) << chapters_out;
    const auto chapters = lines_of(chapters_file);
    ASSERT_EQ(chapters.size(), 3u);
    EXPECT_EQ(chapters[0], "00:00:00 Match 101: Emma O'CONNOR (IRL) vs Kareem ABDULLAH (JOR)");
    auto stamp = [](std::int64_t ms) {
        char text[48];
        std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", (long long)(ms / 3600000),
                      (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60));
        return std::string(text);
    };
    EXPECT_EQ(chapters[1], stamp(first_offsets[1].second) + " Match 102: Thi NGUYEN (VIE) vs Kareem ABDULLAH (JOR)");
    EXPECT_EQ(chapters[2],
              stamp(first_offsets[2].second) + " Match 103: Ralf MÜLLER (GER) vs Vladislav SHCHERBAKOV (AIN)");

    EXPECT_EQ(court.stop_host(), 0);
    EXPECT_EQ(court.log_count("[error]"), 0u) << court.host_log();
}

// Match 101 in two parts with a host restart between them: the host continues the match, OBS_REC's
// recording and OBS_STR's stream session, so the match ends up with one recording and the day's
// stream timeline has no hole.
TEST(WorkflowsEndToEnd, AHostRestartedMidMatchGoesOnWithTheRecordingAndTheStreamSession) {
    CourtOptions options;
    options.packages = {{"new-match", {{"config", {{"stop_after_winner", 2}}}}}};
    Court court(options);
    auto& str = court.str_watch();
    auto started = obs_live::await<void>([&](auto done) { str.client->start_stream(done); });
    ASSERT_TRUE(started) << obs_live::describe(started.error());
    ASSERT_TRUE(court.wait_log("stream-recovery: stream session 1 opened", 20s)) << court.host_log();

    const auto day = accelerated_capture(fs::path(VTA_CAPTURES) / "day-3-matches.jsonl", court.folder() / "fast.jsonl",
                                         20.0, 2500ms);
    const auto lines = lines_of(day);
    std::ofstream(court.folder() / "first.jsonl") << [&] {
        std::string text;
        for (std::size_t i = 0; i < 200; ++i) text += lines[i] + "\n";
        return text;
    }();
    std::ofstream(court.folder() / "rest.jsonl") << [&] {
        std::string text;
        for (std::size_t i = 200; i < 423; ++i) text += lines[i] + "\n";  // the rest of match 101
        return text;
    }();
    const std::string to = "127.0.0.1:" + std::to_string(court.udp_port());
    auto [first_status, first_out] = court.vta({"send", (court.folder() / "first.jsonl").string(), "--to", to}, 120s);
    ASSERT_EQ(first_status, 0) << first_out;
    ASSERT_TRUE(court.wait_log("new-match: recording match 101", 10s)) << court.host_log();

    ASSERT_EQ(court.stop_host(), 0);
    court.start_host();
    EXPECT_TRUE(court.wait_log("continuing match 101", 10s)) << court.host_log();
    EXPECT_TRUE(court.wait_log("the recording of match 101 continues after the host restarted", 15s))
        << court.host_log();
    EXPECT_TRUE(court.wait_log("stream session 1 continues after the host restarted", 15s)) << court.host_log();

    auto [rest_status, rest_out] = court.vta({"send", (court.folder() / "rest.jsonl").string(), "--to", to}, 120s);
    ASSERT_EQ(rest_status, 0) << rest_out;
    ASSERT_TRUE(court.wait_log("new-match: recording of match 101 stopped (winner + 2 s)", 30s)) << court.host_log();

    std::vector<fs::path> recordings;
    for (const auto& file : files_under(court.recordings_root(), ".mkv"))
        if (file.filename().string().rfind("Replay", 0) != 0) recordings.push_back(file);
    ASSERT_EQ(recordings.size(), 1u);
    EXPECT_GT(probe_video_seconds(recordings[0]), 3.0);
    auto matches = court.vta_json({"matches", "--json"});
    ASSERT_EQ(matches.size(), 1u) << matches.dump(2);
    EXPECT_EQ(matches[0]["winner"], "blue");
    // Stream offsets are given every tag_every (10) seconds: wait for the last ones.
    nlohmann::json events;
    const auto streamed = [&] {
        events = court.vta_json({"events", "--match", std::to_string(matches[0]["id"].get<long long>()), "--json"});
        return std::count_if(events.begin(), events.end(), [](const auto& e) { return !e["str_offset_ms"].is_null(); });
    };
    EXPECT_TRUE(test::wait_until([&] { return streamed() == std::ptrdiff_t(events.size()); }, 15s))
        << streamed() << " of " << events.size() << " events have their place in the day's stream";
    std::int64_t previous = -1;
    for (const auto& e : events) {
        if (e["str_offset_ms"].is_null()) continue;
        EXPECT_GE(e["str_offset_ms"].get<std::int64_t>(), previous);
        previous = e["str_offset_ms"].get<std::int64_t>();
    }
    EXPECT_EQ(court.stop_host(), 0);
    EXPECT_EQ(court.log_count("[error]"), 0u) << court.host_log();
}

}  // namespace
}  // namespace vta::e2e
