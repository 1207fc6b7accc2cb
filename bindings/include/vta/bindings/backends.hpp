#pragma once
// What Lua modules act on. The runtime never talks to OBS, mpv or SQLite directly: it goes through
// these interfaces, so a recorder can stand in for all of them (`vta run --dry-run`, tests).
// A completion handler may be called from any thread, even inside the call that started the
// operation: the runtime posts every completion to its io_context before resuming the coroutine.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::bindings {

struct ObsOperation;

// Outcome of an action: a JSON value (null when there is nothing to return) or the host's Error. The Lua edge
// turns a value into the call's result and an Error into `nil, message, code`.
using JsonResult = vta::Result<nlohmann::json>;

using ActionDone = std::function<void(JsonResult)>;

// Host events reported by a backend: kind is e.g. "obs.replay_saved", "playback.closed".
using HostEventSink = std::function<void(const std::string& kind, const nlohmann::json& data)>;

class ObsBackend {
public:
    virtual ~ObsBackend() = default;
    // `target` is a connection name ("OBS_REC") or a role ("rec", "str"); `op` an entry of the obs module's
    // operations (obs_operations.hpp), `args` its arguments as an object keyed by the entry's argument names.
    virtual void call(const std::string& package, const std::string& target, const ObsOperation& op,
                      const nlohmann::json& args, ActionDone done) = 0;
    // The names of the connections serving `role` ("rec", "str" (which include "both" connections), "both",
    // or "all" for every one), in config order: the targets of a group call (obs.all). None by default.
    virtual std::vector<std::string> members(const std::string& role) const {
        (void)role;
        return {};
    }
    // Connection events, as kinds "obs.connected", "obs.disconnected", "obs.record_state",
    // "obs.stream_state", "obs.replay_state", "obs.replay_saved", "obs.scene_changed"; data has "connection"
    // (name) and "role".
    virtual void set_event_sink(HostEventSink sink) = 0;
};

class PlaybackBackend {
public:
    virtual ~PlaybackBackend() = default;
    // Opens `path` at `start_seconds`; done once the player answers on its IPC socket.
    virtual void open(const std::string& package, const std::string& path, double start_seconds, ActionDone done) = 0;
    virtual void close(const std::string& package, ActionDone done) = 0;
    // Reports "playback.closed" {"path", "by": "viewer"|"host"} when the player goes away.
    virtual void set_event_sink(HostEventSink sink) = 0;
};

// The overlay pages' shared state (scripts/overlays): which page is shown with what data, and custom fields.
// Called on the runtime's thread; nothing waits: the pages follow the change over their feed.
class OverlayBackend {
public:
    virtual ~OverlayBackend() = default;
    virtual JsonResult show(const std::string& package, const std::string& page, const nlohmann::json& data) = 0;
    virtual JsonResult hide(const std::string& package, const std::string& page) = 0;
    virtual JsonResult set(const std::string& package, const std::string& key, const nlohmann::json& value) = 0;
};

// The courts' bus (docs/courts-bus.md): messages between the courts' packages on vta/<tournament>/lua/<suffix>.
// Called on the runtime's thread; nothing waits: a message is queued in the court's outbox.
class CourtsBackend {
public:
    virtual ~CourtsBackend() = default;
    // Queues {"court", "package", "data"} for vta/<t>/lua/<suffix>.
    virtual JsonResult publish(const std::string& package, const std::string& suffix, const nlohmann::json& data) = 0;
    // From now on every message on vta/<t>/lua/<suffix> is reported as the host event "courts:<suffix>" with
    // data {"data", "court"} (any court's, this one's included).
    virtual void subscribe(const std::string& suffix) = 0;
    virtual void set_event_sink(HostEventSink sink) = 0;
};

// The licence in force on this host (host/licence): what the Lua `license` module reads. Called on the
// runtime's thread; answers at once from the host's last evaluation.
class LicenceBackend {
public:
    virtual ~LicenceBackend() = default;
    // licence::to_json(Evaluation): {"state", "reason", "features", "licensee"...}, and "pending".
    virtual nlohmann::json status() = 0;
    // True when `feature` ("ivr", "overlays", "multi_obs", "courts") is in force, by licence or evaluation mode.
    virtual bool has(const std::string& feature) = 0;
};

// The host's audit trail: what a script changes on air across the control room (an obs.all group call that
// changes OBS: a scene switch, stream/record start or stop, a mute...) is recorded with the package's name.
// Called from any thread; never waits (the host's writer stores the row).
class AuditBackend {
public:
    virtual ~AuditBackend() = default;
    // `operation` the group method ("set_scene"); `request` {"connections": [...], "arguments": {...}};
    // `results` the call's result, one entry per connection.
    virtual void control_room(const std::string& package, const std::string& operation, const nlohmann::json& request,
                              const nlohmann::json& results) = 0;
};

// The match database. Reads run off the runtime's thread and complete through `done` (JSON null:
// nothing found); writes queue rows for the host's Writer and return at once. Called on the runtime's
// thread. Events are JSON objects: {id, code, at_us, fields, match_id, round, clip_path,
// rec_offset_ms, str_offset_ms, clip_offset_ms}.
class StoreBackend {
public:
    virtual ~StoreBackend() = default;
    virtual void events_of_match(std::int64_t match_id, ActionDone done) = 0;
    virtual void events_between(std::int64_t since_us, std::int64_t until_us, ActionDone done) = 0;
    virtual void match_info(std::optional<std::int64_t> match_id, ActionDone done) = 0;  // null id: the newest
    virtual void active_day(ActionDone done) = 0;
    // Per-package key/value data; values are JSON. kv_get sees what kv_set stored before it, committed or not.
    virtual void kv_get(const std::string& package, const std::string& key, ActionDone done) = 0;
    virtual JsonResult kv_set(const std::string& package, const std::string& key, const nlohmann::json& value) = 0;
    // tag: {since_us, until_us, clip_path?, clip_started_us?, recording_started_us?, stream_started_us?,
    // stream_timeline_start_ms?}
    virtual JsonResult tag_events(const std::string& package, const nlohmann::json& tag) = 0;
    // Rows of the recording, clip and stream_session tables; times in microseconds since the epoch.
    // recording: {match_id?, connection, path?, folder, file, started_us} -> id
    virtual JsonResult recording_started(const std::string& package, const nlohmann::json& recording) = 0;
    // end: {ended_us, path?, stopped_by} -> true
    virtual JsonResult recording_stopped(const std::string& package, std::int64_t id, const nlohmann::json& end) = 0;
    // clip: {match_id?, path?, since_us, until_us, requested_us, reason, side?, error?} -> id
    virtual JsonResult add_clip(const std::string& package, const nlohmann::json& clip) = 0;
    // session: {day_id? (default: the active day, read like the queries above), connection, started_us}
    // -> {id, timeline_start_ms}
    virtual void stream_session_opened(const std::string& package, const nlohmann::json& session, ActionDone done) = 0;
    // end: {ended_us, reason} -> true
    virtual JsonResult stream_session_closed(const std::string& package, std::int64_t id,
                                             const nlohmann::json& end) = 0;
};

}  // namespace vta::bindings
