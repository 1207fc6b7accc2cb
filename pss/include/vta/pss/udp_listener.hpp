// UDP reception of PSS datagrams on the host's io_context. Receives in batches (recvmmsg) with the
// kernel's arrival timestamp, so a datagram's time is when it reached the machine, not when the loop
// got to it. Decoding is the caller's job: the listener only hands over bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "vta/common/result.hpp"

namespace vta::pss {

struct UdpListenerOptions {
    std::string bind_address = "0.0.0.0";
    std::uint16_t port = 6000;
    std::vector<std::string> allow;       // sender addresses allowed; empty allows every sender
    int receive_buffer_bytes = 16 << 20;  // sized for bursts: the kernel holds them while the loop is busy
};

struct UdpListenerCounters {
    std::uint64_t datagrams = 0;  // accepted datagrams (handed to the handler)
    std::uint64_t bytes = 0;      // bytes of accepted datagrams
    std::uint64_t refused = 0;    // dropped because the sender is not on the allow-list
    std::uint64_t truncated = 0;  // longer than 64 KiB (cannot happen over IPv4/UDP; counted if it ever does)
    std::uint64_t receive_errors = 0;
};

struct ReceivedDatagram {
    std::string_view bytes;  // valid only during the handler call
    boost::asio::ip::udp::endpoint sender;
    std::int64_t arrival_us = 0;        // kernel arrival time, microseconds since the Unix epoch
    std::string_view sender_name = {};  // set for text not from the network (the operator's "manual")
};

class UdpListener {
public:
    using Handler = std::function<void(const ReceivedDatagram&)>;

    // Binds the socket. On failure the error says what a user can do about it.
    static vta::Result<std::unique_ptr<UdpListener>> open(boost::asio::io_context& io,
                                                          const UdpListenerOptions& options, Handler handler);
    ~UdpListener();
    UdpListener(const UdpListener&) = delete;
    UdpListener& operator=(const UdpListener&) = delete;

    // Called on the io_context thread each time the listener has taken everything the kernel held: the
    // end of a burst, where per-burst work (rewriting a summary row) costs least.
    void on_drained(std::function<void()> handler) { drained_handler_ = std::move(handler); }

    void start();  // begins receiving; the handler runs on the io_context thread
    void stop();   // hands over what the kernel already holds, then closes; no handler call after it returns

    boost::asio::ip::udp::endpoint local_endpoint() const;
    int receive_buffer_bytes() const;  // what the kernel granted (may be less than asked for)
    const UdpListenerCounters& counters() const { return counters_; }

private:
    UdpListener(boost::asio::io_context& io, Handler handler);
    void wait_readable();
    enum class Drained { empty, more_pending };
    Drained drain();
    bool allowed(const boost::asio::ip::address& sender) const;

    struct Buffers;
    boost::asio::ip::udp::socket socket_;
    Handler handler_;
    std::function<void()> drained_handler_;
    std::vector<boost::asio::ip::address> allow_;
    std::unique_ptr<Buffers> buffers_;
    UdpListenerCounters counters_;
    int granted_buffer_bytes_ = 0;
};

}  // namespace vta::pss
