// Random bytes and mutated real datagrams: nothing throws, every group is well formed.
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "vta/pss/match_state.hpp"

namespace vta::pss {
namespace {

std::string random_datagram(std::mt19937_64& rng) {
    static const std::string seeds[] = {"clk;1:44;",
                                        "pt1;3;",
                                        "hl2;99;",
                                        "s11;1;s21;2;s12;3;s22;4;s13;5;s23;6;",
                                        "at1;a;b;c;at2;d;e;f;",
                                        "wrd;rd1;1;rd2;0;rd3;0;",
                                        "ch1;1;1;",
                                        "brk;0:12;",
                                        "Udp Port 6000 connected;",
                                        "mch;1;a;b;1;c;d;e;f;null;g;3;120;h;18;1;"};
    std::string d;
    switch (rng() % 3) {
        case 0: {  // pure random bytes
            d.resize(rng() % 200);
            for (char& c : d) c = static_cast<char>(rng() % 256);
            break;
        }
        case 1: {  // a real datagram with a few bytes changed
            d = seeds[rng() % std::size(seeds)];
            for (int k = static_cast<int>(rng() % 4); k >= 0; --k) d[rng() % d.size()] = static_cast<char>(rng() % 256);
            break;
        }
        default: {  // real pieces glued with separators and junk
            for (int k = static_cast<int>(rng() % 5); k >= 0; --k) {
                d += seeds[rng() % std::size(seeds)];
                if (rng() % 2) d += static_cast<char>(rng() % 256);
                if (rng() % 3 == 0) d.pop_back();
            }
        }
    }
    return d;
}

TEST(Fuzz, HundredThousandDatagramsNeverThrow) {
    std::mt19937_64 rng(20261122);
    MatchTracker tracker;
    std::int64_t id = 0;
    std::size_t groups_total = 0;
    for (int i = 0; i < 100'000; ++i) {
        const std::string d = random_datagram(rng);
        std::vector<Group> groups;
        ASSERT_NO_THROW(groups = decode(d)) << i;
        ASSERT_FALSE(groups.empty());
        std::size_t raw_bytes = 0;
        for (const Group& g : groups) {
            raw_bytes += g.raw.size();
            ASSERT_NO_THROW((void)g.fields.dump());
            ASSERT_NO_THROW((void)nlohmann::json(g.reason).dump());
            ASSERT_NO_THROW((void)nlohmann::json(g.code).dump());
            ASSERT_NO_THROW(tracker.apply(g, i * 10'000LL, ++id));
        }
        ASSERT_EQ(raw_bytes, d.size());
        groups_total += groups.size();
    }
    EXPECT_GE(groups_total, 100'000u);
    EXPECT_NO_THROW((void)tracker.state().to_json().dump());
}

}  // namespace
}  // namespace vta::pss
