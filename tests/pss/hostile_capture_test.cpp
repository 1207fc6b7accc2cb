// The hostile capture decodes without a crash and every record is accounted for.
#include <iostream>
#include <map>

#include <gtest/gtest.h>

#include "captures.hpp"
#include "vta/pss/codec.hpp"

namespace vta::pss {
namespace {

TEST(HostileCapture, EveryRecordDecodesToAtLeastOneGroup) {
    const auto records = testing::load_capture("hostile-2000.jsonl");
    ASSERT_EQ(records.size(), 2000u);
    std::map<Status, int> by_status;
    std::size_t groups_total = 0;
    for (const auto& r : records) {
        const auto groups = decode(r.datagram);
        ASSERT_GE(groups.size(), 1u);
        std::string joined;
        for (const Group& g : groups) {
            ++by_status[g.status];
            joined += g.raw;
            EXPECT_NO_THROW((void)g.fields.dump());
            EXPECT_NO_THROW((void)nlohmann::json(g.reason).dump());
            EXPECT_NO_THROW((void)nlohmann::json(g.code).dump());
            EXPECT_EQ(g.reason.empty(), g.status == Status::recognised) << g.raw;
        }
        EXPECT_EQ(joined, r.datagram);
        groups_total += groups.size();
    }
    std::cout << "hostile-2000: " << records.size() << " records -> " << groups_total
              << " groups: " << by_status[Status::recognised] << " recognised, " << by_status[Status::unknown]
              << " unknown, " << by_status[Status::invalid] << " invalid\n";
    EXPECT_EQ(static_cast<std::size_t>(by_status[Status::recognised] + by_status[Status::unknown] +
                                       by_status[Status::invalid]),
              groups_total);
    EXPECT_GT(by_status[Status::unknown], 0);
    EXPECT_GT(by_status[Status::invalid], 0);
}

TEST(DayCaptures, EveryDatagramIsRecognised) {
    for (const char* name : {"day-3-matches.jsonl", "day-12-matches.jsonl"}) {
        SCOPED_TRACE(name);
        for (const auto& r : testing::load_capture(name)) {
            const auto groups = decode(r.datagram);
            ASSERT_EQ(groups.size(), 1u) << r.datagram;
            EXPECT_EQ(groups[0].status, Status::recognised) << r.datagram << ": " << groups[0].reason;
        }
    }
}

}  // namespace
}  // namespace vta::pss
