// `vta check` and `vta run --dry-run` through their library functions.

#include <sstream>

#include "support.hpp"
#include "vta/bindings/tools.hpp"

namespace vta::bindings::testing {
namespace {

const std::filesystem::path source = VTA_SOURCE_DIR;

TEST(Check, TheExamplePackageIsClean) {
    auto report = check_package(source / "examples/workflows/example-hello");
    EXPECT_TRUE(report.ok);
    EXPECT_TRUE(report.problems.empty());
    EXPECT_EQ(report.manifest.name, "example-hello");
    EXPECT_EQ(report.handlers,
              (std::vector<std::string>{"match_loaded", "challenge_requested", "challenge_resolved", "winner"}));
}

TEST(Check, ProblemsAreReportedWithoutRunningHandlers) {
    auto root = make_temp_dir("check");
    write_file(root / "bad" / "manifest.json", R"({"name": "bad", "version": "1", "permissions": ["io"]})");
    write_file(root / "bad" / "main.lua", "on('go', function() error('must not run') end)\nlocal x = nil\nx.y = 1\n");
    auto report = check_package(root / "bad");
    EXPECT_FALSE(report.ok);
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_NE(report.problems[0].find("main.lua:3:"), std::string::npos) << report.problems[0];
    ASSERT_EQ(report.warnings.size(), 1u);
    EXPECT_NE(report.warnings[0].find("'io'"), std::string::npos);

    write_file(root / "bad" / "main.lua", "on('go', function()\n");
    report = check_package(root / "bad");
    EXPECT_FALSE(report.ok);
    ASSERT_FALSE(report.problems.empty());
    EXPECT_NE(report.problems[0].find("main.lua:"), std::string::npos);
    std::filesystem::remove_all(root);
}

TEST(DryRun, ReplaysACaptureThroughTheExamplePackage) {
    DryRunOptions options;
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
    auto root = make_temp_dir("capture");
    write_file(root / "bad.jsonl", "{\"t\": 0, \"d\": \"pre;FightLoaded;\"}\nnot json\n");
    std::ostringstream out;
    auto report = dry_run(root / "bad.jsonl", DryRunOptions{}, out);
    EXPECT_FALSE(report.ok);
    EXPECT_NE(report.error.find("bad.jsonl:2"), std::string::npos) << report.error;
    EXPECT_FALSE(dry_run(root / "missing.jsonl", DryRunOptions{}, out).ok);
    std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace vta::bindings::testing
