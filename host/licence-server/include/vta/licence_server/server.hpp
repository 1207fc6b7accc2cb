// The licence server's REST API, answered from a Store and signed with the vendor's private key:
//
//   POST /api/activate      {"key": "VTA-…", "machine": {fingerprint JSON}}
//                           -> the signed licence file for that machine (takes a seat, or reuses this
//                              machine's: at most one fingerprint component may have changed)
//   POST /api/validate      {"licence": "<licence file text>"} or {"key": "VTA-…", "machine": {…}}, either with an
//                           optional "machine" (this machine now) -> the licence signed again, last_check = now
//   GET  /api/license-info?key=VTA-…   or POST {"key": "VTA-…"}
//                           -> {"key_id", "licensee", "features", "seats": {"used", "total"}, "issued",
//                               "expires", "revoked", "activations": [{"first_seen", "last_seen"}]}
//
// Refusals (the web server answers {"error", "code"}): a malformed body 400 (invalid_argument), an unknown key
// 404 (not_found), a revoked or expired key 403 (auth_failed), all seats taken 409 (invalid_state). Every
// answer, refusals included, is written to the store's audit.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/licence_server/store.hpp"
#include "vta/web/http_server.hpp"

namespace vta::licence_server {

struct ServerOptions {
    std::string private_key_pem;  // read from a file given on the command line, never from the repository
    std::function<Time()> now;    // the server's clock; the system clock when empty (tests inject one)
};

class LicenceServer {
public:
    // Errc::invalid_argument when the PEM is not an Ed25519 private key.
    static Result<std::unique_ptr<LicenceServer>> create(Store& store, ServerOptions options);

    // The handlers; each also runs as the route above. `remote` goes to the audit.
    Result<nlohmann::json> activate(const nlohmann::json& body, const std::string& remote);
    Result<nlohmann::json> validate(const nlohmann::json& body, const std::string& remote);
    Result<nlohmann::json> info(const nlohmann::json& body, const std::string& remote);

    // Adds the routes; call before server.start(). The handlers run on the web server's worker thread.
    void add_routes(web::HttpServer& server);

    const std::string& public_key_pem() const { return public_key_pem_; }

private:
    LicenceServer(Store& store, ServerOptions options, std::string public_key_pem);
    Time now() const;
    Result<nlohmann::json> signed_for(const KeyRecord& key, const licence::Fingerprint& machine);
    Result<nlohmann::json> audited(const std::string& endpoint, const std::string& remote,
                                   const std::function<Result<nlohmann::json>(std::string& key_id)>& answer);

    Store& store_;
    ServerOptions options_;
    std::string public_key_pem_;
};

}  // namespace vta::licence_server
