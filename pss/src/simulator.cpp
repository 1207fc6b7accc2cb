#include "vta/pss/simulator.hpp"

#include <algorithm>
#include <string_view>

namespace vta::pss {
namespace {

struct Person {
    std::string_view first, last, noc;
};

constexpr Person people[] = {
    {"Ralf", "MÜLLER", "GER"},     {"Ayşe", "ÖZTÜRK", "TUR"},      {"Javier", "PÉREZ", "ESP"},
    {"Luka", "MITRIĆ", "SRB"},     {"Ivan", "KALAŠNJIKOV", "CRO"}, {"Dae-hoon", "LEE", "KOR"},
    {"Jade", "JONES", "GBR"},      {"Thi", "NGUYEN", "VIE"},       {"Bianca", "ALESSIO", "ITA"},
    {"Kareem", "ABDULLAH", "JOR"}, {"Emma", "O'CONNOR", "IRL"},    {"Søren", "HØJLUND", "DEN"},
    {"Mateus", "SILVA", "BRA"},    {"Zofia", "KOWALSKA", "POL"},   {"Hamza", "ÇELIK", "TUR"},
    {"Yuki", "TANAKA", "JPN"},     {"Amina", "DIALLO", "SEN"},     {"Vladislav", "SHCHERBAKOV", "AIN"},
};
constexpr std::string_view categories[] = {"Round of 32", "Round of 16", "Quarter-final", "Semi-final", "Final"};
constexpr std::string_view weights[] = {"M- 58 kg", "M- 68 kg", "M- 80 kg", "M+ 80 kg",
                                        "W- 49 kg", "W- 57 kg", "W- 67 kg", "W+ 67 kg"};
constexpr int round_seconds = 120;
constexpr int break_seconds = 60;

std::string clock_text(int seconds) { return format_clock(seconds); }

// Builds one match's datagrams in time order.
class MatchScript {
public:
    MatchScript(std::mt19937_64& rng, const SimulatorOptions& options, std::int64_t start_ms, int match_index,
                std::deque<Timed>& out)
        : rng_(rng), options_(options), t_(start_ms), out_(out) {
        result_.number = std::to_string(101 + match_index);
    }

    SimulatedResult run() {
        load();
        for (int r = 1; r <= 3 && wins_[0] < 2 && wins_[1] < 2; ++r) {
            if (r > 1) pause_between_rounds(r);
            play_round(r);
        }
        finish();
        return result_;
    }

    std::int64_t end_ms() const { return t_; }

private:
    int pick(int lo, int hi) { return lo + static_cast<int>(rng_() % static_cast<std::uint64_t>(hi - lo + 1)); }
    bool chance(double p) { return static_cast<double>(rng_() % 1'000'000) < p * 1'000'000.0; }

    void at(std::int64_t ms, std::string datagram) { out_.push_back({ms, std::move(datagram)}); }
    void send(std::string datagram, int after_ms = 13) {
        t_ += after_ms;
        at(t_, std::move(datagram));
    }

    std::string scores_line() const {
        std::string s;
        for (int r = 0; r < 3; ++r)
            for (int a = 0; a < 2; ++a)
                s += "s" + std::to_string(a + 1) + std::to_string(r + 1) + ";" +
                     std::to_string(result_.round_scores[r][a]) + ";";
        return s;
    }
    std::string current_line() const {
        return "sc1;" + std::to_string(current_[0]) + ";sc2;" + std::to_string(current_[1]) + ";";
    }
    std::string round_winners_line() const {
        return "wrd;rd1;" + std::to_string(result_.round_winners[0]) + ";rd2;" +
               std::to_string(result_.round_winners[1]) + ";rd3;" + std::to_string(result_.round_winners[2]) + ";";
    }

