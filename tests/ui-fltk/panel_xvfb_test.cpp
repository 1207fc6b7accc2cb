// `vta panel` under a private Xvfb: replays a capture into it, presses Replay by its shortcut and
// by a click with xdotool, checks that the host and the ivr package acted, uses Back to live and
// manual mode by their shortcuts, adds a tournament day with a click, and saves screenshots
// of the main window at 1280x720 and 1920x1080 into the build folder; that one runs `vta-test` (the shipped vta
// trusting the suite's key) with a test licence, since ivr and a second OBS connection need one. Without a
// licence the shipped vta's status bar says evaluation mode; with a licence last checked 5 days ago the warning
// band shows, and a key activated in the licence dialog with a real licence server turns the status bar to
// licensed. Fails when Xvfb, xdotool or ffmpeg are missing: it never skips.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <csignal>
#include <cstring>
#include <future>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "live_support.hpp"
#include "test_licence.hpp"
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

struct Box {
    int x = 0, y = 0, w = 0, h = 0;
};

// "<what> at X,Y size WxH" in the panel's log: where a widget is, as the panel logs it.
std::optional<Box> logged_box(const std::string& log, const std::string& what) {
    std::smatch m;
    if (!std::regex_search(log, m, std::regex(what + " at (\\d+),(\\d+) size (\\d+)x(\\d+)"))) return std::nullopt;
    return Box{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4])};
}

bool near(const vta::test_peers::Rgba& pixel, int r, int g, int b) {
    return std::abs(int(pixel.r) - r) < 16 && std::abs(int(pixel.g) - g) < 16 && std::abs(int(pixel.b) - b) < 16;
}

std::string rgb_text(const vta::test_peers::Rgba& pixel) {
    return std::to_string(pixel.r) + "," + std::to_string(pixel.g) + "," + std::to_string(pixel.b);
}

