#include <iostream>

#include "process.hpp"
#include "vta_test_peers.hpp"

namespace vta::test_peers {

RtmpPeer::RtmpPeer(std::uint16_t port) : dir_(make_scratch_dir("vta-rtmp")), port_(port != 0 ? port : free_tcp_port()) {
    try {
        start();
    } catch (...) {
        remove_scratch_dir(dir_);
        throw;
    }
}

RtmpPeer::~RtmpPeer() {
    try {
        stop();
    } catch (const PeerError& error) {
        std::cerr << error.what() << '\n';
    }
    remove_scratch_dir(dir_);
}

void RtmpPeer::start() {
    auto run = run_peer_script("start-rtmp.sh", {"--port", std::to_string(port_), "--dir", dir_.string()});
    if (run.exit_code != 0) {
        throw PeerError("nginx-rtmp did not start on port " + std::to_string(port_) + " (exit " +
                        std::to_string(run.exit_code) + "):\n" + run.output);
    }
    running_ = true;
}

void RtmpPeer::stop() {
    if (!running_) return;
    running_ = false;
    auto run = run_peer_script("stop-rtmp.sh", {dir_.string()});
    if (run.exit_code != 0) {
        throw PeerError("nginx-rtmp did not stop cleanly (exit " + std::to_string(run.exit_code) + "):\n" + run.output);
    }
}

std::string RtmpPeer::url() const { return "rtmp://127.0.0.1:" + std::to_string(port_) + "/live"; }

}  // namespace vta::test_peers
