#pragma once
// All configured OBS connections of the host, looked up by name or role.

#include <memory>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/obs/client.hpp"
#include "vta/obs/config.hpp"

namespace vta::obs {

class Connections {
public:
    Connections(boost::asio::io_context& io, std::vector<ConnectionConfig> configs, ClientOptions options = {});

    void start_all();
    void stop_all();

    // nullptr when no connection has that name.
    std::shared_ptr<Client> by_name(std::string_view name) const;
    // Every connection serving `role` in config order: rec/str also match `both` connections;
    // `both` matches only connections configured as both.
    std::vector<std::shared_ptr<Client>> by_role(Role role) const;
    const std::vector<std::shared_ptr<Client>>& all() const { return clients_; }
    boost::asio::io_context& io() const { return io_; }

private:
    boost::asio::io_context& io_;
    std::vector<std::shared_ptr<Client>> clients_;
};

}  // namespace vta::obs