// The panel's tone colours (ui-fltk/src/tone_colour.hpp).
constexpr int amber[] = {230, 160, 20};
constexpr int green[] = {46, 160, 67};
constexpr int grey[] = {120, 120, 120};
constexpr int red[] = {200, 40, 40};

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

    // The top-left w x h of the screen into the build folder as `name` (default panel-WxH.png).
    std::filesystem::path screenshot(const std::string& window, int w, int h, std::string name = "") {
        EXPECT_EQ(tool(xdotool, {"windowsize", "--sync", window, std::to_string(w), std::to_string(h)}).first, 0);
        EXPECT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);
        const std::string drawn = "panel: drawn at " + std::to_string(w) + "x" + std::to_string(h);
        EXPECT_TRUE(wait_until([&] { return panel_->output().find(drawn) != std::string::npos; }, 10s))
            << "the panel was not drawn at the new size: " << panel_->output();
        if (name.empty()) name = "panel-" + std::to_string(w) + "x" + std::to_string(h) + ".png";
        const auto file = std::filesystem::path(VTA_SCREENSHOTS) / name;
        grab(file, w, h);
        EXPECT_GT(std::filesystem::file_size(file), 10'000u) << "the screenshot looks empty";
        std::printf("screenshot: %s\n", file.string().c_str());
        return file;
    }

    vta::test_peers::PngImage grab(const std::filesystem::path& file, int w, int h) {
        const auto [status, out] = tool(ffmpeg, {"-y", "-loglevel", "error", "-f", "x11grab", "-video_size",
                                                 std::to_string(w) + "x" + std::to_string(h), "-i", display_ + "+0,0",
                                                 "-frames:v", "1", file.string()});
        EXPECT_EQ(status, 0) << out;
        std::ifstream in(file, std::ios::binary);
        return vta::test_peers::decode_png(std::string(std::istreambuf_iterator<char>(in), {}));
    }

    // The screen's pixel at x, y once it is near `rgb` (drawing follows the log by a moment), or the last seen.
    vta::test_peers::Rgba pixel_when(int x, int y, const int (&rgb)[3]) {
        const auto file = folder_.path() / "poll.png";
        vta::test_peers::Rgba pixel{};
        wait_until(
            [&] {
                pixel = grab(file, 1280, 720).rgba_at(x, y);
                return near(pixel, rgb[0], rgb[1], rgb[2]);
            },
            10s);
        return pixel;
    }

    // The end of a test: the panel closes on SIGTERM, with status 0.
    void expect_closes_cleanly() {
        panel_->signal(SIGTERM);
        const auto status = panel_->wait(20s);
        ASSERT_TRUE(status) << "the panel did not close on SIGTERM";
        EXPECT_EQ(*status, 0) << panel_->output();
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
    // Licensed: the ivr package answers replays, and both OBS connections are tried.
    install_test_licence(env_["XDG_DATA_HOME"]);
    panel_ = std::make_unique<ChildProcess>(VTA_TEST_BINARY,
                                            std::vector<std::string>{"panel", "--bind", "127.0.0.1", "--port", port},
                                            env_, folder_.path() / "panel.log");
    std::string output;  // outlives `geometry`, which points into it
    std::smatch geometry;
    const std::regex replay_at("Replay button at (\\d+),(\\d+) size (\\d+)x(\\d+)");
    ASSERT_TRUE(wait_until(
        [&] {
            output = panel_->output();
            return std::regex_search(output, geometry, replay_at);
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

    ASSERT_TRUE(wait_until(
        [&] {
            return panel_->output().find("panel: licence status 'Licensed to reStrike VTA test suite until ") !=
                   std::string::npos;
        },
        10s))
        << panel_->output();

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

// The shipped vta verifies licences with the vendor's key, and none is installed: evaluation mode, grey, no band.
TEST_F(PanelUnderXvfb, WithoutALicenceTheStatusBarSaysEvaluationMode) {
    panel_ = std::make_unique<ChildProcess>(
        VTA_BINARY, std::vector<std::string>{"panel", "--bind", "127.0.0.1", "--port", std::to_string(free_udp_port())},
        env_, folder_.path() / "panel.log");
    ASSERT_TRUE(wait_until(
        [&] {
            return panel_->output().find("panel: licence status 'Evaluation mode (no licence)'") != std::string::npos;
        },
        20s))
        << panel_->output();
    const auto licence_button = logged_box(panel_->output(), "panel: Licence button");
    ASSERT_TRUE(licence_button) << panel_->output();
    const std::string window = window_id();
    ASSERT_FALSE(window.empty());
    ASSERT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);
    const auto status_pixel = pixel_when(licence_button->x - 20, licence_button->y + licence_button->h / 2, grey);
    EXPECT_TRUE(near(status_pixel, grey[0], grey[1], grey[2])) << "status bar: " << rgb_text(status_pixel);
    EXPECT_EQ(panel_->output().find("panel: licence band at"), std::string::npos) << "no band in evaluation mode";
    expect_closes_cleanly();
}

// Health at a glance in the status bar: a 50 MB tmpfs as the recording folder (health.record_folder) turns the disk
// item red (under health.disk_alert_gb), the host's CPU item is green, and the licence keeps its grey part at the
// right. Saves panel-health-status-bar.png.
TEST_F(PanelUnderXvfb, TheStatusBarShowsHealthWithTheDiskRedOnASmallRecordingFolder) {
    const auto recordings = folder_.path() / "recordings";
    std::filesystem::create_directories(recordings);
    ASSERT_EQ(::mount("tmpfs", recordings.c_str(), "tmpfs", 0, "size=50m"), 0)
        << "mount -t tmpfs -o size=50m failed (the test needs root): " << std::strerror(errno);
    struct Unmount {
        std::filesystem::path at;
        ~Unmount() { ::umount2(at.c_str(), MNT_DETACH); }
    } unmount{recordings};
    const auto config = folder_.path() / "config.json";
    std::ofstream(config) << "{\"health\": {\"record_folder\": \"" << recordings.string()
                          << "\"}, \"overlays\": {\"enabled\": false}}";
    panel_ =
        std::make_unique<ChildProcess>(VTA_BINARY,
                                       std::vector<std::string>{"panel", "--config", config.string(), "--bind",
                                                                "127.0.0.1", "--port", std::to_string(free_udp_port())},
                                       env_, folder_.path() / "panel.log");
    ASSERT_TRUE(
        wait_until([&] { return panel_->output().find("panel: health item disk alert at") != std::string::npos; }, 20s))
        << panel_->output();
    const std::string window = window_id();
    ASSERT_FALSE(window.empty());
    screenshot(window, 1280, 720, "panel-health-status-bar.png");
    const auto disk = logged_box(panel_->output(), "panel: health item disk alert");
    const auto cpu = logged_box(panel_->output(), "panel: health item cpu ok");
    const auto licence_button = logged_box(panel_->output(), "panel: Licence button");
    ASSERT_TRUE(disk && cpu && licence_button) << panel_->output();
    const auto disk_pixel = pixel_when(disk->x + 3, disk->y + 3, red);
    EXPECT_TRUE(near(disk_pixel, red[0], red[1], red[2])) << "disk item: " << rgb_text(disk_pixel);
    const auto cpu_pixel = pixel_when(cpu->x + 3, cpu->y + 3, green);
    EXPECT_TRUE(near(cpu_pixel, green[0], green[1], green[2])) << "cpu item: " << rgb_text(cpu_pixel);
    const auto licence_pixel = pixel_when(licence_button->x - 20, licence_button->y + licence_button->h / 2, grey);
    EXPECT_TRUE(near(licence_pixel, grey[0], grey[1], grey[2])) << "licence part: " << rgb_text(licence_pixel);
    EXPECT_LT(disk->x + disk->w, licence_button->x - 330) << "the health items end before the licence's part";
    panel_->signal(SIGTERM);
    ASSERT_TRUE(panel_->wait(20s)) << "the panel did not close on SIGTERM";
}

// vta-test with a licence last checked 5 days ago: the amber band. Then a key issued by a real licence server,
// activated in the licence dialog: the band goes and the status bar turns green and names the licensee.
TEST_F(PanelUnderXvfb, LicenceWarningBandFromDayFiveThenActivationInTheDialog) {
    install_test_licence(env_["XDG_DATA_HOME"], all_test_features, 5);
    const auto db = (folder_.path() / "licences.sqlite3").string();
    const auto [issued, issue_out] = tool(VTA_BINARY, {"license", "issue", "--db", db, "--licensee", "Court 3",
                                                       "--features", "ivr,overlays,multi_obs", "--days", "30"});
    ASSERT_EQ(issued, 0) << issue_out;
    std::smatch key;
    ASSERT_TRUE(std::regex_search(issue_out, key, std::regex("VTA(-[A-Z0-9]{5}){4}"))) << issue_out;
    ChildProcess server(VTA_BINARY,
                        {"license", "serve", "--db", db, "--key", test_private_key_file().string(), "--bind",
                         "127.0.0.1", "--port", "0"},
                        env_, folder_.path() / "serve.log");
    const auto url = wait_for_output(server, "listening on (http://127\\.0\\.0\\.1:[0-9]+)", 10s);
    ASSERT_TRUE(url) << server.output();

    panel_ = std::make_unique<ChildProcess>(
        VTA_TEST_BINARY,
        std::vector<std::string>{"panel", "--bind", "127.0.0.1", "--port", std::to_string(free_udp_port())}, env_,
        folder_.path() / "panel.log");
    std::optional<Box> band;
    ASSERT_TRUE(wait_until(
        [&] {
            band = logged_box(panel_->output(), "panel: licence band");
            return band.has_value();
        },
        20s))
        << "no warning band: " << panel_->output();
    EXPECT_NE(panel_->output().find(": 5 days without a licence check: the licensed features stop on "),
              std::string::npos)
        << panel_->output();
    EXPECT_NE(
        panel_->output().find("panel: licence status '5 days without a licence check: licensed features stop on "),
        std::string::npos)
        << panel_->output();
    const auto licence_button = logged_box(panel_->output(), "panel: Licence button");
    ASSERT_TRUE(licence_button) << panel_->output();
    const std::string window = window_id();
    ASSERT_FALSE(window.empty());
    ASSERT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);
    // The band's left margin (its text starts further right), amber.
    const auto band_pixel = pixel_when(band->x + 3, band->y + band->h / 2, amber);
    EXPECT_TRUE(near(band_pixel, amber[0], amber[1], amber[2])) << "band: " << rgb_text(band_pixel);
    screenshot(window, 1280, 720, "panel-licence-warning.png");

    // The dialog: the key, the server, Activate.
    ASSERT_EQ(tool(xdotool, {"mousemove", "--window", window, std::to_string(licence_button->x + licence_button->w / 2),
                             std::to_string(licence_button->y + licence_button->h / 2), "click", "1"})
                  .first,
              0);
    std::optional<Box> key_field, server_field, activate;
    ASSERT_TRUE(wait_until(
        [&] {
            const auto log = panel_->output();
            key_field = logged_box(log, "key field");
            server_field = logged_box(log, "server field");
            activate = logged_box(log, "Activate");
            return key_field && server_field && activate;
        },
        10s))
        << "the licence dialog did not open: " << panel_->output();
    const auto [found, dialog_out] =
        tool(xdotool, {"search", "--sync", "--onlyvisible", "--name", "reStrike VTA licence"});
    ASSERT_EQ(found, 0) << dialog_out;
    const std::string dialog = dialog_out.substr(0, dialog_out.find('\n'));
    ASSERT_EQ(tool(xdotool, {"windowfocus", "--sync", dialog}).first, 0);
    const auto click = [&](const Box& box) {
        return tool(xdotool, {"mousemove", "--window", dialog, std::to_string(box.x + box.w / 2),
                              std::to_string(box.y + box.h / 2), "click", "1"})
            .first;
    };
    ASSERT_EQ(click(*key_field), 0);
    ASSERT_EQ(tool(xdotool, {"type", "--delay", "10", key.str()}).first, 0);
    ASSERT_EQ(click(*server_field), 0);
    ASSERT_EQ(tool(xdotool, {"type", "--delay", "10", *url}).first, 0);
    ASSERT_EQ(click(*activate), 0);
    ASSERT_TRUE(wait_until(
        [&] {
            return std::regex_search(
                panel_->output(), std::regex("panel: licence status 'Licensed to Court 3 until \\d{4}-\\d\\d-\\d\\d'"));
        },
        20s))
        << "the activation did not turn the status to licensed: " << panel_->output();
    EXPECT_NE(panel_->output().find("licence: activated: licensed to Court 3"), std::string::npos);
    EXPECT_NE(panel_->output().find("panel: licence band hidden"), std::string::npos);
    const auto status_pixel = pixel_when(licence_button->x - 20, licence_button->y + licence_button->h / 2, green);
    EXPECT_TRUE(near(status_pixel, green[0], green[1], green[2])) << "status bar: " << rgb_text(status_pixel);
    const auto image = grab(std::filesystem::path(VTA_SCREENSHOTS) / "panel-licence-activation.png", 1280, 720);
    const auto where_band_was = image.rgba_at(band->x + 3, band->y + band->h / 2);
    EXPECT_FALSE(near(where_band_was, amber[0], amber[1], amber[2])) << "the band is still shown";
    std::printf("screenshot: %s/panel-licence-activation.png\n", VTA_SCREENSHOTS);

    panel_->signal(SIGTERM);
    const auto status = panel_->wait(20s);
    ASSERT_TRUE(status) << "the panel did not close on SIGTERM";
    EXPECT_EQ(*status, 0);
    server.signal(SIGTERM);
    EXPECT_TRUE(server.wait(10s));
}

}  // namespace
}  // namespace vta::test

