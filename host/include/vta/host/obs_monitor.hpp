// What the host polls from each OBS for the panel and `vta status`: GetStats, GetStreamStatus, GetRecordStatus,
// GetSceneList, the main audio input's mute and, where OBS records, GetRecordDirectory, every `health.obs_poll_ms`.
// Every call is asynchronous on the io thread. A poll still unanswered at the next tick is not sent again (a slow
// OBS is polled less, the others are not held up); a connection that is not connected has no live figures.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vta/host/snapshot.hpp"
#include "vta/obs/connections.hpp"

namespace vta::host {

class ObsMonitor {
public:
    struct Options {
        std::chrono::milliseconds interval{1000};
        std::string main_audio_input = "MAIN_AUDIO";
    };

    ObsMonitor(boost::asio::io_context& io, obs::Connections& connections, Options options);
    ~ObsMonitor();
    ObsMonitor(const ObsMonitor&) = delete;
    ObsMonitor& operator=(const ObsMonitor&) = delete;

    void start();
    void stop();

    // The last complete poll of `connection`; nothing before the first or while it is not connected (io thread).
    std::optional<ObsLiveSnapshot> live(const std::string& connection) const;

    // Runs on the io thread after each completed poll.
    std::function<void()> on_update;

private:
    struct Poll;
    struct Entry {
        std::optional<ObsLiveSnapshot> live;
        bool polling = false;
        std::chrono::steady_clock::time_point stream_bytes_at{};  // when `stream_bytes` was read
        std::int64_t stream_bytes = -1;                           // -1: no earlier reading of an active stream
    };

    void schedule();
    void tick();
    void poll(const std::shared_ptr<obs::Client>& client, Entry& entry);
    void finish(const std::string& name, Poll& poll);

    boost::asio::io_context& io_;
    obs::Connections& connections_;
    Options options_;
    boost::asio::steady_timer timer_;
    bool stopped_ = true;
    std::map<std::string, Entry> entries_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // answers after destruction are dropped
};

}  // namespace vta::host
