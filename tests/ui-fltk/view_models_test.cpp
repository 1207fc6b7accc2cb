// View models of the panel, built from hand-made snapshots: no display, no host.
#include <gtest/gtest.h>

#include <fstream>

#include "vta/licence/evaluation.hpp"
#include "vta/pss/match_state.hpp"
#include "vta/ui/shortcut.hpp"
#include "vta/ui/view_models.hpp"

#include <FL/Enumerations.H>

namespace vta::ui {
namespace {

host::HostSnapshot snapshot_with_match() {
    host::HostSnapshot s;
    s.taken_at = std::chrono::system_clock::now();
    pss::MatchState m;
    m.number = "101";
    m.category = "W+ 67 kg";
    m.athletes[0] = {"E. O'CONNOR", "Emma O'CONNOR", "IRL"};
    m.athletes[1] = {"K. ABDULLAH", "Kareem ABDULLAH", "JOR"};
    m.round = 2;
    m.round_scores[0] = {3, 1};
    m.round_scores[1] = {2, 4};
    m.scores = {2, 4};
    m.warnings = {1, 0};
    m.clock_seconds = 83;
    m.clock_running = true;
    m.injury[2] = {45, true, true};
    m.challenge[1] = pss::ChallengeStage::requested;
    s.has_match = true;
    s.match = m;
    return s;
}

TEST(ConnectionRows, UdpWaitingThenReceivingThenSilent) {
    host::HostSnapshot s;
    s.udp.listening = "0.0.0.0:6000";
    auto rows = connection_rows(s);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].state, "waiting");
    EXPECT_EQ(rows[0].tone, Tone::idle);
    EXPECT_NE(rows[0].detail.find("0.0.0.0:6000"), std::string::npos);

    s.udp.last_sender = "10.0.0.5:5000";
    s.udp.datagrams_per_second = 12;
    s.udp.last_datagram_age_ms = 300;
    rows = connection_rows(s);
    EXPECT_EQ(rows[0].state, "receiving");
    EXPECT_EQ(rows[0].tone, Tone::good);
    EXPECT_NE(rows[0].detail.find("from 10.0.0.5:5000"), std::string::npos);
    EXPECT_NE(rows[0].detail.find("12/s"), std::string::npos);
    EXPECT_NE(rows[0].detail.find("0.3 s ago"), std::string::npos);

    s.udp.last_datagram_age_ms = 9000;
    EXPECT_EQ(connection_rows(s)[0].state, "silent");
    EXPECT_EQ(connection_rows(s)[0].tone, Tone::busy);
}

TEST(ConnectionRows, ObsReconnectingShowsReasonAndNextRetry) {
    host::HostSnapshot s;
    s.taken_at = std::chrono::system_clock::now();
    host::ObsConnectionSnapshot rec{"OBS_REC", "rec", {}, false, false};
    rec.state.state = obs::State::reconnecting;
    rec.state.reason = "connection refused";
    rec.state.next_attempt = s.taken_at + std::chrono::milliseconds(2500);
    rec.state.attempt = 2;
    host::ObsConnectionSnapshot str{"OBS_STR", "str", {}, false, true};
    str.state.state = obs::State::connected;
    s.obs = {rec, str};
    const auto rows = connection_rows(s);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[1].name, "OBS_REC");
    EXPECT_EQ(rows[1].state, "reconnecting");
    EXPECT_EQ(rows[1].tone, Tone::busy);
    EXPECT_NE(rows[1].detail.find("connection refused"), std::string::npos);
    EXPECT_NE(rows[1].detail.find("next try in 2.5 s (attempt 3)"), std::string::npos);
    EXPECT_EQ(rows[2].tone, Tone::good);
    EXPECT_NE(rows[2].detail.find("streaming"), std::string::npos);
}

TEST(LiveMatch, AthletesScoresRoundsClockInjuryChallenge) {
    const auto view = live_match(snapshot_with_match(), {}, nullptr);
    ASSERT_TRUE(view.present);
    EXPECT_EQ(view.title, "Match 101 · W+ 67 kg");
    EXPECT_EQ(view.athletes[0].name, "Emma O'CONNOR");
    EXPECT_EQ(view.athletes[0].noc, "IRL");
    EXPECT_FALSE(view.athletes[0].flag);
    EXPECT_EQ(view.athletes[1].score, 4);
    EXPECT_EQ(view.athletes[0].round_scores, (std::vector<int>{3, 2}));
    EXPECT_EQ(view.athletes[0].warnings, 1);
    EXPECT_EQ(view.athletes[0].challenge, "challenge requested");
    EXPECT_EQ(view.athletes[1].injury, "injury 0:45");
    EXPECT_EQ(view.round, "Round 2");
    EXPECT_EQ(view.clock, "1:23");
    EXPECT_TRUE(view.clock_running);
}

