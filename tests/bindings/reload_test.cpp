// Hot reload: saving a package's file reloads it within 1 s, releasing its timers and handlers first.

#include "support.hpp"

namespace vta::bindings::testing {
namespace {

class Reload : public RuntimeTest {
protected:
    RuntimeOptions real_time_options() {
        auto o = options();
        o.clock = nullptr;  // real time: inotify and the debounce run on the io_context
        o.hot_reload = true;
        o.reload_debounce = std::chrono::milliseconds(100);
        return o;
    }
};

TEST_F(Reload, SavingAFileReloadsThePackage) {
    auto folder = package("live", R"lua(
        timer.every(0.01, function() ticks = (ticks or 0) + 1 end)
        on("go", function() log.info("v1") end)
    )lua");
    start(real_time_options());
    fire("go");
    ASSERT_EQ(messages("live"), std::vector<std::string>{"v1"});
    EXPECT_EQ(status("live").timers, 1u);

    auto saved = std::chrono::steady_clock::now();
    write_file(folder / "main.lua", R"lua(on("go", function() log.info("v2") end))lua");
    ASSERT_TRUE(run_until(
        io, [&] { return status("live").reloads == 1; }, std::chrono::milliseconds(3000)));
    auto took = std::chrono::steady_clock::now() - saved;
    EXPECT_LT(took, std::chrono::seconds(1));
    auto s = status("live");
    EXPECT_EQ(s.state, PackageState::running);
    EXPECT_EQ(s.timers, 0u);
    EXPECT_EQ(s.handlers, 1u);
    fire("go");
    EXPECT_EQ(messages("live"), (std::vector<std::string>{"v1", "v2"}));
}

TEST_F(Reload, ABrokenSaveIsReportedAndAFixReloadsAgain) {
    auto folder = package("repair", R"lua(on("go", function() log.info("ok") end))lua");
    start(real_time_options());
    write_file(folder / "main.lua", "on('go', function(\n");
    ASSERT_TRUE(run_until(io, [&] { return status("repair").reloads == 1; }));
    EXPECT_EQ(status("repair").state, PackageState::error);
    write_file(folder / "main.lua", R"lua(on("go", function() log.info("fixed") end))lua");
    ASSERT_TRUE(run_until(io, [&] { return status("repair").reloads == 2; }));
    EXPECT_EQ(status("repair").state, PackageState::running);
    fire("go");
    EXPECT_EQ(messages("repair"), std::vector<std::string>{"fixed"});
}

TEST_F(Reload, SavingARequiredModuleReloadsToo) {
    auto folder = package("modular", R"lua(on("go", function() log.info(require("lib.text").word) end))lua");
    write_file(folder / "lib" / "text.lua", "return { word = 'one' }\n");
    start(real_time_options());
    fire("go");
    write_file(folder / "lib" / "text.lua", "return { word = 'two' }\n");
    ASSERT_TRUE(run_until(io, [&] { return status("modular").reloads == 1; }));
    fire("go");
    EXPECT_EQ(messages("modular"), (std::vector<std::string>{"one", "two"}));
}

TEST_F(Reload, ReloadReleasesPendingWaits) {
    package("waiter", R"lua(on("go", function() util.sleep(100) log.info("woke") end))lua");
    start();
    fire("go");
    EXPECT_EQ(status("waiter").waiting, 1u);
    ASSERT_TRUE(runtime->reload("waiter"));
    EXPECT_EQ(status("waiter").waiting, 0u);
    clock->advance_to(200'000);
    EXPECT_TRUE(messages("waiter").empty());
}

}  // namespace
}  // namespace vta::bindings::testing
