// `vta panel` under a private Xvfb: replays a capture into it, presses Replay by its shortcut and
// by a click with xdotool, checks that the host and the ivr package acted, uses Back to live and
// manual mode by their shortcuts, adds a tournament day with a click, and saves screenshots
// of the main window at 1280x720 and 1920x1080 into the build folder. Fails when Xvfb, xdotool or
// ffmpeg are missing: it never skips.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "child_process.hpp"
#include "vta_chromium_peer.hpp"

namespace vta::test {
namespace {

using namespace std::chrono_literals;

const std::string xvfb = "/usr/bin/Xvfb";
const std::string xdotool = "/usr/bin/xdotool";
const std::string ffmpeg = "/usr/bin/ffmpeg";
const std::string window_title = "reStrike VTA panel";

int free_display() {
    for (int n = 90; n < 400; ++n)
        if (!std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(n)) &&
            !std::filesystem::exists("/tmp/.X" + std::to_string(n) + "-lock"))
            return n;
    return -1;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// The ivr package's answer to each operator replay: with no OBS configured it logs why no clip came,
// or that the request came too soon after a challenge of the capture.
std::size_t ivr_reactions(const std::string& log) {
    return count(log, "ivr: no clip for the operator replay") + count(log, "ivr: operator replay ignored");
}

class PanelUnderXvfb : public ::testing::Test {
protected:
    void SetUp() override {
        for (const auto& tool : {xvfb, xdotool, ffmpeg})
            ASSERT_TRUE(std::filesystem::exists(tool))
                << tool << " is missing: install xvfb, xdotool and ffmpeg (setup.sh)";
        display_number_ = free_display();
        ASSERT_GE(display_number_, 0) << "no free X display number";
        display_ = ":" + std::to_string(display_number_);
        xvfb_ = std::make_unique<ChildProcess>(
            xvfb, std::vector<std::string>{display_, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"},
            std::map<std::string, std::string>{}, folder_.path() / "xvfb.log");
        ASSERT_TRUE(wait_until(
            [&] { return std::filesystem::exists("/tmp/.X11-unix/X" + std::to_string(display_number_)); }, 10s))
            << "Xvfb did not start on " << display_ << ": " << xvfb_->output();
        env_ = folder_.xdg_env();
        env_["DISPLAY"] = display_;
    }

    void TearDown() override {
        panel_.reset();
        if (xvfb_) xvfb_->signal(SIGTERM), xvfb_->wait(5s);
    }

    std::pair<int, std::string> tool(const std::string& program, const std::vector<std::string>& args) {
        return run_to_end(program, args, env_, 30s);
    }

    std::string window_id() {
        const auto [status, out] = tool(xdotool, {"search", "--sync", "--onlyvisible", "--name", window_title});
        EXPECT_EQ(status, 0) << out;
        return out.substr(0, out.find('\n'));
    }

    std::filesystem::path screenshot(const std::string& window, int w, int h) {
        EXPECT_EQ(tool(xdotool, {"windowsize", "--sync", window, std::to_string(w), std::to_string(h)}).first, 0);
        EXPECT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);
        const std::string drawn = "panel: drawn at " + std::to_string(w) + "x" + std::to_string(h);
        EXPECT_TRUE(wait_until([&] { return panel_->output().find(drawn) != std::string::npos; }, 10s))
            << "the panel was not drawn at the new size: " << panel_->output();
        const auto file =
            std::filesystem::path(VTA_SCREENSHOTS) / ("panel-" + std::to_string(w) + "x" + std::to_string(h) + ".png");
        const auto [status, out] = tool(ffmpeg, {"-y", "-loglevel", "error", "-f", "x11grab", "-video_size",
                                                 std::to_string(w) + "x" + std::to_string(h), "-i", display_ + "+0,0",
                                                 "-frames:v", "1", file.string()});
        EXPECT_EQ(status, 0) << out;
        EXPECT_TRUE(std::filesystem::exists(file));
        EXPECT_GT(std::filesystem::file_size(file), 10'000u) << "the screenshot looks empty";
        std::printf("screenshot: %s\n", file.string().c_str());
        return file;
    }

    TempFolder folder_;
    int display_number_ = -1;
    std::string display_;
    std::map<std::string, std::string> env_;
    std::unique_ptr<ChildProcess> xvfb_;
    std::unique_ptr<ChildProcess> panel_;
};

TEST_F(PanelUnderXvfb, ReplayByShortcutAndClickWhileACaptureStreamsIn) {
    const auto port = std::to_string(free_udp_port());
    // Two OBS connections nobody answers (their rows show the reason and the next retry) and a flag
    // for one athlete of the capture's last match.
    const auto flags = folder_.path() / "flags";
    std::filesystem::create_directories(flags);
    ASSERT_EQ(tool(ffmpeg, {"-loglevel", "error", "-f", "lavfi", "-i", "color=c=0xdd0000:s=60x40", "-frames:v", "1",
                            (flags / "GER.png").string()})
                  .first,
              0);
    const auto config_folder = std::filesystem::path(env_["XDG_CONFIG_HOME"]) / "restrike-vta";
    std::filesystem::create_directories(config_folder);
    std::ofstream(config_folder / "config.json")
        << R"({"obs": [{"name": "OBS_REC", "role": "rec", "host": "127.0.0.1", "port": )" << free_udp_port()
        << R"(}, {"name": "OBS_STR", "role": "str", "host": "127.0.0.1", "port": )" << free_udp_port()
        << R"(}], "panel": {"flags_folder": ")" << flags.string() << R"("}})";
    panel_ = std::make_unique<ChildProcess>(VTA_BINARY,
                                            std::vector<std::string>{"panel", "--bind", "127.0.0.1", "--port", port},
                                            env_, folder_.path() / "panel.log");
    std::smatch geometry;
    const std::regex replay_at("Replay button at (\\d+),(\\d+) size (\\d+)x(\\d+)");
    ASSERT_TRUE(wait_until(
        [&] {
            const auto out = panel_->output();
            return std::regex_search(out, geometry, replay_at);
        },
        20s))
        << "the panel did not open: " << panel_->output();
    const int click_x = std::stoi(geometry[1]) + std::stoi(geometry[3]) / 2;
    const int click_y = std::stoi(geometry[2]) + std::stoi(geometry[4]) / 2;
    std::smatch add_day_geometry;
    std::string opened;
    ASSERT_TRUE(wait_until(
        [&] {
            opened = panel_->output();
            return std::regex_search(opened, add_day_geometry,
                                     std::regex("Add day button at (\\d+),(\\d+) size (\\d+)x(\\d+)"));
        },
        5s))
        << opened;
    const int add_day_x = std::stoi(add_day_geometry[1]) + std::stoi(add_day_geometry[3]) / 2;
    const int add_day_y = std::stoi(add_day_geometry[2]) + std::stoi(add_day_geometry[4]) / 2;
    const std::string window = window_id();
    ASSERT_FALSE(window.empty());
    ASSERT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);

