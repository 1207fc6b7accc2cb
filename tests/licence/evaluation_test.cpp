// The licence state day by day on an injected clock, clock rollback, and the stop deferred during a match.

#include <gtest/gtest.h>

#include "support.hpp"
#include "vta/licence/evaluation.hpp"
#include "vta/licence/features.hpp"

namespace vta::licence {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using testing::at;
using testing::sample_licence;
using testing::sample_machine;

// The sample licence's last check, 2026-01-10T09:00:00Z, plus `elapsed`.
Time after_check(std::chrono::seconds elapsed) { return sample_licence().issued + elapsed; }

Observed on(Time now) { return Observed{now, std::nullopt, std::nullopt, sample_machine()}; }

TEST(Evaluation, NoLicenceIsEvaluationModeWithItsTable) {
    const Evaluation result = evaluate(std::nullopt, on(at("2026-03-01T12:00:00Z")));
    EXPECT_EQ(result.state, State::evaluation);
    EXPECT_EQ(result.reason, "no licence installed: evaluation mode");
    EXPECT_FALSE(result.licence);
    EXPECT_FALSE(result.has("ivr"));
    EXPECT_FALSE(result.has("overlays"));
    EXPECT_FALSE(result.has("multi_obs"));
    EXPECT_EQ(result.count("courts"), 1);
    EXPECT_FALSE(result.has("anything_newer"));
    EXPECT_EQ(result.high_water, at("2026-03-01T12:00:00Z"));
}

TEST(Evaluation, NoLicenceFileIsEvaluationModeToo) {
    const Result<Licence> none = Error(Errc::not_found, "no licence file at /x/licence.json");
    const Evaluation result = evaluate(none, on(at("2026-03-01T12:00:00Z")));
    EXPECT_EQ(result.state, State::evaluation);
    EXPECT_EQ(result.reason, "no licence installed: evaluation mode");
}

TEST(Evaluation, DayFourIsValid) {
    const Evaluation result = evaluate(sample_licence(), on(after_check(days(4) + hours(23))));
    EXPECT_EQ(result.state, State::valid);
    EXPECT_EQ(result.reason, "licensed to Dojang Court 3 until 2027-01-10T09:00:00Z");
    EXPECT_EQ(result.days_since_check, 4);
    EXPECT_TRUE(result.has("ivr"));
    EXPECT_TRUE(result.has("overlays"));
    EXPECT_FALSE(result.has("multi_obs"));  // not in this licence
    EXPECT_EQ(result.count("courts"), 12);
    EXPECT_TRUE(result.machine.differing.empty());
    EXPECT_FALSE(result.clock_behind);
}

TEST(Evaluation, DayFiveWarnsAndKeepsTheFeatures) {
    const Evaluation result = evaluate(sample_licence(), on(after_check(days(5))));
    EXPECT_EQ(result.state, State::warning);
    EXPECT_EQ(result.reason,
              "5 days since the last licence check: the licensed features stop on 2026-01-17T09:00:00Z unless a "
              "check succeeds");
    EXPECT_TRUE(result.has("ivr"));
    EXPECT_EQ(evaluate(sample_licence(), on(after_check(days(6) + hours(23)))).state, State::warning);
}

TEST(Evaluation, DaySevenDisablesTheLicensedFeatures) {
    const Evaluation result = evaluate(sample_licence(), on(after_check(days(7))));
    EXPECT_EQ(result.state, State::disabled);
    EXPECT_EQ(result.reason,
              "7 days since the last licence check: the licensed features are off until a check succeeds");
    EXPECT_FALSE(result.has("ivr"));
    EXPECT_EQ(result.count("courts"), 1);
    EXPECT_TRUE(result.licence);  // still shown by the status
}

TEST(Evaluation, ACheckTheHostRecordedRestartsTheCount) {
    Observed observed = on(after_check(days(9)));
    observed.last_check = after_check(days(8));
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_EQ(result.state, State::valid);
    EXPECT_EQ(result.days_since_check, 1);
    EXPECT_EQ(result.last_check, after_check(days(8)));
}

TEST(Evaluation, LicenceNeverCheckedOnlineCountsFromItsIssue) {
    Licence offline = sample_licence();
    offline.last_check.reset();
    EXPECT_EQ(evaluate(offline, on(offline.issued + days(5))).state, State::warning);
}

TEST(Evaluation, ExpiredLicence) {
    Observed observed = on(at("2027-01-10T09:00:00Z"));
    observed.last_check = at("2027-01-09T09:00:00Z");
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_EQ(result.state, State::expired);
    EXPECT_EQ(result.reason, "the licence expired on 2027-01-10T09:00:00Z");
    EXPECT_FALSE(result.has("ivr"));
    observed.now = at("2027-01-10T08:59:59Z");
    EXPECT_EQ(evaluate(sample_licence(), observed).state, State::valid);
}

TEST(Evaluation, ExpiryComesBeforeTheOfflineCount) {
    EXPECT_EQ(evaluate(sample_licence(), on(at("2027-06-01T00:00:00Z"))).state, State::expired);
}

TEST(Evaluation, TwoChangedComponentsIsAnotherMachine) {
    Observed observed = on(after_check(days(1)));
    observed.machine.machine_id = std::string(64, 'e');
    observed.machine.mac = std::string(64, 'f');
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_EQ(result.state, State::other_machine);
    EXPECT_EQ(result.reason, "the licence is for another machine: the machine-id and the network MAC address differ");
    EXPECT_FALSE(result.has("ivr"));

    observed.machine.product_uuid.reset();
    EXPECT_EQ(evaluate(sample_licence(), observed).reason,
              "the licence is for another machine: the machine-id, the DMI product UUID and the network MAC "
              "address differ");
}

TEST(Evaluation, OneChangedComponentIsAcceptedAndSaid) {
    Observed observed = on(after_check(days(1)));
    observed.machine.mac = std::string(64, 'f');
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_EQ(result.state, State::valid);
    EXPECT_EQ(result.reason,
              "licensed to Dojang Court 3 until 2027-01-10T09:00:00Z; the network MAC address changed since "
              "activation");
    EXPECT_TRUE(result.has("ivr"));

    observed.machine = sample_machine();
    observed.machine.product_uuid.reset();  // not readable without root
    EXPECT_EQ(evaluate(sample_licence(), observed).state, State::valid);
}

TEST(Evaluation, RefusedFileIsInvalidWithItsReason) {
    const Result<Licence> refused = Error(Errc::licence_refused, "signature is not base64");
    const Evaluation result = evaluate(refused, on(at("2026-03-01T12:00:00Z")));
    EXPECT_EQ(result.state, State::invalid);
    EXPECT_EQ(result.reason, "the licence was refused: signature is not base64");
    EXPECT_FALSE(result.has("ivr"));
    EXPECT_EQ(result.count("courts"), 1);

    const Result<Licence> unreadable = Error(Errc::io, "cannot read the licence file /x/licence.json");
    EXPECT_EQ(evaluate(unreadable, on(at("2026-03-01T12:00:00Z"))).reason,
              "cannot read the licence file /x/licence.json");
}

TEST(Evaluation, ClockRolledBackWarnsWithoutLocking) {
    Observed observed = on(after_check(days(1)));
    observed.high_water = after_check(days(3));
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_EQ(result.state, State::valid);
    EXPECT_TRUE(result.clock_behind);
    EXPECT_EQ(result.clock_warning,
              "the system clock (2026-01-11T09:00:00Z) is 2 days behind the latest time seen (2026-01-13T09:00:00Z); "
              "licence days are counted from that time");
    EXPECT_EQ(result.days_since_check, 3);
    EXPECT_EQ(result.high_water, after_check(days(3)));  // never moves back
}

TEST(Evaluation, RolledBackClockDoesNotBuyOfflineDays) {
    Observed observed = on(after_check(days(2)));
    observed.high_water = after_check(days(8));
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_EQ(result.state, State::disabled);
    EXPECT_EQ(result.days_since_check, 8);
    EXPECT_TRUE(result.clock_behind);
}

TEST(Evaluation, RolledBackClockDoesNotUnexpireALicence) {
    Observed observed = on(at("2026-12-01T00:00:00Z"));
    observed.last_check = at("2027-01-09T00:00:00Z");
    observed.high_water = at("2027-01-11T00:00:00Z");
    EXPECT_EQ(evaluate(sample_licence(), observed).state, State::expired);
}

TEST(Evaluation, ClockBehindTheLicencesOwnSignedTimesWarns) {
    const Evaluation result = evaluate(sample_licence(), on(sample_licence().issued - hours(3)));
    EXPECT_TRUE(result.clock_behind);
    EXPECT_EQ(result.clock_warning,
              "the system clock (2026-01-10T06:00:00Z) is 3 hours behind the latest time seen "
              "(2026-01-10T09:00:00Z); licence days are counted from that time");
    EXPECT_EQ(result.state, State::valid);
}

TEST(Evaluation, ClockWithinAnHourOfTheHighWaterIsFine) {
    Observed observed = on(after_check(days(1)));
    observed.high_water = after_check(days(1) + minutes(59));
    const Evaluation result = evaluate(sample_licence(), observed);
    EXPECT_FALSE(result.clock_behind);
    EXPECT_EQ(result.high_water, after_check(days(1) + minutes(59)));
}

TEST(Evaluation, HighWaterFollowsTheClockForward) {
    Observed observed = on(after_check(days(2)));
    observed.high_water = after_check(days(1));
    EXPECT_EQ(evaluate(sample_licence(), observed).high_water, after_check(days(2)));
    EXPECT_EQ(evaluate(std::nullopt, observed).high_water, after_check(days(2)));
}

TEST(StateToApply, StopIsDeferredWhileAMatchIsInProgress) {
    EXPECT_EQ(state_to_apply(State::valid, State::disabled, true), State::valid);
    EXPECT_EQ(state_to_apply(State::warning, State::disabled, true), State::warning);
    EXPECT_EQ(state_to_apply(State::valid, State::expired, true), State::valid);
    EXPECT_EQ(state_to_apply(State::valid, State::other_machine, true), State::valid);
    EXPECT_EQ(state_to_apply(State::warning, State::invalid, true), State::warning);
    // At the next match load (no match in progress) the stop applies.
    EXPECT_EQ(state_to_apply(State::warning, State::disabled, false), State::disabled);
    EXPECT_EQ(state_to_apply(State::valid, State::expired, false), State::expired);
}

TEST(StateToApply, EverythingElseAppliesAtOnce) {
    EXPECT_EQ(state_to_apply(State::disabled, State::valid, true), State::valid);
    EXPECT_EQ(state_to_apply(State::evaluation, State::valid, true), State::valid);
    EXPECT_EQ(state_to_apply(State::valid, State::warning, true), State::warning);
    EXPECT_EQ(state_to_apply(State::evaluation, State::invalid, true), State::invalid);
    EXPECT_EQ(state_to_apply(State::disabled, State::expired, true), State::expired);
}

TEST(StateNames, AsTheCliAndLuaShowThem) {
    EXPECT_EQ(to_string(State::evaluation), "evaluation");
    EXPECT_EQ(to_string(State::valid), "valid");
    EXPECT_EQ(to_string(State::warning), "warning");
    EXPECT_EQ(to_string(State::disabled), "disabled");
    EXPECT_EQ(to_string(State::expired), "expired");
    EXPECT_EQ(to_string(State::other_machine), "other_machine");
    EXPECT_EQ(to_string(State::invalid), "invalid");
}

TEST(FeatureRules, EveryRuleIsAFeatureALicenceCanList) {
    for (const FeatureRule& rule : feature_rules) {
        Licence licence = sample_licence();
        licence.features = {std::string(rule.name) + (rule.counted ? "=2" : "")};
        EXPECT_TRUE(sign_licence(licence, testing::vendor_keys().private_pem).ok()) << rule.name;
        EXPECT_EQ(find_feature_rule(rule.name), &rule);
    }
    EXPECT_EQ(find_feature_rule("unknown"), nullptr);
}

}  // namespace
}  // namespace vta::licence
