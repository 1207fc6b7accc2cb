// The overlay pages (scripts/overlays) in a real headless Chromium, fed by a real `vta run` that receives PSS over
// UDP and runs the shipped workflows (no OBS: the pages do not need one). Every page x theme x state is
// screenshotted (kept under build/screenshots/overlays) and asserted on: DOM text, no overflow, transparent
// corners. Then: a page opened mid-bout, the clock run by the page, a host restart under an open page, a reloaded
// match, and every NOC of the captures.
#include <csignal>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "test_licence.hpp"
#include "vta_chromium_peer.hpp"

namespace vta {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_peers::ChromiumPage;
using test_peers::ChromiumPeer;

const std::vector<std::string> pages = {"scoreboard", "intro", "ivr", "winner", "break"};
const std::vector<std::string> themes = {"classic", "dark", "light"};
const std::string long_blue = "Maximiliano Alejandro FERNÁNDEZ-CASTELLANOS DE LA TORRE";
const std::string long_red = "Nguyễn Thị Ánh VIÊN-KALAŠNJIKOVIĆ ÖZTÜRK";

// A court: `vta run` with its overlays on a free port, the shipped workflows, and a UDP sender.
class Court {
public:
    Court() : udp_port_(test::free_udp_port()), http_port_(test_peers::free_tcp_port()) {
        const nlohmann::json config = {
            {"udp", {{"bind", "127.0.0.1"}, {"port", udp_port_}}},
            {"overlays", {{"port", http_port_}}},
            {"workflows",
             {{"hot_reload", false},
              {"packages",
               {{"new-match", {{"enabled", false}}},
                {"stream-recovery", {{"enabled", false}}},
                // The intro stays up (seconds 0) so every state of the bout has it to look at; the review banner
                // long enough to take every page after the decision on a loaded machine.
                {"scenes", {{"config", {{"rules", {{"intro", {{"seconds", 0}, {"delay", 0}}}}}}}}},
                {"ivr", {{"config", {{"banner_seconds", 20}}}}}}}}},
        };
        config_ = folder_.path() / "config.json";
        std::ofstream(config_) << config.dump(2);
        test::install_test_licence(folder_.xdg_env().at("XDG_DATA_HOME"));  // every theme
        start();
    }
    ~Court() { stop(); }

    void start() {
        host_ = std::make_unique<test::ChildProcess>(
            VTA_BINARY, std::vector<std::string>{"run", "--config", config_.string()}, folder_.xdg_env(),
            folder_.path() / ("host-" + std::to_string(++runs_) + ".log"));
        if (!test::wait_until([this] { return host_->output().find("workflows:") != std::string::npos; }, 20s))
            throw std::runtime_error("the host did not start:\n" + host_->output());
        ready_at_ = std::chrono::steady_clock::now();
    }
    void stop() {
        if (!host_) return;
        host_->signal(SIGTERM);
        host_->wait(15s);
        host_.reset();
    }

    void send(const std::string& datagram) {
        socket_.send_to(boost::asio::buffer(datagram), {boost::asio::ip::make_address("127.0.0.1"), udp_port_});
        std::this_thread::sleep_for(3ms);  // tkStrike's groups come a few ms apart
    }

