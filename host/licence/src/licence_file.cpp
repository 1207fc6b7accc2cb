#include "vta/licence/licence_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "json_fields.hpp"
#include "vta/licence/signing.hpp"

namespace vta::licence {

namespace {

Error refused(std::string reason) { return Error(Errc::licence_refused, std::move(reason)); }

Result<nlohmann::json> parse_file(std::string_view bytes) {
    if (bytes.size() > max_licence_file_bytes) {
        return refused("the licence file is over " + std::to_string(max_licence_file_bytes) +
                       " bytes: no licence is that large");
    }
    if (bytes.find_first_not_of(" \t\r\n") == std::string_view::npos) return refused("the licence file is empty");
    try {
        return nlohmann::json::parse(bytes);
    } catch (const nlohmann::json::parse_error& error) {
        // The parser reports the byte after the last one when the text stops before the JSON is complete.
        if (error.byte > bytes.size()) return refused("the licence file is truncated: its JSON stops unfinished");
        return refused("the licence file is not JSON (unreadable from byte " + std::to_string(error.byte) + ")");
    } catch (const nlohmann::json::out_of_range&) {
        // Valid JSON syntax the parser still throws on (found by tests/fuzz): a number beyond a double, 1e400.
        return refused("the licence file is not a licence: it holds a number out of range");
    }
}

}  // namespace

Result<std::string> canonical_licence(const nlohmann::json& licence_object) {
    try {
        return licence_object.dump();
    } catch (const nlohmann::json::type_error&) {
        return Error(Errc::invalid_argument, "the licence holds text that is not UTF-8");
    }
}

Result<std::string> sign_licence(const Licence& licence, std::string_view private_key_pem) {
    const nlohmann::json object = to_json(licence);
    // The signer keeps the rules the verifier checks, so it never issues a licence every host refuses.
    if (auto checked = licence_from_json(object); !checked) {
        return Error(Errc::invalid_argument, "cannot sign the licence: " + checked.error().message);
    }
    auto canonical = canonical_licence(object);
    if (!canonical) return Error(Errc::invalid_argument, "cannot sign the licence: " + canonical.error().message);
    auto signer = key_id(private_key_pem);
    if (!signer) return Error(Errc::invalid_argument, "the signing key is not an Ed25519 private key (PEM)");
    auto signature = sign(*canonical, private_key_pem);
    if (!signature) return signature.error();
    nlohmann::json file = nlohmann::json::object();
    file["licence"] = object;
    file["key"] = *signer;
    file["signature"] = to_base64(*signature);
    return file.dump(2) + "\n";
}

Result<Licence> verify_licence(std::string_view file_bytes, std::string_view public_key_pem) {
    auto trusted = key_id(public_key_pem);
    if (!trusted) return Error(Errc::invalid_argument, "the licence public key is not an Ed25519 key (PEM)");

    auto file = parse_file(file_bytes);
    if (!file) return file.error();
    if (!file->is_object()) {
        return refused("the licence file is not a licence: it holds " + std::string(file->type_name()) +
                       " instead of {\"licence\": ..., \"key\": ..., \"signature\": ...}");
    }
    auto object = member(*file, "", "licence");
    if (!object) return object.error();
    auto signer = string_member(*file, "", "key");
    if (!signer) return signer.error();
    auto signature_text = string_member(*file, "", "signature");
    if (!signature_text) return signature_text.error();

    const auto signature = from_base64(*signature_text);
    if (!signature) return refused("signature is not base64");
    if (signature->size() != 64) {
        return refused("signature is " + std::to_string(signature->size()) +
                       " bytes, not the 64 of an Ed25519 signature");
    }
    if (*signer != *trusted) {
        return refused("the licence is signed by another key (" + quoted_text(*signer) + "; this host trusts " +
                       *trusted + ")");
    }
    auto licence = licence_from_json(**object);
    if (!licence) return licence.error();
    auto canonical = canonical_licence(**object);
    if (!canonical) return refused(canonical.error().message);
    if (auto verified = verify(*canonical, *signature, public_key_pem); !verified) {
        if (verified.error().code != Errc::licence_refused) return verified.error();
        return refused("the signature does not match the licence: the file was altered after it was signed");
    }
    return licence;
}

Result<Licence> read_licence_file(const std::filesystem::path& path, std::string_view public_key_pem) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (status.type() == std::filesystem::file_type::not_found) {
        return Error(Errc::not_found, "no licence file at " + path.string());
    }
    if (error) return Error(Errc::io, "cannot read the licence file " + path.string() + ": " + error.message());
    if (!std::filesystem::is_regular_file(status)) {
        return Error(Errc::io, "the licence file " + path.string() + " is not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error(Errc::io, "cannot read the licence file " + path.string() + ": " + std::strerror(errno));
    // One byte over the limit is enough to refuse the file without reading it all.
    std::string bytes(max_licence_file_bytes + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.bad()) return Error(Errc::io, "cannot read the licence file " + path.string());
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return verify_licence(bytes, public_key_pem);
}

}  // namespace vta::licence
