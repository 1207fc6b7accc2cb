// The headless Chromium peer against a real Chromium: pages are files in a scratch folder,
// loaded through file:// URLs. All tests but the start/stop ones share ChromiumPeer::shared().

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vta_chromium_peer.hpp"

namespace vta::test_peers {
namespace {

using namespace std::chrono_literals;

class ChromiumPeerTest : public ::testing::Test {
protected:
    ChromiumPeerTest() : pages_(make_scratch_dir("vta-chromium-pages")) {}
    ~ChromiumPeerTest() override { std::filesystem::remove_all(pages_); }

    std::string page_url(const std::string& name, const std::string& html) {
        std::ofstream(pages_ / name) << "<!doctype html><html><head><meta charset='utf-8'></head>" << html << "</html>";
        return "file://" + (pages_ / name).string();
    }

    std::filesystem::path pages_;
};

// Processes whose process group is `group` (the browser and everything it started).
int group_members(pid_t group) {
    int members = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // After the command's ")": state, ppid, pgrp.
        std::istringstream fields(line.substr(line.rfind(')') + 1));
        char state = 0;
        long ppid = 0, pgrp = 0;
        if (fields >> state >> ppid >> pgrp && pgrp == group) ++members;
    }
    return members;
}

TEST_F(ChromiumPeerTest, NavigateAndEvaluateReadTheDom) {
    ChromiumPage page(ChromiumPeer::shared());
    page.navigate(page_url("text.html", "<body><p id='msg'>hello overlay</p></body>"));
    EXPECT_EQ(page.evaluate("document.getElementById('msg').textContent"), "hello overlay");
    EXPECT_EQ(page.evaluate("new Promise(resolve => setTimeout(() => resolve(6 * 7), 10))"), 42);
    EXPECT_EQ(page.evaluate("({a: [1, 'two']})"), (nlohmann::json{{"a", {1, "two"}}}));
    EXPECT_TRUE(page.evaluate("undefined").is_null());
}

TEST_F(ChromiumPeerTest, NavigateToAMissingPageThrows) {
    ChromiumPage page(ChromiumPeer::shared());
    EXPECT_THROW(page.navigate("file://" + (pages_ / "missing.html").string()), PeerError);
}

TEST_F(ChromiumPeerTest, WaitForPollsUntilTheConditionHolds) {
    ChromiumPage page(ChromiumPeer::shared());
    page.navigate(page_url("late.html", "<script>setTimeout(() => { document.title = 'ready'; }, 300);</script>"));
    EXPECT_TRUE(page.wait_for("document.title === 'ready'", 5s));

    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(page.wait_for("document.title === 'never'", 300ms));
    EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
}

TEST_F(ChromiumPeerTest, JavaScriptExceptionsAreReported) {
    ChromiumPage page(ChromiumPeer::shared());
    page.navigate(page_url("throws.html", R"(<script>
        console.log('page says', 42);
        setTimeout(() => { window.thrown = true; throw new Error('late failure'); }, 20);
    </script>)"));
    ASSERT_TRUE(page.wait_for("window.thrown === true", 5s));
    const std::string log = page.log_text();
    EXPECT_NE(log.find("console.log: page says 42\n"), std::string::npos) << log;
    EXPECT_NE(log.find("exception: Error: late failure"), std::string::npos) << log;

    try {
        page.evaluate("null.boom");
        FAIL() << "no JsError";
    } catch (const JsError& error) {
        EXPECT_NE(std::string(error.what()).find("TypeError: Cannot read properties of null"), std::string::npos)
            << error.what();
    }
    // The page still answers after an exception.
    EXPECT_EQ(page.evaluate("1 + 1"), 2);
}

TEST_F(ChromiumPeerTest, FullHdScreenshotKeepsTransparency) {
    ChromiumPage page(ChromiumPeer::shared());
    page.set_viewport(1920, 1080);
    page.navigate(page_url("overlay.html", R"html(<body style="margin: 0">
        <div style="position: absolute; left: 100px; top: 200px; width: 300px; height: 100px;
                    background: #ff0000"></div>
        <div style="position: absolute; left: 500px; top: 200px; width: 100px; height: 100px;
                    background: rgba(0, 0, 255, 0.5)"></div></body>)html"));
    const PngImage png = decode_png(page.screenshot_png());
    ASSERT_EQ(png.width, 1920);
    ASSERT_EQ(png.height, 1080);
    EXPECT_EQ(png.alpha_at(0, 0), 0);
    EXPECT_EQ(png.alpha_at(1919, 1079), 0);
    EXPECT_EQ(png.rgba_at(250, 250), (Rgba{255, 0, 0, 255}));
    // Colour is not premultiplied by alpha.
    const Rgba half = png.rgba_at(550, 250);
    EXPECT_EQ(half.b, 255) << half;
    EXPECT_NEAR(half.a, 128, 1) << half;
}

TEST_F(ChromiumPeerTest, ACallThatGetsNoReplyTimesOut) {
    // 3 s, not less: opening the tab waits as long, and a loaded 2-core machine can take a second for it.
    ChromiumPage page(ChromiumPeer::shared(), 3s);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_THROW(page.evaluate("new Promise(() => {})"), PeerError);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 8s);
}

TEST_F(ChromiumPeerTest, DecodePngRefusesOtherBytes) { EXPECT_THROW(decode_png("not a png"), PeerError); }

TEST_F(ChromiumPeerTest, StopEndsTheWholeProcessGroup) {
    pid_t group = 0;
    std::filesystem::path dir;
    {
        ChromiumPeer peer;
        group = peer.pid();
        dir = peer.dir();
        ASSERT_TRUE(peer.running());
        ChromiumPage page(peer);  // a renderer joins the group
        page.navigate(page_url("blank.html", "<p>x</p>"));
        EXPECT_GT(group_members(group), 1);
    }
    EXPECT_EQ(group_members(group), 0);  // zombies included
    const char* keep = std::getenv("VTA_KEEP_PEERS");
    if (!(keep && std::string(keep) == "1")) {
        EXPECT_FALSE(std::filesystem::exists(dir));
    }
}

TEST_F(ChromiumPeerTest, ABrowserThatCannotStartThrowsWithItsOutput) {
    ChromiumPeerOptions options;
    options.binary = "/bin/false";
    try {
        ChromiumPeer peer(options);
        FAIL() << "no PeerError";
    } catch (const PeerError& error) {
        EXPECT_NE(std::string(error.what()).find("chromium ended (exit 1)"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace vta::test_peers
