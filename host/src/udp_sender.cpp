#include "vta/host/udp_sender.hpp"

#include <charconv>
#include <chrono>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace vta::host {

vta::Result<Target> parse_target(const std::string& text) {
    Target target;
    std::string port_text = text;
    if (const auto colon = text.rfind(':'); colon != std::string::npos) {
        if (colon > 0) target.host = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
        return vta::Error(vta::Errc::invalid_argument,
                          "expected HOST:PORT with a port from 1 to 65535, got '" + text + "'");
    target.port = std::uint16_t(port);
    return target;
}

SendReport send_paced(const Target& target, double speed, const std::function<std::optional<TimedDatagram>()>& next) {
    namespace ip = boost::asio::ip;
    SendReport report;
    boost::asio::io_context io;
    boost::system::error_code ec;
    ip::udp::resolver resolver(io);
    const auto endpoints = resolver.resolve(ip::udp::v4(), target.host, std::to_string(target.port), ec);
    if (ec || endpoints.empty()) {
        report.error = "cannot resolve " + target.host + ": " + ec.message();
        return report;
    }
    const ip::udp::endpoint destination = *endpoints.begin();
    ip::udp::socket socket(io);
    socket.open(destination.protocol(), ec);
    if (ec) {
        report.error = "cannot open a UDP socket: " + ec.message();
        return report;
    }
    const auto start = std::chrono::steady_clock::now();
    while (auto datagram = next()) {
        if (speed > 0) {
            const auto due = start + std::chrono::microseconds(std::int64_t(double(datagram->at_ms) * 1000.0 / speed));
            std::this_thread::sleep_until(due);
        }
        socket.send_to(boost::asio::buffer(datagram->bytes), destination, 0, ec);
        if (ec == boost::asio::error::no_buffer_space) {
            // The local send queue is full at top speed: let it drain instead of dropping the datagram.
            std::this_thread::yield();
            socket.send_to(boost::asio::buffer(datagram->bytes), destination, 0, ec);
        }
        if (ec) {
            report.error = "sending to " + target.host + ":" + std::to_string(target.port) + " failed: " + ec.message();
            break;
        }
        ++report.sent;
        report.bytes += datagram->bytes.size();
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace vta::host
