#include "test_licence.hpp"

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "vta/licence/fingerprint.hpp"
#include "vta/licence/licence_file.hpp"

namespace vta::test {

std::filesystem::path test_private_key_file() { return VTA_TEST_PRIVATE_KEY; }

void install_test_licence(const std::filesystem::path& data_home, const std::vector<std::string>& features,
                          int days_since_check) {
    std::ifstream in(test_private_key_file(), std::ios::binary);
    std::stringstream private_pem;
    private_pem << in.rdbuf();
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) -
                     std::chrono::days(days_since_check);
    licence::Licence licence;
    licence.licensee = "reStrike VTA test suite";
    licence.key_id = "K-TEST";
    licence.features = features;
    licence.issued = now;
    licence.expires = now + std::chrono::days(365);
    licence.machine = licence::read_fingerprint();
    licence.last_check = now;
    auto text = licence::sign_licence(licence, private_pem.str());
    if (!text) throw std::runtime_error("cannot sign the test licence: " + text.error().message);
    const auto folder = data_home / "restrike-vta";
    std::filesystem::create_directories(folder);
    std::ofstream out(folder / "licence.json", std::ios::binary | std::ios::trunc);
    if (!(out << *text) || !out.flush()) throw std::runtime_error("cannot write " + (folder / "licence.json").string());
}

}  // namespace vta::test