namespace vta::test {
namespace {

// Pixels of the tone `rgb` inside a box of the image: the coloured text of the audit list's rows.
int pixels_near(const vta::test_peers::PngImage& image, const Box& box, const int (&rgb)[3]) {
    int n = 0;
    for (int y = box.y; y < box.y + box.h && y < image.height; ++y)
        for (int x = box.x; x < box.x + box.w && x < image.width; ++x)
            if (near(image.rgba_at(x, y), rgb[0], rgb[1], rgb[2])) ++n;
    return n;
}

// The audit trail in the log tab: Replay, Back to live and a manual event by their shortcuts leave rows (amber: on
// air); the text filter narrows them to what was typed, and a text no row has empties the list.
TEST_F(PanelUnderXvfb, TheLogTabListsTheAuditTrailThroughItsFilter) {
    panel_ = std::make_unique<ChildProcess>(
        VTA_BINARY, std::vector<std::string>{"panel", "--bind", "127.0.0.1", "--port", std::to_string(free_udp_port())},
        env_, folder_.path() / "panel.log");
    ASSERT_TRUE(wait_until([&] { return panel_->output().find("Replay button at") != std::string::npos; }, 20s))
        << panel_->output();
    const std::string window = window_id();
    ASSERT_FALSE(window.empty());
    ASSERT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"windowfocus", "--sync", window}).first, 0);
    ASSERT_EQ(tool(xdotool, {"key", "F5"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"key", "F6"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"key", "F7"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"type", "--delay", "20", "pt1;3;"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"key", "Return"}).first, 0);
    ASSERT_TRUE(
        wait_until([&] { return panel_->output().find("operator: manual event 'pt1;3;'") != std::string::npos; }, 10s))
        << panel_->output();
    ASSERT_EQ(tool(xdotool, {"key", "F7"}).first, 0);  // manual mode off: typing goes to the filter

    // The tabs' headers run along y 70..95 from x 520: click along them until the log tab renders the trail.
    ASSERT_TRUE(wait_until(
        [&, x = 530]() mutable {
            if (panel_->output().find("panel: audit list shows 3 of 3 rows") != std::string::npos) return true;
            tool(xdotool, {"mousemove", "--window", window, std::to_string(x), "82", "click", "1"});
            x = x >= 800 ? 530 : x + 15;
            return false;
        },
        20s))
        << panel_->output();
    const auto filter_box = logged_box(panel_->output(), "panel: audit text filter");
    const auto list_box = logged_box(panel_->output(), "panel: audit list");
    ASSERT_TRUE(filter_box && list_box) << panel_->output();

    const auto file = folder_.path() / "audit.png";
    int amber_rows = 0;
    EXPECT_TRUE(wait_until(
        [&] {
            amber_rows = pixels_near(grab(file, 1280, 720), *list_box, amber);
            return amber_rows > 50;
        },
        10s))
        << "no amber (on-air) rows in the audit list: " << amber_rows << " pixels";

    ASSERT_EQ(tool(xdotool, {"mousemove", "--window", window, std::to_string(filter_box->x + 10),
                             std::to_string(filter_box->y + filter_box->h / 2), "click", "1"})
                  .first,
              0);
    ASSERT_EQ(tool(xdotool, {"type", "--delay", "20", "pt1"}).first, 0);
    ASSERT_TRUE(wait_until(
        [&] {
            return panel_->output().find("panel: audit list shows 1 of 3 rows (source all, action all, text 'pt1')") !=
                   std::string::npos;
        },
        10s))
        << panel_->output();
    screenshot(window, 1280, 720, "panel-audit-filter.png");
    int filtered = 0;
    EXPECT_TRUE(wait_until(
        [&] {
            filtered = pixels_near(grab(file, 1280, 720), *list_box, amber);
            return filtered > 20 && filtered < amber_rows;
        },
        10s))
        << "one amber row expected: " << filtered << " pixels, " << amber_rows << " for three";

    ASSERT_EQ(tool(xdotool, {"type", "--delay", "20", "zzz"}).first, 0);
    ASSERT_TRUE(wait_until(
        [&] { return panel_->output().find("panel: audit list shows 0 of 3 rows") != std::string::npos; }, 10s))
        << panel_->output();
    EXPECT_TRUE(wait_until([&] { return pixels_near(grab(file, 1280, 720), *list_box, amber) == 0; }, 10s))
        << "the list still shows rows";

    expect_closes_cleanly();
}

}  // namespace
}  // namespace vta::test

