//! @module obs

#include "vta/bindings/obs_operations.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>

#include <boost/asio/post.hpp>

#include "clip_cutter.hpp"
#include "recorder.hpp"
#include "vta/obs/client.hpp"
#include "vta/obs/replay_keeper.hpp"

namespace vta::bindings {

namespace {

using Json = nlohmann::json;

vta::Error failure_of(const vta::Error& e) {
    if (e.comment.empty()) return e;
    return vta::Error(e.code, e.message + " (" + e.comment + ")", e.status_code, e.comment);
}

template <class T, class Convert>
std::function<void(vta::Result<T>)> reply(ActionDone done, Convert convert) {
    return [done = std::move(done), convert = std::move(convert)](vta::Result<T> r) {
        if (!r) return done(failure_of(r.error()));
        done(JsonResult(convert(r.value())));
    };
}

std::function<void(vta::VoidResult)> reply_void(ActionDone done) {
    return [done = std::move(done)](vta::VoidResult r) {
        if (!r) return done(failure_of(r.error()));
        done(JsonResult(nullptr));
    };
}

// Arguments reach here checked against the entry's types (by the Lua module); C++ callers get the same check.
std::string text(const Json& args, const char* key) {
    if (!args.contains(key) || !args[key].is_string())
        throw std::invalid_argument(std::string("a string argument '") + key + "' is required");
    return args[key].get<std::string>();
}

Json object_or_empty(const Json& args, const char* key) {
    return args.contains(key) && args[key].is_object() ? args[key] : Json::object();
}

Json answer_nothing(Recorder&, const std::string&, const Json&) { return nullptr; }

std::string check_replay_options(const Json& args) {
    const Json options = args.value("options", Json::object());
    if (!options.is_object()) return "the options must be a table {seconds?, suffix?}";
    if (options.contains("seconds") && (!options["seconds"].is_number() || options["seconds"].get<double>() < 0))
        return "options.seconds must be a number of seconds, 0 or more";
    if (options.contains("suffix") && !options["suffix"].is_string()) return "options.suffix must be a string";
    return {};
}

std::string check_clip_seconds(const Json& args) {
    if (!args.contains("seconds") || !args["seconds"].is_number() || args["seconds"].get<double>() <= 0)
        return "a number of seconds (more than 0) is required";
    return {};
}

Json record_status_json(const obs::RecordStatus& s) {
    return {{"active", s.active},
            {"paused", s.paused},
            {"timecode", s.timecode},
            {"duration_ms", s.duration_ms},
            {"bytes", s.bytes}};
}

Json stream_status_json(const obs::StreamStatus& s) {
    return {{"active", s.active},           {"reconnecting", s.reconnecting}, {"timecode", s.timecode},
            {"duration_ms", s.duration_ms}, {"congestion", s.congestion},     {"bytes", s.bytes}};
}

// The last `seconds` of the running recording, up to `to` (epoch seconds; default now), cut beside it.
void cut_recording(LiveObs& obs, const Json& args, ActionDone done) {
    const double seconds = args["seconds"].get<double>();
    const auto now = std::chrono::system_clock::now();
    const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
    const double to = args.contains("to") && args["to"].is_number() ? args["to"].get<double>() : now_s;
    const std::string source = obs.client->status().last_record_path;
    auto& io = obs.io;
    obs.client->get_record_status([&io, done = std::move(done), source, seconds, behind = std::max(0.0, now_s - to),
                                   to](vta::Result<obs::RecordStatus> r) {
        if (!r) return done(failure_of(r.error()));
        if (!r.value().active)
            return done(vta::Error(vta::Errc::invalid_state, "OBS is not recording: no clip to cut"));
        if (source.empty()) return done(vta::Error(vta::Errc::unavailable, "OBS did not say which file it records to"));
        const double end = std::max(0.0, static_cast<double>(r.value().duration_ms) / 1000.0 - behind);
        const std::filesystem::path path(source);
        const std::time_t at = static_cast<std::time_t>(to);
        std::tm local{};
        localtime_r(&at, &local);
        char stamp[16];
        std::strftime(stamp, sizeof stamp, "%H-%M-%S", &local);
        ClipCut cut;
        cut.source = source;
        cut.target = (path.parent_path() / ("Review " + path.stem().string() + " " + stamp + path.extension().string()))
                         .string();
        cut.from_seconds = std::max(0.0, end - seconds);
        cut.seconds = end - cut.from_seconds;
        cut_clip(io, std::move(cut), done);
    });
}

void arm(LiveObs& obs, const Json& args, ActionDone done) {
    const Json options = args.value("options", Json::object());
    obs::ReplaySettings settings;
    if (options.contains("seconds")) settings.seconds = static_cast<int>(options["seconds"].get<double>());
    if (options.contains("suffix")) settings.suffix = options["suffix"].get<std::string>();
    obs.keeper().arm(std::move(settings), reply_void(std::move(done)));
}

}  // namespace

namespace obs_op {

//! @lua conn:set_scene(scene) -> true
//! Switches the program scene.
const ObsOperation set_scene{
    "set_scene",
    {{"scene", ArgType::string}},
    nullptr,
    [](LiveObs& o, const Json& a, ActionDone done) {
        o.client->set_current_program_scene(text(a, "scene"), reply_void(std::move(done)));
    },
    [](Recorder& r, const std::string& target, const Json& a) -> Json {
        // As OBS does: the switch is answered first, then reported once it is on air.
        if (r.obs_sink) {
            Json changed = {{"connection", target}, {"scene", a.value("scene", "")}};
            if (target == "rec" || target == "str") changed["role"] = target;
            boost::asio::post(r.io(), [&io = r.io(), sink = r.obs_sink, changed = std::move(changed)] {
                boost::asio::post(io, [sink, changed] { sink("obs.scene_changed", changed); });
            });
        }
        return nullptr;
    }};

//! @lua conn:get_scene() -> {scene}
//! The current program scene.
const ObsOperation get_scene{
    "get_scene",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_current_program_scene(reply<std::string>(std::move(done), [](const std::string& s) {
            return Json{{"scene", s}};
        }));
    },
    [](Recorder&, const std::string&, const Json&) -> Json {
        return {{"scene", "dry-run"}};
    }};

//! @lua conn:scenes() -> {current, scenes}
//! The scene names, in OBS's order, and the current program scene.
const ObsOperation scenes{
    "scenes",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_scene_list(reply<obs::SceneList>(std::move(done), [](const obs::SceneList& l) {
            return Json{{"current", l.current_program}, {"scenes", l.scenes}};
        }));
    },
    [](Recorder&, const std::string&, const Json&) -> Json {
        return {{"current", "dry-run"}, {"scenes", Json::array({"dry-run"})}};
    }};

