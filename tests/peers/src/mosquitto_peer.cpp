#include <iostream>

#include "process.hpp"
#include "vta_test_peers.hpp"

namespace vta::test_peers {

MosquittoPeer::MosquittoPeer(std::uint16_t port)
    : dir_(make_scratch_dir("vta-mosquitto")), port_(port != 0 ? port : free_tcp_port()) {
    try {
        start();
    } catch (...) {
        remove_scratch_dir(dir_);
        throw;
    }
}

MosquittoPeer::MosquittoPeer(std::vector<User> secured_users)
    : dir_(make_scratch_dir("vta-mosquitto")), port_(free_tcp_port()), secured_users_(std::move(secured_users)) {
    try {
        start();
    } catch (...) {
        remove_scratch_dir(dir_);
        throw;
    }
}

MosquittoPeer::~MosquittoPeer() {
    try {
        stop();
    } catch (const PeerError& error) {
        std::cerr << error.what() << '\n';
    }
    remove_scratch_dir(dir_);
}

void MosquittoPeer::start() {
    std::vector<std::string> args{"--port", std::to_string(port_), "--dir", dir_.string()};
    if (!secured_users_.empty()) args.push_back("--secure");
    for (const User& user : secured_users_) {
        args.push_back("--user");
        args.push_back(user.name + ":" + user.password);
    }
    auto run = run_peer_script("start-mosquitto.sh", args);
    if (run.exit_code != 0) {
        throw PeerError("mosquitto did not start on port " + std::to_string(port_) + " (exit " +
                        std::to_string(run.exit_code) + "):\n" + run.output);
    }
    running_ = true;
}

void MosquittoPeer::stop() {
    if (!running_) return;
    running_ = false;
    auto run = run_peer_script("stop-mosquitto.sh", {dir_.string()});
    if (run.exit_code != 0) {
        throw PeerError("mosquitto did not stop cleanly (exit " + std::to_string(run.exit_code) + "):\n" + run.output);
    }
}

void MosquittoPeer::kill() {
    if (!running_) return;
    running_ = false;
    auto run = run_peer_script("stop-mosquitto.sh", {dir_.string(), "--kill"});
    if (run.exit_code != 0) throw PeerError("mosquitto could not be killed:\n" + run.output);
}

}  // namespace vta::test_peers
