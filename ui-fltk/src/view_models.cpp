#include "vta/ui/view_models.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

namespace vta::ui {

namespace {

std::string seconds_text(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", seconds);
    return text;
}

std::string clock_text(int seconds) {
    char text[16];
    std::snprintf(text, sizeof text, "%d:%02d", seconds / 60, seconds % 60);
    return text;
}

ConnectionRow udp_row(const host::UdpSnapshot& udp) {
    ConnectionRow row{"UDP", "", Tone::idle, ""};
    if (!udp.last_datagram_age_ms) {
        row.state = "waiting";
        row.detail = "listening on " + udp.listening + ", nothing received yet";
        return row;
    }
    const bool fresh = *udp.last_datagram_age_ms < 5000;
    row.state = fresh ? "receiving" : "silent";
    row.tone = fresh ? Tone::good : Tone::busy;
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.0f/s", udp.datagrams_per_second);
    row.detail = "from " + udp.last_sender + " · " + rate + " · last " +
                 seconds_text(double(*udp.last_datagram_age_ms) / 1000) + " ago";
    if (udp.refused) row.detail += " · " + std::to_string(udp.refused) + " refused";
    return row;
}

ConnectionRow obs_row(const host::ObsConnectionSnapshot& c, std::chrono::system_clock::time_point now) {
    ConnectionRow row{c.name, std::string(obs::to_string(c.state.state)), Tone::idle, ""};
    switch (c.state.state) {
        case obs::State::connected:
            row.tone = Tone::good;
            row.detail = c.role + (c.recording ? " · recording" : "") + (c.streaming ? " · streaming" : "");
            return row;
        case obs::State::connecting:
        case obs::State::identifying:
            row.tone = Tone::busy;
            break;
        case obs::State::reconnecting:
            row.tone = Tone::busy;
            break;
        case obs::State::failed:
            row.tone = Tone::bad;
            break;
        case obs::State::disconnected:
            row.tone = Tone::bad;
            break;
    }
    row.detail = c.state.reason.empty() ? "no reason given" : c.state.reason;
    if (c.state.state == obs::State::reconnecting && c.state.next_attempt > now) {
        const double wait = std::chrono::duration<double>(c.state.next_attempt - now).count();
        row.detail += " · next try in " + seconds_text(wait) + " (attempt " + std::to_string(c.state.attempt + 1) + ")";
    }
    return row;
}

Tone log_tone(const std::string& level) {
    if (level == "error" || level == "critical") return Tone::bad;
    if (level == "warning") return Tone::busy;
    return Tone::idle;
}

int level_rank(const std::string& level) {
    const auto& levels = log_levels();
    const auto found = std::find(levels.begin(), levels.end(), level);
    return found == levels.end() ? int(levels.size()) : int(found - levels.begin());
}

// The day of a licence time, UTC as every licence time ("2027-01-04").
std::string licence_date(licence::Time time) { return licence::format_time(time).substr(0, 10); }

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

// When the licensed features stop without a successful check: the day the warning counts down to.
std::string stop_date(const licence::Evaluation& evaluation) {
    if (!evaluation.last_check) return "";
    return licence_date(*evaluation.last_check + std::chrono::days(licence::disabled_after_days));
}

std::string offline_days_text(const licence::Evaluation& evaluation) {
    return std::to_string(evaluation.days_since_check) + (evaluation.days_since_check == 1 ? " day" : " days") +
           " without a licence check";
}

}  // namespace

std::string format_local_time(std::chrono::system_clock::time_point at) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(at);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count() % 1000;
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[32];
    std::snprintf(text, sizeof text, "%02d:%02d:%02d.%03d", local.tm_hour, local.tm_min, local.tm_sec, int(millis));
    return text;
}

std::vector<ConnectionRow> connection_rows(const host::HostSnapshot& snapshot) {
    std::vector<ConnectionRow> rows{udp_row(snapshot.udp)};
    for (const auto& c : snapshot.obs) rows.push_back(obs_row(c, snapshot.taken_at));
    return rows;
}