    void load() {
        const int blue = pick(0, std::size(people) - 1);
        int red = pick(0, std::size(people) - 2);
        if (red >= blue) ++red;
        for (int a = 0; a < 2; ++a) {
            const Person& p = people[a == 0 ? blue : red];
            result_.athletes[a] = {std::string(p.first.substr(0, 1)) + ". " + std::string(p.last),
                                   std::string(p.first) + " " + std::string(p.last), std::string(p.noc)};
        }
        static constexpr char hex[] = "0123456789abcdef";
        std::string match_id;
        for (int i = 0; i < 8; ++i) match_id += hex[pick(0, 15)];
        const Athlete& a1 = result_.athletes[0];
        const Athlete& a2 = result_.athletes[1];
        send("pre;FightLoaded;", 0);
        send("at1;" + a1.short_name + ";" + a1.long_name + ";" + a1.noc + ";at2;" + a2.short_name + ";" + a2.long_name +
                 ";" + a2.noc + ";",
             pick(3, 13));
        send("ref;;;ju1;;;ju2;;;ta;;;", pick(3, 13));
        send("mch;" + result_.number + ";" + std::string(categories[pick(0, std::size(categories) - 1)]) + ";" +
                 std::string(weights[pick(0, std::size(weights) - 1)]) + ";1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;" +
                 match_id + ";Senior;3;" + std::to_string(round_seconds) + ";cntDown;18;1;",
             pick(3, 13));
        send("wg1;0;wg2;0;", pick(3, 13));
        send(round_winners_line(), pick(3, 13));
        send(scores_line(), pick(3, 13));
        send(current_line(), pick(3, 13));
        send("avt;0;", pick(3, 13));
        send("clk;" + clock_text(round_seconds) + ";", pick(3, 13));
        send("rnd;1;", pick(3, 13));
        send("sup;0;", pick(3, 13));
        send("rdy;FightReady;", pick(5'000, 20'000));
    }

