// Health at a glance (issue 18, section 2), the parts read from this machine: free disk space where recordings go
// (with the warning under health.disk_warning_gb), this process's CPU time and memory, the machine's memory.
// Each read is a file or statvfs call: run them off the io thread.
#pragma once

#include <cstdint>
#include <filesystem>

#include "vta/common/result.hpp"

namespace vta::host {

struct HealthConfig {
    int disk_warning_gb = 20;             // warn when the recording folder has less free space than this
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

vta::Result<DiskSpace> disk_space(const std::filesystem::path& folder, int warning_gb);
vta::Result<ProcessUsage> process_usage();    // this process, from /proc/self/stat
vta::Result<MachineMemory> machine_memory();  // /proc/meminfo

}  // namespace vta::host