LiveMatchView live_match(const host::HostSnapshot& snapshot, const std::filesystem::path& flags_folder,
                         const flags::NocTable* nocs) {
    LiveMatchView view;
    const pss::MatchState& m = snapshot.match;
    view.present = snapshot.has_match;
    if (!view.present) return view;
    std::string title = "Match " + m.number;
    for (const std::string* part : {&m.category, &m.weight, &m.division})
        if (!part->empty()) title += " · " + *part;
    view.title = title;

    view.round = m.round <= 0 ? "" : m.round > m.rounds ? "Golden round" : "Round " + std::to_string(m.round);
    view.clock = clock_text(m.clock_seconds);
    view.clock_running = m.clock_running;

    for (std::size_t side = 0; side < 2; ++side) {
        AthleteView& a = view.athletes[side];
        const pss::Athlete& athlete = m.athletes[side];
        a.name = athlete.long_name.empty() ? athlete.short_name : athlete.long_name;
        a.noc = athlete.noc;
        if (a.name.empty()) a.name = side == 0 ? "Blue" : "Red";
        if (!a.noc.empty() && !flags_folder.empty()) {
            const auto flag = flags_folder / (a.noc + ".png");
            std::error_code ec;
            if (std::filesystem::is_regular_file(flag, ec)) a.flag = flag;
        }
        if (!a.flag && !a.noc.empty() && nocs) a.flag = nocs->flag_file(a.noc);
        a.score = m.scores[side];
        for (int r = 0; r < std::min<int>(m.round, int(m.round_scores.size())); ++r)
            a.round_scores.push_back(m.round_scores[r][side]);
        a.warnings = m.warnings[side];
        if (const pss::InjuryTime& injury = m.injury[side + 1]; injury.active)
            a.injury = "injury " + clock_text(injury.seconds);
        if (const pss::ChallengeStage stage = m.challenge[side + 1]; stage != pss::ChallengeStage::none)
            a.challenge = "challenge " + std::string(pss::challenge_stage_name(stage));
    }

    std::vector<std::string> status;
    if (!m.winner.empty()) {
        std::string line = "Winner " + m.winner;
        if (!m.winner_name.empty()) line += " " + m.winner_name;
        if (!m.decision.empty()) line += " (" + m.decision + ")";
        status.push_back(line);
    }
    if (m.break_active) status.push_back("Break " + clock_text(m.break_seconds));
    if (m.challenge[0] != pss::ChallengeStage::none)
        status.push_back("Referee challenge " + std::string(pss::challenge_stage_name(m.challenge[0])));
    if (m.injury[0].active) status.push_back("Injury " + clock_text(m.injury[0].seconds));
    if (status.empty() && m.ready && m.round == 0) status.push_back("Ready");
    for (const auto& s : status) view.status += (view.status.empty() ? "" : " · ") + s;
    return view;
}

bool match_is_live(const host::HostSnapshot& snapshot) {
    return snapshot.has_match && snapshot.match.round >= 1 && !snapshot.match.decided;
}