    void pause_between_rounds(int next_round) {
        send("brk;" + clock_text(break_seconds) + ";", 2'000);
        for (int s = break_seconds - 1; s >= 0; --s) send("brk;" + clock_text(s) + ";", 1'000);
        send("brk;0:00;stopEnd;", 50);
        current_ = {0, 0};
        send(current_line(), 100);
        update_sup();
        send("clk;" + clock_text(round_seconds) + ";", 50);
        send("rnd;" + std::to_string(next_round) + ";", 0);
    }

    void update_sup() {
        const int lead = current_[0] > current_[1] ? 1 : current_[1] > current_[0] ? 2 : 0;
        if (lead != sup_) {
            sup_ = lead;
            send("sup;" + std::to_string(lead) + ";");
        }
    }

    void add_points(int athlete, int points) {
        result_.round_scores[round_ - 1][athlete] += points;
        current_[athlete] += points;
    }

    // tkStrike order: hl -> sc -> six scores -> pt; written-spec order: pt -> hl -> six scores -> sc.
    void score_point(int athlete) {
        const int points = pick(1, 5);
        const std::string a = std::to_string(athlete + 1);
        const bool sensor = points != 1;  // punches are judged, not measured
        const std::string hl = "hl" + a + ";" + std::to_string(pick(25, 100)) + ";";
        add_points(athlete, points);
        if (options_.real_order) {
            if (sensor) send(hl);
            send(current_line());
            send(scores_line());
            send("pt" + a + ";" + std::to_string(points) + ";");
        } else {
            send("pt" + a + ";" + std::to_string(points) + ";");
            if (sensor) send(hl);
            send(scores_line());
            send(current_line());
        }
        update_sup();
    }

    void warning(int athlete) {
        ++warnings_[athlete];
        send("wg1;" + std::to_string(warnings_[0]) + ";wg2;" + std::to_string(warnings_[1]) + ";");
        add_points(1 - athlete, 1);
        send(scores_line());
        send(current_line());
        update_sup();
    }

    void stop_clock(int clock) { send("clk;" + clock_text(clock) + ";stop;", pick(100, 400)); }
    void start_clock(int clock) { send("clk;" + clock_text(clock) + ";start;", pick(500, 3'000)); }

    void challenge(int clock) {
        challenge_used_ = true;
        const int side = chance(0.15) ? 0 : pick(1, 2);
        const std::string ch = "ch" + std::to_string(side);
        stop_clock(clock);
        send(ch + ";", 400);
        if (side == 0 && chance(0.3)) {
            send(ch + ";-1;", pick(1'500, 3'000));
        } else if (chance(0.2)) {
            send(ch + ";0;", pick(1'500, 3'000));
        } else {
            send(ch + ";1;", pick(1'500, 3'000));
            const bool won = chance(0.5);
            send(ch + ";1;" + (won ? "1;" : "0;"), pick(10'000, 30'000));
            if (won && side != 0) {  // the replay awards the missed technique
                const std::string a = std::to_string(side);
                add_points(side - 1, 2);
                send(current_line());
                send(scores_line());
                send("pt" + a + ";2;");
                update_sup();
            }
        }
        start_clock(clock);
    }

    void injury(int clock) {
        injury_used_ = true;
        const int side = pick(0, 2);
        const std::string ij = "ij" + std::to_string(side) + ";";
        stop_clock(clock);
        int left = 60;
        send(ij + clock_text(left) + ";show;", 500);
        for (int k = pick(5, 25); k > 0; --k) send(ij + clock_text(--left) + ";", 1'000);
        send(ij + clock_text(left) + ";hide;", 300);
        start_clock(clock);
    }

    // One second of fighting, after the clock showed `clock` (events fit before the next tick).
    void fight_second(int clock) {
        const std::int64_t tick = t_;
        if (chance(0.10)) {
            t_ = tick + pick(100, 400);
            score_point(pick(0, 1));
        } else if (chance(0.06)) {
            send("hl" + std::to_string(pick(1, 2)) + ";" + std::to_string(pick(1, 24)) + ";", pick(100, 700));
        } else if (chance(0.015) && warnings_[0] + warnings_[1] < 8) {
            t_ = tick + pick(100, 400);
            warning(pick(0, 1));
        } else if (clock > 5 && !challenge_used_ && chance(0.006)) {
            challenge(clock);
            return;
        } else if (clock > 5 && !injury_used_ && chance(0.004)) {
            injury(clock);
            return;
        }
        t_ = tick;
    }

    void play_round(int round) {
        round_ = round;
        send("clk;" + clock_text(round_seconds) + ";start;", pick(400, 800));
        for (int clock = round_seconds; clock > 0; --clock) {
            if (clock > 1) {
                fight_second(clock);
            } else if (current_[0] == current_[1]) {  // rounds are never drawn: a last-second point decides
                const std::int64_t tick = t_;
                t_ = tick + 200;
                score_point(pick(0, 1));
                t_ = tick;
            }
            t_ += 1'000;
            if (clock > 1) at(t_, "clk;" + clock_text(clock - 1) + ";");
        }
        send(chance(0.5) ? "clk;0:00;stop;" : "clk;0:00;stopEnd;", 0);
        const int winner = current_[0] > current_[1] ? 0 : 1;
        ++wins_[winner];
        result_.round_winners[round - 1] = winner + 1;
        send(round_winners_line(), 500);
        std::string stats = "rst;" + std::to_string(round) + ";";
        for (int a = 0; a < 2; ++a) {
            stats += "st" + std::to_string(a + 1) + ";";
            for (int k = 0; k < 6; ++k) stats += std::to_string(pick(0, 9)) + ";";
        }
        send(stats, 100);
        send("rsr;", 100);
    }

    void finish() {
        const int winner = wins_[0] > wins_[1] ? 0 : 1;
        result_.winner = winner == 0 ? "BLUE" : "RED";
        result_.decision = std::to_string(wins_[winner]) + "-" + std::to_string(wins_[1 - winner]) + " PTF";
        result_.scores = current_;
        send("win;" + result_.winner + ";", 2'500);
        send("wmh;" + result_.athletes[winner].long_name, 1'500);
        send("wmh;" + result_.athletes[winner].long_name + ";" + result_.decision + ";", 3'000);
    }

    std::mt19937_64& rng_;
    const SimulatorOptions& options_;
    std::int64_t t_;
    std::deque<Timed>& out_;
    SimulatedResult result_;
    int round_ = 1;
    std::array<int, 2> current_{};
    std::array<int, 2> warnings_{};
    std::array<int, 2> wins_{};
    int sup_ = 0;
    bool challenge_used_ = false;
    bool injury_used_ = false;
};

}  // namespace

MatchSimulator::MatchSimulator(std::uint64_t seed, SimulatorOptions options) : rng_(seed), options_(options) {}

void MatchSimulator::generate_match() {
    MatchScript script(rng_, options_, now_ms_, generated_, queue_);
    const std::size_t first = queue_.size();
    results_.push_back(script.run());
    std::stable_sort(queue_.begin() + static_cast<std::ptrdiff_t>(first), queue_.end(),
                     [](const Timed& a, const Timed& b) { return a.at_ms < b.at_ms; });
    now_ms_ = script.end_ms() + options_.gap_between_matches_ms;
    ++generated_;
}

std::optional<Timed> MatchSimulator::next() {
    if (queue_.empty() && generated_ < options_.matches) generate_match();
    if (queue_.empty()) return std::nullopt;
    Timed t = std::move(queue_.front());
    queue_.pop_front();
    return t;
}

}  // namespace vta::pss
