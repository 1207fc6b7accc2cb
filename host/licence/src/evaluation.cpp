#include "vta/licence/evaluation.hpp"

#include <algorithm>

#include "vta/licence/features.hpp"

namespace vta::licence {

namespace {

std::string component_label(const std::string& name) {
    if (name == machine_id_name) return "machine-id";
    if (name == product_uuid_name) return "DMI product UUID";
    return "network MAC address";
}

// "the machine-id", "the machine-id and the network MAC address", "the a, the b and the c".
std::string component_list(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) text += i + 1 == names.size() ? " and " : ", ";
        text += "the " + component_label(names[i]);
    }
    return text;
}

std::string plural(long long count, const char* unit) {
    return std::to_string(count) + " " + unit + (count == 1 ? "" : "s");
}

std::string duration_text(std::chrono::seconds duration) {
    using namespace std::chrono;
    if (duration >= days(2)) return plural(duration_cast<days>(duration).count(), "day");
    if (duration >= hours(2)) return plural(duration_cast<hours>(duration).count(), "hour");
    return plural(duration_cast<minutes>(duration).count(), "minute");
}

}  // namespace

std::string_view to_string(State state) {
    switch (state) {
        case State::evaluation:
            return "evaluation";
        case State::valid:
            return "valid";
        case State::warning:
            return "warning";
        case State::disabled:
            return "disabled";
        case State::expired:
            return "expired";
        case State::other_machine:
            return "other_machine";
        case State::invalid:
            return "invalid";
    }
    return "invalid";
}

bool features_on(State state) { return state == State::valid || state == State::warning; }

bool Evaluation::has(std::string_view feature) const { return count(feature) > 0; }

int Evaluation::count(std::string_view name) const {
    const FeatureRule* rule = find_feature_rule(name);
    const int without_licence = rule ? rule->evaluation_count : 0;
    const int licensed = features_on(state) && licence ? licence->count(name) : 0;
    return std::max(without_licence, licensed);
}

Evaluation evaluate(const std::optional<Result<Licence>>& licence, const Observed& observed) {
    const Licence* verified = licence && licence->ok() ? &licence->value() : nullptr;
    Evaluation result;

    // The latest time known to have passed: the recorded high water and the times the licence server signed.
    Time latest = observed.high_water.value_or(observed.now);
    for (const std::optional<Time>& seen :
         {observed.last_check, verified ? std::optional(verified->issued) : std::nullopt,
          verified ? verified->last_check : std::nullopt}) {
        if (seen) latest = std::max(latest, *seen);
    }
    if (observed.now + clock_tolerance < latest) {
        result.clock_behind = true;
        result.clock_warning = "the system clock (" + format_time(observed.now) + ") is " +
                               duration_text(latest - observed.now) + " behind the latest time seen (" +
                               format_time(latest) + "); licence days are counted from that time";
    }
    const Time now = std::max(observed.now, latest);
    result.high_water = now;

    if (!licence || (!verified && licence->error().code == Errc::not_found)) {
        result.state = State::evaluation;
        result.reason = "no licence installed: evaluation mode";
        return result;
    }
    if (!verified) {
        const Error& error = licence->error();
        result.state = State::invalid;
        result.reason =
            error.code == Errc::licence_refused ? "the licence was refused: " + error.message : error.message;
        return result;
    }

    result.licence = *verified;
    result.machine = compare(verified->machine, observed.machine);
    Time checked = verified->last_check.value_or(verified->issued);
    if (observed.last_check) checked = std::max(checked, *observed.last_check);
    result.last_check = checked;
    result.days_since_check = static_cast<int>(std::chrono::floor<std::chrono::days>(now - checked).count());
    const std::string days = plural(result.days_since_check, "day");

    if (!result.machine.same_machine()) {
        result.state = State::other_machine;
        result.reason = "the licence is for another machine: " + component_list(result.machine.differing) + " differ";
    } else if (now >= verified->expires) {
        result.state = State::expired;
        result.reason = "the licence expired on " + format_time(verified->expires);
    } else if (result.days_since_check >= disabled_after_days) {
        result.state = State::disabled;
        result.reason = days + " since the last licence check: the licensed features are off until a check succeeds";
    } else if (result.days_since_check >= warning_after_days) {
        result.state = State::warning;
        result.reason = days + " since the last licence check: the licensed features stop on " +
                        format_time(checked + std::chrono::days(disabled_after_days)) + " unless a check succeeds";
    } else {
        result.state = State::valid;
        result.reason = "licensed to " + verified->licensee + " until " + format_time(verified->expires);
    }
    if (features_on(result.state) && !result.machine.differing.empty()) {
        result.reason += "; " + component_list(result.machine.differing) + " changed since activation";
    }
    return result;
}

nlohmann::json to_json(const Evaluation& evaluation) {
    using nlohmann::json;
    json features = json::array();
    for (const FeatureRule& rule : feature_rules) {
        if (!evaluation.has(rule.name)) continue;
        features.push_back(rule.counted ? std::string(rule.name) + "=" + std::to_string(evaluation.count(rule.name))
                                        : std::string(rule.name));
    }
    // A licensed feature newer than this host's table is still in force.
    if (evaluation.licence && features_on(evaluation.state))
        for (const std::string& listed : evaluation.licence->features)
            if (!find_feature_rule(listed.substr(0, listed.find('=')))) features.push_back(listed);
    json j{{"state", to_string(evaluation.state)},
           {"reason", evaluation.reason},
           {"features_on", features_on(evaluation.state)},
           {"features", features},
           {"days_since_check", evaluation.days_since_check},
           {"last_check", evaluation.last_check ? json(format_time(*evaluation.last_check)) : json()},
           {"clock_behind", evaluation.clock_behind},
           {"clock_warning", evaluation.clock_warning}};
    if (evaluation.licence) {
        j["licensee"] = evaluation.licence->licensee;
        j["key_id"] = evaluation.licence->key_id;
        j["licensed_features"] = evaluation.licence->features;
        j["expires"] = format_time(evaluation.licence->expires);
        j["machine_match"] = evaluation.machine.same_machine();
        j["machine_differs"] = evaluation.machine.differing;
    }
    return j;
}

State state_to_apply(State in_force, State evaluated, bool match_in_progress) {
    const bool stops_features = features_on(in_force) && !features_on(evaluated);
    return stops_features && match_in_progress ? in_force : evaluated;
}

}  // namespace vta::licence