    std::string url(const std::string& page, const std::string& theme = "") const {
        return "http://127.0.0.1:" + std::to_string(http_port_) + "/" + page + ".html" +
               (theme.empty() ? "" : "?theme=" + theme);
    }
    std::string log() const { return host_ ? host_->output() : ""; }
    std::chrono::steady_clock::time_point ready_at() const { return ready_at_; }

private:
    test::TempFolder folder_;
    std::uint16_t udp_port_, http_port_;
    fs::path config_;
    std::unique_ptr<test::ChildProcess> host_;
    int runs_ = 0;
    std::chrono::steady_clock::time_point ready_at_;
    boost::asio::io_context io_;
    boost::asio::ip::udp::socket socket_{io_, boost::asio::ip::udp::v4()};
};

std::string js_string(const std::string& text) { return nlohmann::json(text).dump(); }

class Overlays : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        fs::create_directories(VTA_SCREENSHOTS);
        court_ = new Court();
    }
    static void TearDownTestSuite() {
        delete court_;
        court_ = nullptr;
    }

    Overlays() : page_(ChromiumPeer::shared()) { page_.set_viewport(1920, 1080); }

    void open(const std::string& page, const std::string& theme = "") {
        page_.navigate(court_->url(page, theme));
        ASSERT_TRUE(page_.wait_for("window.vtaReady === true", 5s)) << page << "\n" << page_.log_text();
    }
    std::string text(const std::string& id) {
        return page_.evaluate("(document.getElementById(" + js_string(id) + ") || {}).textContent || ''")
            .get<std::string>();
    }
    // Waits until element `id` reads `expected` (the host and the page need a few ms after a datagram).
    ::testing::AssertionResult shows(const std::string& id, const std::string& expected,
                                     std::chrono::milliseconds timeout = 3s) {
        const std::string condition =
            "((document.getElementById(" + js_string(id) + ") || {}).textContent || '') === " + js_string(expected);
        if (page_.wait_for(condition, timeout)) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure()
               << "#" << id << " shows \"" << text(id) << "\", expected \"" << expected << "\"\n"
               << page_.log_text();
    }
    bool visible() {
        return page_.evaluate("document.getElementById('overlay').dataset.visible === 'true'").get<bool>();
    }
    ::testing::AssertionResult becomes_visible(bool expected, std::chrono::milliseconds timeout = 3s) {
        const std::string condition =
            std::string("document.getElementById('overlay').dataset.visible === '") + (expected ? "true'" : "false'");
        if (page_.wait_for(condition, timeout)) return ::testing::AssertionSuccess();
        return ::testing::AssertionFailure() << "the page did not become " << (expected ? "visible" : "hidden");
    }
    // Every element that shrinks its text to fit does fit.
    void expect_no_overflow(const std::string& where) {
        const auto overflowing = page_.evaluate(
            "Array.from(document.querySelectorAll('.fit')).filter(e => e.scrollWidth > e.clientWidth + 1)"
            ".map(e => e.id + ': ' + e.textContent)");
        EXPECT_TRUE(overflowing.empty()) << where << ": " << overflowing.dump();
    }
    // Screenshot kept as <state>-<page>-<theme>.png: transparent corners; a shown page paints something.
    void screenshot(const std::string& state, const std::string& page, const std::string& theme) {
        const std::string png = page_.screenshot_png();
        const fs::path file = fs::path(VTA_SCREENSHOTS) / (state + "-" + page + "-" + theme + ".png");
        std::ofstream(file, std::ios::binary) << png;
        const auto image = test_peers::decode_png(png);
        ASSERT_EQ(image.width, 1920);
        ASSERT_EQ(image.height, 1080);
        for (auto [x, y] : {std::pair{0, 0}, {1919, 0}, {0, 1079}, {1919, 1079}})
            EXPECT_EQ(image.alpha_at(x, y), 0) << file << " corner " << x << "," << y;
        if (visible()) {
            int painted = 0;
            for (int y = 0; y < image.height; y += 8)
                for (int x = 0; x < image.width; x += 8) painted += image.alpha_at(x, y) > 0;
            EXPECT_GT(painted, 100) << file << ": shown, but nothing painted";
        }
    }
    // Every page in every theme, opened fresh (as OBS reloads a browser source), checked by `check`; `first`
    // (the page the state is about, while it shows) before the others.
    void every_page(const std::string& state, const std::function<void(const std::string& page)>& check,
                    const std::string& first = "") {
        std::vector<std::string> order = {first};
        for (const auto& page : pages)
            if (page != first) order.push_back(page);
        if (first.empty()) order.erase(order.begin());
        for (const auto& page : order)
            for (const auto& theme : themes) {
                SCOPED_TRACE(state + " " + page + " " + theme);
                open(page, theme);
                EXPECT_EQ(page_.evaluate("document.querySelector('link[href*=\"themes/\"]').getAttribute('href')"),
                          "themes/" + theme + ".css");
                check(page);
                expect_no_overflow(state + "/" + page + "/" + theme);
                screenshot(state, page, theme);
            }
    }

    static Court* court_;
    ChromiumPage page_;
};

