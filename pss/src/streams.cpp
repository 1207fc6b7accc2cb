#include "streams.hpp"

#include <array>
#include <string>

#include "text.hpp"

namespace vta::pss::detail {
namespace {

using Args = std::span<const Token>;

// Numeric streams tolerate empty fields at the end (a doubled terminator).
Args without_trailing_empty(Args args) {
    while (!args.empty() && text::trim(args.back().text).empty()) args = args.first(args.size() - 1);
    return args;
}

// Records why a group is invalid; every check returns false after failing so parsers can `return` at once.
class Check {
public:
    explicit Check(Group& g) : g_(g) {}

    bool fail(std::string reason) {
        g_.status = Status::invalid;
        g_.reason = std::move(reason);
        return false;
    }

    bool count(Args args, std::size_t expected, std::string_view what) {
        if (args.size() == expected) return true;
        return fail(std::string(what) + " expects " + std::to_string(expected) + " field(s), got " +
                    std::to_string(args.size()));
    }

    bool label(const Token& t, std::string_view expected) {
        if (t.text == expected) return true;
        return fail("expected " + std::string(expected) + ", got " + text::quote(t.text));
    }

    bool int_in(std::string_view what, std::string_view s, int lo, int hi, int& out) {
        switch (text::parse_int(s, out)) {
            case text::IntParse::malformed:
                return fail(std::string(what) + " " + text::quote(s) + " is not a number");
            case text::IntParse::too_large:
                return fail(std::string(what) + " " + text::quote(text::trim(s)) + " out of range " +
                            std::to_string(lo) + ".." + std::to_string(hi));
            case text::IntParse::ok:
                break;
        }
        if (out >= lo && out <= hi) return true;
        return fail(std::string(what) + " " + std::to_string(out) + " out of range " + std::to_string(lo) + ".." +
                    std::to_string(hi));
    }

