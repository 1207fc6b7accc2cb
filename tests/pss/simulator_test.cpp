// The simulator produces realistic, consistent match days that decode and track cleanly.
#include <algorithm>
#include <cstdlib>
#include <set>

#include <gtest/gtest.h>

#include "vta/pss/match_state.hpp"
#include "vta/pss/simulator.hpp"

namespace vta::pss {
namespace {

struct DayRun {
    std::vector<MatchState> finals;
    std::vector<SimulatedResult> results;
    int unknown_or_invalid = 0;
    int datagrams = 0;
    int points = 0;
    int sensor_hits = 0;         // hit levels sent within 100 ms of a point of the same athlete
    int sensor_hits_linked = 0;  // ... that ended up linked to that point
    bool time_ordered = true;
};

DayRun run_day(std::uint64_t seed, SimulatorOptions options) {
    MatchSimulator sim(seed, options);
    MatchTracker tracker;
    DayRun run;
    std::int64_t id = 0, last_ms = 0;
    struct Seen {
        std::int64_t id, at_ms;
        int athlete, value;
    };
    std::vector<Seen> points, hits;
    while (auto t = sim.next()) {
        ++run.datagrams;
        run.time_ordered = run.time_ordered && t->at_ms >= last_ms;
        last_ms = t->at_ms;
        for (const Group& g : decode(t->datagram)) {
            if (g.status != Status::recognised) {
                ++run.unknown_or_invalid;
                ADD_FAILURE() << t->datagram << ": " << g.reason;
            }
            const MatchState before = tracker.state();
            const bool had = tracker.has_match();
            const auto u = tracker.apply(g, t->at_ms * 1000, ++id);
            if (u.new_match && had) run.finals.push_back(before);
            if (const auto* p = std::get_if<Point>(&g.payload)) points.push_back({id, t->at_ms, p->athlete, p->points});
            if (const auto* h = std::get_if<HitLevel>(&g.payload)) hits.push_back({id, t->at_ms, h->athlete, h->level});
        }
    }
    run.finals.push_back(tracker.state());
    run.points = static_cast<int>(points.size());
    // A sensor hit belongs to the point sent with it. The linking rule allows two other outcomes, both accepted here:
    // an earlier point of the same athlete with no hit level of its own (a punch, a replay award) took it within 5 s,
    // or (written-spec order, point first) the point had already taken non-scoring hits of the 5 s before it.
    const auto holds = [&tracker](const Seen& p, int level) {
        const auto levels = tracker.hit_levels_of(p.id);
        return std::find(levels.begin(), levels.end(), level) != levels.end();
    };
    for (const Seen& h : hits) {
        for (const Seen& p : points) {
            if (p.athlete != h.athlete || std::abs(p.at_ms - h.at_ms) > 100) continue;
            ++run.sensor_hits;
            bool linked = holds(p, h.value) || (h.id > p.id && !tracker.hit_levels_of(p.id).empty());
            for (const Seen& q : points)
                linked = linked ||
                         (q.athlete == h.athlete && q.id < p.id && h.at_ms - q.at_ms <= 5'000 && holds(q, h.value));
            run.sensor_hits_linked += linked ? 1 : 0;
        }
    }
    run.results = sim.results();
    return run;
}

void expect_consistent(const DayRun& run, int matches) {
    EXPECT_EQ(run.unknown_or_invalid, 0);
    EXPECT_TRUE(run.time_ordered);
    ASSERT_EQ(run.results.size(), static_cast<std::size_t>(matches));
    ASSERT_EQ(run.finals.size(), static_cast<std::size_t>(matches));
    for (int i = 0; i < matches; ++i) {
        SCOPED_TRACE("match " + std::to_string(i));
        const SimulatedResult& r = run.results[i];
        const MatchState& s = run.finals[i];
        EXPECT_EQ(s.number, r.number);
        EXPECT_EQ(s.athletes, r.athletes);
        for (int round = 0; round < 3; ++round) EXPECT_EQ(s.round_scores[round], r.round_scores[round]);
        EXPECT_EQ(s.round_winners, r.round_winners);
        EXPECT_EQ(s.winner, r.winner);
        EXPECT_EQ(s.decision, r.decision);
        EXPECT_TRUE(s.decided);
        EXPECT_EQ(s.scores, r.round_scores[s.round - 1]) << "current scores are the last round's";
        EXPECT_EQ(s.winner_name, r.athletes[r.winner == "BLUE" ? 0 : 1].long_name);
        // Round winners agree with round scores, the winner with the round winners.
        int wins[2] = {0, 0};
        for (int round = 0; round < 3; ++round) {
            const auto& sc = r.round_scores[round];
            if (r.round_winners[round] == 0) {
                EXPECT_EQ(sc, (std::array<int, 2>{0, 0}));
                continue;
            }
            EXPECT_NE(sc[0], sc[1]);
            EXPECT_EQ(r.round_winners[round], sc[0] > sc[1] ? 1 : 2);
            ++wins[r.round_winners[round] - 1];
        }
        EXPECT_EQ(std::max(wins[0], wins[1]), 2);
        EXPECT_EQ(r.winner, wins[0] == 2 ? "BLUE" : "RED");
    }
}

TEST(Simulator, RealOrderDayIsConsistent) {
    const DayRun run = run_day(42, SimulatorOptions{.matches = 5});
    expect_consistent(run, 5);
    EXPECT_GT(run.points, 20);
    EXPECT_GT(run.sensor_hits, 10);
    EXPECT_EQ(run.sensor_hits_linked, run.sensor_hits) << "every sensor point gets its own hit level";
}

TEST(Simulator, SpecOrderDayIsConsistent) {
    const DayRun run = run_day(7, SimulatorOptions{.matches = 3, .real_order = false});
    expect_consistent(run, 3);
    EXPECT_GT(run.sensor_hits, 10);
    EXPECT_EQ(run.sensor_hits_linked, run.sensor_hits);
}

TEST(Simulator, ManySeedsStayConsistent) {
    for (std::uint64_t seed = 100; seed < 110; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        expect_consistent(run_day(seed, SimulatorOptions{.matches = 2}), 2);
    }
}

TEST(Simulator, SameSeedSameDay) {
    MatchSimulator a(9), b(9), c(10);
    bool differs = false;
    while (true) {
        auto x = a.next(), y = b.next(), z = c.next();
        ASSERT_EQ(x.has_value(), y.has_value());
        if (!x) break;
        EXPECT_EQ(x->at_ms, y->at_ms);
        EXPECT_EQ(x->datagram, y->datagram);
        differs = differs || !z || z->datagram != x->datagram;
    }
    EXPECT_TRUE(differs) << "another seed gives another day";
}

TEST(Simulator, UsesEveryStreamOfAMatchDay) {
    MatchSimulator sim(3, SimulatorOptions{.matches = 12});
    std::set<std::string> codes;
    while (auto t = sim.next())
        for (const Group& g : decode(t->datagram)) codes.insert(g.code);
    for (const char* code : {"pre", "at1", "ref", "mch", "wg1", "wrd", "s11", "sc1", "avt", "clk", "rnd",
                             "sup", "rdy", "hl1", "hl2", "pt1", "pt2", "brk", "rst", "rsr", "win", "wmh"})
        EXPECT_TRUE(codes.count(code)) << code;
    EXPECT_TRUE(codes.count("ch0") || codes.count("ch1") || codes.count("ch2"));
    EXPECT_TRUE(codes.count("ij0") || codes.count("ij1") || codes.count("ij2"));
}

}  // namespace
}  // namespace vta::pss
