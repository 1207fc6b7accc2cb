// Error reporting: file, line and traceback; disable after N failures in a row; syntax errors at load.

#include "support.hpp"

namespace vta::bindings::testing {
namespace {

using Errors = RuntimeTest;

TEST_F(Errors, HandlerErrorsCarryFileLineAndTraceback) {
    auto folder = package("e",
                          "local helper = require('lib.helper')\n"
                          "on('go', function()\n"
                          "  helper.fail()\n"
                          "end)\n");
    write_file(folder / "lib" / "helper.lua",
               "local M = {}\nfunction M.fail()\n  local t = nil\n  return t.x\nend\nreturn M\n");
    start();
    fire("go");
    auto s = status("e");
    ASSERT_TRUE(s.last_error.has_value());
    EXPECT_EQ(s.last_error->file, "lib/helper.lua");
    EXPECT_EQ(s.last_error->line, 4);
    EXPECT_NE(s.last_error->message.find("attempt to index"), std::string::npos) << s.last_error->message;
    EXPECT_NE(s.last_error->traceback.find("main.lua:3"), std::string::npos) << s.last_error->traceback;
    EXPECT_TRUE(logged("lib/helper.lua:4:", "e"));
    EXPECT_EQ(s.consecutive_failures, 1);
}

TEST_F(Errors, NonStringErrorsFindTheirLineFromTheStack) {
    package("t", "on('go', function()\n  error({ code = 1 })\nend)\n");
    start();
    fire("go");
    auto s = status("t");
    ASSERT_TRUE(s.last_error.has_value());
    EXPECT_EQ(s.last_error->message, "(a table value)");
    EXPECT_EQ(s.last_error->file, "main.lua");
    EXPECT_EQ(s.last_error->line, 2);
}

TEST_F(Errors, PackageIsDisabledAfterNFailuresInARow) {
    package("flaky", R"lua(
        local n = 0
        on("go", function(ev) n = n + 1 if ev.data.fail then error("fail " .. n) end end)
        timer.every(1, function() log.info("timer") end)
    )lua");
    auto o = options();
    o.max_consecutive_failures = 3;
    std::vector<PackageState> states;
    o.on_status = [&](const PackageStatus& s) { states.push_back(s.state); };
    start(o);
    fire("go", {{"fail", true}});
    fire("go", {{"fail", true}});
    fire("go", {{"fail", false}});  // a success resets the count
    EXPECT_EQ(status("flaky").consecutive_failures, 0);
    fire("go", {{"fail", true}});
    fire("go", {{"fail", true}});
    EXPECT_EQ(status("flaky").state, PackageState::running);
    fire("go", {{"fail", true}});
    auto s = status("flaky");
    EXPECT_EQ(s.state, PackageState::disabled);
    EXPECT_EQ(s.failures, 5u);
    EXPECT_EQ(s.timers, 0u);
    EXPECT_EQ(s.handlers, 0u);
    EXPECT_TRUE(logged("disabled after 3 failures in a row", "flaky"));
    EXPECT_EQ(states.back(), PackageState::disabled);
    fire("go", {{"fail", true}});
    EXPECT_EQ(status("flaky").failures, 5u);
    clock->advance_to(5000);
    EXPECT_TRUE(messages("flaky").empty());
}

TEST_F(Errors, SyntaxErrorIsReportedAtLoadAndOthersRun) {
    package("broken", "on('go', function()\n  local x = = 1\nend)\n");
    package("fine", R"lua(on("go", function() log.info("fine") end))lua");
    start();
    auto s = status("broken");
    EXPECT_EQ(s.state, PackageState::error);
    ASSERT_TRUE(s.last_error.has_value());
    EXPECT_EQ(s.last_error->file, "main.lua");
    EXPECT_EQ(s.last_error->line, 2);
    EXPECT_NE(s.last_error->message.find("unexpected symbol"), std::string::npos) << s.last_error->message;
    fire("go");
    EXPECT_EQ(messages("fine"), std::vector<std::string>{"fine"});
}

TEST_F(Errors, BadManifestsAreReported) {
    write_file(root / "nomain" / "manifest.json", R"({"name": "nomain", "version": "1"})");
    write_file(root / "badjson" / "manifest.json", "{");
    write_file(root / "badperm" / "manifest.json", R"({"name": "badperm", "version": "1", "permissions": ["root"]})");
    write_file(root / "badperm" / "main.lua", "");
    start();
    EXPECT_EQ(status("nomain").state, PackageState::error);
    EXPECT_NE(status("nomain").last_error->message.find("main.lua: cannot open"), std::string::npos);
    EXPECT_EQ(status("badjson").state, PackageState::error);
    EXPECT_NE(status("badjson").last_error->message.find("not a JSON object"), std::string::npos);
    EXPECT_EQ(status("badperm").state, PackageState::error);
    EXPECT_NE(status("badperm").last_error->message.find("unknown permission"), std::string::npos);
}

TEST_F(Errors, CppExceptionsBecomeLuaErrors) {
    package("cpp", R"lua(
        on("go", function()
          local ok, err = pcall(util.json_encode, { f = print })
          log.info(ok, err)
          local cyclic = {} cyclic.self = cyclic
          log.info(pcall(util.json_encode, cyclic))
        end)
    )lua");
    start();
    fire("go");
    auto lines = messages("cpp");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "false cannot convert a function to JSON");
    EXPECT_EQ(lines[1], "false table nested too deeply (or a cycle) for JSON");
}

TEST_F(Errors, APackageSwitchedOffInTheConfigIsNotLoaded) {
    package("on", "on('go', function() log.info('on ran') end)\n");
    package("off", "on('go', function() log.info('off ran') end)\n");
    auto o = options();
    o.packages = {{"off", {{"enabled", false}}}};
    start(std::move(o));
    EXPECT_TRUE(status("on").name == "on");
    EXPECT_FALSE(runtime->status("off").has_value());
    fire("go");
    EXPECT_TRUE(logged("on ran", "on"));
    EXPECT_FALSE(logged("off ran", "off"));
}

TEST_F(Errors, TheHostLearnsWhichKindsAreWantedAndSuppliesTheCurrentMatch) {
    package("p",
            "on('point', function() end)\n"
            "on('go', function() log.info('clock ' .. match().clock) end)\n");
    auto o = options();
    o.current_match = [] { return nlohmann::json{{"clock", "1:23"}}; };
    start(std::move(o));
    EXPECT_TRUE(runtime->wants("point"));
    EXPECT_FALSE(runtime->wants("clk"));
    fire("go");
    EXPECT_TRUE(logged("clock 1:23", "p"));
}

}  // namespace
}  // namespace vta::bindings::testing