Court* Overlays::court_ = nullptr;

TEST_F(Overlays, EveryPageThemeAndStateShowsWhatTkStrikeSent) {
    Court& c = *court_;
    c.send("pre;FightLoaded;");
    c.send("at1;M. FERNÁNDEZ;" + long_blue + ";ESP;at2;N. VIÊN;" + long_red + ";VIE;");
    c.send("mch;245.A;Final;M -80 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;8f4d3e27;Senior;3;120;cntDown;18;1;");
    c.send("rnd;2;");
    c.send("wrd;rd1;1;rd2;0;rd3;0;");
    c.send("s11;5;s21;3;s12;7;s22;4;s13;0;s23;0;");
    c.send("sc1;7;sc2;4;");
    c.send("wg1;1;wg2;2;");
    c.send("hl1;45;");
    c.send("clk;1:23;");
    c.send("ij1;0:45;show;");

    open("scoreboard");
    ASSERT_TRUE(shows("blue-injury", "0:45"));
    const std::map<std::string, std::string> bout = {
        {"blue-name", long_blue}, {"red-name", long_red}, {"blue-noc", "ESP"},      {"red-noc", "VIE"},
        {"blue-score", "7"},      {"red-score", "4"},     {"round", "2"},           {"blue-round-wins", "1"},
        {"red-round-wins", "0"},  {"blue-warnings", "1"}, {"red-warnings", "2"},    {"blue-hit-level", "45"},
        {"red-hit-level", ""},    {"clock", "1:23"},      {"blue-challenges", "1"}, {"red-challenges", "1"}};
    every_page("bout", [&](const std::string& page) {
        if (page == "scoreboard") {
            EXPECT_TRUE(visible());
            for (const auto& [id, value] : bout) EXPECT_EQ(text(id), value) << id;
            EXPECT_TRUE(
                page_.wait_for("document.getElementById('blue-flag').complete && "
                               "document.getElementById('blue-flag').naturalWidth > 0",
                               3s));
            EXPECT_EQ(page_.evaluate("document.getElementById('blue-flag').getAttribute('src')"), "/flags/ESP.svg");
        } else if (page == "intro") {
            EXPECT_TRUE(becomes_visible(true)) << "scenes shows the intro when the match loads";
            EXPECT_EQ(text("intro-number"), "245.A");
            EXPECT_EQ(text("intro-category"), "Final");
            EXPECT_EQ(text("intro-weight"), "M -80 kg");
            EXPECT_EQ(text("blue-name"), long_blue);
            EXPECT_EQ(text("red-noc"), "VIE");
        } else {
            EXPECT_FALSE(visible()) << page << " shows nothing yet";
        }
    });

    // A coach's challenge, accepted, with the score it brought (the ivr workflow shows the banner).
    c.send("ch1;");
    open("ivr");
    ASSERT_TRUE(becomes_visible(true)) << c.log();
    EXPECT_TRUE(shows("ivr-side", "blue"));
    EXPECT_TRUE(shows("ivr-result", "requested"));
    c.send("ch1;1;");
    c.send("s11;5;s21;3;s12;9;s22;4;s13;0;s23;0;");
    c.send("sc1;9;sc2;4;");
    c.send("ch1;1;1;");
    ASSERT_TRUE(shows("ivr-change-blue", "+2"));
    every_page(
        "ivr-accepted",
        [&](const std::string& page) {
            if (page != "ivr") return;
            EXPECT_TRUE(visible());
            EXPECT_EQ(text("ivr-side"), "blue");
            EXPECT_EQ(text("ivr-name"), long_blue);
            EXPECT_EQ(text("ivr-result"), "accepted");
            EXPECT_EQ(text("ivr-change"), "+2 : 0");
        },
        "ivr");
    open("ivr");
    EXPECT_TRUE(becomes_visible(false, 25s)) << "hidden banner_seconds after the decision";

    c.send("ch2;");
    ASSERT_TRUE(becomes_visible(true));
    c.send("ch2;0;");
    ASSERT_TRUE(shows("ivr-result", "rejected"));
    every_page(
        "ivr-rejected",
        [&](const std::string& page) {
            if (page != "ivr") return;
            EXPECT_EQ(text("ivr-side"), "red");
            EXPECT_EQ(text("ivr-result"), "rejected");
            EXPECT_EQ(text("ivr-change"), "0 : 0");
        },
        "ivr");

    c.send("clk;0:00;stopEnd;");
    c.send("brk;0:45;");
    open("break");
    ASSERT_TRUE(becomes_visible(true));
    every_page("break", [&](const std::string& page) {
        if (page != "break") return;
        EXPECT_EQ(text("break-clock"), "0:45");
    });
    c.send("brk;0:00;stopEnd;");
    EXPECT_TRUE(becomes_visible(false));

    c.send("win;BLUE;");
    c.send("wmh;" + long_blue + ";2-0 PTF;");
    open("winner");
    ASSERT_TRUE(shows("winner-decision", "2-0 PTF"));
    every_page("winner", [&](const std::string& page) {
        if (page != "winner") return;
        EXPECT_TRUE(visible());
        EXPECT_EQ(text("winner-name"), long_blue);
        EXPECT_EQ(text("winner-round-1"), "5 : 3");
        EXPECT_EQ(text("winner-round-2"), "9 : 4") << "the score of round 2 as tkStrike sent it last";
    });

    // Hostile text is text: no script runs, no markup appears.
    c.send("pre;FightLoaded;");
    c.send("at1;<b>X</b>;<img src=x onerror=alert(1)>;<script>alert(1)</script>;at2;B;Bo;KOR;");
    open("scoreboard");
    ASSERT_TRUE(shows("blue-name", "<img src=x onerror=alert(1)>"));
    every_page("hostile", [&](const std::string& page) {
        if (page != "scoreboard" && page != "intro") return;
        EXPECT_EQ(text("blue-noc"), "<script>alert(1)</script>");
        EXPECT_EQ(page_.evaluate("document.querySelectorAll('img[src=x], b').length"), 0);
        EXPECT_TRUE(page_.wait_for("document.getElementById('blue-flag').naturalWidth > 0", 3s))
            << "an unknown NOC gets the neutral flag";
    });
    EXPECT_EQ(page_.log_text().find("alert"), std::string::npos) << page_.log_text();
}

