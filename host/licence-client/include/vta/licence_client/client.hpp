// Talks to the licence server (host/licence-server) over HTTPS, or plain HTTP on a closed network. Each call
// blocks until the answer or the timeout, so call it from a worker thread or the CLI, never from an io thread.
//
// Errors say what failed: Errc::invalid_argument for a URL that is not http(s)://HOST[:PORT][/PREFIX] or a CA
// file that holds no certificate, Errc::io for a CA file that cannot be read, Errc::unavailable when the server
// cannot be reached (its address and why: "connection refused") or its certificate is refused ("the licence
// server's certificate was refused: <OpenSSL's reason>"), Errc::timeout when it did not answer in time,
// Errc::request_failed when it refused (the message is the server's reason; status_code the HTTP status,
// comment the server's code), Errc::protocol for an answer that is not what the API promises. The licence text
// returned is not verified here: install it with install_licence (local_files.hpp), which verifies it.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/licence/fingerprint.hpp"

namespace vta::licence_client {

struct ClientOptions {
    std::chrono::milliseconds timeout = std::chrono::seconds(10);  // for the whole exchange
    // https:// only: the server's certificate must chain to one of this PEM file's certificates (a private CA)
    // instead of the system's CAs; its host name or IP address is checked either way.
    std::optional<std::filesystem::path> ca_file;
};

// POST /api/activate: the licence file text for this machine.
Result<std::string> activate(const std::string& server_url, const std::string& key, const licence::Fingerprint& machine,
                             const ClientOptions& options = {});
// POST /api/validate with the installed licence (and this machine now, when given): the licence signed again
// with last_check set to the server's time.
Result<std::string> validate(const std::string& server_url, const std::string& licence_text,
                             const std::optional<licence::Fingerprint>& machine = std::nullopt,
                             const ClientOptions& options = {});
// POST /api/license-info: the key's licensee, features, seats used and total, expiry, revoked.
Result<nlohmann::json> info(const std::string& server_url, const std::string& key, const ClientOptions& options = {});

}  // namespace vta::licence_client
