#include "vta_tcp_link.hpp"

#include <array>
#include <functional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "vta_test_peers.hpp"

namespace vta::test_peers {

namespace {

using boost::asio::ip::tcp;

// One client connection and its server connection; everything runs on the link's single io thread.
struct Pair : std::enable_shared_from_this<Pair> {
    explicit Pair(tcp::socket client_side) : client(std::move(client_side)), server(client.get_executor()) {}
    tcp::socket client;
    tcp::socket server;
    std::array<char, 16384> to_server{};
    std::array<char, 16384> to_client{};

    void close() {
        boost::system::error_code ignored;
        client.close(ignored);
        server.close(ignored);
    }
};

}  // namespace

struct TcpLink::State {
    boost::asio::io_context io;
    tcp::acceptor acceptor{io};
    std::uint16_t server_port = 0;
    bool is_cut = false;
    std::vector<std::function<void()>> held;  // what waits for restore()
    std::thread thread;

    // Runs `next` now, or at restore() while cut.
    void when_open(std::function<void()> next) {
        if (is_cut)
            held.push_back(std::move(next));
        else
            next();
    }

    void relay(std::shared_ptr<Pair> pair, tcp::socket& from, tcp::socket& to, std::array<char, 16384>& buffer) {
        when_open([this, pair, &from, &to, &buffer] {
            from.async_read_some(boost::asio::buffer(buffer), [this, pair, &from, &to, &buffer](
                                                                  boost::system::error_code ec, std::size_t n) {
                if (ec) return pair->close();
                when_open([this, pair, &from, &to, &buffer, n] {
                    boost::asio::async_write(to, boost::asio::buffer(buffer.data(), n),
                                             [this, pair, &from, &to, &buffer](boost::system::error_code ec,
                                                                               std::size_t) {
                                                 if (ec) return pair->close();
                                                 relay(pair, from, to, buffer);
                                             });
                });
            });
        });
    }

    void accept() {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket client) {
            if (ec) return;
            auto pair = std::make_shared<Pair>(std::move(client));
            when_open([this, pair] {
                pair->server.async_connect({boost::asio::ip::address_v4::loopback(), server_port},
                                           [this, pair](boost::system::error_code ec) {
                                               if (ec) return pair->close();
                                               relay(pair, pair->client, pair->server, pair->to_server);
                                               relay(pair, pair->server, pair->client, pair->to_client);
                                           });
            });
            accept();
        });
    }
};

TcpLink::TcpLink(std::uint16_t server_port) : state_(std::make_shared<State>()) {
    state_->server_port = server_port;
    try {
        const tcp::endpoint any_port(boost::asio::ip::address_v4::loopback(), 0);
        state_->acceptor.open(any_port.protocol());
        state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
        state_->acceptor.bind(any_port);
        state_->acceptor.listen();
    } catch (const std::exception& e) {
        throw PeerError(std::string("tcp link: cannot listen: ") + e.what());
    }
    state_->accept();
    state_->thread = std::thread([s = state_] { s->io.run(); });
}

TcpLink::~TcpLink() {
    state_->io.stop();
    state_->thread.join();
}

std::uint16_t TcpLink::port() const { return state_->acceptor.local_endpoint().port(); }

void TcpLink::cut() {
    boost::asio::post(state_->io, [s = state_] { s->is_cut = true; });
}

void TcpLink::restore() {
    boost::asio::post(state_->io, [s = state_] {
        s->is_cut = false;
        for (auto& next : std::exchange(s->held, {})) next();
    });
}

}  // namespace vta::test_peers
