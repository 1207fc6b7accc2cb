// What every fuzz target shares. Each target is a function `int <name>_one_input(data, size)` in vta::fuzz; built
// with VTA_FUZZ (clang, libFuzzer) it becomes the binary's LLVMFuzzerTestOneInput, and in the normal build the
// replay test (replay_test.cpp) runs it on every file of tests/fuzz/corpus/<name>/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// A property the input broke: reported as a crash (abort), so libFuzzer keeps the input.
#define VTA_FUZZ_CHECK(condition)                                                                   \
    do {                                                                                            \
        if (!(condition)) {                                                                         \
            std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
            std::abort();                                                                           \
        }                                                                                           \
    } while (false)

#ifdef VTA_FUZZ_REPLAY
#define VTA_FUZZ_ENTRY(function)
#else
#define VTA_FUZZ_ENTRY(function) \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { return function(data, size); }
#endif

namespace vta::fuzz {

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

int pss_one_input(const std::uint8_t* data, std::size_t size);
int config_one_input(const std::uint8_t* data, std::size_t size);
int manifest_one_input(const std::uint8_t* data, std::size_t size);
int licence_one_input(const std::uint8_t* data, std::size_t size);
int obs_one_input(const std::uint8_t* data, std::size_t size);
int web_one_input(const std::uint8_t* data, std::size_t size);

}  // namespace vta::fuzz
