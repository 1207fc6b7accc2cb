#include "vta/licence_server/server.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <spdlog/spdlog.h>

#include "vta/licence/licence_file.hpp"
#include "vta/licence/signing.hpp"

namespace vta::licence_server {

namespace {

using nlohmann::json;

Error bad_request(const std::string& message) { return Error(Errc::invalid_argument, message); }

// The public half of an Ed25519 private key PEM, so validate can check the licences this server signed.
std::optional<std::string> public_pem_of(const std::string& private_pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(private_pem.data(), int(private_pem.size())),
                                                 BIO_free);
    if (!in) return std::nullopt;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    if (!key || EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return std::nullopt;
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
    if (!out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1) return std::nullopt;
    char* data = nullptr;
    const long size = BIO_get_mem_data(out.get(), &data);
    return std::string(data, std::size_t(size));
}

Result<std::string> string_field(const json& body, const char* name) {
    if (!body.contains(name)) return bad_request(std::string(name) + " is missing");
    if (!body[name].is_string() || body[name].get<std::string>().empty())
        return bad_request(std::string(name) + " must be a non-empty string");
    return body[name].get<std::string>();
}

Result<licence::Fingerprint> machine_field(const json& body) {
    if (!body.contains("machine")) return bad_request("machine is missing (the fingerprint JSON)");
    if (!body["machine"].is_object()) return bad_request("machine must be an object (the fingerprint JSON)");
    auto machine = licence::fingerprint_from_json(body["machine"], "machine");
    if (!machine) return bad_request(machine.error().message);
    if (!machine->machine_id && !machine->product_uuid && !machine->mac)
        return bad_request("machine has no component: nothing to bind a licence to");
    return machine;
}

// The key as usable today: refused when revoked or expired.
VoidResult usable(const KeyRecord& key, Time now) {
    if (key.revoked) return Error(Errc::auth_failed, "revoked: key " + key.key_id + " was revoked by the vendor");
    if (key.expires <= now)
        return Error(Errc::auth_failed,
                     "expired: key " + key.key_id + " expired on " + licence::format_time(key.expires));
    return {};
}

std::string decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += char(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// The value of `name` in a query string, if present.
std::optional<std::string> query_value(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto end = query.find('&');
        const auto pair = query.substr(0, end);
        const auto equals = pair.find('=');
        if (decoded(pair.substr(0, equals)) == name)
            return equals == std::string_view::npos ? std::string() : decoded(pair.substr(equals + 1));
        if (end == std::string_view::npos) break;
        query.remove_prefix(end + 1);
    }
    return std::nullopt;
}

}  // namespace

LicenceServer::LicenceServer(Store& store, ServerOptions options, std::string public_key_pem)
    : store_(store), options_(std::move(options)), public_key_pem_(std::move(public_key_pem)) {}

Result<std::unique_ptr<LicenceServer>> LicenceServer::create(Store& store, ServerOptions options) {
    auto public_pem = public_pem_of(options.private_key_pem);
    if (!public_pem)
        return Error(Errc::invalid_argument, "the signing key is not an unencrypted Ed25519 private key PEM");
    return std::unique_ptr<LicenceServer>(new LicenceServer(store, std::move(options), std::move(*public_pem)));
}

Time LicenceServer::now() const {
    return options_.now ? options_.now()
                        : std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

Result<json> LicenceServer::signed_for(const KeyRecord& key, const licence::Fingerprint& machine) {
    licence::Licence l;
    l.licensee = key.licensee;
    l.key_id = key.key_id;
    l.features = key.features;
    l.issued = key.created;
    l.expires = key.expires;
    l.machine = machine;
    l.last_check = now();  // every answer is a successful online check
    auto text = licence::sign_licence(l, options_.private_key_pem);
    if (!text) return text.error();
    return json::parse(*text);
}

Result<json> LicenceServer::audited(const std::string& endpoint, const std::string& remote,
                                    const std::function<Result<json>(std::string& key_id)>& answer) {
    std::string key_id;
    auto result = answer(key_id);
    AuditEntry entry{now(), endpoint, key_id, remote, "ok", ""};
    if (!result) {
        entry.outcome = std::string(to_string(result.error().code));
        entry.reason = result.error().message;
    }
    if (auto recorded = store_.record(entry); !recorded)
        spdlog::warn("licence server: the audit missed a {} answer: {}", endpoint, recorded.error().message);
    return result;
}

Result<json> LicenceServer::activate(const json& body, const std::string& remote) {
    return audited("activate", remote, [&](std::string& key_id) -> Result<json> {
        if (!body.is_object()) return bad_request("expected {\"key\": ..., \"machine\": {...}}");
        auto key_text = string_field(body, "key");
        if (!key_text) return key_text.error();
        auto machine = machine_field(body);
        if (!machine) return machine.error();
        auto key = store_.find_key(*key_text);
        if (!key) return key.error();
        key_id = key->key_id;
        if (auto ok = usable(*key, now()); !ok) return ok.error();
        auto seat = store_.claim_seat(*key, *machine, now());
        if (!seat) return seat.error();
        return signed_for(*key, *machine);
    });
}

Result<json> LicenceServer::validate(const json& body, const std::string& remote) {
    return audited("validate", remote, [&](std::string& key_id) -> Result<json> {
        if (!body.is_object())
            return bad_request("expected {\"licence\": \"<licence file>\"} or {\"key\": ..., \"machine\": {...}}");
        Result<KeyRecord> key = Error(Errc::not_found, "unknown key");
        std::optional<licence::Fingerprint> machine;
        if (body.contains("licence")) {
            const auto& file = body["licence"];
            if (!file.is_string() && !file.is_object())
                return bad_request("licence must be the licence file's text (or its JSON object)");
            auto verified =
                licence::verify_licence(file.is_string() ? file.get<std::string>() : file.dump(), public_key_pem_);
            if (!verified) return bad_request("the licence was refused: " + verified.error().message);
            machine = verified->machine;
            key = store_.find_key_id(verified->key_id);
        } else {
            auto key_text = string_field(body, "key");
            if (!key_text) return bad_request(key_text.error().message + " (or give licence)");
            key = store_.find_key(*key_text);
        }
        // The machine as it is now, when the host sends it: one changed component moves its seat along.
        if (body.contains("machine") || !machine) {
            auto current = machine_field(body);
            if (!current) return current.error();
            machine = *current;
        }
        if (!key) return key.error();
        key_id = key->key_id;
        if (auto ok = usable(*key, now()); !ok) return ok.error();
        auto seat = store_.touch_seat(*key, *machine, now());
        if (!seat) return seat.error();
        return signed_for(*key, *machine);
    });
}

Result<json> LicenceServer::info(const json& body, const std::string& remote) {
    return audited("license-info", remote, [&](std::string& key_id) -> Result<json> {
        if (!body.is_object()) return bad_request("expected {\"key\": ...} or ?key=");
        auto key_text = string_field(body, "key");
        if (!key_text) return key_text.error();
        auto key = store_.find_key(*key_text);
        if (!key) return key.error();
        key_id = key->key_id;
        auto seats = store_.activations(key->key);
        if (!seats) return seats.error();
        json activations = json::array();
        for (const auto& a : *seats)
            activations.push_back(
                {{"first_seen", licence::format_time(a.first_seen)}, {"last_seen", licence::format_time(a.last_seen)}});
        return json{{"key_id", key->key_id},
                    {"licensee", key->licensee},
                    {"features", key->features},
                    {"seats", {{"used", seats->size()}, {"total", key->seats}}},
                    {"issued", licence::format_time(key->created)},
                    {"expires", licence::format_time(key->expires)},
                    {"expired", key->expires <= now()},
                    {"revoked", key->revoked},
                    {"activations", activations}};
    });
}

void LicenceServer::add_routes(web::HttpServer& server) {
    server.add_json_route("POST", "/api/activate",
                          [this](const web::JsonRequest& r) { return activate(r.body, r.remote); });
    server.add_json_route("POST", "/api/validate",
                          [this](const web::JsonRequest& r) { return validate(r.body, r.remote); });
    server.add_json_route("POST", "/api/license-info",
                          [this](const web::JsonRequest& r) { return info(r.body, r.remote); });
    server.add_json_route("GET", "/api/license-info", [this](const web::JsonRequest& r) {
        const auto key = query_value(r.query, "key");
        return info(key ? json{{"key", *key}} : json(nullptr), r.remote);
    });
}

}  // namespace vta::licence_server