namespace vta::test {
namespace {

using obs_live::await;

// One OBS as the test itself sees it: a client of its own, to set OBS up and to hear from OBS what the panel did.
class ObsProbe {
public:
    ObsProbe(obs_live::Loop& loop, const test_peers::ObsPeer& peer, const std::string& name) {
        obs::ConnectionConfig config;
        config.name = name + "_PROBE";
        config.port = peer.port();
        config.password = peer.password();
        client_ = std::make_shared<obs::Client>(loop.io(), config);
        client_->start();
    }
    bool connected() {
        return wait_until([&] { return client_->state() == obs::State::connected; }, 20s);
    }
    vta::Result<nlohmann::json> request(const std::string& type, nlohmann::json data = nlohmann::json::object()) {
        return await<nlohmann::json>([&](obs::Handler<nlohmann::json> done) { client_->request(type, data, done); });
    }
    std::string program_scene() {
        const auto r = request("GetCurrentProgramScene");
        return r ? r.value().value("currentProgramSceneName", "") : "error: " + r.error().message;
    }
    std::optional<bool> muted(const std::string& input) {
        const auto r = request("GetInputMute", {{"inputName", input}});
        return r ? std::optional<bool>(r.value().value("inputMuted", false)) : std::nullopt;
    }
    bool recording() {
        const auto r = request("GetRecordStatus");
        return r && r.value().value("outputActive", false);
    }
    std::vector<std::string> scenes() {
        const auto r = await<obs::SceneList>([&](obs::Handler<obs::SceneList> done) { client_->get_scene_list(done); });
        return r ? r.value().scenes : std::vector<std::string>{};
    }

private:
    std::shared_ptr<obs::Client> client_;
};

// Three real OBS (OBS_MAIN serves both roles, OBS_STR_2 and OBS_STR_3 stream), all three chosen in the control
// room by default. The on-air row by its shortcuts: OBS_MAIN's second scene, its main audio muted, its recording
// started, each confirmed by OBS itself. Then OBS_STR_3 crashes, and the control room's Switch takes the two live
// ones to the first scene (OBS says so), shows OBS_STR_3's error in its row, and leaves one audit row.
TEST_F(PanelUnderXvfb, TheOnAirRowAndTheControlRoomDriveRealObsWithOneDown) {
    const char* names[] = {"OBS_MAIN", "OBS_STR_2", "OBS_STR_3"};
    // The three OBS start side by side: each takes seconds to be ready.
    std::future<std::unique_ptr<test_peers::ObsPeer>> starting[3];
    for (auto& start : starting)
        start = std::async(std::launch::async, [] { return std::make_unique<test_peers::ObsPeer>(); });
    std::unique_ptr<test_peers::ObsPeer> peers[3];
    for (int i = 0; i < 3; ++i) peers[i] = starting[i].get();
    // The probes' clients go after their loop stopped and before it is destroyed, as obs::Client must.
    struct Probes {
        obs_live::Loop loop;
        std::vector<std::unique_ptr<ObsProbe>> list;
        ~Probes() {
            loop.stop();
            list.clear();
        }
    } probing;
    obs_live::Loop& loop = probing.loop;
    std::vector<std::unique_ptr<ObsProbe>>& probes = probing.list;
    for (int i = 0; i < 3; ++i) {
        probes.push_back(std::make_unique<ObsProbe>(loop, *peers[i], names[i]));
        ASSERT_TRUE(probes.back()->connected()) << names[i];
        // The main audio input the panel mutes, and a third scene.
        ASSERT_TRUE(probes.back()->request(
            "CreateInput", {{"sceneName", "LIVE_SCENE"}, {"inputName", "MAIN_AUDIO"}, {"inputKind", "ffmpeg_source"}}));
        ASSERT_TRUE(probes.back()->request("CreateScene", {{"sceneName", "BREAK"}}));
    }
    const auto scenes = probes[0]->scenes();
    ASSERT_EQ(scenes.size(), 3u);
    // Every OBS starts on the last scene: the control room's choice offers the first one at first.
    for (auto& probe : probes) ASSERT_TRUE(probe->request("SetCurrentProgramScene", {{"sceneName", scenes.back()}}));

    const auto config_folder = std::filesystem::path(env_["XDG_CONFIG_HOME"]) / "restrike-vta";
    std::filesystem::create_directories(config_folder);
    nlohmann::json obs = nlohmann::json::array();
    for (int i = 0; i < 3; ++i)
        obs.push_back({{"name", names[i]},
                       {"role", i == 0 ? "both" : "str"},
                       {"host", "127.0.0.1"},
                       {"port", peers[i]->port()},
                       {"password", peers[i]->password()}});
    std::ofstream(config_folder / "config.json")
        << nlohmann::json{{"obs", obs}, {"overlays", {{"enabled", false}}}}.dump();
    install_test_licence(env_["XDG_DATA_HOME"]);  // three OBS need multi_obs
    panel_ = std::make_unique<ChildProcess>(
        VTA_TEST_BINARY,
        std::vector<std::string>{"panel", "--bind", "127.0.0.1", "--port", std::to_string(free_udp_port())}, env_,
        folder_.path() / "panel.log");
    std::string scene_list;
    for (const auto& s : scenes) scene_list += (scene_list.empty() ? "" : ", ") + s;
    ASSERT_TRUE(wait_until(
        [&] { return panel_->output().find("panel: on-air scenes of OBS_MAIN: " + scene_list) != std::string::npos; },
        30s))
        << "the on-air row did not show OBS_MAIN's scenes: " << panel_->output();
    const std::string window = window_id();
    ASSERT_FALSE(window.empty());
    ASSERT_EQ(tool(xdotool, {"windowmove", "--sync", window, "0", "0"}).first, 0);
    ASSERT_EQ(tool(xdotool, {"windowfocus", "--sync", window}).first, 0);

    // The on-air row by its default shortcuts, each confirmed by OBS.
    ASSERT_EQ(tool(xdotool, {"key", "ctrl+2"}).first, 0);
    EXPECT_TRUE(wait_until([&] { return probes[0]->program_scene() == scenes[1]; }, 10s))
        << "OBS_MAIN is on " << probes[0]->program_scene();
    ASSERT_EQ(tool(xdotool, {"key", "F8"}).first, 0);
    EXPECT_TRUE(wait_until([&] { return probes[0]->muted("MAIN_AUDIO") == true; }, 10s)) << panel_->output();
    ASSERT_EQ(tool(xdotool, {"key", "F10"}).first, 0);
    EXPECT_TRUE(wait_until([&] { return probes[0]->recording(); }, 15s)) << panel_->output();
    EXPECT_EQ(probes[1]->program_scene(), scenes.back()) << "the on-air row acts on OBS_MAIN alone";

    // The panel shows it: the program scene's button and the recording in tally red, the muted audio amber.
    const auto scene_button = logged_box(panel_->output(), "panel: scene button " + scenes[1]);
    const auto record_button = logged_box(panel_->output(), "panel: record button");
    const auto mute_button = logged_box(panel_->output(), "panel: mute button");
    ASSERT_TRUE(scene_button && record_button && mute_button) << panel_->output();
    constexpr int tally[] = {200, 30, 40};
    const auto edge = [](const Box& b) { return std::pair{b.x + 4, b.y + b.h / 2}; };
    const auto scene_pixel = pixel_when(edge(*scene_button).first, edge(*scene_button).second, tally);
    EXPECT_TRUE(near(scene_pixel, tally[0], tally[1], tally[2])) << "scene button: " << rgb_text(scene_pixel);
    const auto mute_pixel = pixel_when(edge(*mute_button).first, edge(*mute_button).second, amber);
    EXPECT_TRUE(near(mute_pixel, amber[0], amber[1], amber[2])) << "mute button: " << rgb_text(mute_pixel);
    const auto record_pixel = pixel_when(edge(*record_button).first, edge(*record_button).second, tally);
    EXPECT_TRUE(near(record_pixel, tally[0], tally[1], tally[2])) << "record button: " << rgb_text(record_pixel);
    EXPECT_TRUE(wait_until(
        [&] {
            return std::regex_search(panel_->output(),
                                     std::regex("panel: record button shows REC \\d:\\d\\d:\\d\\d · stop"));
        },
        15s))
        << "no running time on the record button: " << panel_->output();
    tool(xdotool, {"mousemove", "--window", window, "1000", "600"});  // the pointer off the controls
    screenshot(window, 1280, 720, "panel-on-air-row.png");

    // OBS_STR_3 crashes; the control room's Switch goes to all three chosen ones.
    peers[2]->kill();
    ASSERT_TRUE(wait_until(
        [&] { return std::regex_search(panel_->output(), std::regex("OBS_STR_3: (reconnecting|disconnected)")); }, 15s))
        << panel_->output();
    const std::string ready = "panel: control room shows 3 connections, 3 scenes";
    ASSERT_TRUE(wait_until(
        [&, x = 530]() mutable {
            if (panel_->output().find(ready) != std::string::npos) return true;
            tool(xdotool, {"mousemove", "--window", window, std::to_string(x), "82", "click", "1"});
            x = x >= 800 ? 530 : x + 15;
            return false;
        },
        20s))
        << "the control room tab did not show: " << panel_->output();
    const auto switch_button = logged_box(panel_->output(), "panel: control room switch");
    const auto table = logged_box(panel_->output(), "panel: control room table");
    ASSERT_TRUE(switch_button && table) << panel_->output();
    ASSERT_EQ(tool(xdotool, {"mousemove", "--window", window, std::to_string(switch_button->x + switch_button->w / 2),
                             std::to_string(switch_button->y + switch_button->h / 2), "click", "1"})
                  .first,
              0);
    ASSERT_TRUE(wait_until(
        [&] {
            return panel_->output().find("operator: control room set_scene answered by all 3 connections") !=
                   std::string::npos;
        },
        15s))
        << panel_->output();
    EXPECT_EQ(probes[0]->program_scene(), scenes[0]);
    EXPECT_EQ(probes[1]->program_scene(), scenes[0]);
    EXPECT_TRUE(wait_until(
        [&] {
            return panel_->output().find(
                       "OBS_STR_3 not_connected: SetCurrentProgramScene: OBS \"OBS_STR_3\" is "
                       "not connected") != std::string::npos;
        },
        10s))
        << "the tab did not show OBS_STR_3's error: " << panel_->output();

    // Each row's outcome in its tone: green for the two live ones, red for OBS_STR_3 (the third row).
    const int header = 24, row = 48;
    const auto result_line = [&](int index) {
        return Box{table->x + 30, table->y + header + index * row + row / 2, table->w - 40, row / 2};
    };
    constexpr int bad_red[] = {200, 40, 40};
    const auto file = folder_.path() / "room.png";
    EXPECT_TRUE(wait_until(
        [&] {
            const auto image = grab(file, 1280, 720);
            return pixels_near(image, result_line(0), green) > 20 && pixels_near(image, result_line(1), green) > 20 &&
                   pixels_near(image, result_line(2), bad_red) > 40 && pixels_near(image, result_line(2), green) == 0;
        },
        10s))
        << "the rows' outcomes are not shown in their tones";
    tool(xdotool, {"mousemove", "--window", window, "1000", "600"});
    screenshot(window, 1280, 720, "panel-control-room.png");

    // One audit row for the bulk switch, with every connection's outcome.
    nlohmann::json rows;
    const std::string subject = "set_scene on OBS_MAIN, OBS_STR_2, OBS_STR_3";
    int bulk_rows = 0;
    ASSERT_TRUE(wait_until(
        [&] {
            const auto [status, out] = tool(VTA_BINARY, {"audit", "--json"});
            rows = nlohmann::json::parse(out, nullptr, false);
            bulk_rows = 0;
            if (rows.is_array())
                for (const auto& r : rows) bulk_rows += r.value("subject", "") == subject;
            return bulk_rows > 0;
        },
        10s))
        << rows.dump(2);
    EXPECT_EQ(bulk_rows, 1);
    for (const auto& r : rows) {
        if (r.value("subject", "") != subject) continue;
        EXPECT_EQ(r["source"], "panel");
        EXPECT_EQ(r["before"]["arguments"]["scene"], scenes[0]);
        EXPECT_EQ(r["after"]["OBS_MAIN"]["ok"], true);
        EXPECT_EQ(r["after"]["OBS_STR_2"]["ok"], true);
        EXPECT_EQ(r["after"]["OBS_STR_3"]["code"], "not_connected");
    }

    expect_closes_cleanly();
}

}  // namespace
}  // namespace vta::test