//! @lua conn:start_record() -> true
//! Starts recording.
const ObsOperation start_record{
    "start_record",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->start_record(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        r.active_outputs.insert(target + ":record");
        return nullptr;
    }};

//! @lua conn:stop_record() -> {path}
//! Stops recording; returns the file once OBS reports it stopped.
const ObsOperation stop_record{"stop_record",
                               {},
                               nullptr,
                               [](LiveObs& o, const Json&, ActionDone done) {
                                   o.client->stop_record(reply<std::string>(std::move(done), [](const std::string& p) {
                                       return Json{{"path", p}};
                                   }));
                               },
                               [](Recorder& r, const std::string& target, const Json&) -> Json {
                                   r.active_outputs.erase(target + ":record");
                                   return {{"path", "/dry-run/recording-" + std::to_string(++r.recordings) + ".mkv"}};
                               }};

//! @lua conn:record_status() -> {active, paused, timecode, duration_ms, bytes}
//! The recording output's status.
const ObsOperation record_status{
    "record_status",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_record_status(reply<obs::RecordStatus>(std::move(done), record_status_json));
    },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        return {{"active", r.active_outputs.count(target + ":record") > 0}};
    }};

//! @lua conn:set_record_directory(directory) -> true
//! The folder new recordings go to (refused while recording).
const ObsOperation set_record_directory{"set_record_directory",
                                        {{"directory", ArgType::string}},
                                        nullptr,
                                        [](LiveObs& o, const Json& a, ActionDone done) {
                                            o.client->set_record_directory(text(a, "directory"),
                                                                           reply_void(std::move(done)));
                                        },
                                        answer_nothing};

