// Typed payloads and the hostile edges of the decoder that a table does not show well.
#include <string>

#include <gtest/gtest.h>

#include "vta/pss/codec.hpp"

namespace vta::pss {
namespace {

TEST(CodecPayload, PointAndHitLevelAreTyped) {
    const auto groups = decode("pt2;4;");
    ASSERT_EQ(groups.size(), 1u);
    const auto& p = std::get<Point>(groups[0].payload);
    EXPECT_EQ(p.athlete, 2);
    EXPECT_EQ(p.points, 4);
    const auto h = std::get<HitLevel>(decode("hl1;57;")[0].payload);  // a copy: decode()'s vector is a temporary
    EXPECT_EQ(h.athlete, 1);
    EXPECT_EQ(h.level, 57);
}

TEST(CodecPayload, AthletesAndMatchConfigAreTyped) {
    const auto a =
        std::get<Athletes>(decode("at1;L. MITRIĆ;Luka MITRIĆ;SRB;at2;I. KALAŠNJIKOV;Ivan KALAŠNJIKOV;CRO;")[0].payload);
    EXPECT_EQ(a.athletes[0].long_name, "Luka MITRIĆ");
    EXPECT_EQ(a.athletes[1].short_name, "I. KALAŠNJIKOV");
    EXPECT_EQ(a.athletes[1].noc, "CRO");
    const auto m = std::get<MatchConfig>(
        decode("mch;245.A;Final;M- 80 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;")[0]
            .payload);
    EXPECT_EQ(m.number, "245.A");
    EXPECT_EQ(m.match_id, "");
    EXPECT_EQ(m.total_rounds, 3);
    EXPECT_EQ(m.round_seconds, 120);
}

TEST(CodecPayload, ClockChallengeWinnerAreTyped) {
    const auto c = std::get<Clock>(decode("clk;0:00;stopEnd;")[0].payload);
    EXPECT_EQ(c.seconds, 0);
    EXPECT_EQ(c.action, ClockAction::stop_end);
    EXPECT_EQ(std::get<Challenge>(decode("ch1;1;1;")[0].payload).stage, ChallengeStage::won);
    EXPECT_EQ(std::get<Winner>(decode("win;TIE")[0].payload).side, Side::tie);
    const auto r = std::get<RoundScores>(decode("s11;1;s21;2;s12;3;s22;4;s13;5;s23;6;")[0].payload);
    EXPECT_EQ(r.score[0][1], 2);
    EXPECT_EQ(r.score[2][0], 5);
    const auto o = std::get<Officials>(decode("ref;;;ju1;;;ju2;;;ta;;;")[0].payload);
    ASSERT_EQ(o.roles.size(), 4u);
    EXPECT_EQ(o.roles[3].first, "ta");
}

TEST(CodecEdges, InvalidUtf8InNamesIsReplacedInFieldsAndKeptInRaw) {
    const std::string datagram = "at1;A\xff;B\xc3;KOR;at2;C;D;JPN;";
    const auto groups = decode(datagram);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].status, Status::recognised);
    EXPECT_EQ(groups[0].raw, datagram);
    EXPECT_EQ(groups[0].fields["athlete1"]["short_name"], "A\xEF\xBF\xBD");
    EXPECT_EQ(groups[0].fields["athlete1"]["long_name"], "B\xEF\xBF\xBD");
    EXPECT_NO_THROW((void)groups[0].fields.dump());
}

TEST(CodecEdges, ReasonsQuoteBadBytesSafely) {
    const auto groups = decode("pt1;\xff\xfe\x01;");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].status, Status::invalid);
    EXPECT_EQ(groups[0].reason, "point value '\xEF\xBF\xBD\xEF\xBF\xBD\\x01' is not a number");
}

TEST(CodecEdges, LongValuesAreCutInReasons) {
    const auto groups = decode("pt1;" + std::string(5000, '7') + ";");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].status, Status::invalid);
    EXPECT_LT(groups[0].reason.size(), 120u);
}

TEST(CodecEdges, SixtyFourKibOfJunkIsOneUnknownGroup) {
    std::string junk(64 * 1024, '\0');
    for (std::size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>(0x80 + (i * 7919) % 0x7f);
    const auto groups = decode(junk);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].status, Status::unknown);
    EXPECT_EQ(groups[0].raw.size(), junk.size());
    EXPECT_EQ(groups[0].code, "");
}

TEST(CodecEdges, HugeAthleteNameIsKept) {
    const std::string name(5000, 'A');
    const auto groups = decode("at1;" + name + ";" + name + ";KOR;at2;b;B;JPN;");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].status, Status::recognised);
    EXPECT_EQ(std::get<Athletes>(groups[0].payload).athletes[0].long_name, name);
}

TEST(CodecEdges, ManyGroupsInOneDatagram) {
    std::string datagram;
    for (int i = 0; i < 122; ++i) datagram += "pt1;3;";
    const auto groups = decode(datagram);
    ASSERT_EQ(groups.size(), 122u);
    for (const auto& g : groups) EXPECT_EQ(g.raw, "pt1;3;");
}

TEST(CodecEdges, OnlyLineEndingIsUnknownNotEmpty) {
    const auto groups = decode("\r\n");
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].status, Status::unknown);
    EXPECT_EQ(groups[0].reason, "no stream code");
    EXPECT_EQ(groups[0].raw, "\r\n");
}

TEST(CodecNames, StatusAndStageNames) {
    EXPECT_EQ(status_name(Status::recognised), "recognised");
    EXPECT_EQ(status_name(Status::unknown), "unknown");
    EXPECT_EQ(status_name(Status::invalid), "invalid");
    EXPECT_EQ(challenge_stage_name(ChallengeStage::cancelled), "cancelled");
    EXPECT_EQ(format_clock(0), "0:00");
    EXPECT_EQ(format_clock(725), "12:05");
}

}  // namespace
}  // namespace vta::pss
