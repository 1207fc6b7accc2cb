// One court with real peers for the end-to-end tests and the challenge benchmark: nginx-rtmp as the
// stream receiver, a headless OBS_REC and OBS_STR, `vta run` as a child process with the shipped
// workflows configured for them, mpv (null outputs) behind a wrapper that logs each start, and
// watching clients on both OBS that record everything OBS itself reports.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "live_support.hpp"
#include "vta_test_peers.hpp"

namespace vta::e2e {

struct CourtOptions {
    // Merged into workflows.packages of the host's config (package -> {"config": {...}}).
    nlohmann::json packages = nlohmann::json::object();
    std::string log_level = "info";
    int str_fps = 30;  // OBS_STR's frame rate (OBS_REC, which encodes two outputs, stays at 30)
};

class Court {
public:
    explicit Court(CourtOptions options = {});  // starts every peer and the host; throws on failure
    ~Court();
    Court(const Court&) = delete;
    Court& operator=(const Court&) = delete;

    // Starts the host (again, e.g. after stop_host()) and waits until both OBS are connected.
    void start_host();
    // SIGTERM and wait for a clean exit; returns the exit status.
    int stop_host();
    // The running host's output, or the last one's once it stopped.
    std::string host_log() const;
    // Waits until the host's log holds `text` `count` times.
    bool wait_log(const std::string& text, std::chrono::milliseconds timeout, std::size_t count = 1) const;
    std::size_t log_count(const std::string& text) const;

    // `vta <args>` with the host's folders, run to completion: {status, output}.
    std::pair<int, std::string> vta(const std::vector<std::string>& args,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(60)) const;
    // `vta <args>` started in the background, its output in <folder>/<log_name>.
    std::unique_ptr<test::ChildProcess> vta_started(const std::vector<std::string>& args,
                                                    const std::string& log_name) const;
    // vta ... --json parsed (fails the test when it is not JSON).
    nlohmann::json vta_json(const std::vector<std::string>& args) const;

    std::uint16_t udp_port() const { return udp_port_; }
    const std::filesystem::path& recordings_root() const { return recordings_root_; }
    std::filesystem::path mpv_log() const { return folder_.path() / "mpv-starts.log"; }
    const std::filesystem::path& folder() const { return folder_.path(); }

    test_peers::RtmpPeer& rtmp() { return *rtmp_; }
    test_peers::ObsPeer& rec() { return *rec_; }
    test_peers::ObsPeer& str() { return *str_; }
    // The watching clients' loop: call them from its thread (boost::asio::post).
    boost::asio::io_context& watch_io() { return loop_.io(); }
    obs_live::Session& rec_watch() { return rec_watch_; }
    obs_live::Session& str_watch() { return str_watch_; }

private:
    void write_config(const CourtOptions& options);

    test::TempFolder folder_;
    std::filesystem::path recordings_root_;
    std::filesystem::path config_;
    std::uint16_t udp_port_ = 0;
    std::unique_ptr<test_peers::RtmpPeer> rtmp_;
    std::unique_ptr<test_peers::ObsPeer> rec_;
    std::unique_ptr<test_peers::ObsPeer> str_;
    obs_live::Loop loop_;
    obs_live::Session rec_watch_;
    obs_live::Session str_watch_;
    std::unique_ptr<test::ChildProcess> host_;
    int host_runs_ = 0;
    std::string last_log_;
};

// A copy of a capture ({"t": ms, "d": text} a line) played `speed` times faster, where the gap
// after each challenge datagram (`ch0`/`ch1`/`ch2`) stays at least `challenge_hold`: OBS must have
// time to save the clip and switch scenes while the rest of the day runs fast.
std::filesystem::path accelerated_capture(const std::filesystem::path& capture, const std::filesystem::path& out,
                                          double speed, std::chrono::milliseconds challenge_hold);

// Seconds of media in a file according to ffprobe; negative when ffprobe finds no playable video.
double probe_video_seconds(const std::filesystem::path& file);

}  // namespace vta::e2e