//! @lua conn:set_filename_format(format) -> true
//! The file name pattern of new recordings (OBS date codes %CCYY %MM %DD %hh %mm %ss).
const ObsOperation set_filename_format{"set_filename_format",
                                       {{"format", ArgType::string}},
                                       nullptr,
                                       [](LiveObs& o, const Json& a, ActionDone done) {
                                           o.client->set_filename_format(text(a, "format"),
                                                                         reply_void(std::move(done)));
                                       },
                                       answer_nothing};

//! @lua conn:arm_replay(options?) -> true
//! Keeps the replay buffer running from now on: restarts it with `options.seconds` (its length)
//! and `options.suffix` (the clips' name suffix, OBS date codes), which OBS reads only at
//! start, and returns once OBS reports it started; without options a running buffer is kept
//! as it is. The host owns it from then on: it starts it
//! once OBS's output has really shut down (OBS ignores a start before that), sends a start OBS
//! did not confirm again, starts it again whenever OBS reports it stopped or the connection
//! comes back, and warns once when it cannot. Fails with invalid_state when it is not running
//! within 4 s (the host keeps trying), unsupported when OBS's profile disables it.
const ObsOperation arm_replay{
    "arm_replay", {{"options", ArgType::table, true}}, check_replay_options, arm, answer_nothing};

//! @lua conn:disarm_replay() -> true
//! Stops the replay buffer and stops keeping it running.
const ObsOperation disarm_replay{
    "disarm_replay",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.keeper().disarm(reply_void(std::move(done))); },
    answer_nothing};

//! @lua conn:start_replay() -> true
//! Starts the replay buffer once (see arm_replay to keep it running).
const ObsOperation start_replay{
    "start_replay",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->start_replay_buffer(reply_void(std::move(done))); },
    answer_nothing};

//! @lua conn:stop_replay() -> true
//! Stops the replay buffer (an armed one is started again: use disarm_replay).
const ObsOperation stop_replay{
    "stop_replay",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->stop_replay_buffer(reply_void(std::move(done))); },
    answer_nothing};

//! @lua conn:save_replay() -> {path}
//! Saves the replay buffer; returns the saved clip's path.
const ObsOperation save_replay{
    "save_replay",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->save_replay_buffer(reply<std::string>(std::move(done), [](const std::string& p) {
            return Json{{"path", p}};
        }));
    },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        std::string path = "/dry-run/replay-" + std::to_string(++r.replays) + ".mkv";
        if (r.obs_sink) r.obs_sink("obs.replay_saved", {{"connection", target}, {"path", path}});
        return {{"path", path}};
    }};

//! @lua conn:recording_clip(seconds, to?) -> {path, from, seconds}
//! Cuts the last `seconds` of the running recording, up to `to` (a util.time() value, default
//! now), into a file of its own beside it ("Review <recording> HH-MM-SS"), with ffmpeg and no
//! re-encoding; `from` is the clip's start in the recording, in seconds. The clip of last resort
//! when the replay buffer has none: the host must be able to read OBS's record folder.
const ObsOperation recording_clip{"recording_clip",
                                  {{"seconds", ArgType::number}, {"to", ArgType::number, true}},
                                  check_clip_seconds,
                                  cut_recording,
                                  [](Recorder& r, const std::string&, const Json& a) -> Json {
                                      return {{"path", "/dry-run/review-" + std::to_string(++r.replays) + ".mkv"},
                                              {"from", 0},
                                              {"seconds", a.value("seconds", 0.0)}};
                                  }};

//! @lua conn:start_stream() -> true
//! Starts streaming.
const ObsOperation start_stream{
    "start_stream",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->start_stream(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        r.active_outputs.insert(target + ":stream");
        return nullptr;
    }};

