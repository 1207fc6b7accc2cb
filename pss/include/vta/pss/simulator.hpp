// Deterministic generator of realistic PSS match days (for `vta simulate` and tests). Pure: it only computes the
// datagrams and when they are due; the caller sends them.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "vta/pss/codec.hpp"

namespace vta::pss {

struct Timed {
    std::int64_t at_ms = 0;  // when to send, ms from the start of the day
    std::string datagram;
};

struct SimulatorOptions {
    int matches = 3;
    bool real_order = true;  // true: tkStrike order hl -> scores -> pt; false: written spec order pt -> hl
    std::int64_t gap_between_matches_ms = 60'000;
};

// What a simulated match ended with, for checking a consumer against.
struct SimulatedResult {
    std::string number;
    std::array<Athlete, 2> athletes;
    std::array<std::array<int, 2>, 3> round_scores{};
    std::array<int, 2> scores{};
    std::array<int, 3> round_winners{};
    std::string winner;    // "BLUE" or "RED"
    std::string decision;  // e.g. "2-1 PTF"
};

class MatchSimulator {
public:
    explicit MatchSimulator(std::uint64_t seed, SimulatorOptions options = {});

    // The next datagram of the day in time order, or nullopt after the last match.
    std::optional<Timed> next();

    // Results of the matches generated so far (a match is generated when its first datagram is due).
    const std::vector<SimulatedResult>& results() const { return results_; }

private:
    void generate_match();

    std::mt19937_64 rng_;
    SimulatorOptions options_;
    int generated_ = 0;
    std::int64_t now_ms_ = 0;
    std::deque<Timed> queue_;
    std::vector<SimulatedResult> results_;
};

}  // namespace vta::pss