TEST(LiveMatch, FlagOnlyWhenTheImageExists) {
    const auto folder = std::filesystem::temp_directory_path() / "vta-flags-test";
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "IRL.png") << "png";
    const auto view = live_match(snapshot_with_match(), folder, nullptr);
    ASSERT_TRUE(view.athletes[0].flag);
    EXPECT_EQ(*view.athletes[0].flag, folder / "IRL.png");
    EXPECT_FALSE(view.athletes[1].flag);
    std::filesystem::remove_all(folder);
}

TEST(LiveMatch, WithoutAPngTheFlagIsTheOverlaysSvg) {
    const auto nocs =
        flags::NocTable::load(std::filesystem::path(VTA_SOURCE_DIR) / "scripts/overlays/noc.json").value();
    const auto folder = std::filesystem::temp_directory_path() / "vta-flags-svg-test";
    std::filesystem::create_directories(folder);
    std::ofstream(folder / "IRL.png") << "png";
    auto view = live_match(snapshot_with_match(), {}, &nocs);
    EXPECT_EQ(view.athletes[0].flag, flags::debian_flags_folder / "ie.svg");
    EXPECT_EQ(view.athletes[1].flag, nocs.flag_file(view.athletes[1].noc));
    view = live_match(snapshot_with_match(), folder, &nocs);
    EXPECT_EQ(view.athletes[0].flag, folder / "IRL.png") << "the operator's PNG folder wins";
    EXPECT_EQ(view.athletes[1].flag->extension(), ".svg");
    std::filesystem::remove_all(folder);
}

TEST(LiveMatch, NoMatchBeforeTheFirstIsLoaded) {
    host::HostSnapshot s;
    EXPECT_FALSE(live_match(s, {}, nullptr).present);
}

TEST(LiveMatch, LiveFromTheFirstRoundUntilDecided) {
    host::HostSnapshot s;
    EXPECT_FALSE(match_is_live(s));
    s.has_match = true;
    s.match.number = "101";
    EXPECT_FALSE(match_is_live(s)) << "loaded, not begun";
    s.match.round = 2;
    EXPECT_TRUE(match_is_live(s));
    s.match.decided = true;
    EXPECT_FALSE(match_is_live(s));
}