//! @lua conn:stop_stream() -> true
//! Stops streaming.
const ObsOperation stop_stream{
    "stop_stream",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->stop_stream(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        r.active_outputs.erase(target + ":stream");
        return nullptr;
    }};

//! @lua conn:stream_status() -> {active, reconnecting, timecode, duration_ms, congestion, bytes}
//! The stream output's status.
const ObsOperation stream_status{
    "stream_status",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_stream_status(reply<obs::StreamStatus>(std::move(done), stream_status_json));
    },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        return {{"active", r.active_outputs.count(target + ":stream") > 0}};
    }};

//! @lua conn:set_source_visible(scene, source, visible) -> true
//! Shows or hides a source in a scene.
const ObsOperation set_source_visible{
    "set_source_visible",
    {{"scene", ArgType::string}, {"source", ArgType::string}, {"visible", ArgType::boolean}},
    nullptr,
    [](LiveObs& o, const Json& a, ActionDone done) {
        const bool visible = a.contains("visible") && a["visible"].is_boolean() && a["visible"].get<bool>();
        o.client->set_scene_item_enabled(text(a, "scene"), text(a, "source"), visible, reply_void(std::move(done)));
    },
    answer_nothing};

//! @lua conn:set_input_settings(input, settings, overlay?) -> true
//! Changes an input's settings (overlay: merge with the current ones, default true).
const ObsOperation set_input_settings{
    "set_input_settings",
    {{"input", ArgType::string}, {"settings", ArgType::table}, {"overlay", ArgType::boolean, true}},
    nullptr,
    [](LiveObs& o, const Json& a, ActionDone done) {
        const bool overlay = !a.contains("overlay") || !a["overlay"].is_boolean() || a["overlay"].get<bool>();
        o.client->set_input_settings(text(a, "input"), object_or_empty(a, "settings"), overlay,
                                     reply_void(std::move(done)));
    },
    answer_nothing};

//! @lua conn:hotkey(name) -> true
//! Triggers an OBS hotkey by name.
const ObsOperation hotkey{"hotkey",
                          {{"name", ArgType::string}},
                          nullptr,
                          [](LiveObs& o, const Json& a, ActionDone done) {
                              o.client->trigger_hotkey_by_name(text(a, "name"), reply_void(std::move(done)));
                          },
                          answer_nothing};

//! @lua conn:broadcast(data) -> true
//! Sends a CustomEvent to every obs-websocket client (overlays).
const ObsOperation broadcast{"broadcast",
                             {{"data", ArgType::table}},
                             nullptr,
                             [](LiveObs& o, const Json& a, ActionDone done) {
                                 o.client->broadcast_custom_event(a.contains("data") ? a["data"] : Json::object(),
                                                                  reply_void(std::move(done)));
                             },
                             answer_nothing};

//! @lua conn:request(type, data?) -> table
//! Any obs-websocket v5 request by its type; returns responseData.
const ObsOperation request{"request",
                           {{"type", ArgType::string}, {"data", ArgType::table, true}},
                           nullptr,
                           [](LiveObs& o, const Json& a, ActionDone done) {
                               o.client->request(text(a, "type"), object_or_empty(a, "data"),
                                                 reply<Json>(std::move(done), [](const Json& j) { return j; }));
                           },
                           [](Recorder&, const std::string&, const Json&) -> Json { return Json::object(); }};

}  // namespace obs_op

const std::vector<const ObsOperation*>& obs_operations() {
    using namespace obs_op;
    static const std::vector<const ObsOperation*> all = {&set_scene,
                                                         &get_scene,
                                                         &scenes,
                                                         &start_record,
                                                         &stop_record,
                                                         &record_status,
                                                         &set_record_directory,
                                                         &set_filename_format,
                                                         &arm_replay,
                                                         &disarm_replay,
                                                         &start_replay,
                                                         &stop_replay,
                                                         &save_replay,
                                                         &recording_clip,
                                                         &start_stream,
                                                         &stop_stream,
                                                         &stream_status,
                                                         &set_source_visible,
                                                         &set_input_settings,
                                                         &hotkey,
                                                         &broadcast,
                                                         &request};
    return all;
}

}  // namespace vta::bindings
