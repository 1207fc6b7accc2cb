// Escape attempts: each snippet returns true if it reached something the sandbox must hide.

#include "support.hpp"

namespace vta::bindings::testing {
namespace {

using Sandbox = RuntimeTest;

const char* escape_attempts = R"lua(
local attempts = {
  { "os.execute", function() return os.execute("true") ~= nil end },
  { "os.exit", function() os.exit(1) return true end },
  { "os.getenv", function() return os.getenv("HOME") ~= nil end },
  { "os.remove", function() return os.remove("/tmp/nothing") ~= nil end },
  { "io.popen", function() return io.popen("id") ~= nil end },
  { "io.open", function() return io.open("/etc/passwd") ~= nil end },
  { "dofile", function() dofile("/etc/passwd") return true end },
  { "loadfile", function() return loadfile("/etc/passwd") ~= nil end },
  { "require os", function() return require("os").execute ~= nil end },
  { "require ffi", function() return require("ffi") ~= nil end },
  { "require path", function() return require("../../etc/passwd") ~= nil end },
  { "package.loadlib", function() return package.loadlib("libc.so.6", "system") ~= nil end },
  { "ffi global", function() return ffi.C ~= nil end },
  { "jit global", function() jit.on() return true end },
  { "debug.getregistry", function() return debug.getregistry() ~= nil end },
  { "string.dump", function() return string.dump(function() end) ~= nil end },
  { "string method dump", function() return ("x").dump(function() end) ~= nil end },
  { "bytecode load", function() return load("\27LJ\2\0") ~= nil end },
  { "bytecode loadstring", function() return loadstring("\27LJ\1\2") ~= nil end },
  { "string metatable read", function() return getmetatable("").__index.dump ~= nil end },
  { "string metatable write", function() getmetatable("").__index = { rep = function() return "pwned" end }
      return ("a"):rep(2) == "pwned" end },
  { "protected table write", function() string.rep = function() return "pwned" end return string.rep("a", 2) == "pwned" end },
  { "setmetatable on library", function() setmetatable(string, {}) return true end },
  { "rawset on library", function() rawset(string, "rep", print) return true end },
  { "setfenv on a C function", function() setfenv(print, {}) return true end },
  { "setfenv on protected table fn", function() setfenv(string.rep, { }) return true end },
  { "getfenv(0) reaches real globals", function() local g = getfenv(0) return g.io ~= nil or g.debug ~= nil end },
  { "getfenv of a C function", function() return getfenv(string.rep).io ~= nil end },
  { "coroutine env", function() return coroutine.wrap(function() return getfenv(0).os.execute end)() ~= nil end },
  { "coroutine.yield out of the host", function() coroutine.yield() return true end },
  { "loaded chunk env", function() return load("return io or debug or jit")() ~= nil end },
  { "xpcall environment", function() return getfenv(xpcall).pcall ~= nil end },
  { "collectgarbage stop", function() collectgarbage("stop") return true end },
  { "newproxy gc", function() return newproxy(true) ~= nil end },
  { "module registry", function() return debug and debug.getregistry()["vta.modules"] ~= nil end },
}
for _, a in ipairs(attempts) do
  local ok, escaped = pcall(a[2])
  log.info(a[1], (ok and escaped == true) and "ESCAPED" or "contained")
end
log.info("string ok", ("ab"):rep(2), string.rep("c", 2), #attempts)
)lua";

TEST_F(Sandbox, EscapeAttemptsAreContained) {
    package("escape", escape_attempts);
    start();
    ASSERT_EQ(status("escape").state, PackageState::running)
        << (status("escape").last_error ? status("escape").last_error->message : "");
    auto lines = messages("escape");
    ASSERT_GE(lines.size(), 21u);
    int attempts = 0;
    for (const auto& line : lines) {
        if (line.starts_with("string ok")) {
            EXPECT_EQ(line, "string ok abab cc 35");
            continue;
        }
        ++attempts;
        EXPECT_TRUE(line.ends_with("contained")) << line;
    }
    EXPECT_EQ(attempts, 35);
}

TEST_F(Sandbox, YieldingOutOfAHandlerIsAFailureNotAHang) {
    package("y", R"lua(on("go", function() coroutine.yield() log.info("resumed") end))lua");
    start();
    fire("go");
    auto s = status("y");
    EXPECT_EQ(s.failures, 1u);
    EXPECT_EQ(s.waiting, 0u);
    EXPECT_TRUE(messages("y").empty());
}

TEST_F(Sandbox, ErrorObjectsWithHostileToString) {
    package("tostr", R"lua(
        local evil = setmetatable({}, { __tostring = function() error("tostring exploded") end })
        local loop = setmetatable({}, { __tostring = function() while true do end end })
        on("a", function() error(evil) end)
        on("b", function() error(loop) end)
        on("c", function() log.info(tostring(evil)) end)
        on("d", function() log.info(tostring(loop)) end)
        on("ok", function() log.info("still here") end)
    )lua");
    auto o = options();
    o.max_consecutive_failures = 100;
    start(o);
    for (const char* kind : {"a", "b", "c", "d", "ok"}) fire(kind);
    auto s = status("tostr");
    EXPECT_EQ(s.failures, 4u);  // a, b: error objects; c: __tostring raised; d: runaway in __tostring
    EXPECT_EQ(messages("tostr"), std::vector<std::string>{"still here"});
    EXPECT_TRUE(logged("(a table value)", "tostr"));
    EXPECT_TRUE(logged("tostring exploded", "tostr"));
    EXPECT_TRUE(logged("runaway", "tostr"));
}

TEST_F(Sandbox, PermissionsNeedManifestAndOperator) {
    const char* probe = R"lua(log.info(os.getenv ~= nil, rawget(_G, "io") ~= nil, rawget(_G, "debug") ~= nil))lua";
    package("asks", probe, {{"permissions", {"os", "io", "debug"}}});
    package("silent", probe);
    auto o = options();
    o.packages = {{"asks", {{"grant", {"os", "io"}}}}, {"silent", {{"grant", {"os", "io", "debug"}}}}};
    start(o);
    EXPECT_EQ(messages("asks"), std::vector<std::string>{"true true false"});
    EXPECT_EQ(messages("silent"), std::vector<std::string>{"false false false"});
    auto s = status("asks");
    EXPECT_EQ(s.granted, (std::vector<std::string>{"os", "io"}));
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find("debug"), std::string::npos);
}

TEST_F(Sandbox, ReadingAnUndefinedGlobalFailsWithItsNameAndLine) {
    package("strict",
            "answer = 42\n"
            "function helper() return answer end\n"
            "log.info(helper(), rawget(_G, 'nothing') == nil, type(rawget(_G, 'on')))\n"
            "local ok, err = pcall(function() return cgf.x end)\n"
            "log.info(ok, err)\n"
            "on('go', function() log.info(undefined_in_handler) end)\n");
    package("top", "local cfg = config()\nlocal x = cfg\nprint(typo_here)\n");
    start();
    EXPECT_EQ(messages("strict"),
              (std::vector<std::string>{"42 true function", "false main.lua:4: undefined global 'cgf'"}));
    fire("go");
    EXPECT_EQ(status("strict").failures, 1u);
    ASSERT_TRUE(status("strict").last_error);
    EXPECT_EQ(status("strict").last_error->message, "undefined global 'undefined_in_handler'");
    EXPECT_EQ(status("strict").last_error->line, 6);

    ASSERT_EQ(status("top").state, PackageState::error);
    EXPECT_EQ(status("top").last_error->file, "main.lua");
    EXPECT_EQ(status("top").last_error->line, 3);
    EXPECT_EQ(status("top").last_error->message, "undefined global 'typo_here'");
}

TEST_F(Sandbox, MemoryBombFailsInsideThePackage) {
    package("bomb", R"lua(
        on("go", function()
          local t = {}
          for i = 1, 1e9 do t[i] = string.rep("x", 1e5) .. i end
        end)
        on("after", function() log.info("alive", collectgarbage("count") < 16 * 1024) end)
    )lua");
    package("other", R"lua(on("after", function() log.info("other alive") end))lua");
    auto o = options();
    o.memory_limit_bytes = 16u << 20;
    o.slice_budget = std::chrono::milliseconds(5000);
    start(o);
    fire("go");
    auto s = status("bomb");
    EXPECT_EQ(s.failures, 1u);
    ASSERT_TRUE(s.last_error.has_value());
    EXPECT_NE(s.last_error->message.find("memory"), std::string::npos) << s.last_error->message;
    EXPECT_LE(s.memory_bytes, 16u << 20);
    fire("after");
    EXPECT_EQ(messages("bomb"), std::vector<std::string>{"alive true"});
    EXPECT_EQ(messages("other"), std::vector<std::string>{"other alive"});
}

}  // namespace
}  // namespace vta::bindings::testing