TEST(EventRows, NewestFirstFilteredWithManualAndClip) {
    host::HostSnapshot s;
    s.events.push_back({1, 1'000'000, "clk", "clk;1:59;", 1, 119, false, {}, {}, {}, {}});
    s.events.push_back({2, 2'000'000, "pt1", "pt1;3;", 1, 118, true, {}, {}, {}, {}});
    s.events.push_back({3, 3'000'000, "pt2", "pt2;2;", 1, 117, false, "/clips/replay 1.mkv", 12'300, 45'600, 3'200});
    const auto all = event_rows(s, "all");
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].id, 3);
    EXPECT_EQ(all[0].clip, "replay 1.mkv");
    EXPECT_EQ(all[0].offsets, "clip 3.2 s · rec 12.3 s · str 45.6 s");
    EXPECT_EQ(all[0].clip_offset_ms, 3'200);  // into the clip, not into the recording
    EXPECT_EQ(all[0].round_clock, "R1 1:57");
    EXPECT_EQ(all[1].source, "manual");
    EXPECT_EQ(all[2].source, "");
    const auto points = event_rows(s, "pt1");
    ASSERT_EQ(points.size(), 1u);
    EXPECT_EQ(points[0].text, "pt1;3;");
    EXPECT_EQ(event_kinds(s), (std::vector<std::string>{"clk", "pt1", "pt2"}));
}

TEST(EventRows, ClipWithoutClipOffsetPlaysFromItsStart) {
    host::HostSnapshot s;
    s.events.push_back({1, 1'000'000, "pt1", "pt1;1;", 1, 100, false, "/clips/replay 2.mkv", 80'000, {}, {}});
    s.events.push_back({2, 2'000'000, "pt1", "pt1;1;", 1, 99, false, {}, 81'000, {}, {}});
    const auto rows = event_rows(s, "");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[1].clip_offset_ms, 0);
    EXPECT_EQ(rows[1].offsets, "rec 80.0 s");
    EXPECT_FALSE(rows[0].clip_path);
    EXPECT_EQ(rows[0].offsets, "rec 81.0 s");
}

TEST(DayChoices, EveryDayOfEveryTournamentWithTheActiveOneMarked) {
    host::HostSnapshot s;
    EXPECT_TRUE(day_choices(s).empty());
    EXPECT_EQ(active_day_text(s), "Tournament: none active");
    s.tournaments.push_back({1, "Tournament 2026-11-22", "2026-11-22T08:00:00Z", {{1, 1, "2026-11-22"}}});
    s.tournaments.push_back({2, "Dublin Open", "2026-11-22T09:00:00Z", {{2, 1, "2026-12-05"}, {3, 2, "2026-12-06"}}});
    s.day = {2, "Dublin Open", 3, 2, "2026-12-06"};
    const auto choices = day_choices(s);
    ASSERT_EQ(choices.size(), 3u);
    EXPECT_EQ(choices[0].label, "Tournament 2026-11-22 · day 1 · 2026-11-22");
    EXPECT_FALSE(choices[0].active);
    EXPECT_EQ(choices[1].tournament_id, 2);
    EXPECT_EQ(choices[2].day_id, 3);
    EXPECT_TRUE(choices[2].active);
    EXPECT_EQ(choices[2].label, "Dublin Open · day 2 · 2026-12-06 (active)");
    EXPECT_EQ(active_day_text(s), "Tournament: Dublin Open · day 2 (2026-12-06)");
}

TEST(WorkflowRows, StateErrorAndWhatCanBeDone) {
    host::HostSnapshot s;
    bindings::PackageStatus running;
    running.name = "ivr";
    running.state = bindings::PackageState::running;
    bindings::PackageStatus broken;
    broken.name = "scenes";
    broken.state = bindings::PackageState::error;
    broken.last_error = bindings::PackageError{"attempt to index a nil value", "main.lua", 12, "", 0};
    bindings::PackageStatus off;
    off.name = "new-match";
    off.state = bindings::PackageState::disabled;
    s.packages = {running, broken, off};
    const auto rows = workflow_rows(s);
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].state, "running");
    EXPECT_EQ(rows[0].tone, Tone::good);
    EXPECT_TRUE(rows[0].can_disable);
    EXPECT_EQ(rows[1].last_error, "main.lua:12: attempt to index a nil value");
    EXPECT_EQ(rows[1].tone, Tone::bad);
    EXPECT_TRUE(rows[2].can_enable);
    EXPECT_FALSE(rows[2].can_disable);
}

TEST(LogRows, LevelFilterKeepsMoreSevere) {
    host::HostSnapshot s;
    const auto now = std::chrono::system_clock::now();
    s.log = {{1, now, "debug", "d"}, {2, now, "info", "i"}, {3, now, "warning", "w"}, {4, now, "error", "e"}};
    EXPECT_EQ(log_rows(s, "trace").size(), 4u);
    const auto warnings = log_rows(s, "warning");
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0].text, "w");
    EXPECT_EQ(warnings[0].tone, Tone::busy);
    EXPECT_EQ(warnings[1].tone, Tone::bad);
}

// Licences evaluated as the host does, on an injected clock: issued on 2026-12-01 for a year, checked online on
// `checked`, read on `today`.
licence::Time day(int year, int month, int d) {
    return std::chrono::sys_days(std::chrono::year(year) / month / d) + std::chrono::hours(9);
}

licence::Licence court_licence(licence::Time checked) {
    licence::Licence l;
    l.licensee = "Court 3";
    l.key_id = "K-0001";
    l.features = {"ivr", "overlays", "multi_obs"};
    l.issued = day(2026, 12, 1);
    l.expires = day(2027, 12, 1);
    l.machine = {"aa", "bb", "cc"};
    l.last_check = checked;
    return l;
}

licence::Evaluation evaluated(const std::optional<Result<licence::Licence>>& file, licence::Time today,
                              licence::Fingerprint machine = {"aa", "bb", "cc"}) {
    return licence::evaluate(file, {today, std::nullopt, std::nullopt, std::move(machine)});
}

