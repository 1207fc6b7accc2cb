// Replays every committed input of each fuzz target (tests/fuzz/corpus/<target>/: seeds and the inputs that
// once crashed it) through the target's own code, built by the normal compiler: the crashes stay fixed at
// the cost of a few milliseconds per build, without clang.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fuzz_target.hpp"

namespace vta::fuzz {
namespace {

using OneInput = int (*)(const std::uint8_t*, std::size_t);

void replay(const std::string& target, OneInput one_input) {
    const std::filesystem::path folder = std::filesystem::path(VTA_FUZZ_CORPUS) / target;
    ASSERT_TRUE(std::filesystem::is_directory(folder)) << folder;
    std::vector<std::filesystem::path> inputs;
    for (const auto& entry : std::filesystem::directory_iterator(folder))
        if (entry.is_regular_file()) inputs.push_back(entry.path());
    ASSERT_FALSE(inputs.empty()) << "no inputs in " << folder;
    for (const auto& input : inputs) {
        SCOPED_TRACE(input.string());
        std::ifstream in(input, std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        EXPECT_EQ(one_input(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()), 0);
    }
}

TEST(FuzzReplay, Pss) { replay("pss", pss_one_input); }
TEST(FuzzReplay, Config) { replay("config", config_one_input); }
TEST(FuzzReplay, Manifest) { replay("manifest", manifest_one_input); }
TEST(FuzzReplay, Licence) { replay("licence", licence_one_input); }
TEST(FuzzReplay, Obs) { replay("obs", obs_one_input); }
TEST(FuzzReplay, Web) { replay("web", web_one_input); }

}  // namespace
}  // namespace vta::fuzz
