// Health at a glance (issue 18, section 2): its thresholds, the typed snapshot the panel and `vta status` show, and
// the parts read from this machine: free disk space where recordings go, this process's CPU time and memory, the
// machine's memory. Each read is a file or statvfs call: run them off the io thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::host {

// The thresholds of the health items (HealthMonitor): each item is ok, warning or alert.
struct HealthConfig {
    int disk_warning_gb = 20;             // warn when the recording folder has less free space than this
    int disk_alert_gb = 5;                // alert under this
    int udp_silence_warning_s = 30;       // alert when no PSS datagram came for this long during a match
    int cpu_warning_percent = 90;         // this host's CPU use (of one core)
    int memory_warning_percent = 90;      // the machine's memory in use
    int obs_cpu_warning_percent = 80;     // an OBS's CPU use (GetStats)
    double obs_skipped_frames_warning_percent = 1;  // frames skipped (render, output, stream) over 10 s; alert at 5x
    double congestion_warning = 0.5;      // stream congestion, 0..1 (GetStreamStatus); reconnecting is an alert
    std::filesystem::path record_folder;  // where OBS_REC records, when OBS does not say (GetRecordDirectory)
    int obs_poll_ms = 1000;               // how often each connected OBS is asked for its figures (ObsMonitor)
};

struct DiskSpace {
    std::filesystem::path folder;
    std::uint64_t free_bytes = 0;  // available to this user
    std::uint64_t total_bytes = 0;
    bool warning = false;  // free_bytes under the threshold
};

struct ProcessUsage {
    double cpu_seconds = 0;  // user + system time so far (a rate is the difference of two reads)
    std::uint64_t rss_bytes = 0;
};

struct MachineMemory {
    std::uint64_t total_bytes = 0;
    std::uint64_t available_bytes = 0;
};

// ---- the health snapshot (HealthMonitor builds it every second) ----

enum class HealthLevel { ok, warning, alert };
std::string_view to_string(HealthLevel level);

// One thing the status bar shows: "CPU 4%", "disk 12.3 GB", "OBS_STR cpu 35% skip 0.0% cong 0.00".
struct HealthItem {
    std::string key;     // "cpu", "memory", "disk", "udp", "store", "obs:<connection>"
    std::string text;    // short, for the status bar
    HealthLevel level = HealthLevel::ok;
    std::string reason;  // why it is not ok ("" when ok)
};

struct ObsHealth {
    std::string name;
    bool connected = false;
    bool polled = false;  // figures below are from a poll (connected and answered)
    double cpu_percent = 0;
    double render_skipped_percent = 0;  // over the last health.obs_window_s seconds
    double output_skipped_percent = 0;
    double stream_skipped_percent = 0;
    bool streaming = false;
    double stream_congestion = 0;
    bool stream_reconnecting = false;
};

struct HealthSnapshot {
    std::chrono::system_clock::time_point taken_at;
    double host_cpu_percent = 0;  // this process, of one core, over the last sample
    std::uint64_t host_rss_bytes = 0;
    MachineMemory machine_memory;
    std::optional<DiskSpace> disk;  // the recording folder's; nothing when it is unknown or unreadable
    std::string disk_problem;       // why `disk` is empty
    double udp_datagrams_per_second = 0;
    std::optional<std::int64_t> last_datagram_age_ms;
    std::vector<ObsHealth> obs;
    std::uint64_t store_bytes = 0;  // the database with its WAL
    std::optional<std::chrono::system_clock::time_point> last_commit;
    std::vector<HealthItem> items;  // in status-bar order
    HealthLevel worst = HealthLevel::ok;
};

nlohmann::json to_json(const HealthSnapshot& health);

// The items and their levels from the figures of `health` (pure; tested without a host).
std::vector<HealthItem> assess(const HealthSnapshot& health, const HealthConfig& thresholds, bool match_running);

vta::Result<DiskSpace> disk_space(const std::filesystem::path& folder, int warning_gb);
vta::Result<ProcessUsage> process_usage();    // this process, from /proc/self/stat
vta::Result<MachineMemory> machine_memory();  // /proc/meminfo

}  // namespace vta::host
