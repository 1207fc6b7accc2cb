#include <signal.h>

#include <fstream>
#include <iostream>

#include "process.hpp"
#include "vta_test_peers.hpp"

namespace vta::test_peers {

ObsPeer::ObsPeer(ObsPeerOptions options)
    : options_(std::move(options)),
      dir_(make_scratch_dir("vta-obs")),
      port_(options_.port != 0 ? options_.port : free_tcp_port()) {
    try {
        start();
    } catch (...) {
        remove_scratch_dir(dir_);
        throw;
    }
}

ObsPeer::~ObsPeer() {
    try {
        stop();
    } catch (const PeerError& error) {
        std::cerr << error.what() << '\n';
    }
    remove_scratch_dir(dir_);
}

void ObsPeer::start() {
    std::vector<std::string> args{
        "--port",  std::to_string(port_), "--password",  options_.password,
        "--home",  dir_.string(),         "--fps",       std::to_string(options_.fps),
        "--probe", VTA_OBS_READY_PROBE,   "--timeout-s", std::to_string(options_.ready_timeout.count())};
    if (!options_.record_dir.empty()) {
        args.insert(args.end(), {"--record-dir", options_.record_dir.string()});
    }
    if (!options_.rtmp_url.empty()) args.insert(args.end(), {"--rtmp-url", options_.rtmp_url});
    auto run = run_peer_script("start-obs.sh", args);
    if (run.exit_code != 0) {
        throw PeerError("OBS did not become ready on port " + std::to_string(port_) + " (exit " +
                        std::to_string(run.exit_code) + "):\n" + run.output);
    }
    long ready_ms = 0;
    std::ifstream(dir_ / "ready_ms") >> ready_ms;
    ready_time_ = std::chrono::milliseconds(ready_ms);
}

void ObsPeer::stop() {
    // Also after kill(): the script then only ends the Xvfb left behind.
    auto run = run_peer_script("stop-obs.sh", {dir_.string()});
    if (run.exit_code != 0) {
        throw PeerError("OBS did not stop cleanly (exit " + std::to_string(run.exit_code) + "):\n" + run.output);
    }
}

void ObsPeer::kill() {
    pid_t obs = pid();
    if (!process_alive(obs)) throw PeerError("OBS is not running: nothing to kill");
    ::kill(obs, SIGKILL);
    if (!wait_process_gone(obs, std::chrono::seconds(5))) {
        throw PeerError("OBS (pid " + std::to_string(obs) + ") survived SIGKILL for 5 s");
    }
}

bool ObsPeer::running() const { return process_alive(pid()); }

pid_t ObsPeer::pid() const { return read_pid_file(dir_ / "obs.pid"); }

std::filesystem::path ObsPeer::record_dir() const {
    return options_.record_dir.empty() ? dir_ / "rec" : options_.record_dir;
}

std::filesystem::path ObsPeer::log_dir() const { return home() / ".config/obs-studio/logs"; }

}  // namespace vta::test_peers