    bool clock(std::string_view what, std::string_view s, bool allow_bare_seconds, int& seconds) {
        switch (text::parse_clock(s, allow_bare_seconds, seconds)) {
            case text::ClockParse::malformed:
                return fail(std::string(what) + " " + text::quote(s) +
                            (allow_bare_seconds ? " is not ss or m:ss" : " is not m:ss or mm:ss"));
            case text::ClockParse::bad_seconds:
                return fail(std::string(what) + " " + text::quote(s) + " has seconds out of range 0..59");
            case text::ClockParse::ok:
                break;
        }
        return true;
    }

private:
    Group& g_;
};

template <typename P>
void accept(Group& g, P payload) {
    g.status = Status::recognised;
    g.payload = std::move(payload);
}

std::string_view clock_action_name(ClockAction a) {
    switch (a) {
        case ClockAction::start:
            return "start";
        case ClockAction::stop:
            return "stop";
        case ClockAction::stop_end:
            return "stopEnd";
        case ClockAction::none:
            break;
    }
    return "";
}

bool clock_action(Check& check, std::string_view s, bool allow_start, ClockAction& out) {
    s = text::trim(s);
    if (s == "start" && allow_start)
        out = ClockAction::start;
    else if (s == "stop")
        out = ClockAction::stop;
    else if (s == "stopEnd")
        out = ClockAction::stop_end;
    else
        return check.fail("clock action " + text::quote(s) + " is not " + (allow_start ? "start, " : "") +
                          "stop or stopEnd");
    return true;
}

bool keyword(Check& check, Args args, std::string_view expected) {
    args = without_trailing_empty(args);
    if (args.size() == 1 && text::trim(args[0].text) == expected) return true;
    return check.fail("expected " + std::string(expected) +
                      (args.empty() ? std::string(", got nothing") : ", got " + text::quote(args[0].text)));
}

void parse_pre(Args args, Group& g) {
    Check check(g);
    if (keyword(check, args, "FightLoaded")) accept(g, FightLoaded{});
}

void parse_rdy(Args args, Group& g) {
    Check check(g);
    if (keyword(check, args, "FightReady")) accept(g, FightReady{});
}

nlohmann::json athlete_json(const Athlete& a) {
    return {{"short_name", a.short_name}, {"long_name", a.long_name}, {"noc", a.noc}};
}

void parse_at1(Args args, Group& g) {
    Check check(g);
    while (args.size() > 7 && args.back().text.empty()) args = args.first(args.size() - 1);
    if (!check.count(args, 7, "at1") || !check.label(args[3], "at2")) return;
    Athletes a;
    for (int i = 0; i < 2; ++i) {
        const std::size_t base = i == 0 ? 0 : 4;
        a.athletes[i] = {text::valid_utf8(args[base].text), text::valid_utf8(args[base + 1].text),
                         text::valid_utf8(text::trim(args[base + 2].text))};
    }
    g.fields["athlete1"] = athlete_json(a.athletes[0]);
    g.fields["athlete2"] = athlete_json(a.athletes[1]);
    accept(g, std::move(a));
}

void parse_mch(Args args, Group& g) {
    Check check(g);
    while (args.size() > 15 && text::trim(args.back().text).empty()) args = args.first(args.size() - 1);
    if (args.size() < 12 || args.size() > 15)
        return void(check.fail("mch expects 12 to 15 fields, got " + std::to_string(args.size())));
    const auto field = [&](std::size_t i) { return i < args.size() ? text::valid_utf8(args[i].text) : std::string(); };
    MatchConfig m;
    m.number = text::valid_utf8(text::trim(args[0].text));
    m.category = field(1);
    m.weight = field(2);
    if (!check.int_in("rounds", args[3].text, 0, 99, m.rounds)) return;
    m.bg1 = field(4);
    m.fg1 = field(5);
    m.bg2 = field(6);
    m.fg2 = field(7);
    m.match_id = text::trim(args[8].text) == "null" ? std::string() : text::valid_utf8(text::trim(args[8].text));
    m.division = field(9);
    if (!check.int_in("total rounds", args[10].text, 1, 10, m.total_rounds)) return;
    if (!check.int_in("round seconds", args[11].text, 1, 3600, m.round_seconds)) return;
    m.countdown_type = field(12);
    m.count_up = field(13);
    m.format = field(14);
    g.fields = {{"number", m.number},
                {"category", m.category},
                {"weight", m.weight},
                {"rounds", m.rounds},
                {"bg1", m.bg1},
                {"fg1", m.fg1},
                {"bg2", m.bg2},
                {"fg2", m.fg2},
                {"match_id", m.match_id},
                {"division", m.division},
                {"total_rounds", m.total_rounds},
                {"round_seconds", m.round_seconds},
                {"countdown_type", m.countdown_type},
                {"count_up", m.count_up},
                {"format", m.format}};
    accept(g, std::move(m));
}

// Official role labels: a few lower-case letters then optional digits ("ju1", "ta"); names never look like that.
bool is_role_label(std::string_view s) {
    if (s.size() < 2 || s.size() > 3 || s[0] < 'a' || s[0] > 'z') return false;
    bool digits = false;
    for (char c : s) {
        if (c >= '0' && c <= '9')
            digits = true;
        else if (c < 'a' || c > 'z' || digits)
            return false;
    }
    return true;
}

void parse_ref(std::string_view head_text, Args args, Group& g) {
    Officials o;
    o.roles.emplace_back(std::string(head_text), std::vector<std::string>{});
    for (const Token& t : args) {
        if (is_role_label(t.text))
            o.roles.emplace_back(std::string(t.text), std::vector<std::string>{});
        else
            o.roles.back().second.push_back(text::valid_utf8(t.text));
    }
    nlohmann::json roles = nlohmann::json::object();
    for (const auto& [label, values] : o.roles) roles[label] = values;
    g.fields["officials"] = std::move(roles);
    accept(g, std::move(o));
}

void parse_clk(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (args.empty() || args.size() > 2)
        return void(
            check.fail("clk expects a time and an optional action, got " + std::to_string(args.size()) + " field(s)"));
    Clock c;
    if (!check.clock("clock", args[0].text, false, c.seconds)) return;
    if (args.size() == 2 && !clock_action(check, args[1].text, true, c.action)) return;
    g.fields["seconds"] = c.seconds;
    g.fields["time"] = format_clock(c.seconds);
    if (c.action != ClockAction::none) g.fields["action"] = clock_action_name(c.action);
    accept(g, c);
}

void parse_brk(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (args.empty() || args.size() > 2)
        return void(
            check.fail("brk expects a time and an optional action, got " + std::to_string(args.size()) + " field(s)"));
    Break b;
    if (!check.clock("break time", args[0].text, true, b.seconds)) return;
    if (args.size() == 2 && !clock_action(check, args[1].text, false, b.action)) return;
    g.fields["seconds"] = b.seconds;
    g.fields["time"] = format_clock(b.seconds);
    if (b.action != ClockAction::none) g.fields["action"] = clock_action_name(b.action);
    accept(g, b);
}

void parse_single_int(Args args, Group& g, std::string_view code, std::string_view what, int lo, int hi, int& out) {
    Check check(g);
    args = without_trailing_empty(args);
    if (check.count(args, 1, code)) check.int_in(what, args[0].text, lo, hi, out);
}

void parse_rnd(Args args, Group& g) {
    Round r;
    parse_single_int(args, g, "rnd", "round", 1, 4, r.round);
    if (g.status == Status::invalid) return;
    g.fields["round"] = r.round;
    accept(g, r);
}

std::string_view technique_name(int points) {
    static constexpr std::array<std::string_view, 6> names{"",     "punch",          "body",
                                                           "head", "technical_body", "technical_head"};
    return names[points];
}

void parse_pt(int athlete, std::string_view code, Args args, Group& g) {
    Point p{athlete, 0};
    parse_single_int(args, g, code, "point value", 1, 5, p.points);
    if (g.status == Status::invalid) return;
    g.fields["athlete"] = athlete;
    g.fields["points"] = p.points;
    g.fields["technique"] = technique_name(p.points);
    accept(g, p);
}

void parse_hl(int athlete, std::string_view code, Args args, Group& g) {
    HitLevel h{athlete, 0};
    parse_single_int(args, g, code, "hit level", 1, 100, h.level);
    if (g.status == Status::invalid) return;
    g.fields["athlete"] = athlete;
    g.fields["level"] = h.level;
    accept(g, h);
}

// "x;<label>;y" pairs such as wg1;a;wg2;b and sc1;x;sc2;y.
bool parse_pair(Check& check, Args args, std::string_view code, std::string_view second_label, std::string_view what,
                int hi, std::array<int, 2>& out) {
    args = without_trailing_empty(args);
    return check.count(args, 3, code) && check.int_in(what, args[0].text, 0, hi, out[0]) &&
           check.label(args[1], second_label) && check.int_in(what, args[2].text, 0, hi, out[1]);
}

void parse_wg1(Args args, Group& g) {
    Check check(g);
    Warnings w;
    if (!parse_pair(check, args, "wg1", "wg2", "warnings", 10, w.count)) return;
    g.fields["warnings"] = w.count;
    accept(g, w);
}

void parse_sc1(Args args, Group& g) {
    Check check(g);
    Scores s;
    if (!parse_pair(check, args, "sc1", "sc2", "score", 99, s.score)) return;
    g.fields["scores"] = s.score;
    accept(g, s);
}

// s11;v;s21;v;s12;v;s22;v;s13;v;s23;v: label s<athlete><round>, each of the six exactly once.
void parse_s11(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (!check.count(args, 11, "s11")) return;
    RoundScores r;
    std::array<bool, 6> seen{};
    for (std::size_t i = 0; i < 12; i += 2) {
        const std::string_view label = i == 0 ? std::string_view("s11") : args[i - 1].text;
        if (label.size() != 3 || label[0] != 's' || label[1] < '1' || label[1] > '2' || label[2] < '1' ||
            label[2] > '3')
            return void(check.fail("expected a score label s<athlete><round>, got " + text::quote(label)));
        const int athlete = label[1] - '1', round = label[2] - '1';
        if (seen[round * 2 + athlete]) return void(check.fail("score " + std::string(label) + " appears twice"));
        seen[round * 2 + athlete] = true;
        if (!check.int_in(label, args[i].text, 0, 99, r.score[round][athlete])) return;
    }
    g.fields["round_scores"] = r.score;
    accept(g, r);
}

void parse_ij(int athlete, Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (args.empty() || args.size() > 2)
        return void(check.fail("injury expects a time and an optional action, got " + std::to_string(args.size()) +
                               " field(s)"));
    Injury i{athlete, 0, InjuryAction::none};
    if (!check.clock("injury time", args[0].text, false, i.seconds)) return;
    if (args.size() == 2) {
        const std::string_view a = text::trim(args[1].text);
        if (a == "show")
            i.action = InjuryAction::show;
        else if (a == "hide")
            i.action = InjuryAction::hide;
        else if (a == "reset")
            i.action = InjuryAction::reset;
        else
            return void(check.fail("injury action " + text::quote(a) + " is not show, hide or reset"));
    }
    g.fields["athlete"] = athlete;
    g.fields["seconds"] = i.seconds;
    g.fields["time"] = format_clock(i.seconds);
    static constexpr std::array<std::string_view, 4> action_names{"", "show", "hide", "reset"};
    if (i.action != InjuryAction::none) g.fields["action"] = action_names[static_cast<int>(i.action)];
    accept(g, i);
}

// ch<side>; = requested, ch<side>;1|0|-1 = accepted/rejected/cancelled, ch<side>;1;1|0 = won/lost.
void parse_ch(int side, Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    Challenge c{side, ChallengeStage::requested};
    if (args.size() > 2)
        return void(check.fail("challenge expects at most 2 fields, got " + std::to_string(args.size())));
    int decision = 0, result = 0;
    if (!args.empty()) {
        if (!check.int_in("challenge decision", args[0].text, -1, 1, decision)) return;
        c.stage = decision == 1   ? ChallengeStage::accepted
                  : decision == 0 ? ChallengeStage::rejected
                                  : ChallengeStage::cancelled;
    }
    if (args.size() == 2) {
        if (decision != 1) return void(check.fail("challenge result given for a challenge that was not accepted"));
        if (!check.int_in("challenge result", args[1].text, 0, 1, result)) return;
        c.stage = result == 1 ? ChallengeStage::won : ChallengeStage::lost;
    }
    g.fields["side"] = side;
    g.fields["stage"] = challenge_stage_name(c.stage);
    accept(g, c);
}

void parse_wrd(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (!check.count(args, 6, "wrd")) return;
    RoundWinners w;
    static constexpr std::array<std::string_view, 3> labels{"rd1", "rd2", "rd3"};
    for (std::size_t r = 0; r < 3; ++r) {
        if (!check.label(args[r * 2], labels[r]) ||
            !check.int_in("round winner", args[r * 2 + 1].text, 0, 2, w.winner[r]))
            return;
    }
    g.fields["round_winners"] = w.winner;
    accept(g, w);
}

void parse_win(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (!check.count(args, 1, "win")) return;
    const std::string_view v = text::trim(args[0].text);
    Winner w;
    if (v == "BLUE")
        w.side = Side::blue;
    else if (v == "RED")
        w.side = Side::red;
    else if (v == "TIE")
        w.side = Side::tie;
    else
        return void(check.fail("winner " + text::quote(v) + " is not BLUE, RED or TIE"));
    g.fields["winner"] = v;
    accept(g, w);
}

void parse_wmh(Args args, Group& g) {
    Check check(g);
    while (args.size() > 2 && text::trim(args.back().text).empty()) args = args.first(args.size() - 1);
    if (args.size() > 2)
        return void(
            check.fail("wmh expects a name and an optional decision, got " + std::to_string(args.size()) + " fields"));
    WinnerShown w;
    if (!args.empty()) w.name = text::valid_utf8(args[0].text);
    if (args.size() == 2) w.decision = text::valid_utf8(text::trim(args[1].text));
    g.fields["name"] = w.name;
    g.fields["decision"] = w.decision;
    accept(g, std::move(w));
}

void parse_sup(Args args, Group& g) {
    Sup s;
    parse_single_int(args, g, "sup", "sup value", 0, 2, s.value);
    if (g.status == Status::invalid) return;
    g.fields["value"] = s.value;
    accept(g, s);
}

void parse_avt(Args args, Group& g) {
    AthleteVideoTime a;
    parse_single_int(args, g, "avt", "athlete video time", 0, 999'999'999, a.value);
    if (g.status == Status::invalid) return;
    g.fields["value"] = a.value;
    accept(g, a);
}

// rst;round;st1;n..;st2;n.. (six numbers per athlete on the wire; any count of integers is kept).
void parse_rst(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    RoundStats s;
    if (args.size() < 3)
        return void(
            check.fail("rst expects a round then st1 and st2 lists, got " + std::to_string(args.size()) + " field(s)"));
    if (!check.int_in("round", args[0].text, 1, 4, s.round) || !check.label(args[1], "st1")) return;
    int athlete = 0;
    for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i].text == "st2" && athlete == 0) {
            athlete = 1;
            continue;
        }
        int v = 0;
        if (!check.int_in("statistic", args[i].text, 0, 999'999, v)) return;
        s.stats[athlete].push_back(v);
    }
    if (athlete == 0) return void(check.fail("rst has no st2 list"));
    g.fields["round"] = s.round;
    g.fields["stats"] = s.stats;
    accept(g, std::move(s));
}

void parse_rsr(Args args, Group& g) {
    Check check(g);
    args = without_trailing_empty(args);
    if (check.count(args, 0, "rsr")) accept(g, RoundStatsEnd{});
}

}  // namespace

