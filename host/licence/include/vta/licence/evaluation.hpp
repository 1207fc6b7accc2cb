// What a licence means right now, on this machine: a pure function of the verified licence (or its refusal,
// or none), the injected clock, the host's records of the last online check and of the latest time seen,
// and this machine's fingerprint. Nothing here reads a clock or a file, so tests drive it day by day.
//
// Offline grace: days are counted from the last successful online check (the later of the licence's
// last_check and the one the host recorded; the issue time when neither exists, since issuing is one). From
// day 5 the state is `warning`, from day 7 `disabled`: the licensed features stop, the host keeps running
// in evaluation mode (features.hpp) until a check succeeds.
//
// Clock rollback: the latest time the host has seen (high water) only moves forward. A clock more than an
// hour behind it, or behind the licence's own signed times, sets clock_behind with a warning and never
// locks anything; expiry and offline days are then counted from the latest time seen, not the rolled-back
// clock. The host stores Evaluation::high_water after each evaluation and replaces it with the server's time
// after each verified server answer, so a clock once set far ahead is corrected by the next online check.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/licence/fingerprint.hpp"
#include "vta/licence/licence.hpp"

namespace vta::licence {

inline constexpr int warning_after_days = 5;
inline constexpr int disabled_after_days = 7;
inline constexpr std::chrono::seconds clock_tolerance = std::chrono::hours(1);

enum class State {
    evaluation,     // no licence installed: evaluation mode
    valid,          // the licensed features are on
    warning,        // still on, but 5 or more days since the last successful check
    disabled,       // 7 or more days since the last successful check: evaluation mode until one succeeds
    expired,        // past its expiry: evaluation mode
    other_machine,  // two or more fingerprint components differ: evaluation mode
    invalid,        // the file was refused (its reason): evaluation mode
};

std::string_view to_string(State state);

// True for the states in which the licence's features are on (valid, warning).
bool features_on(State state);

// What the host knows when it evaluates.
struct Observed {
    Time now{};                      // the system clock, injected
    std::optional<Time> last_check;  // the last successful online check the host recorded, if any
    std::optional<Time> high_water;  // the latest time the host has recorded, if any
    Fingerprint machine;             // this machine now (read_fingerprint)
};

struct Evaluation {
    State state = State::evaluation;
    std::string reason;              // one plain sentence for the panel, the log and `vta license status`
    std::optional<Licence> licence;  // the verified licence, also when expired or for another machine
    MachineMatch machine;            // components that differ from the licence's (empty without one)
    std::optional<Time> last_check;  // the check offline days are counted from (none without a licence)
    int days_since_check = 0;
    bool clock_behind = false;  // the clock is over clock_tolerance behind the latest time seen
    std::string clock_warning;  // says by how much, when clock_behind
    Time high_water{};          // the latest time seen, this evaluation included: store it

    // The features in force: the licence's while features_on(state), else the evaluation column of
    // feature_rules. A licence never gives less than evaluation mode.
    bool has(std::string_view feature) const;
    int count(std::string_view name) const;
};

// `licence`: what read_licence_file or verify_licence returned, or std::nullopt when none is installed.
// Errc::not_found (no file) is evaluation mode; any other error is `invalid` with its reason. Precedence:
// invalid, other_machine, expired, disabled, warning, valid.
Evaluation evaluate(const std::optional<Result<Licence>>& licence, const Observed& observed);

// The evaluation as `vta license status --json`, the Lua `license.status()` and the panel's details show it:
// {"state", "reason", "features_on", "features": [in force, evaluation mode's included], "days_since_check",
//  "last_check", "clock_behind", "clock_warning"} and, with a verified licence, "licensee", "key_id",
// "licensed_features" (what the file lists), "expires", "machine_match", "machine_differs".
nlohmann::json to_json(const Evaluation& evaluation);

// The state the host applies after evaluating, so a court never loses a feature mid-match: while a match is
// in progress, a change that would stop the licensed features is deferred (the state in force stays) and takes
// effect at the next match load; every other change, back to valid included, applies at once.
State state_to_apply(State in_force, State evaluated, bool match_in_progress);

}  // namespace vta::licence
