// Runaway handlers are stopped within the slice budget (well under 100 ms) while the host and
// the other packages go on, whether the loop would be JIT-compiled or not.

#include "support.hpp"

namespace vta::bindings::testing {
namespace {

using Runaway = RuntimeTest;

std::chrono::milliseconds timed(const std::function<void()>& fn) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
}

TEST_F(Runaway, LoopsAreStoppedAndOtherPackagesGoOn) {
    package("spin", R"lua(
        on("plain", function() while true do end end)
        on("hot", function() local x = 0 for i = 1, 1e12 do x = x + i % 7 end log.info(x) end)
        on("calls", function() local function f(n) return n + 1 end local n = 0 while true do n = f(n) end end)
        on("swallow", function()
          while true do pcall(function() while true do end end) end
        end)
        on("xpcall", function()
          while true do xpcall(function() while true do end end, function(e) while true do end end) end
        end)
        on("nested", function()
          coroutine.wrap(function() while true do end end)()
        end)
        on("string", function() local s = ("x"):rep(10) while true do s = s:upper():lower() end end)
    )lua");
    package("steady", R"lua(
        local n = 0
        on("tick", function() n = n + 1 log.info("tick", n) end)
    )lua");
    auto o = options();
    o.slice_budget = std::chrono::milliseconds(50);
    o.max_consecutive_failures = 100;
    start(o);
    int ticks = 0;
    for (const char* kind : {"plain", "hot", "calls", "swallow", "xpcall", "nested", "string"}) {
        auto took = timed([&] { fire(kind); });
        EXPECT_LT(took.count(), 100) << kind;
        fire("tick");
        ++ticks;
        ASSERT_EQ(messages("steady").size(), static_cast<std::size_t>(ticks)) << kind;
        auto s = status("spin");
        ASSERT_TRUE(s.last_error.has_value());
        EXPECT_NE(s.last_error->message.find("runaway"), std::string::npos) << kind << ": " << s.last_error->message;
        EXPECT_EQ(s.last_error->file, "main.lua") << kind;
        EXPECT_GT(s.last_error->line, 0) << kind;
    }
    EXPECT_EQ(status("spin").failures, 7u);
    EXPECT_EQ(status("spin").state, PackageState::running);
}

TEST_F(Runaway, TopLevelLoopFailsTheLoadOnly) {
    package("a-spin", "local x = 0\nwhile true do x = x + 1 end\n");
    package("b-fine", R"lua(on("tick", function() log.info("tick") end))lua");
    auto o = options();
    o.slice_budget = std::chrono::milliseconds(50);
    start(o);
    EXPECT_EQ(status("a-spin").state, PackageState::error);
    EXPECT_EQ(status("b-fine").state, PackageState::running);
    fire("tick");
    EXPECT_EQ(messages("b-fine"), std::vector<std::string>{"tick"});
}

TEST_F(Runaway, TheStateStaysUsableAfterAStop) {
    package("again", R"lua(
        on("spin", function() while true do end end)
        on("work", function() local s = 0 for i = 1, 1000 do s = s + i end log.info(s) end)
    )lua");
    auto o = options();
    o.slice_budget = std::chrono::milliseconds(20);
    start(o);
    fire("spin");
    fire("work");
    fire("spin");
    fire("work");
    EXPECT_EQ(messages("again"), (std::vector<std::string>{"500500", "500500"}));
}

// 2,000 timers at 1 ms would fire two million times a second of clock time: the timer bound stops that
// package within the first minute's allowance, names the line that created them, and the others tick on.
TEST_F(Runaway, ATimerStormIsStoppedAtTheTimerBoundAndOtherPackagesGoOn) {
    package("storm",
            "local fired = 0\nfor i = 1, 2000 do\n  timer.every(0.001, function() fired = fired + 1 end)\nend\n");
    package("steady", R"lua(timer.every(1, function() log.info("tick") end))lua");
    auto o = options();
    o.max_timer_firings_per_minute = 60000;
    o.slice_budget = std::chrono::seconds(5);  // creating 2,000 timers is not the runaway under test
    start(o);
    const auto took = timed([&] { clock->advance_to(120000); });
    EXPECT_LT(took.count(), 5000);
    const auto storm = status("storm");
    EXPECT_EQ(storm.state, PackageState::disabled);
    EXPECT_TRUE(storm.stopped_by_bound);
    EXPECT_EQ(storm.handler_calls, 60000u);
    EXPECT_EQ(storm.timers, 0u) << "a stopped package keeps no timer";
    ASSERT_TRUE(storm.last_error.has_value());
    EXPECT_EQ(storm.last_error->file, "main.lua");
    EXPECT_EQ(storm.last_error->line, 3);
    EXPECT_NE(storm.last_error->message.find("timer bound"), std::string::npos) << storm.last_error->message;
    EXPECT_NE(storm.last_error->message.find("2000 timers"), std::string::npos) << storm.last_error->message;
    EXPECT_LT(storm.last_error->at_ms, 100) << "stopped within the first 100 ms of clock time";
    EXPECT_EQ(messages("steady").size(), 120u);
    EXPECT_FALSE(status("steady").stopped_by_bound);
}

// The bound is a rate: a steady package at the bound's pace runs through any number of minutes.
TEST_F(Runaway, TheTimerBoundCountsEachMinuteAfresh) {
    package("busy", R"lua(timer.every(0.001, function() end))lua");
    auto o = options();
    o.max_timer_firings_per_minute = 60000;
    start(o);
    clock->advance_to(10 * 60000);
    EXPECT_EQ(status("busy").state, PackageState::running);
    EXPECT_EQ(status("busy").handler_calls, 10u * 60000u);
}

TEST_F(Runaway, TheDeadlineStopsRunningCodeAndNothingStartsAfterIt) {
    package("spin", "on('spin', function()\n  while true do end\nend)\non('tick', function() log.info('tick') end)\n");
    auto o = options();
    o.slice_budget = std::chrono::seconds(30);
    o.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    start(o);
    fire("tick");
    const auto took = timed([&] { fire("spin"); });
    EXPECT_LT(took.count(), 1000);
    const auto spin = status("spin");
    ASSERT_TRUE(spin.last_error.has_value());
    EXPECT_NE(spin.last_error->message.find("time bound"), std::string::npos) << spin.last_error->message;
    EXPECT_EQ(spin.last_error->line, 2);
    fire("tick");
    EXPECT_EQ(messages("spin").size(), 1u) << "no handler starts past the deadline";
}

}  // namespace
}  // namespace vta::bindings::testing
