// What a licence turns on, and what runs without one: the one table the host, the Lua `license` module and
// the README all follow.
//
// Evaluation mode is what the host does whenever no licence is in force: no licence installed, or one that is
// invalid, expired, for another machine, or disabled after 7 days without a successful check. The host then
// runs fully as the automation core, with no time limit and nothing nagging mid-match:
//   PSS ingest, the match state, the store and its readers, the CLI, the control panel, OBS connections and
//   recording, the workflow engine with the operator's own packages, and the overlays in the default theme.
// Only the rows of feature_rules are licensed; without the licence each one falls back to its `evaluation`
// column. A feature the table does not know (one a newer server issues) is simply off without a licence.
#pragma once

#include <array>
#include <string_view>

namespace vta::licence {

struct FeatureRule {
    std::string_view name;        // as a licence lists it; a counted one is written name=N
    bool counted;                 // true for name=N
    int evaluation_count;         // without a licence: 0 is off; a counted feature's number
    std::string_view licensed;    // what the licence turns on
    std::string_view evaluation;  // what runs without it
};

inline constexpr std::array<FeatureRule, 4> feature_rules{{
    {"ivr", false, 0, "the shipped ivr workflow: the review clip saved and played, the review scene and banner",
     "challenges are stored and shown on the scoreboard; no review clip, scene or banner"},
    {"overlays", false, 0, "every overlay theme and the operator's own overlay folder",
     "the shipped overlay pages in the default theme"},
    {"multi_obs", false, 0, "several OBS connections (separate recording and streaming machines)",
     "one OBS connection"},
    {"courts", true, 1, "the licence key activates up to N machines (the licence server counts them)",
     "this machine only"},
}};

// The rule for `name`, or nullptr for a feature the table does not list.
constexpr const FeatureRule* find_feature_rule(std::string_view name) {
    for (const FeatureRule& rule : feature_rules) {
        if (rule.name == name) return &rule;
    }
    return nullptr;
}

}  // namespace vta::licence
