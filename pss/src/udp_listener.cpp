#include "vta/pss/udp_listener.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <boost/asio/ip/address.hpp>

namespace vta::pss {

namespace {
constexpr std::size_t batch_size = 32;       // datagrams taken per recvmmsg call
constexpr std::size_t max_datagram = 65536;  // the largest UDP payload plus one, to detect truncation
constexpr std::size_t control_size = CMSG_SPACE(sizeof(timespec));

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

struct UdpListener::Buffers {
    std::vector<char> data = std::vector<char>(batch_size * max_datagram);
    std::array<mmsghdr, batch_size> headers{};
    std::array<iovec, batch_size> vectors{};
    std::array<sockaddr_storage, batch_size> senders{};
    std::array<std::array<char, control_size>, batch_size> controls{};

    void reset() {
        for (std::size_t i = 0; i < batch_size; ++i) {
            vectors[i] = {data.data() + i * max_datagram, max_datagram};
            msghdr& h = headers[i].msg_hdr;
            h = {};
            h.msg_name = &senders[i];
            h.msg_namelen = sizeof(sockaddr_storage);
            h.msg_iov = &vectors[i];
            h.msg_iovlen = 1;
            h.msg_control = controls[i].data();
            h.msg_controllen = control_size;
            headers[i].msg_len = 0;
        }
    }
};

UdpListener::UdpListener(boost::asio::io_context& io, Handler handler)
    : socket_(io), handler_(std::move(handler)), buffers_(std::make_unique<Buffers>()) {}

UdpListener::~UdpListener() { stop(); }

vta::Result<std::unique_ptr<UdpListener>> UdpListener::open(boost::asio::io_context& io,
                                                            const UdpListenerOptions& options, Handler handler) {
    namespace ip = boost::asio::ip;
    boost::system::error_code ec;
    const ip::address address = ip::make_address(options.bind_address, ec);
    if (ec)
        return vta::Error(vta::Errc::invalid_config, "udp.bind: '" + options.bind_address +
                                                         "' is not an IP address (expected e.g. 0.0.0.0 or 127.0.0.1)");
    std::unique_ptr<UdpListener> listener(new UdpListener(io, std::move(handler)));
    for (const std::string& text : options.allow) {
        const ip::address sender = ip::make_address(text, ec);
        if (ec) return vta::Error(vta::Errc::invalid_config, "udp.allow: '" + text + "' is not an IP address");
        listener->allow_.push_back(sender);
    }

    const ip::udp::endpoint endpoint(address, options.port);
    auto& socket = listener->socket_;
    socket.open(endpoint.protocol(), ec);
    if (!ec) socket.set_option(ip::udp::socket::reuse_address(false), ec);
    if (!ec) socket.bind(endpoint, ec);
    if (ec) {
        std::string error;
        const std::string where = options.bind_address + ":" + std::to_string(options.port);
        if (ec == boost::asio::error::address_in_use) {
            error = "UDP port " + std::to_string(options.port) + " is already in use on " + options.bind_address +
                    ": stop the other program listening there (is another vta running?) or choose another port with "
                    "--port N or udp.port in the config";
        } else if (ec == boost::asio::error::access_denied) {
            error = "not allowed to bind UDP " + where + ": ports below 1024 need root; use a port such as 6000";
        } else if (ec == boost::system::errc::address_not_available) {
            error = "cannot bind UDP " + where + ": this machine has no such address; use 0.0.0.0 to listen on all";
        } else {
            error = "cannot bind UDP " + where + ": " + ec.message();
        }
        return vta::Error(vta::Errc::io, std::move(error));
    }

    const int fd = socket.native_handle();
    int wanted = options.receive_buffer_bytes;
    // SO_RCVBUFFORCE passes net.core.rmem_max when privileged; otherwise fall back to what may be had.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &wanted, sizeof wanted) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &wanted, sizeof wanted);
    int granted = 0;
    socklen_t length = sizeof granted;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &length);
    listener->granted_buffer_bytes_ = granted / 2;  // Linux reports double the usable size
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    socket.non_blocking(true, ec);
    return listener;
}

void UdpListener::start() { wait_readable(); }

void UdpListener::stop() {
    if (!socket_.is_open()) return;
    // What the kernel already holds was received: hand it over before closing, so a clean stop loses nothing.
    while (drain() == Drained::more_pending) {
    }
    boost::system::error_code ignored;
    socket_.close(ignored);
}

boost::asio::ip::udp::endpoint UdpListener::local_endpoint() const {
    boost::system::error_code ec;
    return socket_.local_endpoint(ec);
}

int UdpListener::receive_buffer_bytes() const { return granted_buffer_bytes_; }

void UdpListener::wait_readable() {
    socket_.async_wait(boost::asio::ip::udp::socket::wait_read, [this](const boost::system::error_code& ec) {
        if (ec == boost::asio::error::operation_aborted || !socket_.is_open()) return;
        if (ec)
            ++counters_.receive_errors;
        else if (drain() == Drained::empty && drained_handler_)
            drained_handler_();
        if (socket_.is_open()) wait_readable();
    });
}

bool UdpListener::allowed(const boost::asio::ip::address& sender) const {
    if (allow_.empty()) return true;
    for (const auto& a : allow_) {
        if (a == sender) return true;
        // An IPv4 sender may arrive as v4-mapped IPv6 on a dual-stack socket.
        if (sender.is_v6() && sender.to_v6().is_v4_mapped() && a.is_v4() &&
            boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, sender.to_v6()) == a)
            return true;
    }
    return false;
}

UdpListener::Drained UdpListener::drain() {
    // Take what the kernel holds, but yield to the loop after a bounded amount so other work runs.
    for (int round = 0; round < 64 && socket_.is_open(); ++round) {
        buffers_->reset();
        const int received =
            recvmmsg(socket_.native_handle(), buffers_->headers.data(), batch_size, MSG_DONTWAIT, nullptr);
        if (received < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ++counters_.receive_errors;
            return Drained::empty;
        }
        for (int i = 0; i < received && socket_.is_open(); ++i) {
            msghdr& header = buffers_->headers[i].msg_hdr;
            std::int64_t arrival = 0;
            for (cmsghdr* c = CMSG_FIRSTHDR(&header); c; c = CMSG_NXTHDR(&header, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    timespec ts;
                    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    arrival = std::int64_t(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
                }
            }
            if (arrival == 0) arrival = now_us();

            boost::asio::ip::udp::endpoint sender;
            std::memcpy(sender.data(), &buffers_->senders[i], header.msg_namelen);
            sender.resize(header.msg_namelen);
            if (!allowed(sender.address())) {
                ++counters_.refused;
                continue;
            }
            std::size_t length = buffers_->headers[i].msg_len;
            if (header.msg_flags & MSG_TRUNC) {
                ++counters_.truncated;
                length = std::min(length, max_datagram);
            }
            ++counters_.datagrams;
            counters_.bytes += length;
            const char* bytes = static_cast<const char*>(buffers_->vectors[i].iov_base);
            handler_(ReceivedDatagram{std::string_view(bytes, length), sender, arrival});
        }
        if (received < int(batch_size)) return Drained::empty;
    }
    return Drained::more_pending;
}

}  // namespace vta::pss
