// Health at a glance: the levels from the thresholds (assess), and `vta status [--json]` asking a real `vta run`
// whose recording folder is a 50 MB tmpfs.
#include <sys/mount.h>

#include <fstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "vta/host/config.hpp"
#include "vta/host/health.hpp"

namespace vta::host {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::run_to_end;
using test::TempFolder;
using test::wait_until;

const std::string vta = VTA_BINARY;

const HealthItem& item(const std::vector<HealthItem>& items, const std::string& key) {
    for (const auto& i : items)
        if (i.key == key) return i;
    throw std::runtime_error("no health item " + key);
}

TEST(HealthLevels, EachItemIsOkWarningOrAlertByItsThreshold) {
    HealthConfig t;
    HealthSnapshot h;
    h.taken_at = std::chrono::system_clock::now();
    h.machine_memory = {16'000'000'000ULL, 8'000'000'000ULL};
    h.disk = DiskSpace{"/rec", 50'000'000'000ULL, 100'000'000'000ULL, false};
    h.last_datagram_age_ms = 2000;
    h.obs = {{"OBS_REC", true, true, 10, 0, 0, 0, false, 0, false},
             {"OBS_STR", true, true, 85, 0, 2.0, 0, true, 0.6, false},
             {"OBS_B", false}};
    auto items = assess(h, t, true);
    EXPECT_EQ(item(items, "cpu").level, HealthLevel::ok);
    EXPECT_EQ(item(items, "memory").level, HealthLevel::ok);
    EXPECT_EQ(item(items, "disk").level, HealthLevel::ok);
    EXPECT_EQ(item(items, "disk").text, "disk 50 GB");
    EXPECT_EQ(item(items, "udp").level, HealthLevel::ok);
    EXPECT_EQ(item(items, "obs:OBS_REC").level, HealthLevel::ok);
    EXPECT_EQ(item(items, "obs:OBS_STR").level, HealthLevel::warning);  // CPU, skipped and congestion
    EXPECT_NE(item(items, "obs:OBS_STR").reason.find("OBS_STR"), std::string::npos);
    EXPECT_EQ(item(items, "obs:OBS_B").level, HealthLevel::alert);
    EXPECT_EQ(item(items, "obs:OBS_B").reason, "OBS_B is not connected");

    h.disk->free_bytes = 12'000'000'000ULL;
    h.last_datagram_age_ms = 31'000;
    h.obs[1].output_skipped_percent = 5.0;
    items = assess(h, t, true);
    EXPECT_EQ(item(items, "disk").level, HealthLevel::warning);
    EXPECT_NE(item(items, "disk").reason.find("health.disk_warning_gb 20"), std::string::npos);
    EXPECT_EQ(item(items, "udp").level, HealthLevel::alert);
    EXPECT_EQ(item(items, "obs:OBS_STR").level, HealthLevel::alert);  // 5 x 1 %
    EXPECT_EQ(assess(h, t, false)[3].level, HealthLevel::ok) << "silence between matches is normal";

    h.disk->free_bytes = 4'000'000'000ULL;
    EXPECT_EQ(item(assess(h, t, false), "disk").level, HealthLevel::alert);
    h.disk.reset();
    h.disk_problem = "the recording folder is not known";
    EXPECT_EQ(item(assess(h, t, false), "disk").level, HealthLevel::warning);
}

TEST(HealthLevels, ThresholdKeysAreValidatedByName) {
    const auto set = parse_config({{"health",
                                    {{"disk_alert_gb", 2},
                                     {"udp_silence_warning_s", 10},
                                     {"obs_skipped_frames_warning_percent", 0.5},
                                     {"congestion_warning", 0.3},
                                     {"obs_cpu_warning_percent", 70}}}});
    ASSERT_TRUE(set.config) << set.error;
    EXPECT_EQ(set.config->health.disk_alert_gb, 2);
    EXPECT_EQ(set.config->health.obs_skipped_frames_warning_percent, 0.5);
    EXPECT_EQ(set.config->health.congestion_warning, 0.3);
    for (const auto& [key, value, expected] :
         {std::tuple{"congestion_warning", nlohmann::json(2),
                     "health.congestion_warning: expected a number from 0.01 to 1"},
          std::tuple{"udp_silence_warning_s", nlohmann::json("x"), "health.udp_silence_warning_s: expected an integer"},
          std::tuple{"disk_alert_gb", nlohmann::json(30), "health.disk_alert_gb: expected at most"}}) {
        const auto bad = parse_config({{"health", {{key, value}}}});
        EXPECT_FALSE(bad.config) << key;
        EXPECT_NE(bad.error.find(expected), std::string::npos) << bad.error;
    }
}

std::uint16_t free_tcp_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

// Unmounts the tmpfs however the test ends.
struct Tmpfs {
    std::filesystem::path at;
    explicit Tmpfs(std::filesystem::path folder) : at(std::move(folder)) {
        std::filesystem::create_directories(at);
        if (::mount("tmpfs", at.c_str(), "tmpfs", 0, "size=50m") != 0)
            throw std::runtime_error(std::string("mount -t tmpfs -o size=50m failed (the test needs root): ") +
                                     std::strerror(errno));
    }
    ~Tmpfs() { ::umount2(at.c_str(), MNT_DETACH); }
};

TEST(VtaStatus, AsksTheRunningHostAndSaysSoWhenNoneRuns) {
    TempFolder folder;
    const auto env = folder.xdg_env();
    Tmpfs recordings(folder.path() / "recordings");
    const auto overlays_port = free_tcp_port();
    const auto config = folder.path() / "config.json";
    std::ofstream(config) << nlohmann::json{{"udp", {{"bind", "127.0.0.1"}, {"port", test::free_udp_port()}}},
                                            {"overlays", {{"port", overlays_port}}},
                                            {"health", {{"record_folder", recordings.at.string()}}}}
                                 .dump();

    auto [status, output] = run_to_end(vta, {"status", "--config", config.string()}, env);
    EXPECT_EQ(status, 1) << output;
    EXPECT_NE(output.find("no host answers on 127.0.0.1:" + std::to_string(overlays_port) + ": is `vta run` running?"),
              std::string::npos)
        << output;

    ChildProcess host(vta, {"run", "--config", config.string()}, env, folder.path() / "host.log");
    nlohmann::json health;
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until(
        [&] {
            auto [code, text] = run_to_end(vta, {"status", "--json", "--config", config.string()}, env);
            if (code != 0) return false;
            health = nlohmann::json::parse(text, nullptr, false);
            return health.is_object() && !health["items"].empty();
        },
        20s))
        << host.output();
    std::cout
        << "[ FIGURE   ] vta_status_first_answer_ms: "
        << std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()
        << "\n";
    EXPECT_EQ(health["level"], "alert") << health.dump(2);  // 50 MB free, under health.disk_alert_gb
    EXPECT_EQ(health["disk"]["folder"], recordings.at.string());
    EXPECT_EQ(health["disk"]["total_bytes"], 50u * 1024 * 1024);
    EXPECT_GT(health["host"]["rss_bytes"].get<std::uint64_t>(), 1'000'000u);
    EXPECT_GT(health["machine_memory"]["total_bytes"].get<std::uint64_t>(), 0u);
    EXPECT_GT(health["store"]["bytes"].get<std::uint64_t>(), 0u);
    std::vector<std::string> keys;
    for (const auto& i : health["items"]) keys.push_back(i["key"]);
    EXPECT_EQ(keys, (std::vector<std::string>{"cpu", "memory", "disk", "udp", "store"}));
    EXPECT_EQ(health["items"][2]["level"], "alert");
    EXPECT_NE(health["items"][2]["reason"].get<std::string>().find("health.disk_alert_gb"), std::string::npos);

    std::tie(status, output) = run_to_end(vta, {"status", "--config", config.string()}, env);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("health: alert"), std::string::npos) << output;
    EXPECT_NE(output.find("disk 0.1 GB"), std::string::npos) << output;

    host.signal(SIGTERM);
    ASSERT_TRUE(host.wait(20s)) << host.output();
    std::tie(status, output) = run_to_end(vta, {"status", "--config", config.string()}, env);
    EXPECT_EQ(status, 1) << output;
}

}  // namespace
}  // namespace vta::host
