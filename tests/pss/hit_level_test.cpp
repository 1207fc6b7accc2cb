// Hit-level linking: a point takes its athlete's unlinked hit levels of the 5 s before it; a point that got none
// takes the first hit level of its athlete within 5 s after it. Independent of which arrives first.
#include <vector>

#include <gtest/gtest.h>

#include "vta/pss/match_state.hpp"

namespace vta::pss {
namespace {

using Levels = std::vector<int>;

class HitLevels : public ::testing::Test {
protected:
    // Applies one single-group datagram at `ms` as event `id`.
    MatchTracker::Update at(std::int64_t ms, std::string_view datagram, std::int64_t id) {
        const auto groups = decode(datagram);
        EXPECT_EQ(groups.size(), 1u);
        EXPECT_EQ(groups[0].status, Status::recognised) << groups[0].reason;
        return tracker.apply(groups[0], ms * 1000, id);
    }
    Levels point_levels(const MatchTracker::Update& u) {
        for (const Derived& d : u.derived)
            if (d.kind == "point") return d.data["hit_levels"].get<Levels>();
        ADD_FAILURE() << "no point event";
        return {};
    }

    MatchTracker tracker;
};

TEST_F(HitLevels, RealTkStrikeOrderHitThenScoresThenPoint) {
    at(0, "hl2;99;", 1);
    at(13, "sc1;0;sc2;5;", 2);
    at(26, "s11;0;s21;5;s12;0;s22;0;s13;0;s23;0;", 3);
    const auto u = at(39, "pt2;2;", 4);
    EXPECT_EQ(point_levels(u), Levels{99});
    EXPECT_TRUE(u.linked_points.empty());
    EXPECT_EQ(tracker.hit_levels_of(4), Levels{99});
}

TEST_F(HitLevels, WrittenSpecOrderPointThenHit) {
    const auto p = at(0, "pt1;3;", 1);
    EXPECT_EQ(point_levels(p), Levels{});
    const auto h = at(20, "hl1;64;", 2);
    EXPECT_EQ(h.linked_points, std::vector<std::int64_t>{1});
    EXPECT_EQ(tracker.hit_levels_of(1), Levels{64});
}

TEST_F(HitLevels, AlternatingPointsAndHitsLinkPairwise) {
    at(0, "pt1;2;", 1);
    EXPECT_EQ(at(10, "hl1;40;", 2).linked_points, std::vector<std::int64_t>{1});
    const auto b = at(500, "pt1;3;", 3);
    EXPECT_EQ(point_levels(b), Levels{}) << "the hit already linked to the first point is not taken again";
    EXPECT_EQ(at(510, "hl1;80;", 4).linked_points, std::vector<std::int64_t>{3});
    EXPECT_EQ(tracker.hit_levels_of(1), Levels{40});
    EXPECT_EQ(tracker.hit_levels_of(3), Levels{80});
}

TEST_F(HitLevels, TwoOpenPointsTakeHitsOldestFirst) {
    at(0, "pt2;2;", 1);
    at(5, "pt2;3;", 2);
    EXPECT_EQ(at(10, "hl2;30;", 3).linked_points, std::vector<std::int64_t>{1});
    EXPECT_EQ(at(15, "hl2;90;", 4).linked_points, std::vector<std::int64_t>{2});
}

TEST_F(HitLevels, NonScoringHitsBeforeAPointAreTakenByIt) {
    at(0, "hl1;12;", 1);
    at(1000, "hl1;18;", 2);
    const auto u = at(2000, "pt1;2;", 3);
    EXPECT_EQ(point_levels(u), (Levels{12, 18}));
    EXPECT_EQ(at(2010, "hl1;70;", 4).linked_points, std::vector<std::int64_t>{})
        << "the point took hit levels already, so it is closed";
}

TEST_F(HitLevels, NonScoringHitAfterAClosedPointStaysUnlinked) {
    at(0, "hl1;50;", 1);
    at(20, "pt1;2;", 2);
    EXPECT_TRUE(at(1000, "hl1;9;", 3).linked_points.empty());
    EXPECT_EQ(tracker.hit_levels_of(2), Levels{50});
}

TEST_F(HitLevels, FiveSecondEdgeBefore) {
    at(0, "hl1;41;", 1);
    at(1, "hl2;42;", 2);
    EXPECT_EQ(point_levels(at(5000, "pt1;2;", 3)), Levels{41}) << "exactly 5 s before still links";
    EXPECT_EQ(point_levels(at(5002, "pt2;2;", 4)), Levels{}) << "5.001 s before does not";
}

TEST_F(HitLevels, FiveSecondEdgeAfter) {
    at(0, "pt1;2;", 1);
    at(0, "pt2;2;", 2);
    EXPECT_EQ(at(5000, "hl1;33;", 3).linked_points, std::vector<std::int64_t>{1}) << "exactly 5 s after links";
    EXPECT_TRUE(at(5001, "hl2;34;", 4).linked_points.empty()) << "5.001 s after does not";
    EXPECT_EQ(tracker.hit_levels_of(2), Levels{});
}

TEST_F(HitLevels, TheOtherAthletesHitNeverLinks) {
    at(0, "hl2;77;", 1);
    EXPECT_EQ(point_levels(at(10, "pt1;3;", 2)), Levels{});
    EXPECT_TRUE(at(20, "hl2;78;", 3).linked_points.empty());
    EXPECT_EQ(tracker.hit_levels_of(2), Levels{});
    EXPECT_EQ(point_levels(at(30, "pt2;2;", 4)), (Levels{77, 78}));
}

TEST_F(HitLevels, PunchWithoutSensorHasNoLevels) {
    EXPECT_EQ(point_levels(at(0, "pt1;1;", 1)), Levels{});
    EXPECT_EQ(tracker.hit_levels_of(1), Levels{});
    EXPECT_EQ(tracker.hit_levels_of(999), Levels{}) << "unknown ids give no levels";
}

TEST_F(HitLevels, ANewMatchDropsPendingHits) {
    at(0, "hl1;60;", 1);
    at(10, "pre;FightLoaded;", 2);
    EXPECT_EQ(point_levels(at(20, "pt1;2;", 3)), Levels{});
}

}  // namespace
}  // namespace vta::pss
