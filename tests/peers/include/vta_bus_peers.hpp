#pragma once
// Real peers of the courts' bus for tests: a Mosquitto broker and a PostgreSQL cluster, each in its own scratch
// folder on a free port (start-mosquitto.sh, start-postgres.sh), and a small MQTT publisher (libmosquitto) that
// plays a court. A peer that cannot start throws PeerError with its output; the destructor stops it and removes
// its folder unless VTA_KEEP_PEERS=1.

#include <cstdint>
#include <filesystem>
#include <string>

#include "vta_test_peers.hpp"

struct mosquitto;

namespace vta::test_peers {

// A cluster run as the user `postgres` when the tests run as root (see start-postgres.sh).
class PostgresPeer {
public:
    // initdb and start on a free port; `durable`: fsync and synchronous commits on (benchmarks), else off.
    explicit PostgresPeer(bool durable = false);
    ~PostgresPeer();
    PostgresPeer(const PostgresPeer&) = delete;
    PostgresPeer& operator=(const PostgresPeer&) = delete;

    std::uint16_t port() const { return port_; }
    // postgresql://postgres@127.0.0.1:P/<database>
    std::string url(const std::string& database = "postgres") const;
    // A new empty database (CREATE DATABASE through psql); returns its url. Throws PeerError.
    std::string create_database(const std::string& name);
    // Runs `sql` with psql in `database` and returns its unaligned, tuples-only output. Throws PeerError.
    std::string query(const std::string& database, const std::string& sql) const;

private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    bool running_ = false;
};

// A court's connection to the broker: publishes QoS 1 messages and waits for each PUBACK. With a will, destroying
// it without a DISCONNECT (drop()) makes the broker publish the will.
class MqttPublisher {
public:
    struct Will {
        std::string topic;
        std::string payload;
        bool retain = true;
    };
    explicit MqttPublisher(std::uint16_t port, const std::string& client_id, const Will* will = nullptr);
    ~MqttPublisher();  // a clean DISCONNECT (no will)
    MqttPublisher(const MqttPublisher&) = delete;
    MqttPublisher& operator=(const MqttPublisher&) = delete;

    // QoS 1; returns once the broker acknowledged it. Throws PeerError.
    void publish(const std::string& topic, const std::string& payload, bool retain = false);
    // Closes the socket without a DISCONNECT, as a crashed court would: the broker sends the will.
    void drop();

private:
    ::mosquitto* client_ = nullptr;
};

}  // namespace vta::test_peers