TEST_F(Overlays, APageOpenedMidBoutShowsTheScoreOnItsFirstFrame) {
    Court& c = *court_;
    c.send("pre;FightLoaded;");
    c.send("at1;A. KIM;Kim Taejoon;KOR;at2;B. MÜLLER;Lena Müller;GER;");
    c.send("rnd;1;");
    c.send("sc1;3;sc2;5;");
    open("scoreboard");
    ASSERT_TRUE(shows("red-score", "5"));
    for (int i = 0; i < 3; ++i) {
        // Checked in the same task that sets vtaReady: what the first frame paints.
        page_.navigate(court_->url("scoreboard"));
        ASSERT_TRUE(page_.wait_for("window.vtaReady === true", 5s));
        EXPECT_EQ(text("red-score"), "5");
        EXPECT_EQ(text("blue-name"), "Kim Taejoon");
        EXPECT_EQ(page_.evaluate("document.getAnimations().filter(a => a.playState === 'running').length"), 0)
            << "no entrance animation on a reload";
    }
    EXPECT_EQ(page_.evaluate("document.querySelector('link[href*=\"themes/\"]').getAttribute('href')"),
              "themes/classic.css")
        << "without ?theme= the config's overlays.theme";
}

TEST_F(Overlays, ThePageRunsTheClockBetweenTheHostsUpdates) {
    Court& c = *court_;
    c.send("clk;1:30;start;");
    open("scoreboard");
    ASSERT_TRUE(shows("clock", "1:30", 2s));
    // No clk for 2.5 s (a lost datagram or two): the page counts down by itself, within a second of the truth.
    std::this_thread::sleep_for(2500ms);
    const std::string shown = text("clock");
    EXPECT_TRUE(shown == "1:28" || shown == "1:27") << shown;
    c.send("clk;1:10;");
    EXPECT_TRUE(shows("clock", "1:10", 500ms)) << "the PSS clock wins at once";
    c.send("clk;1:10;stop;");
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(text("clock"), "1:10") << "a stopped clock stays";
}