    ChildProcess sender(
        VTA_BINARY,
        {"send", std::string(VTA_CAPTURES) + "/day-3-matches.jsonl", "--to", "127.0.0.1:" + port, "--speed", "20"},
        env_, folder_.path() / "send.log");
    ASSERT_TRUE(wait_until(
        [&] { return std::regex_search(panel_->output(), std::regex("received [1-9][0-9]* datagrams")); }, 20s))
        << "the host received nothing: " << panel_->output();

    // The shortcut (F5 by default), then a click on the button.
    ASSERT_EQ(tool(xdotool, {"windowfocus", "--sync", window}).first, 0);
    ASSERT_EQ(tool(xdotool, {"key", "F5"}).first, 0);
    ASSERT_TRUE(wait_until([&] { return count(panel_->output(), "operator: operator_replay") == 1; }, 10s))
        << panel_->output();
    ASSERT_TRUE(wait_until([&] { return ivr_reactions(panel_->output()) == 1; }, 15s))
        << "the ivr package did not react: " << panel_->output();
    ASSERT_EQ(
        tool(xdotool, {"mousemove", "--window", window, std::to_string(click_x), std::to_string(click_y), "click", "1"})
            .first,
        0);
    ASSERT_TRUE(wait_until([&] { return count(panel_->output(), "operator: operator_replay") == 2; }, 10s))
        << "the click on Replay did not reach the host: " << panel_->output();
    ASSERT_TRUE(wait_until([&] { return ivr_reactions(panel_->output()) == 2; }, 15s)) << panel_->output();

