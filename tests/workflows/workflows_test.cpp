// The shipped workflow packages (scripts/workflows): `vta check` on each, and dry runs of the
// day-3 capture (3 matches, 4 coach challenges) through the recorder standing in for OBS, mpv
// and the store.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "vta/bindings/tools.hpp"
#include "vta/host/dry_run.hpp"

namespace vta::bindings {
namespace {

const std::filesystem::path source_dir = VTA_SOURCE_DIR;
const std::filesystem::path workflows_dir = source_dir / "scripts/workflows";
const std::filesystem::path day3_capture = source_dir / "examples/captures/day-3-matches.jsonl";
const std::vector<std::string> shipped_packages = {"new-match", "ivr", "scenes", "stream-recovery"};

// Capture times (ms) of the day-3 capture.
const std::vector<std::int64_t> ready_at = {18820, 577836, 1286043};              // rdy;FightReady
const std::vector<std::int64_t> winner_at = {325204, 1094370, 1707396};           // win;
const std::vector<std::int64_t> loaded_at = {0, 565680, 1260043};                 // pre;FightLoaded
const std::vector<std::int64_t> requested = {964526, 1394955, 1550662, 1647705};  // ch2; / ch1;
const std::vector<std::int64_t> resolved = {987319, 1419003, 1588441, 1682833};   // ch<n>;1;1|0

// Runs `capture` through the three packages together, with `config` as the operator's
// packages.<only>.config, and keeps only the actions of `only`.
DryRunReport run(const std::string& only, const nlohmann::json& config = nlohmann::json::object(),
                 const std::filesystem::path& capture = day3_capture) {
    DryRunOptions options;
    options.package_roots = {workflows_dir};
    if (!config.empty()) options.packages[only]["config"] = config;
    std::ostringstream out;
    DryRunReport report = host::dry_run(capture, options, out);
    EXPECT_TRUE(report.ok) << report.error;
    EXPECT_EQ(report.packages.size(), shipped_packages.size());
    for (const auto& p : report.packages)
        EXPECT_EQ(p.failures, 0u) << p.name << ": " << (p.last_error ? p.last_error->message : "");
    std::erase_if(report.actions, [&only](const RecordedAction& a) { return a.package != only; });
    return report;
}

std::vector<RecordedAction> named(const DryRunReport& report, const std::string& action) {
    std::vector<RecordedAction> found;
    for (const auto& a : report.actions)
        if (a.action == action) found.push_back(a);
    return found;
}

std::vector<std::int64_t> times(const std::vector<RecordedAction>& actions) {
    std::vector<std::int64_t> t;
    for (const auto& a : actions) t.push_back(a.at_ms);
    return t;
}

// Log lines of `level` containing `text`.
int logged(const DryRunReport& report, const std::string& level, const std::string& text) {
    int n = 0;
    for (const auto& a : report.actions)
        if (a.action == "log." + level && a.args.is_string() &&
            a.args.get<std::string>().find(text) != std::string::npos)
            ++n;
    return n;
}

std::vector<RecordedAction> scene_switches(const DryRunReport& report, const std::string& scene) {
    std::vector<RecordedAction> found;
    for (const auto& a : named(report, "obs.str:set_scene"))
        if (a.args.value("scene", "") == scene) found.push_back(a);
    return found;
}

std::vector<RecordedAction> source_visibility(const DryRunReport& report, const std::string& source, bool visible) {
    std::vector<RecordedAction> found;
    for (const auto& a : named(report, "obs.str:set_source_visible"))
        if (a.args.value("source", "") == source && a.args.value("visible", !visible) == visible) found.push_back(a);
    return found;
}

TEST(Check, EveryShippedPackageIsClean) {
    for (const auto& name : shipped_packages) {
        SCOPED_TRACE(name);
        auto report = check_package(workflows_dir / name);
        EXPECT_TRUE(report.ok);
        EXPECT_TRUE(report.problems.empty()) << (report.problems.empty() ? "" : report.problems[0]);
        EXPECT_TRUE(report.warnings.empty());
        EXPECT_EQ(report.manifest.name, name);
        EXPECT_FALSE(report.manifest.version.empty());
        EXPECT_FALSE(report.manifest.author.empty());
        EXPECT_FALSE(report.manifest.description.empty());
        for (const auto& permission : report.manifest.permissions)
            EXPECT_EQ(permission, "overlay") << name << ": no shipped package asks to leave the sandbox";
        EXPECT_FALSE(report.manifest.config.empty());
        EXPECT_FALSE(report.handlers.empty());
    }
}

TEST(Check, PackagesSubscribeToTheEventsOfTheIssue) {
    auto has = [](const CheckReport& r, const std::string& kind) {
        return std::find(r.handlers.begin(), r.handlers.end(), kind) != r.handlers.end();
    };
    auto new_match = check_package(workflows_dir / "new-match");
    for (const char* kind : {"match_loaded", "match_ready", "winner"}) EXPECT_TRUE(has(new_match, kind)) << kind;
    auto ivr = check_package(workflows_dir / "ivr");
    for (const char* kind : {"challenge_requested", "operator_replay", "operator_back_to_live", "challenge_rejected",
                             "challenge_cancelled", "challenge_resolved", "playback.closed"})
        EXPECT_TRUE(has(ivr, kind)) << kind;
    auto scenes = check_package(workflows_dir / "scenes");
    for (const char* kind : {"break_started", "break_ended", "winner", "match_loaded"})
        EXPECT_TRUE(has(scenes, kind)) << kind;
    // The operator's event name is config too.
    auto renamed = check_package(workflows_dir / "ivr", {{"ivr", {{"config", {{"replay_event", "panel_replay"}}}}}});
    EXPECT_TRUE(has(renamed, "panel_replay"));
    EXPECT_FALSE(has(renamed, "operator_replay"));
}

TEST(NewMatch, RecordsEachMatchIntoItsFolderAndStopsThirtySecondsAfterTheWinner) {
    auto report = run("new-match");
    auto folders = named(report, "obs.rec:set_record_directory");
    auto files = named(report, "obs.rec:set_filename_format");
    auto starts = named(report, "obs.rec:start_record");
    auto stops = named(report, "obs.rec:stop_record");
    ASSERT_EQ(folders.size(), 3u);
    ASSERT_EQ(files.size(), 3u);
    EXPECT_EQ(times(folders), ready_at);
    EXPECT_EQ(times(starts), ready_at);
    // OBS's record folder is the root; OBS creates <tournament>/<day> from the file name format.
    for (const auto& f : folders) EXPECT_EQ(f.args.value("directory", ""), "/recordings");
    const std::string day = "Tournament/Day 1970-01-01/";
    EXPECT_EQ(files[0].args.value("format", ""), day + "101 Emma O'CONNOR (IRL) vs Kareem ABDULLAH (JOR)");
    EXPECT_EQ(files[1].args.value("format", ""), day + "102 Thi NGUYEN (VIE) vs Kareem ABDULLAH (JOR)");
    EXPECT_EQ(files[2].args.value("format", ""), day + "103 Ralf MÜLLER (GER) vs Vladislav SHCHERBAKOV (AIN)");
    for (const auto& f : files)
        EXPECT_EQ(f.args.value("format", "").substr(day.size()).find_first_of("/\\:*?\"<>|%"), std::string::npos);

    std::vector<std::int64_t> expected_stops;
    for (auto t : winner_at) expected_stops.push_back(t + 30000);
    EXPECT_EQ(times(stops), expected_stops);

    // The replay buffer is re-armed for every match (length 20 s), with the clips' suffix so every
    // clip of a match is a file of its own; the host keeps it running from there.
    auto arms = named(report, "obs.rec:arm_replay");
    EXPECT_EQ(times(arms), ready_at);
    for (const auto& a : arms) {
        EXPECT_EQ(a.args["options"].value("seconds", 0), 20) << a.args.dump();
        EXPECT_EQ(a.args["options"].value("suffix", ""), " %hh-%mm-%ss") << a.args.dump();
    }
    EXPECT_TRUE(named(report, "obs.rec:start_replay").empty());
    EXPECT_TRUE(named(report, "obs.rec:stop_replay").empty());

    // Every event of the match gets its offset into the recording; the recording row is stored.
    auto tags = named(report, "store.tag");
    ASSERT_EQ(tags.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(tags[i].args.value("since_us", std::int64_t{0}), ready_at[i] * 1000) << tags[i].args.dump();
        EXPECT_EQ(tags[i].args.value("recording_started_us", std::int64_t{0}), ready_at[i] * 1000);
        EXPECT_EQ(tags[i].args.value("until_us", std::int64_t{0}), (winner_at[i] + 30000) * 1000);
    }
    auto started = named(report, "store.recording_started");
    auto stopped = named(report, "store.recording_stopped");
    ASSERT_EQ(started.size(), 3u);
    ASSERT_EQ(stopped.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(started[i].at_ms, ready_at[i]);
        EXPECT_EQ(started[i].args.value("started_us", std::int64_t{0}), ready_at[i] * 1000);
        EXPECT_EQ(started[i].args.value("folder", ""), "/recordings/Tournament/Day 1970-01-01");
        EXPECT_EQ(stopped[i].args.value("id", std::int64_t{0}), started[i].args.value("id", std::int64_t{-1}));
        EXPECT_EQ(stopped[i].args.value("ended_us", std::int64_t{0}), (winner_at[i] + 30000) * 1000);
        EXPECT_EQ(stopped[i].args.value("path", ""), "/dry-run/recording-" + std::to_string(i + 1) + ".mkv");
        EXPECT_EQ(stopped[i].args.value("stopped_by", ""), "winner + 30 s");
    }
    EXPECT_EQ(started[0].args.value("file", ""), "101 Emma O'CONNOR (IRL) vs Kareem ABDULLAH (JOR)");
    // Recordings are rows of their own table; the package's own data only keeps the one under way, for
    // a host restarted mid-match.
    for (const auto& set : named(report, "store.set")) EXPECT_EQ(set.args.value("key", ""), "open_recording");
    EXPECT_EQ(logged(report, "warn", ""), 0);
}

TEST(NewMatch, TheNextMatchLoadingStopsTheRecordingBeforeItsTime) {
    auto report = run("new-match", {{"stop_after_winner", 600}});
    auto stops = named(report, "obs.rec:stop_record");
    // Matches 1 and 2 stop when the next one loads; match 3's 600 s lie beyond the capture.
    EXPECT_EQ(times(stops), (std::vector<std::int64_t>{loaded_at[1], loaded_at[2]}));
    EXPECT_EQ(named(report, "obs.rec:start_record").size(), 3u);
}

TEST(NewMatch, OperatorConfigChangesFolderAndTemplate) {
    auto report = run("new-match", {{"recordings_root", "/media/court-1"},
                                    {"tournament", "Open: 2026/Paris"},
                                    {"day_folder", "{date}"},
                                    {"filename_template", "{match}_{blue_short}_vs_{red_short}_{weight}"},
                                    {"replay_seconds", 30}});
    auto folders = named(report, "obs.rec:set_record_directory");
    auto files = named(report, "obs.rec:set_filename_format");
    ASSERT_EQ(folders.size(), 3u);
    ASSERT_EQ(files.size(), 3u);
    // The root is OBS's record folder; tournament and day are folders OBS creates from the format.
    EXPECT_EQ(folders[0].args.value("directory", ""), "/media/court-1");
    EXPECT_EQ(files[0].args.value("format", ""), "Open_ 2026_Paris/1970-01-01/101_E. O'CONNOR_vs_K. ABDULLAH_W+ 67 kg");
    EXPECT_EQ(files[2].args.value("format", ""),
              "Open_ 2026_Paris/1970-01-01/103_R. MÜLLER_vs_V. SHCHERBAKOV_M- 58 kg");
    for (const auto& r : named(report, "obs.rec:request"))
        if (r.args.value("type", "") == "SetProfileParameter") {
            const std::string parameter = r.args["data"].value("parameterName", "");
            EXPECT_EQ(r.args["data"].value("parameterValue", ""), parameter == "RecRBTime" ? "30" : " %hh-%mm-%ss")
                << parameter;
        }
}

TEST(Ivr, EachChallengeIsReviewedAndResolvedBackToLive) {
    auto report = run("ivr");
    auto saves = named(report, "obs.rec:save_replay");
    EXPECT_EQ(times(saves), requested);

    auto opens = named(report, "playback.open");
    ASSERT_EQ(opens.size(), 4u);
    for (std::size_t i = 0; i < opens.size(); ++i) {
        EXPECT_EQ(opens[i].at_ms, requested[i]);
        EXPECT_EQ(opens[i].args.value("path", ""), "/dry-run/replay-" + std::to_string(i + 1) + ".mkv");
        EXPECT_DOUBLE_EQ(opens[i].args.value("start", 0.0), 10.0);
    }

    std::vector<RecordedAction> clip_tags;
    for (const auto& t : named(report, "store.tag"))
        if (t.args.contains("clip_path")) clip_tags.push_back(t);
    ASSERT_EQ(clip_tags.size(), 4u);
    for (std::size_t i = 0; i < clip_tags.size(); ++i) {
        EXPECT_EQ(clip_tags[i].args.value("clip_path", ""), "/dry-run/replay-" + std::to_string(i + 1) + ".mkv");
        EXPECT_EQ(clip_tags[i].args.value("until_us", std::int64_t{0}), requested[i] * 1000);
        EXPECT_EQ(clip_tags[i].args.value("since_us", std::int64_t{0}), (requested[i] - 20000) * 1000);
    }
    // Each clip is stored with what it covers, and the events get their offset into it.
    auto clips = named(report, "store.clip");
    ASSERT_EQ(clips.size(), 4u);
    for (std::size_t i = 0; i < clips.size(); ++i) {
        EXPECT_EQ(clip_tags[i].args.value("clip_started_us", std::int64_t{0}), (requested[i] - 20000) * 1000);
        EXPECT_EQ(clips[i].args.value("path", ""), "/dry-run/replay-" + std::to_string(i + 1) + ".mkv");
        EXPECT_EQ(clips[i].args.value("since_us", std::int64_t{0}), (requested[i] - 20000) * 1000);
        EXPECT_EQ(clips[i].args.value("until_us", std::int64_t{0}), requested[i] * 1000);
        EXPECT_EQ(clips[i].args.value("requested_us", std::int64_t{0}), requested[i] * 1000);
        EXPECT_FALSE(clips[i].args.contains("error"));
        EXPECT_NE(clips[i].args.value("reason", "").find("challenge"), std::string::npos);
    }
    EXPECT_TRUE(named(report, "store.set").empty());

    EXPECT_EQ(times(scene_switches(report, "IVR_SCENE")), requested);
    EXPECT_EQ(times(source_visibility(report, "IVR overlay", true)), requested);
    EXPECT_EQ(times(scene_switches(report, "LIVE_SCENE")), resolved);
    EXPECT_EQ(times(source_visibility(report, "IVR overlay", false)), resolved);
    EXPECT_EQ(times(named(report, "playback.close")), resolved);
    // The replay buffer is the host's (armed by new-match): ivr never starts, stops or arms it.
    EXPECT_TRUE(named(report, "obs.rec:start_replay").empty());
    EXPECT_TRUE(named(report, "obs.rec:arm_replay").empty());
    EXPECT_EQ(logged(report, "warn", ""), 0);
}

std::vector<RecordedAction> page_actions(const DryRunReport& report, const std::string& action,
                                         const std::string& page) {
    std::vector<RecordedAction> found;
    for (const auto& a : named(report, action))
        if (a.args.value("page", "") == page) found.push_back(a);
    return found;
}

TEST(Ivr, TheReviewBannerShowsFromTheRequestUntilFiveSecondsAfterTheDecision) {
    auto report = run("ivr");
    auto shown = page_actions(report, "overlay.show", "ivr");
    EXPECT_EQ(times(shown), requested);
    // day 3: the red coach (ch2), then the blue coach three times (ch1); the scores as tkStrike had them.
    const std::vector<int> sides = {2, 1, 1, 1};
    for (std::size_t i = 0; i < shown.size() && i < sides.size(); ++i) {
        EXPECT_EQ(shown[i].args["data"].value("side", -1), sides[i]) << i;
        EXPECT_TRUE(shown[i].args["data"]["scores_before"].is_array()) << shown[i].args;
    }
    std::vector<std::int64_t> hide_at;
    for (auto t : resolved) hide_at.push_back(t + 5000);
    EXPECT_EQ(times(page_actions(report, "overlay.hide", "ivr")), hide_at);

    auto off = run("ivr", {{"banner", false}});
    EXPECT_TRUE(named(off, "overlay.show").empty());
}

TEST(Ivr, ARepeatedRequestIsDebounced) {
    // Match 2 up to just before its challenge, then: request, cancel, the same request again 2.5 s
    // later (debounced), cancel, and a new request 15 s later that is reviewed.
    auto dir = std::filesystem::temp_directory_path() / ("vta-workflows-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto capture = dir / "repeat.jsonl";
    {
        std::ifstream in(day3_capture);
        std::ofstream out(capture);
        std::string line;
        while (std::getline(in, line)) {
            auto entry = nlohmann::json::parse(line);
            if (entry["t"].get<std::int64_t>() >= 964526) break;
            out << line << '\n';
        }
        out << R"({"t": 964526, "d": "ch2;"})" << '\n'
            << R"({"t": 965500, "d": "ch2;-1;"})" << '\n'
            << R"({"t": 967000, "d": "ch2;"})" << '\n'
            << R"({"t": 968000, "d": "ch2;-1;"})" << '\n'
            << R"({"t": 983000, "d": "ch2;"})" << '\n'
            << R"({"t": 985000, "d": "ch2;1;"})" << '\n'
            << R"({"t": 990000, "d": "ch2;1;1;"})" << '\n';
    }
    auto report = run("ivr", nlohmann::json::object(), capture);
    EXPECT_EQ(times(named(report, "obs.rec:save_replay")), (std::vector<std::int64_t>{964526, 983000}));
    EXPECT_EQ(times(scene_switches(report, "IVR_SCENE")), (std::vector<std::int64_t>{964526, 983000}));
    EXPECT_EQ(times(scene_switches(report, "LIVE_SCENE")), (std::vector<std::int64_t>{965500, 990000}));
    EXPECT_EQ(logged(report, "info", "ignored"), 1);
    std::filesystem::remove_all(dir);
}

TEST(Ivr, OperatorConfigChangesScenesAndStartSecond) {
    auto report = run("ivr", {{"ivr_scene", "REPLAY"},
                              {"live_scene", "PROGRAM"},
                              {"overlay_source", "VAR banner"},
                              {"play_from", 5},
                              {"clip_seconds", 30}});
    EXPECT_EQ(times(scene_switches(report, "REPLAY")), requested);
    EXPECT_EQ(times(scene_switches(report, "PROGRAM")), resolved);
    EXPECT_TRUE(scene_switches(report, "IVR_SCENE").empty());
    EXPECT_EQ(times(source_visibility(report, "VAR banner", true)), requested);
    for (const auto& o : named(report, "playback.open")) EXPECT_DOUBLE_EQ(o.args.value("start", 0.0), 5.0);
    for (const auto& t : named(report, "store.tag"))
        EXPECT_EQ(t.args.value("until_us", std::int64_t{0}) - t.args.value("since_us", std::int64_t{0}), 30000000);
}

TEST(Scenes, MissingScenesAreReportedOnceAndSourcesFollowTheRules) {
    // The recorder's OBS has one scene, "dry-run": BREAK_SCENE, WINNER_SCENE and LIVE_SCENE are missing.
    auto report = run("scenes");
    EXPECT_TRUE(named(report, "obs.str:set_scene").empty());
    EXPECT_EQ(logged(report, "warn", "'BREAK_SCENE'"), 1);
    EXPECT_EQ(logged(report, "warn", "'WINNER_SCENE'"), 1);
    EXPECT_EQ(logged(report, "warn", "does not exist"), 2);
    // The intro source is shown 1 s after each match loads, for 10 s.
    std::vector<std::int64_t> shown, hidden;
    for (auto t : loaded_at) {
        shown.push_back(t + 1000);
        hidden.push_back(t + 11000);
    }
    EXPECT_EQ(times(source_visibility(report, "Match intro", true)), shown);
    EXPECT_EQ(times(source_visibility(report, "Match intro", false)), hidden);
    for (const auto& a : source_visibility(report, "Match intro", true))
        EXPECT_EQ(a.args.value("scene", ""), "LIVE_SCENE");
    // The intro and winner pages of the overlays follow the same rules, whether OBS has the scenes or not.
    EXPECT_EQ(times(page_actions(report, "overlay.show", "intro")), shown);
    EXPECT_EQ(times(page_actions(report, "overlay.hide", "intro")), hidden);
    std::vector<std::int64_t> winner_shown, winner_hidden;
    for (auto t : winner_at) {
        winner_shown.push_back(t + 2000);
        winner_hidden.push_back(t + 17000);
    }
    EXPECT_EQ(times(page_actions(report, "overlay.show", "winner")), winner_shown);
    EXPECT_EQ(times(page_actions(report, "overlay.hide", "winner")), winner_hidden);
}

TEST(Scenes, OperatorConfigRenamesScenesAndTheRuleTableApplies) {
    // The operator maps the rules onto the one scene the recorder's OBS has.
    auto report = run("scenes", {{"live_scene", "dry-run"},
                                 {"rules",
                                  {{"break", {{"scene", "dry-run"}}},
                                   {"winner", {{"scene", "dry-run"}, {"delay", 0}, {"seconds", 20}}},
                                   {"intro", nullptr}}}});
    EXPECT_EQ(logged(report, "warn", ""), 0);
    EXPECT_TRUE(named(report, "obs.str:set_source_visible").empty());
    auto switches = times(named(report, "obs.str:set_scene"));
    // Each winner: one switch at win; (wmh at +1.5 s and +4.5 s is ignored while the rule is on) and the
    // return 20 s later.
    for (auto t : winner_at) {
        EXPECT_NE(std::find(switches.begin(), switches.end(), t), switches.end()) << t;
        EXPECT_NE(std::find(switches.begin(), switches.end(), t + 20000), switches.end()) << t;
        EXPECT_EQ(std::find(switches.begin(), switches.end(), t + 1500), switches.end()) << t;
    }
    // Breaks: a switch at each break_started and a return at its break_ended, so an even count beyond the winners.
    ASSERT_GT(switches.size(), 6u);
    EXPECT_EQ((switches.size() - 6) % 2, 0u);
}

}  // namespace
}  // namespace vta::bindings
