// Licences signed with the test suite's key (tests/test-key/CMakeLists.txt), for `vta-test` and for tests
// that run the host in-process after trust_public_key_instead(test_public_key()).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace vta::test {

// The suite's public key (PEM), made when the tests were built.
std::string_view test_public_key();

// The suite's private key (PEM file), for a real `vta license serve --key` whose licences `vta-test` accepts.
std::filesystem::path test_private_key_file();

// The features the suite's licensed tests run with.
inline const std::vector<std::string> all_test_features{"ivr", "overlays", "multi_obs", "courts=12"};

// Signs a licence for this machine, last checked `days_since_check` days ago and valid for a year, and writes it as
// `data_home`/restrike-vta/licence.json: the file a host started with XDG_DATA_HOME=`data_home` reads.
// Fails the calling test (throws std::runtime_error) when the key cannot sign.
void install_test_licence(const std::filesystem::path& data_home,
                          const std::vector<std::string>& features = all_test_features, int days_since_check = 0);

}  // namespace vta::test
