// `vta check` through its library function (the dry run: tests/host/dry_run_test.cpp).

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
    EXPECT_TRUE(report.bounds_reached.empty());
}

TEST(Check, TimersSetUpPastTheTimerBoundAreReportedWithTheirLine) {
    auto root = make_temp_dir("check-timers");
    write_file(root / "storm" / "manifest.json", R"({"name": "storm", "version": "1", "permissions": []})");
    write_file(root / "storm" / "main.lua",
               "timer.every(1, function() end)\nfor i = 1, 2000 do\n  timer.every(0.001, function() end)\nend\n");
    auto report = check_package(root / "storm");
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.timers, 2001u);
    ASSERT_EQ(report.bounds_reached.size(), 1u);
    EXPECT_TRUE(report.bounds_reached[0].starts_with("main.lua:3: ")) << report.bounds_reached[0];
    EXPECT_NE(report.bounds_reached[0].find("120000060 times a minute"), std::string::npos) << report.bounds_reached[0];

    ToolBounds unbounded{default_check_time, 0, {}};
    EXPECT_TRUE(check_package(root / "storm", {}, unbounded).ok);
    std::filesystem::remove_all(root);
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

}  // namespace
}  // namespace vta::bindings::testing
