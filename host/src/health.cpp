#include "vta/host/health.hpp"

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace vta::host {

vta::Result<DiskSpace> disk_space(const std::filesystem::path& folder, int warning_gb) {
    struct statvfs info {};
    if (::statvfs(folder.c_str(), &info) != 0)
        return vta::Error(vta::Errc::not_found,
                          "cannot read the free space of " + folder.string() + ": " + std::strerror(errno));
    DiskSpace space;
    space.folder = folder;
    space.free_bytes = std::uint64_t(info.f_bavail) * info.f_frsize;
    space.total_bytes = std::uint64_t(info.f_blocks) * info.f_frsize;
    space.warning = space.free_bytes < std::uint64_t(warning_gb) * 1'000'000'000ULL;
    return space;
}

vta::Result<ProcessUsage> process_usage() {
    std::ifstream in("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return vta::Error(vta::Errc::io, "cannot read /proc/self/stat");
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    ProcessUsage usage;
    long utime = 0, stime = 0, rss_pages = 0;
    for (int number = 3; fields >> field; ++number) {
        if (number == 14) utime = std::stol(field);
        if (number == 15) stime = std::stol(field);
        if (number == 24) {
            rss_pages = std::stol(field);
            break;
        }
    }
    usage.cpu_seconds = double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
    usage.rss_bytes = std::uint64_t(rss_pages) * std::uint64_t(::sysconf(_SC_PAGESIZE));
    return usage;
}

vta::Result<MachineMemory> machine_memory() {
    std::ifstream in("/proc/meminfo");
    if (!in) return vta::Error(vta::Errc::io, "cannot read /proc/meminfo");
    MachineMemory memory;
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (in >> key >> kib) {
        std::getline(in, unit);
        if (key == "MemTotal:") memory.total_bytes = kib * 1024;
        if (key == "MemAvailable:") memory.available_bytes = kib * 1024;
    }
    return memory;
}

}  // namespace vta::host
