// Health at a glance (issue 18, section 2): one typed snapshot, every second, of this host (CPU, memory), the free
// disk where OBS_REC records, the PSS datagrams, each OBS's CPU, skipped frames and stream congestion, and the
// store. Each item has a level (ok / warning / alert) from the `health.*` thresholds and a short reason. The reads
// of files (/proc, statvfs, the store's size) run on a worker thread of their own; the results are posted back to
// the io thread, which owns the snapshot. The panel gets it in HostSnapshot; `vta status` reads it over HTTP.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "vta/host/health.hpp"
#include "vta/host/ingest.hpp"
#include "vta/host/obs_monitor.hpp"

namespace vta::host {

class HealthMonitor {
public:
    struct Sources {
        const Ingest& ingest;
        const obs::Connections& connections;
        const ObsMonitor& obs_monitor;
        std::filesystem::path database;
        std::function<std::optional<std::chrono::system_clock::time_point>()> last_commit;  // any thread
    };

    HealthMonitor(boost::asio::io_context& io, HealthConfig config, Sources sources);
    ~HealthMonitor();
    HealthMonitor(const HealthMonitor&) = delete;
    HealthMonitor& operator=(const HealthMonitor&) = delete;

    void start();
    void stop();  // waits for the worker's read in progress, if any

    // The latest snapshot (null before the first); any thread.
    std::shared_ptr<const HealthSnapshot> latest() const;

    // Runs on the io thread after each new snapshot.
    std::function<void()> on_update;

    static constexpr std::chrono::milliseconds interval{1000};

private:
    struct MachineReads {
        vta::Result<ProcessUsage> usage = vta::Error(vta::Errc::io, "not read");
        vta::Result<MachineMemory> memory = vta::Error(vta::Errc::io, "not read");
        std::optional<vta::Result<DiskSpace>> disk;
        std::uint64_t store_bytes = 0;
    };
    struct FrameSample {
        std::chrono::steady_clock::time_point at;
        obs::Stats stats;
        std::int64_t stream_skipped = 0, stream_total = 0;
    };

    void schedule();
    void sample();
    void complete(MachineReads reads, HealthSnapshot snapshot);
    std::filesystem::path record_folder() const;

    boost::asio::io_context& io_;
    HealthConfig config_;
    Sources sources_;
    boost::asio::steady_timer timer_;
    boost::asio::thread_pool worker_{1};
    bool stopped_ = true;
    bool reading_ = false;
    std::optional<std::pair<std::chrono::steady_clock::time_point, double>> last_cpu_;  // (when, cpu seconds)
    std::optional<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>> last_datagrams_;
    double datagrams_per_second_ = 0;
    std::map<std::string, std::deque<FrameSample>> frames_;  // per OBS, the samples of the window
    mutable std::mutex mutex_;
    std::shared_ptr<const HealthSnapshot> latest_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace vta::host
