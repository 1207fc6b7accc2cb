#pragma once
// A TCP relay on 127.0.0.1 that a test cuts like a network partition between a client and its server: while cut,
// no byte passes either way and new connections are accepted but held, as a dead switch would leave them; once
// restored, what was held flows again, and a connection whose other side gave up meanwhile ends. Neither side
// sees a reset from the cut itself: they notice it only by their own timeouts (MQTT keepalive, for instance).

#include <cstdint>
#include <memory>

namespace vta::test_peers {

class TcpLink {
public:
    explicit TcpLink(std::uint16_t server_port);  // listens on a free port; throws PeerError
    ~TcpLink();
    TcpLink(const TcpLink&) = delete;
    TcpLink& operator=(const TcpLink&) = delete;

    std::uint16_t port() const;  // where the client connects
    void cut();
    void restore();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace vta::test_peers