host::LicenceView licence_view(licence::Evaluation in_force) {
    host::LicenceView view;
    view.in_force = std::move(in_force);
    return view;
}

std::string detail(const LicenceDialogView& dialog, const std::string& label) {
    for (const auto& d : dialog.details)
        if (d.label == label) return d.value;
    return "(no " + label + ")";
}

TEST(LicenceStatus, ValidNamesTheLicenseeAndExpiry) {
    const auto status = licence_status(licence_view(evaluated(court_licence(day(2026, 12, 5)), day(2026, 12, 6))));
    EXPECT_EQ(status.text, "Licensed to Court 3 until 2027-12-01");
    EXPECT_EQ(status.tone, Tone::good);
    EXPECT_EQ(status.band, "");
}

TEST(LicenceStatus, FromDayFiveAmberWithTheStopDateAndABand) {
    const auto status = licence_status(licence_view(evaluated(court_licence(day(2026, 12, 5)), day(2026, 12, 10))));
    EXPECT_EQ(status.text, "5 days without a licence check: licensed features stop on 2026-12-12");
    EXPECT_EQ(status.tone, Tone::busy);
    EXPECT_EQ(status.band_tone, Tone::busy);
    EXPECT_NE(status.band.find("5 days without a licence check: the licensed features stop on 2026-12-12"),
              std::string::npos)
        << status.band;
    EXPECT_EQ(licence_status(licence_view(evaluated(court_licence(day(2026, 12, 5)), day(2026, 12, 11)))).text,
              "6 days without a licence check: licensed features stop on 2026-12-12");
}

TEST(LicenceStatus, FeaturesOffAreRedWithTheReasonAndEvaluationMode) {
    const licence::Licence l = court_licence(day(2026, 12, 5));
    const std::vector<std::pair<licence::Evaluation, std::string>> cases{
        {evaluated(l, day(2026, 12, 12)), "7 days since the last licence check"},
        {evaluated(l, day(2028, 1, 1)), "the licence expired on 2027-12-01"},
        {evaluated(l, day(2026, 12, 6), {"xx", "yy", "cc"}), "the licence is for another machine"},
        {evaluated(Error(Errc::licence_refused, "the signature does not match"), day(2026, 12, 6)),
         "the licence was refused: the signature does not match"},
    };
    for (const auto& [evaluation, reason] : cases) {
        const auto status = licence_status(licence_view(evaluation));
        EXPECT_EQ(status.tone, Tone::bad) << status.text;
        EXPECT_TRUE(status.text.starts_with("Licence: " + reason)) << status.text;
        EXPECT_TRUE(status.text.ends_with(" · evaluation mode")) << status.text;
        EXPECT_EQ(status.band_tone, Tone::bad);
        EXPECT_NE(status.band.find(reason), std::string::npos) << status.band;
    }
    EXPECT_EQ(evaluated(l, day(2026, 12, 12)).state, licence::State::disabled);
    EXPECT_EQ(evaluated(l, day(2026, 12, 6), {"xx", "yy", "cc"}).state, licence::State::other_machine);
}

TEST(LicenceStatus, WithoutALicenceNeutralEvaluationMode) {
    const auto status = licence_status(licence_view(evaluated(std::nullopt, day(2026, 12, 6))));
    EXPECT_EQ(status.text, "Evaluation mode (no licence)");
    EXPECT_EQ(status.tone, Tone::idle);
    EXPECT_EQ(status.band, "");
}

TEST(LicenceStatus, PendingStopAndFailedCheckAreNoted) {
    const licence::Licence l = court_licence(day(2026, 12, 5));
    auto view = licence_view(evaluated(l, day(2026, 12, 11)));
    view.pending = evaluated(l, day(2026, 12, 12));
    view.last_check_error = "cannot connect to licences.example:3100";
    const auto status = licence_status(view);
    EXPECT_EQ(status.tone, Tone::busy) << "the state in force decides the colour";
    EXPECT_NE(status.text.find(" · 7 days since the last licence check: the licensed features are off until a check "
                               "succeeds (takes effect at the next match load)"),
              std::string::npos)
        << status.text;
    EXPECT_TRUE(status.text.ends_with(" · last licence check failed: cannot connect to licences.example:3100"))
        << status.text;
    EXPECT_TRUE(status.band.starts_with("At the next match load the licensed features stop: 7 days")) << status.band;

    // A pending change back to valid is noted, with no band.
    auto renewed = licence_view(evaluated(l, day(2026, 12, 6)));
    renewed.pending = evaluated(court_licence(day(2026, 12, 6)), day(2026, 12, 6));
    EXPECT_EQ(licence_status(renewed).band, "");
    EXPECT_TRUE(licence_status(renewed).text.ends_with("(takes effect at the next match load)"));
}

