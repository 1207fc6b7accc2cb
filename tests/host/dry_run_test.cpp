// `vta run --dry-run` through its library function: a capture through the host's ingest path into the workflows.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "vta/host/capture.hpp"
#include "vta/host/dry_run.hpp"

namespace vta::host {
namespace {

const std::filesystem::path source = VTA_SOURCE_DIR;

TEST(DryRun, ReplaysACaptureThroughTheExamplePackage) {
    bindings::DryRunOptions options;
    options.package_roots = {source / "examples/workflows"};
    std::ostringstream out;
    auto report = dry_run(source / "examples/captures/day-3-matches.jsonl", options, out);
    ASSERT_TRUE(report.ok) << report.error;
    EXPECT_EQ(report.datagrams, 1582u);
    EXPECT_GT(report.events, report.datagrams);
    int replays = 0, opens = 0, matches = 0, winners = 0;
    std::int64_t previous = 0;
    for (const auto& a : report.actions) {
        EXPECT_EQ(a.package, "example-hello");
        EXPECT_GE(a.at_ms, previous);
        previous = a.at_ms;
        if (a.action == "obs.rec:save_replay") ++replays;
        if (a.action == "playback.open") ++opens;
        if (a.action == "log.info" && a.args.get<std::string>().starts_with("match ")) ++matches;
        if (a.action == "log.info" && a.args.get<std::string>().starts_with("winner ")) ++winners;
    }
    EXPECT_EQ(matches, 3);
    EXPECT_GE(winners, 3);
    EXPECT_GT(replays, 0);
    EXPECT_EQ(opens, replays);
    EXPECT_NE(out.str().find("obs.rec:save_replay"), std::string::npos);
    EXPECT_NE(out.str().find(" s] example-hello  playback.open {\"path\":\"/dry-run/replay-1.mkv\",\"start\":10"),
              std::string::npos)
        << out.str().substr(0, 2000);
    ASSERT_EQ(report.packages.size(), 1u);
    EXPECT_EQ(report.packages[0].failures, 0u);
}

TEST(DryRun, AMalformedCaptureIsAnError) {
    const auto root = std::filesystem::temp_directory_path() / ("vta-dry-run-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root);
    std::ofstream(root / "bad.jsonl") << "{\"t\": 0, \"d\": \"pre;FightLoaded;\"}\nnot json\n";
    std::ostringstream out;
    auto report = dry_run(root / "bad.jsonl", bindings::DryRunOptions{}, out);
    EXPECT_FALSE(report.ok);
    EXPECT_NE(report.error.find("bad.jsonl:2"), std::string::npos) << report.error;
    EXPECT_FALSE(dry_run(root / "missing.jsonl", bindings::DryRunOptions{}, out).ok);
    // A time no int64_t holds, or before the start, is refused with its line (the conversion would be undefined).
    for (const char* t : {"1e300", "-5", "6666666666666666666666666666666666666666"}) {
        std::ofstream(root / "time.jsonl")
            << "{\"t\": 0, \"d\": \"pre;FightLoaded;\"}\n{\"t\": " << t << ", \"d\": \"pt1;3;\"}\n";
        const auto capture = read_capture(root / "time.jsonl");
        EXPECT_FALSE(capture.datagrams) << t;
        EXPECT_NE(capture.error.find("time.jsonl:2: expected \"t\": milliseconds from the start"), std::string::npos)
            << capture.error;
    }
    std::filesystem::remove_all(root);
}

TEST(DryRun, EventsCarryTheMatchIdAsLive) {
    const auto root = std::filesystem::temp_directory_path() / ("vta-dry-run-ids-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "ids");
    std::ofstream(root / "ids" / "manifest.json") << R"({"name": "ids", "version": "1", "permissions": []})";
    std::ofstream(root / "ids" / "main.lua")
        << "on('match_loaded', function(ev) log.info('loaded ' .. tostring(ev.match_id)) end)\n"
           "on('pt1', function(ev) log.info('point ' .. tostring(ev.match_id)) end)\n";
    bindings::DryRunOptions options;
    options.package_roots = {root};
    std::ostringstream out;
    const auto report = dry_run(source / "examples/captures/day-3-matches.jsonl", options, out);
    ASSERT_TRUE(report.ok) << report.error;
    std::vector<std::string> logged;
    for (const auto& a : report.actions)
        if (a.action == "log.info") logged.push_back(a.args.get<std::string>());
    ASSERT_FALSE(logged.empty());
    EXPECT_EQ(logged.front(), "loaded 1");
    EXPECT_EQ(std::count(logged.begin(), logged.end(), "loaded 3"), 1);
    EXPECT_EQ(std::count(logged.begin(), logged.end(), "point nil"), 0) << "every point belongs to a match";
    std::filesystem::remove_all(root);
}

// A package to run beside the example: `name` with `main_lua` in a fresh folder, removed at destruction.
class ExtraPackage {
public:
    ExtraPackage(const std::string& name, const std::string& main_lua)
        : root_(std::filesystem::temp_directory_path() / ("vta-dry-run-" + name + "-" + std::to_string(::getpid()))) {
        std::filesystem::create_directories(root_ / name);
        std::ofstream(root_ / name / "manifest.json")
            << R"({"name": ")" << name << R"(", "version": "1", "permissions": []})";
        std::ofstream(root_ / name / "main.lua") << main_lua;
    }
    ~ExtraPackage() { std::filesystem::remove_all(root_); }
    const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
};

std::vector<std::string> actions_of(const bindings::DryRunReport& report, const std::string& package) {
    std::vector<std::string> actions;
    for (const auto& a : report.actions)
        if (a.package == package) actions.push_back(std::to_string(a.at_ms) + " " + a.action + " " + a.args.dump());
    return actions;
}

template <class Fn>
double seconds_taken(Fn&& fn) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Before the bound, 2,000 timers at 1 ms made this dry run take about 75 minutes (3.5 billion firings).
TEST(DryRun, ATimerStormIsStoppedAtTheBoundAndTheOtherPackagesAreUnaffected) {
    const ExtraPackage storm("storm",
                             "local fired = 0\nfor i = 1, 2000 do\n  timer.every(0.001, function()\n"
                             "    fired = fired + 1\n  end)\nend\n");
    const auto capture = source / "examples/captures/day-3-matches.jsonl";
    bindings::DryRunOptions alone;
    alone.package_roots = {source / "examples/workflows"};
    std::ostringstream out;
    const auto expected = dry_run(capture, alone, out);
    ASSERT_TRUE(expected.ok) << expected.error;

    bindings::DryRunOptions with_storm = alone;
    with_storm.package_roots.push_back(storm.root());
    bindings::DryRunReport report;
    const double took = seconds_taken([&] { report = dry_run(capture, with_storm, out); });
    ASSERT_TRUE(report.ok) << report.error;
    EXPECT_LT(took, 10.0);
    EXPECT_FALSE(report.out_of_time.has_value());
    EXPECT_EQ(report.datagrams, expected.datagrams);
    EXPECT_EQ(actions_of(report, "example-hello"), actions_of(expected, "example-hello"));
    const auto found = std::find_if(report.packages.begin(), report.packages.end(),
                                    [](const bindings::PackageStatus& p) { return p.name == "storm"; });
    ASSERT_NE(found, report.packages.end());
    EXPECT_TRUE(found->stopped_by_bound);
    ASSERT_TRUE(found->last_error.has_value());
    EXPECT_EQ(found->last_error->file, "main.lua");
    EXPECT_EQ(found->last_error->line, 3);
    EXPECT_NE(found->last_error->message.find("timer bound"), std::string::npos) << found->last_error->message;
}

TEST(DryRun, TheTimeBoundStopsTheRunAndSaysWhatWasRunning) {
    // Just under the timer bound, but each firing works for a while: a day's capture would take minutes.
    const ExtraPackage slow("slow",
                            "timer.every(0.001, function()\n  local x = 0\n  for i = 1, 20000 do\n"
                            "    x = x + i % 7\n  end\nend)\n");
    bindings::DryRunOptions options;
    options.package_roots = {slow.root()};
    options.bounds.max_time = std::chrono::seconds(1);
    std::ostringstream out;
    bindings::DryRunReport report;
    const double took =
        seconds_taken([&] { report = dry_run(source / "examples/captures/day-3-matches.jsonl", options, out); });
    ASSERT_TRUE(report.ok) << report.error;
    EXPECT_LT(took, 1.5);
    ASSERT_TRUE(report.out_of_time.has_value());
    EXPECT_EQ(report.out_of_time->package, "slow");
    EXPECT_EQ(report.out_of_time->file, "main.lua");
    EXPECT_GE(report.out_of_time->line, 1);
    EXPECT_LE(report.out_of_time->line, 4);
    EXPECT_LT(report.datagrams, 1582u) << "the rest of the capture is left";
    EXPECT_GT(report.stopped_at_ms, 0);
}

}  // namespace
}  // namespace vta::host
