// Certificates for the TLS tests, made at test time with OpenSSL: a self-signed CA and a server certificate it
// signed, written as PEM files. Nothing is kept in the repository and nothing expires between runs.
#pragma once

#include <filesystem>
#include <string>

namespace vta::test {

struct TestCertificates {
    std::filesystem::path ca;            // the CA's certificate: what a client trusts
    std::filesystem::path server_chain;  // the server's certificate, then the CA's
    std::filesystem::path server_key;    // the server's private key, unencrypted
};

// Writes ca.pem, server-chain.pem and server-key.pem into `folder` (created when missing). Every call makes a new
// CA named `ca_name`; `server_names` is the server certificate's subjectAltName. Throws std::runtime_error with
// OpenSSL's reason when a step fails.
TestCertificates make_test_certificates(const std::filesystem::path& folder, const std::string& ca_name,
                                        const std::string& server_names = "DNS:localhost,IP:127.0.0.1");

}  // namespace vta::test
