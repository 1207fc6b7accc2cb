#pragma once
// Shared by the licence tests: key pairs made once per run, a sample licence and its machine, time literals,
// and a private temporary folder per test.

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <gtest/gtest.h>

#include "vta/licence/licence.hpp"
#include "vta/licence/licence_file.hpp"
#include "vta/licence/signing.hpp"

namespace vta::licence::testing {

// Generated at test time: no private key exists outside a test run.
inline const KeyPair& vendor_keys() {
    static const KeyPair keys = generate_key_pair().value();
    return keys;
}

inline const KeyPair& other_keys() {
    static const KeyPair keys = generate_key_pair().value();
    return keys;
}

inline Time at(std::string_view text) { return parse_time(text).value(); }

inline Fingerprint sample_machine() {
    return Fingerprint{std::string(64, 'a'), std::string(64, 'b'), std::string(64, 'c')};
}

inline Licence sample_licence() {
    Licence licence;
    licence.licensee = "Dojang Court 3";
    licence.key_id = "K-2026-0042";
    licence.features = {"ivr", "overlays", "courts=12"};
    licence.issued = at("2026-01-10T09:00:00Z");
    licence.expires = at("2027-01-10T09:00:00Z");
    licence.machine = sample_machine();
    licence.last_check = licence.issued;
    return licence;
}

inline std::string signed_file(const Licence& licence, const KeyPair& keys = vendor_keys()) {
    return sign_licence(licence, keys.private_pem).value();
}

// A fresh folder per test, removed afterwards.
class TempFolder {
public:
    TempFolder() {
        static std::atomic<int> counter{0};
        path_ = std::filesystem::temp_directory_path() /
                ("vta-licence-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }

    // Writes `text` to `relative`, creating its folders.
    std::filesystem::path write(const std::filesystem::path& relative, const std::string& text) const {
        const auto file = path_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }

private:
    std::filesystem::path path_;
};

}  // namespace vta::licence::testing