TEST(LicenceDialog, DetailsOfALicensedCourt) {
    auto view = licence_view(evaluated(court_licence(day(2026, 12, 5)), day(2026, 12, 10)));
    view.server = "http://licences.example:3100";
    view.last_check_error = "timeout";
    const auto dialog = licence_dialog(view);
    EXPECT_EQ(detail(dialog, "State"), "warning (licensed features on)");
    EXPECT_NE(detail(dialog, "Reason").find("5 days since the last licence check"), std::string::npos);
    EXPECT_EQ(detail(dialog, "Licensee"), "Court 3 (K-0001)");
    EXPECT_EQ(detail(dialog, "Features in force"), "ivr, overlays, multi_obs, courts=1");
    EXPECT_EQ(detail(dialog, "Expires"), "2027-12-01T09:00:00Z");
    EXPECT_EQ(detail(dialog, "Last check"), "2026-12-05T09:00:00Z");
    EXPECT_EQ(detail(dialog, "Days since the last check"), "5");
    EXPECT_EQ(detail(dialog, "Last check error"), "timeout");
    EXPECT_EQ(detail(dialog, "Licence server"), "http://licences.example:3100");
    EXPECT_EQ(dialog.server, "http://licences.example:3100");
    EXPECT_EQ(dialog.activation, "");
    EXPECT_TRUE(dialog.can_activate);
}

TEST(LicenceDialog, EvaluationModeHasNoLicenceDetails) {
    const auto dialog = licence_dialog(licence_view(evaluated(std::nullopt, day(2026, 12, 6))));
    EXPECT_EQ(detail(dialog, "State"), "evaluation (evaluation mode)");
    EXPECT_EQ(detail(dialog, "Licensee"), "none");
    EXPECT_EQ(detail(dialog, "Expires"), "none");
    EXPECT_EQ(detail(dialog, "Last check"), "none");
    EXPECT_EQ(detail(dialog, "Licence server"), "none");
    EXPECT_EQ(detail(dialog, "At the next match load"), "(no At the next match load)");
}

TEST(LicenceDialog, ActivatingThenTheOutcome) {
    auto view = licence_view(evaluated(std::nullopt, day(2026, 12, 6)));
    view.activating = true;
    view.activation = "activating with http://127.0.0.1:3100";
    auto dialog = licence_dialog(view);
    EXPECT_EQ(dialog.activation, "activating…");
    EXPECT_EQ(dialog.activation_tone, Tone::busy);
    EXPECT_FALSE(dialog.can_activate);

    view.activating = false;
    view.activation = "activated: licensed to Court 3 (K-0001)";
    dialog = licence_dialog(view);
    EXPECT_EQ(dialog.activation, "activated: licensed to Court 3 (K-0001)");
    EXPECT_EQ(dialog.activation_tone, Tone::good);
    EXPECT_TRUE(dialog.can_activate);

    view.activation = "activation failed: no seat left for this key";
    EXPECT_EQ(licence_dialog(view).activation_tone, Tone::bad);
}

TEST(Shortcuts, ParseAndMatch) {
    const auto f5 = parse_shortcut("F5");
    ASSERT_TRUE(f5);
    EXPECT_TRUE(matches(*f5, FL_F + 5, 0));
    EXPECT_FALSE(matches(*f5, FL_F + 5, FL_CTRL));
    const auto ctrl_r = parse_shortcut("Ctrl+Shift+R");
    ASSERT_TRUE(ctrl_r);
    EXPECT_TRUE(matches(*ctrl_r, 'r', FL_CTRL | FL_SHIFT));
    EXPECT_FALSE(parse_shortcut("Hyper+R"));
    EXPECT_FALSE(parse_shortcut("F13"));
    EXPECT_FALSE(parse_shortcut("r"));
}

}  // namespace
}  // namespace vta::ui