TEST_F(Overlays, AnOpenPageFollowsTheHostThroughARestart) {
    Court& c = *court_;
    c.send("pre;FightLoaded;");
    c.send("at1;A. KIM;Kim Taejoon;KOR;at2;B. MÜLLER;Lena Müller;GER;");
    c.send("rnd;1;");
    c.send("sc1;4;sc2;2;");
    open("scoreboard");
    ASSERT_TRUE(shows("blue-score", "4"));
    c.stop();
    c.start();
    c.send("sc1;6;sc2;2;");
    const auto began = c.ready_at();
    ASSERT_TRUE(shows("blue-score", "6", 5s)) << c.log();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
    std::printf("overlay page back in step %lld ms after the host was ready\n", (long long)took.count());
    EXPECT_LT(took, 2s);
    EXPECT_EQ(text("blue-name"), "Kim Taejoon") << "the match resumed from the store";
}

TEST_F(Overlays, AReloadedMatchStartsFromWhatTkStrikeSends) {
    Court& c = *court_;
    const std::string mch =
        "mch;101;Semi-final;W+ 67 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;abc;Senior;3;120;cntDown;18;1;";
    c.send("pre;FightLoaded;");
    c.send("at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;");
    c.send(mch);
    c.send("rnd;3;");
    c.send("wrd;rd1;2;rd2;1;rd3;0;");
    c.send("sc1;2;sc2;6;");
    open("scoreboard");
    ASSERT_TRUE(shows("red-round-wins", "1"));
    ASSERT_TRUE(shows("blue-round-wins", "1"));
    // The bout is restarted at tkStrike: the same match loaded again.
    c.send("pre;FightLoaded;");
    c.send("at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;");
    c.send(mch);
    c.send("wg1;0;wg2;0;");
    c.send("wrd;rd1;0;rd2;0;rd3;0;");
    c.send("s11;0;s21;0;s12;0;s22;0;s13;0;s23;0;");
    c.send("sc1;0;sc2;0;");
    c.send("rnd;1;");
    EXPECT_TRUE(shows("round", "1"));
    EXPECT_TRUE(shows("blue-round-wins", "0"));
    EXPECT_TRUE(shows("red-round-wins", "0"));
    EXPECT_TRUE(shows("red-score", "0"));
    screenshot("reloaded", "scoreboard", "classic");
}

TEST_F(Overlays, EveryNocOfTheCapturesHasItsFlagAndFits) {
    Court& c = *court_;
    const std::regex athletes("at1;[^;]*;[^;]*;([^;]*);at2;[^;]*;[^;]*;([^;]*)");
    std::set<std::string> nocs;
    for (const auto& name : {"day-3-matches.jsonl", "day-12-matches.jsonl"}) {
        std::ifstream in(fs::path(VTA_CAPTURES) / name);
        for (std::string line; std::getline(in, line);)
            if (std::smatch m; std::regex_search(line, m, athletes)) nocs.insert({m[1].str(), m[2].str()});
    }
    ASSERT_GE(nocs.size(), 10u);
    c.send("pre;FightLoaded;");
    open("scoreboard");
    for (const auto& noc : nocs) {
        c.send("at1;A;Athlete of " + noc + ";" + noc + ";at2;B;Other;KOR;");
        ASSERT_TRUE(shows("blue-noc", noc));
        EXPECT_TRUE(
            page_.wait_for("document.getElementById('blue-flag').complete && "
                           "document.getElementById('blue-flag').naturalWidth > 0",
                           3s))
            << noc;
        expect_no_overflow(noc);
    }
}

}  // namespace
}  // namespace vta