std::vector<EventRow> event_rows(const host::HostSnapshot& snapshot, const std::string& kind) {
    const bool all = kind.empty() || kind == "all";
    std::vector<EventRow> rows;
    for (auto e = snapshot.events.rbegin(); e != snapshot.events.rend(); ++e) {
        if (!all && e->code != kind) continue;
        EventRow row;
        row.id = e->id;
        row.time = format_local_time(std::chrono::system_clock::time_point(std::chrono::microseconds(e->at_us)));
        row.code = e->code;
        row.text = e->raw;
        if (e->round > 0) row.round_clock = "R" + std::to_string(e->round);
        if (e->clock_seconds) row.round_clock += (row.round_clock.empty() ? "" : " ") + clock_text(*e->clock_seconds);
        row.source = e->manual ? "manual" : "";
        if (e->clip_path) {
            row.clip_path = e->clip_path;
            row.clip = std::filesystem::path(*e->clip_path).filename().string();
        }
        const auto add_offset = [&row](const char* label, const std::optional<std::int64_t>& ms) {
            if (ms)
                row.offsets +=
                    (row.offsets.empty() ? "" : " · ") + std::string(label) + seconds_text(double(*ms) / 1000);
        };
        add_offset("clip ", e->clip_offset_ms);
        add_offset("rec ", e->rec_offset_ms);
        add_offset("str ", e->str_offset_ms);
        // The recording offset means nothing inside a replay clip: without a clip offset, play from its start.
        row.clip_offset_ms = std::max<std::int64_t>(0, e->clip_offset_ms.value_or(0));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<std::string> event_kinds(const host::HostSnapshot& snapshot) {
    std::set<std::string> codes;
    for (const auto& e : snapshot.events) codes.insert(e.code);
    return {codes.begin(), codes.end()};
}

std::vector<WorkflowRow> workflow_rows(const host::HostSnapshot& snapshot) {
    std::vector<WorkflowRow> rows;
    for (const auto& p : snapshot.packages) {
        WorkflowRow row;
        row.name = p.name;
        row.version = p.version;
        row.state = std::string(bindings::to_string(p.state));
        row.folder = p.folder;
        switch (p.state) {
            case bindings::PackageState::running:
                row.tone = Tone::good;
                break;
            case bindings::PackageState::loaded:
                row.tone = Tone::busy;
                break;
            case bindings::PackageState::error:
                row.tone = Tone::bad;
                break;
            case bindings::PackageState::disabled:
                row.tone = Tone::idle;
                break;
        }
        if (p.last_error)
            row.last_error =
                p.last_error->file + ":" + std::to_string(p.last_error->line) + ": " + p.last_error->message;
        row.can_enable = p.state == bindings::PackageState::disabled;
        row.can_disable = !row.can_enable;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<DayChoice> day_choices(const host::HostSnapshot& snapshot) {
    std::vector<DayChoice> choices;
    for (const auto& t : snapshot.tournaments)
        for (const auto& d : t.days) {
            DayChoice choice;
            choice.day_id = d.id;
            choice.tournament_id = t.id;
            choice.active = d.id == snapshot.day.day_id;
            choice.label = t.name + " · day " + std::to_string(d.day_number) + " · " + d.date_iso +
                           (choice.active ? " (active)" : "");
            choices.push_back(std::move(choice));
        }
    return choices;
}

std::string active_day_text(const host::HostSnapshot& snapshot) {
    if (snapshot.day.day_id == 0) return "Tournament: none active";
    return "Tournament: " + snapshot.day.tournament_name + " · day " + std::to_string(snapshot.day.day_number) + " (" +
           snapshot.day.date_iso + ")";
}

LicenceStatus licence_status(const host::LicenceView& licence) {
    using licence::State;
    const licence::Evaluation& in_force = licence.in_force;
    LicenceStatus status;
    switch (in_force.state) {
        case State::valid:
            status.tone = Tone::good;
            status.text = in_force.licence ? "Licensed to " + in_force.licence->licensee + " until " +
                                                 licence_date(in_force.licence->expires)
                                           : "Licensed";
            break;
        case State::warning:
            status.tone = Tone::busy;
            status.text = offline_days_text(in_force) + ": licensed features stop on " + stop_date(in_force);
            status.band = offline_days_text(in_force) + ": the licensed features stop on " + stop_date(in_force) +
                          " unless a check succeeds. Connect the host to the licence server, or activate again "
                          "(Licence…).";
            status.band_tone = Tone::busy;
            break;
        case State::evaluation:
            status.text = "Evaluation mode (no licence)";
            break;
        case State::disabled:
        case State::expired:
        case State::other_machine:
        case State::invalid:
            status.tone = Tone::bad;
            status.text = "Licence: " + in_force.reason + " · evaluation mode";
            status.band = "Licensed features off, evaluation mode: " + in_force.reason + " (Licence… to activate)";
            status.band_tone = Tone::bad;
            break;
    }
    if (licence.pending) {
        status.text += " · " + licence.pending->reason + " (takes effect at the next match load)";
        // Features that stop at the next match load are worth the band, even while they are still on.
        if (licence::features_on(in_force.state) && !licence::features_on(licence.pending->state)) {
            status.band = "At the next match load the licensed features stop: " + licence.pending->reason +
                          " (the match under way keeps them)";
            status.band_tone = Tone::busy;
        }
    }
    if (!licence.last_check_error.empty()) status.text += " · last licence check failed: " + licence.last_check_error;
    return status;
}

LicenceDialogView licence_dialog(const host::LicenceView& licence) {
    const licence::Evaluation& e = licence.in_force;
    const nlohmann::json shown = licence::to_json(e);
    std::vector<std::string> features;
    for (const auto& feature : shown["features"]) features.push_back(feature.get<std::string>());

    LicenceDialogView view;
    auto add = [&view](std::string label, std::string value) {
        view.details.push_back({std::move(label), value.empty() ? "none" : std::move(value)});
    };
    add("State", std::string(licence::to_string(e.state)) +
                     (licence::features_on(e.state) ? " (licensed features on)" : " (evaluation mode)"));
    add("Reason", e.reason);
    add("Licensee", e.licence ? e.licence->licensee + " (" + e.licence->key_id + ")" : "");
    add("Features in force", joined(features));
    add("Expires", e.licence ? licence::format_time(e.licence->expires) : "");
    add("Last check", e.last_check ? licence::format_time(*e.last_check) : "");
    add("Days since the last check", e.licence ? std::to_string(e.days_since_check) : "");
    add("Last check error", licence.last_check_error);
    if (licence.pending)
        add("At the next match load",
            std::string(licence::to_string(licence.pending->state)) + ": " + licence.pending->reason);
    if (e.clock_behind) add("Clock", e.clock_warning);
    add("Licence server", licence.server);

    view.server = licence.server;
    view.can_activate = !licence.activating;
    if (licence.activating) {
        view.activation = "activating…";
        view.activation_tone = Tone::busy;
    } else {
        view.activation = licence.activation;
        // The keeper's outcome begins "activated:" only when the licence was installed.
        view.activation_tone = licence.activation.empty()                    ? Tone::idle
                               : licence.activation.starts_with("activated") ? Tone::good
                                                                             : Tone::bad;
    }
    return view;
}

const std::vector<std::string>& log_levels() {
    static const std::vector<std::string> levels{"trace", "debug", "info", "warning", "error", "critical"};
    return levels;
}

std::vector<LogRow> log_rows(const host::HostSnapshot& snapshot, const std::string& min_level) {
    const int minimum = level_rank(min_level);
    std::vector<LogRow> rows;
    for (const auto& line : snapshot.log) {
        if (level_rank(line.level) < minimum) continue;
        rows.push_back({format_local_time(line.at), line.level, line.text, log_tone(line.level)});
    }
    return rows;
}

}  // namespace vta::ui
