// Health read from this machine: the disk-space warning on a real 50 MB tmpfs used as the recording folder, this
// process's CPU time and memory, the machine's memory; the health config keys.
#include <sys/mount.h>

#include <gtest/gtest.h>

#include "child_process.hpp"
#include "vta/host/config.hpp"
#include "vta/host/health.hpp"

namespace vta::host {
namespace {

TEST(Health, ARecordingFolderSmallerThanTheThresholdWarns) {
    test::TempFolder folder;
    const auto recordings = folder.path() / "recordings";
    std::filesystem::create_directories(recordings);
    // As root (the test machines run as root): a real filesystem of 50 MB.
    ASSERT_EQ(::mount("tmpfs", recordings.c_str(), "tmpfs", 0, "size=50m"), 0)
        << "mount -t tmpfs -o size=50m failed: " << std::strerror(errno) << " (the test needs root)";
    const auto small = disk_space(recordings, 1);  // 1 GB threshold, 50 MB of room
    const auto lenient = disk_space(recordings, 0);
    ASSERT_EQ(::umount(recordings.c_str()), 0);
    ASSERT_TRUE(small) << small.error().message;
    EXPECT_EQ(small->total_bytes, 50u * 1024 * 1024);
    EXPECT_LE(small->free_bytes, small->total_bytes);
    EXPECT_GT(small->free_bytes, 40u * 1024 * 1024);
    EXPECT_TRUE(small->warning);
    EXPECT_FALSE(lenient->warning);
    EXPECT_FALSE(disk_space(folder.path() / "absent", 20)) << "a missing folder is an error, not free space";
}

TEST(Health, ThisProcessAndTheMachine) {
    const auto usage = process_usage();
    ASSERT_TRUE(usage) << usage.error().message;
    EXPECT_GT(usage->rss_bytes, 1'000'000u);
    volatile double spin = 0;
    for (int i = 0; i < 50'000'000; ++i) spin = spin + i;
    EXPECT_GT(process_usage()->cpu_seconds, usage->cpu_seconds);
    const auto memory = machine_memory();
    ASSERT_TRUE(memory) << memory.error().message;
    EXPECT_GT(memory->total_bytes, 1'000'000'000u);
    EXPECT_GT(memory->available_bytes, 0u);
    EXPECT_LE(memory->available_bytes, memory->total_bytes);
}

TEST(Health, ConfigKeysWithTheirDefaultAndClearErrors) {
    EXPECT_EQ(parse_config(nlohmann::json::object()).config->health.disk_warning_gb, 20);
    const auto set = parse_config({{"health", {{"disk_warning_gb", 50}, {"record_folder", "/srv/rec"}}}});
    ASSERT_TRUE(set.config) << set.error;
    EXPECT_EQ(set.config->health.disk_warning_gb, 50);
    EXPECT_EQ(set.config->health.record_folder, "/srv/rec");
    const auto bad = parse_config({{"health", {{"disk_warning_gb", -1}}}});
    EXPECT_FALSE(bad.config);
    EXPECT_NE(bad.error.find("health.disk_warning_gb"), std::string::npos) << bad.error;
    EXPECT_EQ(default_config_json()["health"]["disk_warning_gb"], 20);

    EXPECT_EQ(parse_config(nlohmann::json::object()).config->health.obs_poll_ms, 1000);
    EXPECT_EQ(parse_config({{"health", {{"obs_poll_ms", 250}}}}).config->health.obs_poll_ms, 250);
    const auto too_fast = parse_config({{"health", {{"obs_poll_ms", 10}}}});
    EXPECT_FALSE(too_fast.config);
    EXPECT_NE(too_fast.error.find("health.obs_poll_ms: expected an integer from 100 to 60000"), std::string::npos)
        << too_fast.error;
    EXPECT_EQ(parse_config(nlohmann::json::object()).config->panel.main_audio_input, "MAIN_AUDIO");
    EXPECT_EQ(parse_config({{"panel", {{"main_audio_input", "Mic/Aux"}}}}).config->panel.main_audio_input, "Mic/Aux");
    const auto unnamed = parse_config({{"panel", {{"main_audio_input", ""}}}});
    EXPECT_FALSE(unnamed.config);
    EXPECT_NE(unnamed.error.find("panel.main_audio_input"), std::string::npos) << unnamed.error;
}

}  // namespace
}  // namespace vta::host
