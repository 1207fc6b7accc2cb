// Table tests: one datagram in, the expected groups out (code, status, fields or reason).
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vta/pss/codec.hpp"

namespace vta::pss {
namespace {

struct ExpectedGroup {
    std::string code;
    Status status;
    std::string fields_or_reason;  // JSON text of the fields when recognised, the exact reason otherwise
};

struct Case {
    std::string name;
    std::string datagram;
    std::vector<ExpectedGroup> groups;
};

// gtest prints a parameter when a case fails or is listed; its name says which case it is.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

constexpr Status ok = Status::recognised;
constexpr Status bad = Status::invalid;
constexpr Status unknown = Status::unknown;

std::vector<Case> cases() {
    using namespace std::string_literals;
    return {
        {"pre", "pre;FightLoaded;", {{"pre", ok, "{}"}}},
        {"pre_no_terminator", "pre;FightLoaded", {{"pre", ok, "{}"}}},
        {"pre_crlf", "pre;FightLoaded;\r\n", {{"pre", ok, "{}"}}},
        {"pre_trailing_nuls", "pre;FightLoaded;\0\0"s, {{"pre", ok, "{}"}}},
        {"athletes_utf8",
         "at1;R. MÜLLER;Ralf MÜLLER;GER;at2;A. ÖZTÜRK;Ayşe ÖZTÜRK;TUR;",
         {{"at1", ok,
           R"({"athlete1":{"short_name":"R. MÜLLER","long_name":"Ralf MÜLLER","noc":"GER"},
             "athlete2":{"short_name":"A. ÖZTÜRK","long_name":"Ayşe ÖZTÜRK","noc":"TUR"}})"}}},
        {"athletes_empty_fields",
         "at1;;;;at2;;;;",
         {{"at1", ok,
           R"({"athlete1":{"short_name":"","long_name":"","noc":""},
             "athlete2":{"short_name":"","long_name":"","noc":""}})"}}},
        {"match_config",
         "mch;101;Semi-final;W+ 67 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;8f4d3e27;Senior;3;120;cntDown;18;1;",
         {{"mch", ok,
           R"({"number":"101","category":"Semi-final","weight":"W+ 67 kg","rounds":1,"bg1":"#0000ff","fg1":"#FFFFFF",
             "bg2":"#ff0000","fg2":"#FFFFFF","match_id":"8f4d3e27","division":"Senior","total_rounds":3,
             "round_seconds":120,"countdown_type":"cntDown","count_up":"18","format":"1"})"}}},
        {"match_config_null_id_text_number",
         "mch;245.A;Final;M- 80 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Junior;3;90;cntDown;18;1",
         {{"mch", ok,
           R"({"number":"245.A","category":"Final","weight":"M- 80 kg","rounds":1,"bg1":"#0000ff","fg1":"#FFFFFF",
             "bg2":"#ff0000","fg2":"#FFFFFF","match_id":"","division":"Junior","total_rounds":3,
             "round_seconds":90,"countdown_type":"cntDown","count_up":"18","format":"1"})"}}},
        {"officials",
         "ref;;;ju1;;;ju2;;;ta;;;",
         {{"ref", ok, R"({"officials":{"ref":["",""],"ju1":["",""],"ju2":["",""],"ta":["",""]}})"}}},
        {"ready", "rdy;FightReady;", {{"rdy", ok, "{}"}}},
        {"clock_m_ss", "clk;1:44;", {{"clk", ok, R"({"seconds":104,"time":"1:44"})"}}},
        {"clock_mm_ss", "clk;02:00;", {{"clk", ok, R"({"seconds":120,"time":"2:00"})"}}},
        {"clock_start", "clk;2:00;start;", {{"clk", ok, R"({"seconds":120,"time":"2:00","action":"start"})"}}},
        {"clock_stop_no_terminator", "clk;1:17;stop", {{"clk", ok, R"({"seconds":77,"time":"1:17","action":"stop"})"}}},
        {"clock_stop_end", "clk;0:00;stopEnd;", {{"clk", ok, R"({"seconds":0,"time":"0:00","action":"stopEnd"})"}}},
        {"round", "rnd;1;", {{"rnd", ok, R"({"round":1})"}}},
        {"golden_round", "rnd;4;", {{"rnd", ok, R"({"round":4})"}}},
        {"point_punch", "pt1;1;", {{"pt1", ok, R"({"athlete":1,"points":1,"technique":"punch"})"}}},
        {"point_body", "pt2;2", {{"pt2", ok, R"({"athlete":2,"points":2,"technique":"body"})"}}},
        {"point_head", "pt1;3;", {{"pt1", ok, R"({"athlete":1,"points":3,"technique":"head"})"}}},
        {"point_technical_body", "pt2;4;", {{"pt2", ok, R"({"athlete":2,"points":4,"technique":"technical_body"})"}}},
        {"point_technical_head", "pt1;5;", {{"pt1", ok, R"({"athlete":1,"points":5,"technique":"technical_head"})"}}},
        {"hit_level_low", "hl1;1;", {{"hl1", ok, R"({"athlete":1,"level":1})"}}},
        {"hit_level_high", "hl2;100", {{"hl2", ok, R"({"athlete":2,"level":100})"}}},
        {"warnings", "wg1;0;wg2;10;", {{"wg1", ok, R"({"warnings":[0,10]})"}}},
        {"round_scores",
         "s11;13;s21;8;s12;18;s22;15;s13;0;s23;0",
         {{"s11", ok, R"({"round_scores":[[13,8],[18,15],[0,0]]})"}}},
        {"round_scores_crlf",
         "s11;6;s21;4;s12;0;s22;0;s13;0;s23;0;\r\n",
         {{"s11", ok, R"({"round_scores":[[6,4],[0,0],[0,0]]})"}}},
        {"scores", "sc1;0;sc2;5;", {{"sc1", ok, R"({"scores":[0,5]})"}}},
        {"scores_no_terminator", "sc1;99;sc2;0", {{"sc1", ok, R"({"scores":[99,0]})"}}},
        {"injury_show", "ij1;1:00;show;", {{"ij1", ok, R"({"athlete":1,"seconds":60,"time":"1:00","action":"show"})"}}},
        {"injury_tick_unidentified", "ij0;0:57;", {{"ij0", ok, R"({"athlete":0,"seconds":57,"time":"0:57"})"}}},
        {"injury_hide", "ij2;0:35;hide;", {{"ij2", ok, R"({"athlete":2,"seconds":35,"time":"0:35","action":"hide"})"}}},
        {"injury_reset",
         "ij1;1:00;reset",
         {{"ij1", ok, R"({"athlete":1,"seconds":60,"time":"1:00","action":"reset"})"}}},
        {"challenge_requested", "ch1;", {{"ch1", ok, R"({"side":1,"stage":"requested"})"}}},
        {"challenge_accepted", "ch2;1;", {{"ch2", ok, R"({"side":2,"stage":"accepted"})"}}},
        {"challenge_rejected", "ch1;0;", {{"ch1", ok, R"({"side":1,"stage":"rejected"})"}}},
        {"challenge_cancelled_referee", "ch0;-1;", {{"ch0", ok, R"({"side":0,"stage":"cancelled"})"}}},
        {"challenge_won", "ch0;1;1;", {{"ch0", ok, R"({"side":0,"stage":"won"})"}}},
        {"challenge_lost", "ch2;1;0", {{"ch2", ok, R"({"side":2,"stage":"lost"})"}}},
        {"break_m_ss", "brk;0:56;", {{"brk", ok, R"({"seconds":56,"time":"0:56"})"}}},
        {"break_bare_seconds", "brk;45;", {{"brk", ok, R"({"seconds":45,"time":"0:45"})"}}},
        {"break_stop_end", "brk;0:00;stopEnd;", {{"brk", ok, R"({"seconds":0,"time":"0:00","action":"stopEnd"})"}}},
        {"round_winners", "wrd;rd1;1;rd2;2;rd3;0;", {{"wrd", ok, R"({"round_winners":[1,2,0]})"}}},
        {"winner_blue", "win;BLUE;", {{"win", ok, R"({"winner":"BLUE"})"}}},
        {"winner_red_no_terminator", "win;RED", {{"win", ok, R"({"winner":"RED"})"}}},
        {"winner_tie", "win;TIE;", {{"win", ok, R"({"winner":"TIE"})"}}},
        {"winner_shown", "wmh;Ralf MÜLLER;2-1 PTF;", {{"wmh", ok, R"({"name":"Ralf MÜLLER","decision":"2-1 PTF"})"}}},
        {"winner_shown_no_name", "wmh;;0-1 WDR", {{"wmh", ok, R"({"name":"","decision":"0-1 WDR"})"}}},
        {"winner_shown_name_only", "wmh;Kareem ABDULLAH", {{"wmh", ok, R"({"name":"Kareem ABDULLAH","decision":""})"}}},
        {"sup", "sup;1", {{"sup", ok, R"({"value":1})"}}},
        {"round_stats",
         "rst;1;st1;1;2;3;4;5;6;st2;6;5;4;3;2;1;",
         {{"rst", ok, R"({"round":1,"stats":[[1,2,3,4,5,6],[6,5,4,3,2,1]]})"}}},
        {"round_stats_end", "rsr;", {{"rsr", ok, "{}"}}},
        {"athlete_video_time", "avt;0;", {{"avt", ok, R"({"value":0})"}}},
        {"connected", "Udp Port 6000 connected;", {{"connection", ok, R"({"port":6000,"connected":true})"}}},
        {"disconnected", "Udp Port 8888 disconnected;\r\n", {{"connection", ok, R"({"port":8888,"connected":false})"}}},

        // Several groups in one datagram.
        {"two_clocks",
         "clk;1:44;clk;1:51;",
         {{"clk", ok, R"({"seconds":104,"time":"1:44"})"}, {"clk", ok, R"({"seconds":111,"time":"1:51"})"}}},
        {"scores_then_break",
         "s11;13;s21;8;s12;18;s22;15;s13;0;s23;0;brk;0:33;",
         {{"s11", ok, R"({"round_scores":[[13,8],[18,15],[0,0]]})"}, {"brk", ok, R"({"seconds":33,"time":"0:33"})"}}},
        {"hit_level_then_clock",
         "hl1;35;clk;1:59;",
         {{"hl1", ok, R"({"athlete":1,"level":35})"}, {"clk", ok, R"({"seconds":119,"time":"1:59"})"}}},
        {"challenge_then_clock",
         "ch2;clk;0:22;",
         {{"ch2", ok, R"({"side":2,"stage":"requested"})"}, {"clk", ok, R"({"seconds":22,"time":"0:22"})"}}},
        {"challenge_result_then_break",
         "ch1;1;0;brk;0:12;",
         {{"ch1", ok, R"({"side":1,"stage":"lost"})"}, {"brk", ok, R"({"seconds":12,"time":"0:12"})"}}},
        {"scores_then_clock",
         "sc1;8;sc2;6;clk;0:27;",
         {{"sc1", ok, R"({"scores":[8,6]})"}, {"clk", ok, R"({"seconds":27,"time":"0:27"})"}}},
        {"three_points",
         "pt1;3;pt1;3;pt2;1;",
         {{"pt1", ok, R"({"athlete":1,"points":3,"technique":"head"})"},
          {"pt1", ok, R"({"athlete":1,"points":3,"technique":"head"})"},
          {"pt2", ok, R"({"athlete":2,"points":1,"technique":"punch"})"}}},

        // Known codes with bad values.
        {"point_out_of_range", "pt1;9;", {{"pt1", bad, "point value 9 out of range 1..5"}}},
        {"point_zero", "pt2;0;", {{"pt2", bad, "point value 0 out of range 1..5"}}},
        {"point_missing", "pt1;", {{"pt1", bad, "pt1 expects 1 field(s), got 0"}}},
        {"point_not_a_number", "pt1;abc;", {{"pt1", bad, "point value 'abc' is not a number"}}},
        {"hit_level_too_high", "hl1;500;", {{"hl1", bad, "hit level 500 out of range 1..100"}}},
        {"hit_level_negative", "hl2;-4;", {{"hl2", bad, "hit level -4 out of range 1..100"}}},
        {"warnings_too_many", "wg1;11;wg2;0;", {{"wg1", bad, "warnings 11 out of range 0..10"}}},
        {"warnings_half", "wg1;1;", {{"wg1", bad, "wg1 expects 3 field(s), got 1"}}},
        {"round_zero", "rnd;0;", {{"rnd", bad, "round 0 out of range 1..4"}}},
        {"round_five", "rnd;5;", {{"rnd", bad, "round 5 out of range 1..4"}}},
        {"score_huge",
         "sc1;99999999999999999999999;sc2;0;",
         {{"sc1", bad, "score '99999999999999999999999' out of range 0..99"}}},
        {"score_100", "sc1;100;sc2;0;", {{"sc1", bad, "score 100 out of range 0..99"}}},
        {"round_score_bad_label",
         "s11;1;s21;2;s12;3;s99;4;s13;5;s23;6;",
         {{"s11", bad, "expected a score label s<athlete><round>, got 's99'"}}},
        {"clock_bad_seconds", "clk;99:99;", {{"clk", bad, "clock '99:99' has seconds out of range 0..59"}}},
        {"clock_sixty_seconds", "clk;1:60;", {{"clk", bad, "clock '1:60' has seconds out of range 0..59"}}},
        {"clock_malformed", "clk;abc;start;", {{"clk", bad, "clock 'abc' is not m:ss or mm:ss"}}},
        {"clock_three_digit_minutes", "clk;123:00;", {{"clk", bad, "clock '123:00' is not m:ss or mm:ss"}}},
        {"clock_nul_action",
         "clk;1:00;\0start;"s,
         {{"clk", bad, "clock action '\\x00start' is not start, stop or stopEnd"}}},
        {"break_start_is_not_an_action",
         "brk;0:30;start;",
         {{"brk", bad, "clock action 'start' is not stop or stopEnd"}}},
        {"match_config_short", "mch;not-a-number;", {{"mch", bad, "mch expects 12 to 15 fields, got 1"}}},
        {"match_config_bad_seconds",
         "mch;1;a;b;1;c;d;e;f;null;Senior;3;soon;cntDown;18;1;",
         {{"mch", bad, "round seconds 'soon' is not a number"}}},
        {"athletes_one_field", "at1;only-one-field;", {{"at1", bad, "at1 expects 7 field(s), got 1"}}},
        {"athletes_no_at2", "at1;a;b;c;xx2;d;e;f;", {{"at1", bad, "expected at2, got 'xx2'"}}},
        {"winner_green", "win;GREEN;", {{"win", bad, "winner 'GREEN' is not BLUE, RED or TIE"}}},
        {"challenge_result_without_accept",
         "ch1;0;1;",
         {{"ch1", bad, "challenge result given for a challenge that was not accepted"}}},
        {"challenge_bad_decision", "ch2;7;", {{"ch2", bad, "challenge decision 7 out of range -1..1"}}},
        {"injury_bad_action", "ij1;1:00;blink;", {{"ij1", bad, "injury action 'blink' is not show, hide or reset"}}},
        {"pre_wrong_keyword", "pre;FightStarted;", {{"pre", bad, "expected FightLoaded, got 'FightStarted'"}}},
        {"sup_three", "sup;3;", {{"sup", bad, "sup value 3 out of range 0..2"}}},
        {"round_winners_bad", "wrd;rd1;3;rd2;0;rd3;0;", {{"wrd", bad, "round winner 3 out of range 0..2"}}},
        {"rsr_with_field", "rsr;1;", {{"rsr", bad, "rsr expects 0 field(s), got 1"}}},
        {"second_half_alone", "wg2;1;", {{"wg2", bad, "wg2 outside its group"}}},
        {"connection_bad_port", "Udp Port x connected;", {{"connection", bad, "connection port 'x' is not 0..65535"}}},

        // Not a known stream.
        {"unknown_code", "xyz;1;2;3;", {{"xyz", unknown, "unknown stream code 'xyz'"}}},
        {"unknown_point_athlete", "pt3;1;", {{"pt3", unknown, "unknown stream code 'pt3'"}}},
        {"unknown_challenge_side", "ch5;1;", {{"ch5", unknown, "unknown stream code 'ch5'"}}},
        {"empty_datagram", "", {{"", unknown, "empty datagram"}}},
        {"only_separators", ";;;;", {{"", unknown, "no stream code"}}},
        {"junk_then_known",
         "\xff\xfe junk;clk;1:00;",
         {{"", unknown, "no stream code"}, {"clk", ok, R"({"seconds":60,"time":"1:00"})"}}},
    };
}

class CodecTable : public ::testing::TestWithParam<Case> {};

TEST_P(CodecTable, DecodesAsExpected) {
    const Case& c = GetParam();
    const std::vector<Group> groups = decode(c.datagram);
    ASSERT_EQ(groups.size(), c.groups.size());
    std::string joined;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        SCOPED_TRACE("group " + std::to_string(i));
        const Group& g = groups[i];
        const ExpectedGroup& e = c.groups[i];
        joined += g.raw;
        EXPECT_EQ(g.code, e.code);
        EXPECT_EQ(status_name(g.status), status_name(e.status)) << g.reason;
        if (e.status == Status::recognised) {
            EXPECT_EQ(g.fields, nlohmann::json::parse(e.fields_or_reason)) << g.fields.dump();
            EXPECT_TRUE(g.reason.empty());
            EXPECT_FALSE(std::holds_alternative<std::monostate>(g.payload));
        } else {
            EXPECT_EQ(g.reason, e.fields_or_reason);
            EXPECT_TRUE(g.fields.empty());
            EXPECT_TRUE(std::holds_alternative<std::monostate>(g.payload));
        }
    }
    EXPECT_EQ(joined, c.datagram) << "the raws of a datagram concatenate to it";
}

INSTANTIATE_TEST_SUITE_P(Streams, CodecTable, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace vta::pss
