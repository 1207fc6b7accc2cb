#include <mosquitto.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include "process.hpp"
#include "vta_bus_peers.hpp"

namespace vta::test_peers {

PostgresPeer::PostgresPeer(bool durable) : dir_(make_scratch_dir("vta-postgres")), port_(free_tcp_port()) {
    std::vector<std::string> args{"--port", std::to_string(port_), "--dir", dir_.string()};
    if (durable) args.push_back("--durable");
    auto run = run_peer_script("start-postgres.sh", args);
    if (run.exit_code != 0) {
        remove_scratch_dir(dir_);
        throw PeerError("postgres did not start on port " + std::to_string(port_) + " (exit " +
                        std::to_string(run.exit_code) + "):\n" + run.output);
    }
    running_ = true;
}

PostgresPeer::~PostgresPeer() {
    if (running_) {
        auto run = run_peer_script("stop-postgres.sh", {dir_.string()});
        if (run.exit_code != 0) std::cerr << "postgres did not stop cleanly:\n" << run.output << '\n';
    }
    remove_scratch_dir(dir_);
}

std::string PostgresPeer::url(const std::string& database) const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresPeer::create_database(const std::string& name) {
    query("postgres", "CREATE DATABASE \"" + name + "\"");
    return url(name);
}

std::string PostgresPeer::query(const std::string& database, const std::string& sql) const {
    // The statement goes through a file: no shell quoting of SQL.
    static int next = 0;
    const auto file = dir_ / ("query-" + std::to_string(++next) + ".sql");
    std::ofstream(file) << sql << ";\n";
    const std::string command = "psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p " + std::to_string(port_) +
                                " -U postgres -d '" + database + "' -f '" + file.string() + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) throw PeerError("cannot run psql");
    std::string output;
    char buffer[4096];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
    const int status = ::pclose(pipe);
    std::filesystem::remove(file);
    if (status != 0) throw PeerError("psql failed on `" + sql + "`:\n" + output);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return output;
}

namespace {

struct PublisherState {
    std::mutex mutex;
    std::condition_variable acknowledged;
    std::set<int> acks;
};

void on_publish(::mosquitto*, void* user, int mid) {
    auto* s = static_cast<PublisherState*>(user);
    {
        std::lock_guard lock(s->mutex);
        s->acks.insert(mid);
    }
    s->acknowledged.notify_all();
}

PublisherState& state_of(::mosquitto* client) { return *static_cast<PublisherState*>(mosquitto_userdata(client)); }

}  // namespace

MqttPublisher::MqttPublisher(std::uint16_t port, const std::string& client_id, const Will* will) {
    static std::once_flag library;
    std::call_once(library, [] { mosquitto_lib_init(); });
    client_ = mosquitto_new(client_id.c_str(), true, new PublisherState);
    if (!client_) throw PeerError("mosquitto_new failed for " + client_id);
    mosquitto_publish_callback_set(client_, on_publish);
    if (will && mosquitto_will_set(client_, will->topic.c_str(), int(will->payload.size()), will->payload.data(), 1,
                                   will->retain) != MOSQ_ERR_SUCCESS)
        throw PeerError("mosquitto_will_set failed");
    if (const int rc = mosquitto_connect(client_, "127.0.0.1", port, 30); rc != MOSQ_ERR_SUCCESS)
        throw PeerError("cannot connect to mosquitto on port " + std::to_string(port) + ": " + mosquitto_strerror(rc));
    mosquitto_loop_start(client_);
}

MqttPublisher::~MqttPublisher() {
    if (!client_) return;
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, false);
    delete &state_of(client_);
    mosquitto_destroy(client_);
}

void MqttPublisher::publish(const std::string& topic, const std::string& payload, bool retain) {
    int mid = 0;
    if (const int rc = mosquitto_publish(client_, &mid, topic.c_str(), int(payload.size()), payload.data(), 1, retain);
        rc != MOSQ_ERR_SUCCESS)
        throw PeerError("publish on " + topic + ": " + mosquitto_strerror(rc));
    PublisherState& s = state_of(client_);
    std::unique_lock lock(s.mutex);
    if (!s.acknowledged.wait_for(lock, std::chrono::seconds(5), [&] { return s.acks.count(mid) > 0; }))
        throw PeerError("no PUBACK within 5 s for " + topic);
    s.acks.erase(mid);
}

void MqttPublisher::drop() {
    if (!client_) return;
    mosquitto_loop_stop(client_, true);
    delete &state_of(client_);
    mosquitto_destroy(client_);  // closes the socket without a DISCONNECT
    client_ = nullptr;
}

}  // namespace vta::test_peers
