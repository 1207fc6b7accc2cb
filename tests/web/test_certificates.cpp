#include "test_certificates.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace vta::test {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Certificate = std::unique_ptr<X509, decltype(&X509_free)>;
using Extensions = std::vector<std::pair<int, std::string>>;  // NID, value in openssl.cnf syntax

[[noreturn]] void fail(const std::string& step) {
    char reason[256] = "no reason given";
    if (const unsigned long code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
    throw std::runtime_error("test certificates: " + step + ": " + reason);
}

Key new_key() {
    Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) fail("generating a P-256 key");
    return key;
}

// A certificate for `key` named `common_name`, valid from an hour ago for a day, signed by `issuer_key`; issued
// by `issuer`, or by itself when `issuer` is null.
Certificate new_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key,
                            const Extensions& extensions) {
    Certificate certificate(X509_new(), X509_free);
    if (!certificate) fail("X509_new");
    X509* cert = certificate.get();
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) fail("a random serial");
    serial[0] &= 0x7f;  // serials are positive
    BIGNUM* serial_number = BN_bin2bn(serial, sizeof serial, nullptr);
    const bool serial_set = serial_number && BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(cert));
    BN_free(serial_number);
    if (!serial_set) fail("setting the serial");
    X509_NAME* name = X509_get_subject_name(cert);
    if (X509_set_version(cert, 2) != 1 ||
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) != 1 ||
        X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name) != 1 ||
        !X509_gmtime_adj(X509_getm_notBefore(cert), -3600) || !X509_gmtime_adj(X509_getm_notAfter(cert), 86400) ||
        X509_set_pubkey(cert, key) != 1)
        fail("filling in " + common_name);
    for (const auto& [nid, value] : extensions) {
        X509V3_CTX context;
        X509V3_set_ctx_nodb(&context);
        X509V3_set_ctx(&context, issuer ? issuer : cert, cert, nullptr, nullptr, 0);
        X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
        const bool added = extension && X509_add_ext(cert, extension, -1) == 1;
        X509_EXTENSION_free(extension);
        if (!added) fail("the extension " + value + " of " + common_name);
    }
    if (X509_sign(cert, issuer_key, EVP_sha256()) == 0) fail("signing " + common_name);
    return certificate;
}

void write_pem(const std::filesystem::path& file, X509* first, X509* second, EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new_file(file.c_str(), "w"), BIO_free);
    if (!out) fail("creating " + file.string());
    const bool written = (!first || PEM_write_bio_X509(out.get(), first) == 1) &&
                         (!second || PEM_write_bio_X509(out.get(), second) == 1) &&
                         (!key || PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    if (!written) fail("writing " + file.string());
}

}  // namespace

TestCertificates make_test_certificates(const std::filesystem::path& folder, const std::string& ca_name,
                                        const std::string& server_names) {
    std::filesystem::create_directories(folder);
    const Key ca_key = new_key();
    // The subject key identifier goes first: the authority key identifier is taken from it.
    const Certificate ca = new_certificate(ca_key.get(), ca_name, nullptr, ca_key.get(),
                                           {{NID_basic_constraints, "critical,CA:TRUE"},
                                            {NID_key_usage, "critical,keyCertSign,cRLSign"},
                                            {NID_subject_key_identifier, "hash"},
                                            {NID_authority_key_identifier, "keyid:always"}});
    const Key server_key = new_key();
    const Certificate server = new_certificate(server_key.get(), "reStrike VTA test server", ca.get(), ca_key.get(),
                                               {{NID_basic_constraints, "critical,CA:FALSE"},
                                                {NID_key_usage, "critical,digitalSignature"},
                                                {NID_ext_key_usage, "serverAuth"},
                                                {NID_subject_alt_name, server_names},
                                                {NID_subject_key_identifier, "hash"},
                                                {NID_authority_key_identifier, "keyid:always"}});
    TestCertificates files{folder / "ca.pem", folder / "server-chain.pem", folder / "server-key.pem"};
    write_pem(files.ca, ca.get(), nullptr, nullptr);
    write_pem(files.server_chain, server.get(), ca.get(), nullptr);
    write_pem(files.server_key, nullptr, nullptr, server_key.get());
    return files;
}

}  // namespace vta::test