Code code_of(std::string_view t) {
    if (t.size() != 3) return Code::none;
    struct Entry {
        char text[4];
        Code code;
    };
    static constexpr Entry table[] = {
        {"pre", Code::pre}, {"at1", Code::at1}, {"at2", Code::at2}, {"mch", Code::mch}, {"ref", Code::ref},
        {"rdy", Code::rdy}, {"clk", Code::clk}, {"rnd", Code::rnd}, {"pt1", Code::pt1}, {"pt2", Code::pt2},
        {"hl1", Code::hl1}, {"hl2", Code::hl2}, {"wg1", Code::wg1}, {"wg2", Code::wg2}, {"s11", Code::s11},
        {"s21", Code::s21}, {"s12", Code::s12}, {"s22", Code::s22}, {"s13", Code::s13}, {"s23", Code::s23},
        {"sc1", Code::sc1}, {"sc2", Code::sc2}, {"ij0", Code::ij0}, {"ij1", Code::ij1}, {"ij2", Code::ij2},
        {"ch0", Code::ch0}, {"ch1", Code::ch1}, {"ch2", Code::ch2}, {"brk", Code::brk}, {"wrd", Code::wrd},
        {"win", Code::win}, {"wmh", Code::wmh}, {"sup", Code::sup}, {"rst", Code::rst}, {"rsr", Code::rsr},
        {"avt", Code::avt},
    };
    for (const Entry& e : table)
        if (t[0] == e.text[0] && t[1] == e.text[1] && t[2] == e.text[2]) return e.code;
    return Code::none;
}

