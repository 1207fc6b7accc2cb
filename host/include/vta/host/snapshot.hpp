// What the control panel shows of a running host: an immutable copy taken on the host's io thread,
// so another thread can read it without locks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/bindings/runtime.hpp"
#include "vta/host/control_room.hpp"
#include "vta/host/health.hpp"
#include "vta/host/licence_keeper.hpp"
#include "vta/host/log_ring.hpp"
#include "vta/obs/client.hpp"
#include "vta/pss/match_state.hpp"
#include "vta/store/database.hpp"

namespace vta::host {

// What the host last polled from one connected OBS (GetStats, GetStreamStatus, GetRecordStatus, GetSceneList,
// the main audio input's mute and, where it records, GetRecordDirectory), every `health.obs_poll_ms`.
struct ObsLiveSnapshot {
    obs::Stats stats;
    obs::StreamStatus stream;
    obs::RecordStatus record;
    double stream_kbps = 0;  // from the stream's bytes between the last two polls
    std::vector<std::string> scenes;
    std::optional<bool> main_audio_muted;  // nothing when OBS has no such input (panel.main_audio_input)
    std::string record_directory;          // where it records; "" for a streaming-only connection
    std::chrono::system_clock::time_point polled_at;
};

struct ObsConnectionSnapshot {
    std::string name;
    std::string role;  // "rec", "str" or "both"
    obs::ConnectionState state;
    bool recording = false;
    bool streaming = false;
    std::string program_scene;
    std::optional<ObsLiveSnapshot> live;  // nothing until the first poll answered, or while disconnected
};

struct UdpSnapshot {
    std::string listening;            // "0.0.0.0:6000"
    std::string last_sender;          // "192.168.1.20:50123", "manual", "" before the first datagram
    double datagrams_per_second = 0;  // over the last second
    std::optional<std::int64_t> last_datagram_age_ms;
    std::uint64_t datagrams = 0;
    std::uint64_t refused = 0;
};

// One recognised group, as the event table lists it.
struct EventSnapshot {
    std::int64_t id = 0;     // store id
    std::int64_t at_us = 0;  // arrival, microseconds since the Unix epoch
    std::string code;        // "pt1", "clk"...
    std::string raw;         // the group's text
    int round = 0;
    std::optional<int> clock_seconds;
    bool manual = false;  // entered by the operator in manual mode
    std::optional<std::string> clip_path;
    std::optional<std::int64_t> rec_offset_ms;
    std::optional<std::int64_t> str_offset_ms;
    std::optional<std::int64_t> clip_offset_ms;  // where the event lies in its clip
};

struct HostSnapshot {
    std::uint64_t sequence = 0;  // increases with every snapshot built
    std::chrono::system_clock::time_point taken_at;
    UdpSnapshot udp;
    std::vector<ObsConnectionSnapshot> obs;
    bool has_match = false;
    pss::MatchState match;  // the tracker's state; meaningful when has_match
    std::optional<std::int64_t> match_id;
    std::vector<EventSnapshot> events;              // oldest first, the last PanelFeed::recent_events_kept
    std::vector<bindings::PackageStatus> packages;  // loaded packages, then those the operator disabled
    std::vector<LogLine> log;                       // oldest first
    std::vector<store::AuditEntry> audit;           // the newest rows of the audit trail, oldest first
    std::optional<ControlRoomResult> control_room;  // the last control-room action, as far as it got
    store::ActiveDay day;
    std::vector<store::TournamentInfo> tournaments;  // each with its days, in id order
    std::string day_change_error;  // why the operator's last tournament/day change was refused, "" after a success
    LicenceView licence;
    std::shared_ptr<const HealthSnapshot> health;  // health at a glance; null before the first sample
};

}  // namespace vta::host
