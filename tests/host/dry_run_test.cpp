// `vta run --dry-run` through its library function: a capture through the host's ingest path into the workflows.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vta::host