bool continues(Code head, Code c) {
    switch (head) {
        case Code::at1:
            return c == Code::at2;
        case Code::wg1:
            return c == Code::wg2;
        case Code::sc1:
            return c == Code::sc2;
        case Code::s11:
            return c == Code::s21 || c == Code::s12 || c == Code::s22 || c == Code::s13 || c == Code::s23;
        default:
            return false;
    }
}

void parse_group(Code head, std::string_view head_text, std::span<const Token> args, Group& g) {
    switch (head) {
        case Code::pre:
            return parse_pre(args, g);
        case Code::at1:
            return parse_at1(args, g);
        case Code::mch:
            return parse_mch(args, g);
        case Code::ref:
            return parse_ref(head_text, args, g);
        case Code::rdy:
            return parse_rdy(args, g);
        case Code::clk:
            return parse_clk(args, g);
        case Code::rnd:
            return parse_rnd(args, g);
        case Code::pt1:
            return parse_pt(1, head_text, args, g);
        case Code::pt2:
            return parse_pt(2, head_text, args, g);
        case Code::hl1:
            return parse_hl(1, head_text, args, g);
        case Code::hl2:
            return parse_hl(2, head_text, args, g);
        case Code::wg1:
            return parse_wg1(args, g);
        case Code::s11:
            return parse_s11(args, g);
        case Code::sc1:
            return parse_sc1(args, g);
        case Code::ij0:
            return parse_ij(0, args, g);
        case Code::ij1:
            return parse_ij(1, args, g);
        case Code::ij2:
            return parse_ij(2, args, g);
        case Code::ch0:
            return parse_ch(0, args, g);
        case Code::ch1:
            return parse_ch(1, args, g);
        case Code::ch2:
            return parse_ch(2, args, g);
        case Code::brk:
            return parse_brk(args, g);
        case Code::wrd:
            return parse_wrd(args, g);
        case Code::win:
            return parse_win(args, g);
        case Code::wmh:
            return parse_wmh(args, g);
        case Code::sup:
            return parse_sup(args, g);
        case Code::rst:
            return parse_rst(args, g);
        case Code::rsr:
            return parse_rsr(args, g);
        case Code::avt:
            return parse_avt(args, g);
        case Code::at2:
        case Code::wg2:
        case Code::sc2:
        case Code::s21:
        case Code::s12:
        case Code::s22:
        case Code::s13:
        case Code::s23:
            g.status = Status::invalid;
            g.reason = std::string(head_text) + " outside its group";
            return;
        case Code::none:
            break;
    }
    g.status = Status::unknown;
    g.reason = "unknown stream code";
}

}  // namespace vta::pss::detail
