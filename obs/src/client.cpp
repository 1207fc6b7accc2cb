// Client facade: every call is dispatched onto the io_context, where ClientImpl lives.

#include <boost/asio/dispatch.hpp>

#include "client_impl.hpp"

namespace vta::obs {

Subscription::Subscription(std::weak_ptr<ClientImpl> client, std::uint64_t id) : client_(std::move(client)), id_(id) {}

Subscription::Subscription(Subscription&& other) noexcept
    : client_(std::move(other.client_)), id_(std::exchange(other.id_, 0)) {}

Subscription& Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        unsubscribe();
        client_ = std::move(other.client_);
        id_ = std::exchange(other.id_, 0);
    }
    return *this;
}

Subscription::~Subscription() { unsubscribe(); }

void Subscription::unsubscribe() {
    const auto id = std::exchange(id_, 0);
    if (id == 0) return;
    if (auto client = client_.lock()) net::dispatch(client->io(), [client, id] { client->remove_subscriber(id); });
    client_.reset();
}

Client::Client(boost::asio::io_context& io, ConnectionConfig config, ClientOptions options)
    : config_(config), impl_(std::make_shared<ClientImpl>(io, std::move(config), std::move(options))) {}

Client::~Client() { impl_->shutdown(); }

void Client::start() {
    net::dispatch(impl_->io(), [impl = impl_] { impl->start(); });
}

void Client::stop() {
    net::dispatch(impl_->io(), [impl = impl_] { impl->stop(); });
}

void Client::open_unconnected_session() {
    net::dispatch(impl_->io(), [impl = impl_] { impl->open_unconnected_session(); });
}

void Client::receive(std::string message) {
    net::dispatch(impl_->io(), [impl = impl_, message = std::move(message)] { impl->receive(message); });
}

State Client::state() const { return impl_->public_state(); }

Status Client::status() const { return impl_->status(); }

Subscription Client::on_state_change(std::function<void(const ConnectionState&)> handler) {
    const auto id = impl_->next_subscriber_id();
    net::dispatch(impl_->io(), [impl = impl_, id, handler = std::move(handler)]() mutable {
        impl->add_state_handler(id, std::move(handler));
    });
    return Subscription(impl_, id);
}

RequestId Client::request(std::string type, Json data, Handler<Json> handler, std::chrono::milliseconds timeout) {
    const RequestId id = impl_->next_request_id();
    net::dispatch(impl_->io(), [impl = impl_, id, type = std::move(type), data = std::move(data),
                                handler = std::move(handler), timeout]() mutable {
        impl->request(id, std::move(type), std::move(data), std::move(handler), timeout);
    });
    return id;
}

void Client::request_batch(std::vector<BatchRequest> requests, BatchOptions options, Handler<BatchResults> handler,
                           std::chrono::milliseconds timeout) {
    net::dispatch(impl_->io(), [impl = impl_, requests = std::move(requests), options, handler = std::move(handler),
                                timeout]() mutable {
        impl->request_batch(std::move(requests), options, std::move(handler), timeout);
    });
}

void Client::cancel(RequestId id) {
    net::dispatch(impl_->io(), [impl = impl_, id] { impl->cancel(id); });
}

void Client::reidentify(std::uint32_t event_subscriptions, Handler<void> handler) {
    net::dispatch(impl_->io(), [impl = impl_, event_subscriptions, handler = std::move(handler)]() mutable {
        impl->reidentify(event_subscriptions, std::move(handler));
    });
}

Subscription Client::subscribe(std::string event_type, EventHandler handler) {
    const auto id = impl_->next_subscriber_id();
    net::dispatch(impl_->io(),
                  [impl = impl_, id, type = std::move(event_type), handler = std::move(handler)]() mutable {
                      impl->add_subscriber(id, std::move(type), std::move(handler));
                  });
    return Subscription(impl_, id);
}

Subscription Client::subscribe_all(EventHandler handler) { return subscribe({}, std::move(handler)); }

void Client::wait_event(std::string event_type, std::function<bool(const Event&)> match,
                        std::chrono::milliseconds timeout, Handler<Event> handler) {
    net::dispatch(impl_->io(), [impl = impl_, type = std::move(event_type), match = std::move(match), timeout,
                                handler = std::move(handler)]() mutable {
        impl->wait_event(std::move(type), std::move(match), timeout, std::move(handler));
    });
}

}  // namespace vta::obs
