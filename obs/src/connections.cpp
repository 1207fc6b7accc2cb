#include "vta/obs/connections.hpp"

namespace vta::obs {

Connections::Connections(boost::asio::io_context& io, std::vector<ConnectionConfig> configs, ClientOptions options)
    : io_(io) {
    clients_.reserve(configs.size());
    for (auto& cfg : configs) clients_.push_back(std::make_shared<Client>(io, std::move(cfg), options));
}

void Connections::start_all() {
    for (auto& client : clients_) client->start();
}

void Connections::stop_all() {
    for (auto& client : clients_) client->stop();
}

std::shared_ptr<Client> Connections::by_name(std::string_view name) const {
    for (const auto& client : clients_)
        if (client->name() == name) return client;
    return nullptr;
}

std::vector<std::shared_ptr<Client>> Connections::by_role(Role role) const {
    std::vector<std::shared_ptr<Client>> found;
    for (const auto& client : clients_)
        if (client->role() == role || (role != Role::both && client->role() == Role::both)) found.push_back(client);
    return found;
}

}  // namespace vta::obs
