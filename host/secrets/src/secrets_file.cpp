#include "vta/secrets/secrets_file.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/common/owner_only.hpp"

namespace vta::secrets {

namespace {

// The file: magic, which parts of the identity the key came from, nonce, ciphertext, GCM tag. The magic and
// the parts byte are authenticated too, so neither can be changed unnoticed.
constexpr std::string_view magic = "VTASECRETS1\n";
constexpr std::size_t nonce_size = 12;
constexpr std::size_t tag_size = 16;
constexpr std::size_t key_size = 32;
constexpr unsigned char uses_machine_id = 0x1;
constexpr unsigned char uses_product_uuid = 0x2;
constexpr std::string_view kdf_salt = "restrike-vta secrets file v1";
constexpr std::string_view kdf_info = "AES-256-GCM key of secrets.json.enc";

using Key = std::array<unsigned char, key_size>;
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Error refused(const std::filesystem::path& file, const std::string& why) {
    return Error(Errc::invalid_config, file.string() + ": " + why);
}

unsigned char parts_of(const MachineIdentity& machine) {
    return uses_machine_id | (machine.product_uuid ? uses_product_uuid : 0);
}

std::optional<Key> derive_key(const MachineIdentity& machine, unsigned char parts) {
    std::string material = "machine-id:" + machine.machine_id;
    if (parts & uses_product_uuid) material += "\nproduct-uuid:" + machine.product_uuid.value_or("");
    std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), &EVP_KDF_free);
    if (!kdf) return std::nullopt;
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(kdf.get()), &EVP_KDF_CTX_free);
    if (!context) return std::nullopt;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, material.data(), material.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(kdf_salt.data()), kdf_salt.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(kdf_info.data()), kdf_info.size()),
        OSSL_PARAM_construct_end(),
    };
    Key key{};
    const bool derived = EVP_KDF_derive(context.get(), key.data(), key.size(), params) == 1;
    OPENSSL_cleanse(material.data(), material.size());
    if (!derived) return std::nullopt;
    return key;
}

std::string header(unsigned char parts) { return std::string(magic) + char(parts); }

std::optional<std::string> encrypt(const Key& key, const std::string& aad, const std::string& plain) {
    std::array<unsigned char, nonce_size> nonce{};
    if (RAND_bytes(nonce.data(), int(nonce.size())) != 1) return std::nullopt;
    CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::string cipher(plain.size(), '\0');
    std::array<unsigned char, tag_size> tag{};
    int written = 0, final_written = 0;
    const bool ok = context && EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                    EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, int(nonce.size()), nullptr) == 1 &&
                    EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key.data(), nonce.data()) == 1 &&
                    EVP_EncryptUpdate(context.get(), nullptr, &written,
                                      reinterpret_cast<const unsigned char*>(aad.data()), int(aad.size())) == 1 &&
                    EVP_EncryptUpdate(context.get(), reinterpret_cast<unsigned char*>(cipher.data()), &written,
                                      reinterpret_cast<const unsigned char*>(plain.data()), int(plain.size())) == 1 &&
                    EVP_EncryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(cipher.data()) + written,
                                        &final_written) == 1 &&
                    EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, int(tag.size()), tag.data()) == 1;
    if (!ok) return std::nullopt;
    return std::string(nonce.begin(), nonce.end()) + cipher + std::string(tag.begin(), tag.end());
}

