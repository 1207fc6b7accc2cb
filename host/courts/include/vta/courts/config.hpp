#pragma once
// Config `courts`: where this court publishes (docs/courts-bus.md).

#include <cstdint>
#include <filesystem>
#include <string>

namespace vta::courts {

struct CourtsConfig {
    bool enabled = false;
    std::string broker_host;  // from "host:port"
    int broker_port = 1883;
    int court = 1;                          // 1 to 99, required when enabled
    std::string tournament;                 // slug: lower-case letters, digits and '-'
    std::string username;                   // empty: no credentials
    std::string password;                   // never logged
    std::string password_secret;            // "password": {"secret": NAME}: the host fills `password` from its secrets
    // An event leaves the outbox when `vta tournament` stored it (config courts.delivery "tournament"), not at the
    // broker's PUBACK ("broker"): a broker that crashes with messages in memory loses none of them.
    bool confirmed_by_tournament = true;
    std::filesystem::path tls_ca_file;      // set: TLS to the broker, its certificate chaining to this CA
    std::int64_t outbox_max_rows = 100000;  // the newest seqs the outbox keeps while the broker is away
};

}  // namespace vta::courts
