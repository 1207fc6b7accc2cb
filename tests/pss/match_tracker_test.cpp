// MatchTracker: match boundaries, state, derived events, and the day-3 capture end to end.
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "captures.hpp"
#include "vta/pss/match_state.hpp"

namespace vta::pss {
namespace {

// Feeds datagrams to a tracker the way the host does: decode, then apply each group with a fresh event id.
class Feeder {
public:
    std::vector<MatchTracker::Update> feed(std::string_view datagram, std::int64_t at_ms = -1) {
        if (at_ms >= 0) now_us_ = at_ms * 1000;
        std::vector<MatchTracker::Update> updates;
        for (const Group& g : decode(datagram)) {
            updates.push_back(tracker.apply(g, now_us_, ++last_id));
            for (const Derived& d : updates.back().derived) ++kinds[d.kind];
        }
        return updates;
    }
    MatchTracker::Update one(std::string_view datagram, std::int64_t at_ms = -1) {
        auto updates = feed(datagram, at_ms);
        EXPECT_EQ(updates.size(), 1u);
        return updates.empty() ? MatchTracker::Update{} : updates.front();
    }

    MatchTracker tracker;
    std::int64_t last_id = 0;
    std::map<std::string, int> kinds;

private:
    std::int64_t now_us_ = 0;
};

std::vector<std::string> kinds_of(const MatchTracker::Update& u) {
    std::vector<std::string> out;
    for (const Derived& d : u.derived) out.push_back(d.kind);
    return out;
}

using Kinds = std::vector<std::string>;

TEST(MatchTracker, NoMatchUntilTheFirstOneBegins) {
    Feeder f;
    EXPECT_FALSE(f.tracker.has_match());
    f.one("clk;1:00;");
    EXPECT_FALSE(f.tracker.has_match());
    const auto u = f.one("at1;A. A;Al A;KOR;at2;B. B;Bo B;JPN;");
    EXPECT_TRUE(u.new_match);
    EXPECT_TRUE(f.tracker.has_match());
    EXPECT_EQ(kinds_of(u), Kinds{"match_loaded"});
    EXPECT_EQ(f.tracker.state().athletes[1].long_name, "Bo B");
}

TEST(MatchTracker, PreAlwaysBeginsAMatchAndResetsState) {
    Feeder f;
    f.one("pre;FightLoaded;");
    f.one("sc1;3;sc2;1;");
    EXPECT_FALSE(f.one("at1;A;B;C;at2;D;E;F;").new_match) << "athletes of a match just loaded belong to it";
    const auto u = f.one("pre;FightLoaded;");
    EXPECT_TRUE(u.new_match);
    EXPECT_EQ(f.tracker.state().scores, (std::array<int, 2>{0, 0}));
    EXPECT_EQ(f.tracker.state().athletes[0].short_name, "");
    EXPECT_EQ(f.tracker.matches_begun(), 2);
}

// A bout restarted at tkStrike: the same match number is loaded again and tkStrike resends it from the start
// (3 of 98 real matches). Nothing of the first run may survive, the round winners included.
TEST(MatchTracker, AMatchLoadedAgainStartsFromWhatTkStrikeSends) {
    Feeder f;
    const std::string mch =
        "mch;101;Semi-final;W+ 67 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;8f4d3e27;Senior;3;120;cntDown;18;1;";
    f.one("pre;FightLoaded;");
    f.one("at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;");
    f.one(mch);
    f.one("rnd;2;");
    f.one("wrd;rd1;2;rd2;1;rd3;0;");
    f.one("s11;3;s21;5;s12;4;s22;1;s13;0;s23;0;");
    f.one("wg1;2;wg2;1;");
    f.one("hl2;88;");
    f.one("ch1;");
    f.one("ch1;1;0;");
    ASSERT_EQ(f.tracker.state().round_winners, (std::array<int, 3>{2, 1, 0}));
    ASSERT_EQ(f.tracker.state().hit_levels, (std::array<int, 2>{0, 88}));
    ASSERT_EQ(f.tracker.state().challenges_lost, (std::array<int, 2>{1, 0}));

    EXPECT_TRUE(f.one("pre;FightLoaded;").new_match);
    f.one("at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;");
    EXPECT_FALSE(f.one(mch).new_match) << "the reloaded match is the one pre began";
    f.one("wg1;0;wg2;0;");
    f.one("wrd;rd1;0;rd2;0;rd3;0;");
    f.one("s11;0;s21;0;s12;0;s22;0;s13;0;s23;0;");
    f.one("sc1;0;sc2;0;");
    f.one("rnd;1;");
    const MatchState& s = f.tracker.state();
    EXPECT_EQ(s.number, "101");
    EXPECT_EQ(s.round_winners, (std::array<int, 3>{0, 0, 0}));
    EXPECT_EQ(s.round_scores[0], (std::array<int, 2>{0, 0}));
    EXPECT_EQ(s.warnings, (std::array<int, 2>{0, 0}));
    EXPECT_EQ(s.round, 1);
    EXPECT_EQ(s.challenge[1], ChallengeStage::none);
    EXPECT_EQ(s.challenges_lost, (std::array<int, 2>{0, 0}));
    EXPECT_EQ(s.hit_levels, (std::array<int, 2>{0, 0}));
    EXPECT_FALSE(s.decided);
    EXPECT_EQ(f.tracker.matches_begun(), 2);
}

TEST(MatchTracker, AthletesOrConfigAfterADecidedMatchBeginANewOne) {
    Feeder f;
    f.one("pre;FightLoaded;");
    f.one("mch;7;Final;M- 58 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;abc;Senior;3;120;cntDown;18;1;");
    f.one("win;RED;");
    EXPECT_TRUE(f.tracker.state().decided);
    const auto u = f.one("mch;8;Final;M- 58 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;90;cntDown;18;1;");
    EXPECT_TRUE(u.new_match);
    EXPECT_EQ(f.tracker.state().number, "8");
    EXPECT_EQ(f.tracker.state().match_code, "");
    EXPECT_EQ(f.tracker.state().round_seconds, 90);
    EXPECT_FALSE(f.tracker.state().decided);
    EXPECT_FALSE(f.one("at1;A;B;C;at2;D;E;F;").new_match);
}

TEST(MatchTracker, InvalidAndUnknownGroupsLeaveStateAlone) {
    Feeder f;
    f.one("pre;FightLoaded;");
    f.one("sc1;2;sc2;1;");
    const auto bad = f.one("sc1;500;sc2;1;");
    EXPECT_FALSE(bad.match_changed);
    EXPECT_TRUE(bad.derived.empty());
    f.one("xyz;1;");
    EXPECT_EQ(f.tracker.state().scores, (std::array<int, 2>{2, 1}));
}

TEST(MatchTracker, ClockRoundAndBreakEvents) {
    Feeder f;
    f.one("pre;FightLoaded;");
    f.one("rnd;1;");
    EXPECT_EQ(kinds_of(f.one("clk;2:00;start;")), (Kinds{"round_started", "clock_started"}));
    EXPECT_TRUE(f.tracker.state().clock_running);
    EXPECT_TRUE(f.one("clk;1:59;").derived.empty());
    EXPECT_EQ(f.tracker.state().clock_seconds, 119);
    EXPECT_EQ(kinds_of(f.one("clk;1:17;stop;")), Kinds{"clock_stopped"});
    EXPECT_EQ(kinds_of(f.one("clk;1:17;start;")), Kinds{"clock_started"}) << "a resumed clock is not a new round";
    const auto end = f.one("clk;0:00;stop;");
    EXPECT_EQ(kinds_of(end), (Kinds{"clock_stopped", "round_ended"}));
    EXPECT_EQ(end.derived[1].data["round"], 1);
    EXPECT_EQ(kinds_of(f.one("brk;0:59;")), Kinds{"break_started"});
    EXPECT_TRUE(f.tracker.state().break_active);
    EXPECT_TRUE(f.one("brk;0:58;").derived.empty());
    EXPECT_EQ(kinds_of(f.one("brk;0:00;stopEnd;")), Kinds{"break_ended"});
    f.one("rnd;2;");
    EXPECT_EQ(kinds_of(f.one("clk;2:00;start;")), (Kinds{"round_started", "clock_started"}));
    EXPECT_EQ(kinds_of(f.one("clk;0:00;stopEnd;")), (Kinds{"clock_stopped", "round_ended"}));
}

TEST(MatchTracker, ChallengeEvents) {
    Feeder f;
    f.one("pre;FightLoaded;");
    EXPECT_EQ(kinds_of(f.one("ch1;")), Kinds{"challenge_requested"});
    EXPECT_EQ(f.tracker.state().challenge[1], ChallengeStage::requested);
    EXPECT_EQ(kinds_of(f.one("ch1;1;")), Kinds{"challenge_accepted"});
    const auto won = f.one("ch1;1;1;");
    EXPECT_EQ(kinds_of(won), Kinds{"challenge_resolved"});
    EXPECT_EQ(won.derived[0].data["result"], "won");
    EXPECT_EQ(won.derived[0].data["side"], 1);
    EXPECT_EQ(kinds_of(f.one("ch2;0;")), Kinds{"challenge_rejected"});
    EXPECT_EQ(kinds_of(f.one("ch0;-1;")), Kinds{"challenge_cancelled"});
    EXPECT_TRUE(f.one("ch0;-1;").derived.empty()) << "a repeated state is not a new event";
}

TEST(MatchTracker, InjuryEvents) {
    Feeder f;
    f.one("pre;FightLoaded;");
    EXPECT_EQ(kinds_of(f.one("ij2;1:00;show;")), Kinds{"injury_started"});
    EXPECT_TRUE(f.tracker.state().injury[2].shown);
    EXPECT_TRUE(f.one("ij2;0:59;").derived.empty());
    EXPECT_EQ(f.tracker.state().injury[2].seconds, 59);
    EXPECT_EQ(kinds_of(f.one("ij2;0:35;hide;")), Kinds{"injury_ended"});
    EXPECT_FALSE(f.tracker.state().injury[2].active);
    EXPECT_FALSE(f.tracker.state().injury[2].shown);
}

TEST(MatchTracker, WarningsScoresAndWinner) {
    Feeder f;
    f.one("pre;FightLoaded;");
    const auto w = f.one("wg1;1;wg2;0;");
    EXPECT_EQ(kinds_of(w), Kinds{"warning"});
    EXPECT_EQ(w.derived[0].data["athlete"], 1);
    EXPECT_TRUE(w.match_changed);
    EXPECT_TRUE(f.one("s11;0;s21;1;s12;0;s22;0;s13;0;s23;0;").match_changed);
    EXPECT_TRUE(f.one("sc1;0;sc2;1;").match_changed);
    EXPECT_FALSE(f.one("sc1;0;sc2;1;").match_changed) << "the same scores again change nothing";
    f.one("wrd;rd1;2;rd2;0;rd3;0;");
    const auto win = f.one("win;RED;");
    EXPECT_EQ(kinds_of(win), Kinds{"winner"});
    EXPECT_EQ(win.derived[0].data["winner"], "RED");
    const auto shown = f.one("wmh;Bo B;1-0 PTF;");
    EXPECT_EQ(shown.derived[0].data["decision"], "1-0 PTF");
    EXPECT_EQ(shown.derived[0].data["name"], "Bo B");
    EXPECT_EQ(f.tracker.state().winner, "RED");
    EXPECT_TRUE(f.tracker.state().decided);
}

TEST(MatchTracker, GoldenRoundScoresAreTheCurrentScores) {
    Feeder f;
    f.one("pre;FightLoaded;");
    f.one("sc1;0;sc2;0;");
    f.one("rnd;4;");
    f.one("sc1;2;sc2;0;");
    EXPECT_EQ(f.tracker.state().round_scores[3], (std::array<int, 2>{2, 0}));
}

TEST(MatchState, JsonHasStableKeys) {
    const nlohmann::json j = MatchState{}.to_json();
    for (const char* key : {"number",   "category",      "weight",        "division",      "match_code",
                            "rounds",   "round_seconds", "athletes",      "round_scores",  "scores",
                            "warnings", "round",         "clock_seconds", "clock",         "clock_running",
                            "injury",   "challenge",     "round_winners", "winner",        "winner_name",
                            "decision", "ready",         "break_active",  "break_seconds", "decided"})
        EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["round_scores"].size(), 4u);
    EXPECT_EQ(j["challenge"][0], "none");
}

TEST(MatchState, FromJsonRestoresEveryStateOfADay) {
    Feeder f;
    for (const auto& r : testing::load_capture("day-3-matches.jsonl")) {
        f.feed(r.datagram, r.t_ms);
        const nlohmann::json saved = f.tracker.state().to_json();
        ASSERT_EQ(MatchState::from_json(saved).to_json(), saved);
    }
    const MatchState garbled =
        MatchState::from_json(nlohmann::json::parse(R"({"number": 7, "round": "x", "rounds": 2})"));
    EXPECT_EQ(garbled.number, "");
    EXPECT_EQ(garbled.round, 0);
    EXPECT_EQ(garbled.rounds, 2);
}

TEST(MatchTracker, ResumedMidMatchEndsLikeAnUninterruptedOne) {
    const auto capture = testing::load_capture("day-3-matches.jsonl");
    Feeder whole;
    for (const auto& r : capture) whole.feed(r.datagram, r.t_ms);
    for (std::size_t cut : {std::size_t(15), std::size_t(200), std::size_t(700)}) {
        Feeder first, second;
        for (std::size_t i = 0; i < cut; ++i) first.feed(capture[i].datagram, capture[i].t_ms);
        second.tracker.resume(MatchState::from_json(first.tracker.state().to_json()));
        for (std::size_t i = cut; i < capture.size(); ++i) second.feed(capture[i].datagram, capture[i].t_ms);
        EXPECT_EQ(second.tracker.state().to_json(), whole.tracker.state().to_json()) << "cut at " << cut;
        EXPECT_EQ(second.kinds["match_loaded"] + first.kinds["match_loaded"], whole.kinds["match_loaded"]);
        EXPECT_EQ(second.kinds["round_started"] + first.kinds["round_started"], whole.kinds["round_started"])
            << "cut at " << cut;
    }
}

TEST(DayThreeCapture, ThreeMatchesWithTheResultsTheCaptureImplies) {
    Feeder f;
    std::vector<MatchState> finals;
    std::vector<std::int64_t> point_ids;
    for (const auto& r : testing::load_capture("day-3-matches.jsonl")) {
        const auto groups = decode(r.datagram);
        for (const Group& g : groups) {
            const MatchState before = f.tracker.state();
            const bool had_match = f.tracker.has_match();
            const auto u = f.tracker.apply(g, r.t_ms * 1000, ++f.last_id);
            if (u.new_match && had_match) finals.push_back(before);
            for (const Derived& d : u.derived) ++f.kinds[d.kind];
            if (std::holds_alternative<Point>(g.payload)) point_ids.push_back(f.last_id);
        }
    }
    finals.push_back(f.tracker.state());
    ASSERT_EQ(finals.size(), 3u);
    EXPECT_EQ(f.tracker.matches_begun(), 3);

    const auto& m1 = finals[0];
    EXPECT_EQ(m1.number, "101");
    EXPECT_EQ(m1.category, "Semi-final");
    EXPECT_EQ(m1.weight, "W+ 67 kg");
    EXPECT_EQ(m1.match_code, "8f4d3e27");
    EXPECT_EQ(m1.athletes[0], (Athlete{"E. O'CONNOR", "Emma O'CONNOR", "IRL"}));
    EXPECT_EQ(m1.athletes[1], (Athlete{"K. ABDULLAH", "Kareem ABDULLAH", "JOR"}));
    EXPECT_EQ(m1.round_scores[0], (std::array<int, 2>{16, 9}));
    EXPECT_EQ(m1.round_scores[1], (std::array<int, 2>{12, 10}));
    EXPECT_EQ(m1.round_scores[2], (std::array<int, 2>{0, 0}));
    EXPECT_EQ(m1.scores, (std::array<int, 2>{12, 10}));
    EXPECT_EQ(m1.warnings, (std::array<int, 2>{3, 4}));
    EXPECT_EQ(m1.round_winners, (std::array<int, 3>{1, 1, 0}));
    EXPECT_EQ(m1.winner, "BLUE");
    EXPECT_EQ(m1.winner_name, "Emma O'CONNOR");
    EXPECT_EQ(m1.decision, "2-0 PTF");
    EXPECT_EQ(m1.round, 2);

    const auto& m2 = finals[1];
    EXPECT_EQ(m2.number, "102");
    EXPECT_EQ(m2.category, "Final");
    EXPECT_EQ(m2.athletes[0], (Athlete{"T. NGUYEN", "Thi NGUYEN", "VIE"}));
    EXPECT_EQ(m2.athletes[1], (Athlete{"K. ABDULLAH", "Kareem ABDULLAH", "JOR"}));
    EXPECT_EQ(m2.round_scores[0], (std::array<int, 2>{24, 30}));
    EXPECT_EQ(m2.round_scores[1], (std::array<int, 2>{8, 7}));
    EXPECT_EQ(m2.round_scores[2], (std::array<int, 2>{16, 21}));
    EXPECT_EQ(m2.scores, (std::array<int, 2>{16, 21}));
    EXPECT_EQ(m2.warnings, (std::array<int, 2>{5, 5}));
    EXPECT_EQ(m2.round_winners, (std::array<int, 3>{2, 1, 2}));
    EXPECT_EQ(m2.winner, "RED");
    EXPECT_EQ(m2.winner_name, "Kareem ABDULLAH");
    EXPECT_EQ(m2.decision, "2-1 PTF");
    EXPECT_EQ(m2.challenge[2], ChallengeStage::won);
    EXPECT_EQ(m2.round, 3);

    const auto& m3 = finals[2];
    EXPECT_EQ(m3.number, "103");
    EXPECT_EQ(m3.weight, "M- 58 kg");
    EXPECT_EQ(m3.athletes[0], (Athlete{"R. MÜLLER", "Ralf MÜLLER", "GER"}));
    EXPECT_EQ(m3.athletes[1], (Athlete{"V. SHCHERBAKOV", "Vladislav SHCHERBAKOV", "AIN"}));
    EXPECT_EQ(m3.round_scores[0], (std::array<int, 2>{18, 14}));
    EXPECT_EQ(m3.round_scores[1], (std::array<int, 2>{19, 14}));
    EXPECT_EQ(m3.scores, (std::array<int, 2>{19, 14}));
    EXPECT_EQ(m3.warnings, (std::array<int, 2>{2, 2}));
    EXPECT_EQ(m3.round_winners, (std::array<int, 3>{1, 1, 0}));
    EXPECT_EQ(m3.winner, "BLUE");
    EXPECT_EQ(m3.winner_name, "Ralf MÜLLER");
    EXPECT_EQ(m3.decision, "2-0 PTF");
    EXPECT_EQ(m3.challenge[1], ChallengeStage::lost);
    for (const auto& m : finals) EXPECT_TRUE(m.decided);

    // Derived events the capture implies: 7 rounds played, 4 breaks, 11 clock starts and stops, 4 challenges.
    EXPECT_EQ(f.kinds["match_loaded"], 3);
    EXPECT_EQ(f.kinds["match_ready"], 3);
    EXPECT_EQ(f.kinds["round_started"], 7);
    EXPECT_EQ(f.kinds["round_ended"], 7);
    EXPECT_EQ(f.kinds["clock_started"], 11);
    EXPECT_EQ(f.kinds["clock_stopped"], 11);
    EXPECT_EQ(f.kinds["break_started"], 4);
    EXPECT_EQ(f.kinds["break_ended"], 4);
    EXPECT_EQ(f.kinds["point"], 79);
    EXPECT_EQ(f.kinds["challenge_requested"], 4);
    EXPECT_EQ(f.kinds["challenge_accepted"], 4);
    EXPECT_EQ(f.kinds["challenge_resolved"], 4);
    EXPECT_EQ(f.kinds["winner"], 9) << "win, wmh with the name, wmh with the decision";
    EXPECT_EQ(f.kinds["warning"], 21) << "final warnings 3+4, 5+5, 2+2, one at a time";

    // 100 hit levels: 79 link to 72 of the 79 points under the 5 s rule.
    ASSERT_EQ(point_ids.size(), 79u);
    int with_levels = 0;
    std::size_t levels = 0;
    for (std::int64_t id : point_ids) {
        const auto l = f.tracker.hit_levels_of(id);
        with_levels += l.empty() ? 0 : 1;
        levels += l.size();
    }
    EXPECT_EQ(with_levels, 72);
    EXPECT_EQ(levels, 79u);
}

}  // namespace
}  // namespace vta::pss