// The plain text, or nothing when the tag does not match (another key, or altered bytes).
std::optional<std::string> decrypt(const Key& key, const std::string& aad, std::string_view sealed) {
    const auto nonce = sealed.substr(0, nonce_size);
    const auto cipher = sealed.substr(nonce_size, sealed.size() - nonce_size - tag_size);
    std::string tag(sealed.substr(sealed.size() - tag_size));
    CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    std::string plain(cipher.size(), '\0');
    int written = 0, final_written = 0;
    const bool ok = context && EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
                    EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, int(nonce.size()), nullptr) == 1 &&
                    EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key.data(),
                                       reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
                    EVP_DecryptUpdate(context.get(), nullptr, &written,
                                      reinterpret_cast<const unsigned char*>(aad.data()), int(aad.size())) == 1 &&
                    EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &written,
                                      reinterpret_cast<const unsigned char*>(cipher.data()), int(cipher.size())) == 1 &&
                    EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, int(tag.size()), tag.data()) == 1 &&
                    EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plain.data()) + written,
                                        &final_written) == 1;
    if (!ok) {
        OPENSSL_cleanse(plain.data(), plain.size());
        return std::nullopt;
    }
    return plain;
}

const char* remedy = "set the secrets again on this machine with `vta secret set NAME`";

}  // namespace

std::filesystem::path secrets_file_beside(const std::filesystem::path& config_file) {
    return config_file.parent_path() / "secrets.json.enc";
}

bool valid_secret_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) return false;
    return true;
}

std::string obs_password_secret_name(std::string_view connection) {
    std::string name = "obs_";
    for (char c : connection) name += std::isalnum(static_cast<unsigned char>(c)) ? char(std::tolower(c)) : '_';
    return name.substr(0, 64);
}

Result<Secrets> read_secrets(const std::filesystem::path& file, const MachineIdentity& machine) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        if (!std::filesystem::exists(file)) return Secrets{};
        return Error(Errc::io, "cannot read " + file.string());
    }
    std::stringstream content;
    content << in.rdbuf();
    const std::string bytes = content.str();
    if (bytes.size() < magic.size() + 1 + nonce_size + tag_size || !bytes.starts_with(magic))
        return refused(file, std::string("not a secrets file of this program (or cut short); ") + remedy);
    const auto parts = static_cast<unsigned char>(bytes[magic.size()]);
    if (machine.machine_id.empty())
        return refused(file, "this machine has no /etc/machine-id to derive the secrets key from");
    if ((parts & uses_product_uuid) && !machine.product_uuid)
        return refused(file,
                       "it was sealed with the DMI product UUID, which this user cannot read (was it written as "
                       "root?); " +
                           std::string(remedy) + " as the user who runs the host");
    const auto key = derive_key(machine, parts);
    if (!key) return Error(Errc::io, file.string() + ": the secrets key could not be derived (OpenSSL HKDF)");
    auto plain = decrypt(*key, header(parts), std::string_view(bytes).substr(magic.size() + 1));
    if (!plain)
        return refused(file, "cannot be decrypted: it was made on another machine, or altered since it was written; " +
                                 std::string(remedy));
    const auto document = nlohmann::json::parse(*plain, nullptr, false);
    OPENSSL_cleanse(plain->data(), plain->size());
    if (!document.is_object()) return refused(file, std::string("its content is not a JSON object; ") + remedy);
    Secrets secrets;
    for (const auto& [name, value] : document.items())
        if (value.is_string()) secrets[name] = value.get<std::string>();
    return secrets;
}

VoidResult write_secrets(const std::filesystem::path& file, const Secrets& secrets, const MachineIdentity& machine) {
    if (machine.machine_id.empty())
        return Error(Errc::unavailable, "cannot write " + file.string() +
                                            ": this machine has no /etc/machine-id to derive the secrets key from");
    const unsigned char parts = parts_of(machine);
    const auto key = derive_key(machine, parts);
    if (!key) return Error(Errc::io, "cannot write " + file.string() + ": the secrets key could not be derived");
    std::string plain = nlohmann::json(secrets).dump();
    const auto sealed = encrypt(*key, header(parts), plain);
    OPENSSL_cleanse(plain.data(), plain.size());
    if (!sealed) return Error(Errc::io, "cannot write " + file.string() + ": encryption failed (OpenSSL)");
    return write_owner_only_file(file, header(parts) + *sealed);
}

}  // namespace vta::secrets