    // Back to live by its shortcut; manual mode by its shortcut, a typed group and Enter.
    ASSERT_EQ(tool(xdotool, {"key", "F6"}).first, 0);
    ASSERT_TRUE(wait_until([&] { return count(panel_->output(), "operator: operator_back_to_live") == 1; }, 10s))
        << panel_->output();
    ASSERT_EQ(tool(xdotool, {"key", "F7"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"type", "--delay", "20", "pt1;3;"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"key", "Return"}).first, 0);
    ASSERT_TRUE(
        wait_until([&] { return panel_->output().find("operator: manual event 'pt1;3;'") != std::string::npos; }, 10s))
        << "the manual event did not reach the host: " << panel_->output();

    // The day selector: Add day gives the active tournament its day 2, dated today, and activates it.
    ASSERT_EQ(tool(xdotool, {"mousemove", "--window", window, std::to_string(add_day_x), std::to_string(add_day_y),
                             "click", "1"})
                  .first,
              0);
    ASSERT_TRUE(wait_until(
        [&] {
            return std::regex_search(panel_->output(),
                                     std::regex("operator: active day is now tournament '[^']+' day 2 "));
        },
        10s))
        << "the click on Add day did not reach the host: " << panel_->output();

    ASSERT_TRUE(sender.wait(150s)) << "vta send did not finish";
    std::printf("%s", sender.output().c_str());
    screenshot(window, 1280, 720);
    const auto large = screenshot(window, 1920, 1080);
    // Flags: GER from the operator's PNG folder; AIN (neutral athletes) has no PNG there, so the overlays' SVG
    // flag is drawn: the neutral one, grey, where the red athlete's flag box is.
    EXPECT_NE(panel_->output().find("panel: flag of the blue athlete: " + (flags / "GER.png").string()),
              std::string::npos);
    EXPECT_NE(
        panel_->output().find("panel: flag of the red athlete: /usr/share/iso-flags-svg/country-4x3/_generic.svg"),
        std::string::npos)
        << panel_->output();
    std::smatch box;
    const std::string drawn_out = panel_->output();
    ASSERT_TRUE(std::regex_search(drawn_out, box,
                                  std::regex("drawn at 1920x1080; red flag at (\\d+),(\\d+) size (\\d+)x(\\d+)")));
    std::ifstream in(large, std::ios::binary);
    const auto image = vta::test_peers::decode_png(std::string(std::istreambuf_iterator<char>(in), {}));
    const auto pixel =
        image.rgba_at(std::stoi(box[1]) + std::stoi(box[3]) / 2, std::stoi(box[2]) + std::stoi(box[4]) / 2);
    EXPECT_LT(std::abs(int(pixel.r) - int(pixel.g)), 24)
        << "not the grey neutral flag: " << int(pixel.r) << "," << int(pixel.g) << "," << int(pixel.b);
    EXPECT_LT(std::abs(int(pixel.g) - int(pixel.b)), 24);
    EXPECT_GT(int(pixel.r), 90);

    // A 10,000+ datagrams/s burst: the UI thread's stall is reported when the panel closes.
    const auto [simulated, simulate_out] = run_to_end(
        VTA_BINARY, {"simulate", "--matches", "40", "--speed", "max", "--to", "127.0.0.1:" + port}, env_, 120s);
    ASSERT_EQ(simulated, 0) << simulate_out;
    std::printf("burst: %s", simulate_out.substr(simulate_out.rfind("sent ")).c_str());

    panel_->signal(SIGTERM);
    const auto status = panel_->wait(20s);
    ASSERT_TRUE(status) << "the panel did not close on SIGTERM";
    EXPECT_EQ(*status, 0);
    const auto out = panel_->output();
    std::smatch figures;
    ASSERT_TRUE(std::regex_search(out, figures,
                                  std::regex("panel: (\\d+) snapshots received, (\\d+) rendered; UI thread max stall "
                                             "([0-9.]+) ms, longest render ([0-9.]+) ms")))
        << out;
    std::printf("panel figures: %s\n", figures[0].str().c_str());
    EXPECT_LT(std::stod(figures[3]), 250.0) << "the UI thread stalled";
}

}  // namespace
}  // namespace vta::test
