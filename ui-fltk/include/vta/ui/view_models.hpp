// View models of the control panel: plain C++ built from a host snapshot, no FLTK. The widgets only
// render these and turn clicks into host actions, so everything the operator reads is tested here.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vta/flags/noc_table.hpp"
#include "vta/host/snapshot.hpp"

namespace vta::ui {

// How a state is coloured: good (green), busy (amber: connecting, retrying), bad (red), idle (grey).
enum class Tone { good, busy, bad, idle };

struct ConnectionRow {
    std::string name;   // "UDP", "OBS_REC"...
    std::string state;  // "receiving", "connected", "reconnecting"...
    Tone tone = Tone::idle;
    std::string detail;  // sender and rate, or why not connected and when the next try is
};

// The UDP source first, then each OBS connection in config order.
std::vector<ConnectionRow> connection_rows(const host::HostSnapshot& snapshot);

struct AthleteView {
    std::string name;  // long name, or the short one
    std::string noc;
    std::optional<std::filesystem::path> flag;  // <flags folder>/<NOC>.png when it exists, else the overlays' SVG
    int score = 0;
    std::vector<int> round_scores;  // one per round begun
    int warnings = 0;
    std::string injury;     // "injury 0:45" while active, else ""
    std::string challenge;  // "challenge requested", "challenge won"... or ""
};

struct LiveMatchView {
    bool present = false;                 // false before the first match is loaded
    std::string title;                    // "Match 101 · M-58kg · Seniors"
    std::array<AthleteView, 2> athletes;  // blue, red
    std::string round;                    // "Round 2", "Golden round", "" before the first
    std::string clock;                    // "1:23"
    bool clock_running = false;
    std::string status;  // winner and decision, break, referee's challenge, "ready"
};

// Flags: <flags_folder>/<NOC>.png when the operator set a folder and it has one; otherwise the SVG the overlays
// show (`nocs`, null: none).
LiveMatchView live_match(const host::HostSnapshot& snapshot, const std::filesystem::path& flags_folder,
                         const flags::NocTable* nocs);

// A match has begun (round 1 or later) and is not decided: closing the panel now would lose its end.
bool match_is_live(const host::HostSnapshot& snapshot);

struct EventRow {
    std::int64_t id = 0;
    std::string time;  // local "HH:MM:SS.mmm"
    std::string code;
    std::string text;         // the raw group
    std::string round_clock;  // "R2 1:23"
    std::string source;       // "manual" or ""
    std::string clip;         // file name of the clip, or ""
    std::string offsets;      // "clip 3.2 s · rec 12.3 s · str 45.6 s" (those known), or ""
    std::optional<std::string> clip_path;
    std::int64_t clip_offset_ms = 0;  // where playing the clip starts: the event's offset in it, else 0
};

// Newest first; `kind` filters on the code ("" or "all": every event).
std::vector<EventRow> event_rows(const host::HostSnapshot& snapshot, const std::string& kind);
// The codes present, sorted, for the filter choice.
std::vector<std::string> event_kinds(const host::HostSnapshot& snapshot);

struct WorkflowRow {
    std::string name;
    std::string version;
    std::string state;  // "running", "error", "disabled", "loaded"
    Tone tone = Tone::idle;
    std::string last_error;  // "main.lua:12: attempt to index nil", or ""
    std::filesystem::path folder;
    bool can_enable = false;
    bool can_disable = false;
};

std::vector<WorkflowRow> workflow_rows(const host::HostSnapshot& snapshot);

// The tournament/day selector: every day of every tournament, in tournament then day order.
struct DayChoice {
    std::int64_t day_id = 0;
    std::int64_t tournament_id = 0;
    std::string label;  // "Dublin Open · day 2 · 2026-12-06", with " (active)" on the active one
    bool active = false;
};
std::vector<DayChoice> day_choices(const host::HostSnapshot& snapshot);
// "Tournament: Dublin Open · day 2 (2026-12-06)"
std::string active_day_text(const host::HostSnapshot& snapshot);

// Log levels from the least to the most severe, as the filter offers them.
const std::vector<std::string>& log_levels();  // "trace", "debug", "info", "warning", "error", "critical"
struct LogRow {
    std::string time;
    std::string level;
    std::string text;
    Tone tone = Tone::idle;
};
// Lines at `min_level` or more severe, oldest first.
std::vector<LogRow> log_rows(const host::HostSnapshot& snapshot, const std::string& min_level);

// The licence in the status bar: always shown, coloured like the connections (valid good, day 5 without a
// check busy, licensed features off bad, evaluation mode without a licence idle). The band is the warning the
// operator cannot miss, from day 5 without a check or when the licensed features are off or about to stop; it
// never blocks anything.
struct LicenceStatus {
    std::string text;  // "Licensed to Court 3 until 2027-01-04", with the pending change and a failed check
    Tone tone = Tone::idle;
    std::string band;  // "" when there is nothing to warn about
    Tone band_tone = Tone::idle;
};
LicenceStatus licence_status(const host::LicenceView& licence);

// The licence dialog: what the licence in force says, and the activation (key -> server).
struct LicenceDetail {
    std::string label;  // "Licensee"
    std::string value;  // "Court 3 (K-0001)"
};
struct LicenceDialogView {
    std::vector<LicenceDetail> details;  // state, reason, licensee, features in force, expiry, checks...
    std::string server;                  // the configured licence server, to prefill the server field
    std::string activation;              // "activating…" while one is under way, else the last one's outcome or ""
    Tone activation_tone = Tone::idle;
    bool can_activate = true;  // false while an activation is under way
};
LicenceDialogView licence_dialog(const host::LicenceView& licence);

std::string format_local_time(std::chrono::system_clock::time_point at);

}  // namespace vta::ui
