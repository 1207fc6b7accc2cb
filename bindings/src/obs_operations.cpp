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

bool flag(const Json& args, const char* key) {
    return args.contains(key) && args[key].is_boolean() && args[key].get<bool>();
}

// A dry run keeps on/off states (studio mode, mutes, outputs) as "<target>:<what>" in active_outputs.
bool dry_state(Recorder& r, const std::string& target, const std::string& what) {
    return r.active_outputs.count(target + ":" + what) > 0;
}

void set_dry_state(Recorder& r, const std::string& target, const std::string& what, bool on) {
    if (on)
        r.active_outputs.insert(target + ":" + what);
    else
        r.active_outputs.erase(target + ":" + what);
}

std::string check_volume(const Json& args) {
    const std::string unit = args.value("unit", "db");
    if (unit != "db" && unit != "mul") return "unit must be \"db\" or \"mul\", got \"" + unit + "\"";
    const double volume = args.value("volume", 0.0);
    if (unit == "db" && (volume < -100 || volume > 26)) return "a volume in dB must be from -100 to 26";
    if (unit == "mul" && (volume < 0 || volume > 20)) return "a volume multiplier must be from 0 to 20";
    return {};
}

obs::VolumeSetting volume_setting(const Json& args) {
    const bool mul = args.value("unit", "db") == "mul";
    return {mul ? obs::VolumeSetting::Unit::mul : obs::VolumeSetting::Unit::db, args.value("volume", 0.0)};
}

Json named_list_json(const obs::NamedList& list, const char* key) {
    return {{"current", list.current}, {key, list.names}};
}

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
    return {{"active", s.active},
            {"reconnecting", s.reconnecting},
            {"timecode", s.timecode},
            {"duration_ms", s.duration_ms},
            {"congestion", s.congestion},
            {"bytes", s.bytes},
            {"skipped_frames", s.skipped_frames},
            {"total_frames", s.total_frames}};
}

Json stats_json(const obs::Stats& s) {
    return {{"cpu_percent", s.cpu_percent},
            {"memory_mb", s.memory_mb},
            {"active_fps", s.active_fps},
            {"render_skipped_frames", s.render_skipped_frames},
            {"render_total_frames", s.render_total_frames},
            {"output_skipped_frames", s.output_skipped_frames},
            {"output_total_frames", s.output_total_frames}};
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
    },
    ObsEffect::reads};

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
    },
    ObsEffect::reads};

//! @lua conn:studio_mode() -> {enabled}
//! Whether studio mode (preview and program side by side) is on.
const ObsOperation studio_mode{
    "studio_mode",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_studio_mode(reply<bool>(std::move(done), [](bool on) { return Json{{"enabled", on}}; }));
    },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        return {{"enabled", dry_state(r, target, "studio")}};
    },
    ObsEffect::reads};

//! @lua conn:set_studio_mode(enabled) -> true
//! Turns studio mode on or off.
const ObsOperation set_studio_mode{"set_studio_mode",
                                   {{"enabled", ArgType::boolean}},
                                   nullptr,
                                   [](LiveObs& o, const Json& a, ActionDone done) {
                                       o.client->set_studio_mode(flag(a, "enabled"), reply_void(std::move(done)));
                                   },
                                   [](Recorder& r, const std::string& target, const Json& a) -> Json {
                                       set_dry_state(r, target, "studio", flag(a, "enabled"));
                                       return nullptr;
                                   }};

//! @lua conn:set_preview_scene(scene) -> true
//! Puts a scene in the preview (studio mode only: fails with request_failed when it is off).
const ObsOperation set_preview_scene{"set_preview_scene",
                                     {{"scene", ArgType::string}},
                                     nullptr,
                                     [](LiveObs& o, const Json& a, ActionDone done) {
                                         o.client->set_current_preview_scene(text(a, "scene"),
                                                                             reply_void(std::move(done)));
                                     },
                                     answer_nothing};

//! @lua conn:transitions() -> {current, transitions}
//! The scene transitions' names and the current one.
const ObsOperation transitions{
    "transitions",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_transition_list(reply<obs::NamedList>(
            std::move(done), [](const obs::NamedList& l) { return named_list_json(l, "transitions"); }));
    },
    [](Recorder&, const std::string&, const Json&) -> Json {
        return {{"current", "Fade"}, {"transitions", Json::array({"Cut", "Fade"})}};
    },
    ObsEffect::reads};

//! @lua conn:set_transition(name) -> true
//! Makes `name` the current scene transition (used by scene switches and studio transitions).
const ObsOperation set_transition{"set_transition",
                                  {{"name", ArgType::string}},
                                  nullptr,
                                  [](LiveObs& o, const Json& a, ActionDone done) {
                                      o.client->set_current_transition(text(a, "name"), reply_void(std::move(done)));
                                  },
                                  answer_nothing};

//! @lua conn:transition() -> true
//! Takes the preview scene to program with the current transition (studio mode only: fails with
//! request_failed when it is off).
const ObsOperation transition{
    "transition",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->trigger_studio_transition(reply_void(std::move(done))); },
    answer_nothing};

//! @lua conn:mute(input) -> {muted}
//! Whether an audio input is muted.
const ObsOperation mute{"mute",
                        {{"input", ArgType::string}},
                        nullptr,
                        [](LiveObs& o, const Json& a, ActionDone done) {
                            o.client->get_input_mute(text(a, "input"), reply<bool>(std::move(done), [](bool m) {
                                                         return Json{{"muted", m}};
                                                     }));
                        },
                        [](Recorder& r, const std::string& target, const Json& a) -> Json {
                            return {{"muted", dry_state(r, target, "mute:" + a.value("input", ""))}};
                        },
                        ObsEffect::reads};

//! @lua conn:set_mute(input, muted) -> true
//! Mutes (true) or unmutes (false) an audio input.
const ObsOperation set_mute{"set_mute",
                            {{"input", ArgType::string}, {"muted", ArgType::boolean}},
                            nullptr,
                            [](LiveObs& o, const Json& a, ActionDone done) {
                                o.client->set_input_mute(text(a, "input"), flag(a, "muted"),
                                                         reply_void(std::move(done)));
                            },
                            [](Recorder& r, const std::string& target, const Json& a) -> Json {
                                set_dry_state(r, target, "mute:" + a.value("input", ""), flag(a, "muted"));
                                return nullptr;
                            }};

//! @lua conn:toggle_mute(input) -> {muted}
//! Flips an audio input's mute; returns the new state.
const ObsOperation toggle_mute{"toggle_mute",
                               {{"input", ArgType::string}},
                               nullptr,
                               [](LiveObs& o, const Json& a, ActionDone done) {
                                   o.client->toggle_input_mute(text(a, "input"),
                                                               reply<bool>(std::move(done), [](bool m) {
                                                                   return Json{{"muted", m}};
                                                               }));
                               },
                               [](Recorder& r, const std::string& target, const Json& a) -> Json {
                                   const std::string what = "mute:" + a.value("input", "");
                                   const bool muted = !dry_state(r, target, what);
                                   set_dry_state(r, target, what, muted);
                                   return {{"muted", muted}};
                               }};

//! @lua conn:volume(input) -> {db, mul}
//! An audio input's volume, in dB (-100 is silent) and as a multiplier.
const ObsOperation volume{"volume",
                          {{"input", ArgType::string}},
                          nullptr,
                          [](LiveObs& o, const Json& a, ActionDone done) {
                              o.client->get_input_volume(text(a, "input"),
                                                         reply<obs::InputVolume>(std::move(done), [](const auto& v) {
                                                             return Json{{"db", v.db}, {"mul", v.mul}};
                                                         }));
                          },
                          [](Recorder&, const std::string&, const Json&) -> Json {
                              return {{"db", 0.0}, {"mul", 1.0}};
                          },
                          ObsEffect::reads};

//! @lua conn:set_volume(input, volume, unit?) -> true
//! Sets an audio input's volume: `unit` "db" (default; -100 to 26) or "mul" (a multiplier, 0 to 20).
const ObsOperation set_volume{
    "set_volume",
    {{"input", ArgType::string}, {"volume", ArgType::number}, {"unit", ArgType::string, true}},
    check_volume,
    [](LiveObs& o, const Json& a, ActionDone done) {
        o.client->set_input_volume(text(a, "input"), volume_setting(a), reply_void(std::move(done)));
    },
    answer_nothing};

//! @lua conn:profiles() -> {current, profiles}
//! The profiles' names and the current one.
const ObsOperation profiles{
    "profiles",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_profile_list(reply<obs::NamedList>(
            std::move(done), [](const obs::NamedList& l) { return named_list_json(l, "profiles"); }));
    },
    [](Recorder&, const std::string&, const Json&) -> Json {
        return {{"current", "dry-run"}, {"profiles", Json::array({"dry-run"})}};
    },
    ObsEffect::reads};

//! @lua conn:set_profile(name) -> true
//! Switches to another profile (refused by OBS while an output runs); returns once OBS loaded it.
const ObsOperation set_profile{"set_profile",
                               {{"name", ArgType::string}},
                               nullptr,
                               [](LiveObs& o, const Json& a, ActionDone done) {
                                   o.client->set_current_profile(text(a, "name"), reply_void(std::move(done)));
                               },
                               answer_nothing};

//! @lua conn:scene_collections() -> {current, collections}
//! The scene collections' names and the current one.
const ObsOperation scene_collections{
    "scene_collections",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_scene_collection_list(reply<obs::NamedList>(
            std::move(done), [](const obs::NamedList& l) { return named_list_json(l, "collections"); }));
    },
    [](Recorder&, const std::string&, const Json&) -> Json {
        return {{"current", "dry-run"}, {"collections", Json::array({"dry-run"})}};
    },
    ObsEffect::reads};

//! @lua conn:set_scene_collection(name) -> true
//! Switches to another scene collection; returns once OBS loaded it.
const ObsOperation set_scene_collection{"set_scene_collection",
                                        {{"name", ArgType::string}},
                                        nullptr,
                                        [](LiveObs& o, const Json& a, ActionDone done) {
                                            o.client->set_current_scene_collection(text(a, "name"),
                                                                                   reply_void(std::move(done)));
                                        },
                                        answer_nothing};

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
    },
    ObsEffect::reads};

//! @lua conn:pause_record() -> true
//! Pauses the running recording (the file stays open) and returns once OBS reports it paused; fails
//! with invalid_state when OBS did not pause it (nothing records, or the recording shares the
//! stream's encoder: OBS's simple output at "Same as stream" quality cannot pause).
const ObsOperation pause_record{
    "pause_record",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->pause_record(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        set_dry_state(r, target, "record_paused", true);
        return nullptr;
    }};

//! @lua conn:resume_record() -> true
//! Resumes a paused recording; returns once OBS reports it resumed.
const ObsOperation resume_record{
    "resume_record",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->resume_record(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        set_dry_state(r, target, "record_paused", false);
        return nullptr;
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

//! @lua conn:record_directory() -> {directory}
//! The folder OBS records into now (GetRecordDirectory).
const ObsOperation record_directory{
    "record_directory",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_record_directory(reply<std::string>(std::move(done), [](const std::string& d) {
            return Json{{"directory", d}};
        }));
    },
    [](Recorder&, const std::string&, const Json&) -> Json {
        return {{"directory", "/dry-run"}};
    },
    ObsEffect::reads};

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
                                  },
                                  ObsEffect::reads};

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

//! @lua conn:stream_status() -> {active, reconnecting, timecode, duration_ms, congestion, bytes, ...}
//! The stream output's status, with skipped_frames and total_frames: congestion runs from 0 (none) to 1,
//! skipped_frames counts the frames the output dropped.
const ObsOperation stream_status{
    "stream_status",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_stream_status(reply<obs::StreamStatus>(std::move(done), stream_status_json));
    },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        return {{"active", r.active_outputs.count(target + ":stream") > 0}};
    },
    ObsEffect::reads};

//! @lua conn:stats() -> {cpu_percent, memory_mb, active_fps, render_skipped_frames, ...}
//! How OBS itself is doing (GetStats): cpu_percent, memory_mb, active_fps, and the frames it could not
//! render (render_skipped_frames of render_total_frames) or encode (output_skipped_frames of
//! output_total_frames) in time since it started.
const ObsOperation stats{"stats",
                         {},
                         nullptr,
                         [](LiveObs& o, const Json&, ActionDone done) {
                             o.client->get_stats(reply<obs::Stats>(std::move(done), stats_json));
                         },
                         [](Recorder&, const std::string&, const Json&) -> Json { return stats_json({}); },
                         ObsEffect::reads};

//! @lua conn:start_virtualcam() -> true
//! Starts OBS's virtual camera (on Linux it needs the v4l2loopback device; without it OBS fails
//! the start and the call returns nil, message, code).
const ObsOperation start_virtualcam{
    "start_virtualcam",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->start_virtual_cam(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        set_dry_state(r, target, "virtualcam", true);
        return nullptr;
    }};

//! @lua conn:stop_virtualcam() -> true
//! Stops the virtual camera.
const ObsOperation stop_virtualcam{
    "stop_virtualcam",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) { o.client->stop_virtual_cam(reply_void(std::move(done))); },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        set_dry_state(r, target, "virtualcam", false);
        return nullptr;
    }};

//! @lua conn:virtualcam_status() -> {active}
//! Whether the virtual camera runs.
const ObsOperation virtualcam_status{
    "virtualcam_status",
    {},
    nullptr,
    [](LiveObs& o, const Json&, ActionDone done) {
        o.client->get_virtual_cam_status(reply<bool>(std::move(done), [](bool on) { return Json{{"active", on}}; }));
    },
    [](Recorder& r, const std::string& target, const Json&) -> Json {
        return {{"active", dry_state(r, target, "virtualcam")}};
    },
    ObsEffect::reads};

//! @lua conn:set_source_visible(scene, source, visible) -> true
//! Shows or hides a source in a scene.
const ObsOperation set_source_visible{
    "set_source_visible",
    {{"scene", ArgType::string}, {"source", ArgType::string}, {"visible", ArgType::boolean}},
    nullptr,
    [](LiveObs& o, const Json& a, ActionDone done) {
        o.client->set_scene_item_enabled(text(a, "scene"), text(a, "source"), flag(a, "visible"),
                                         reply_void(std::move(done)));
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
                                                         &studio_mode,
                                                         &set_studio_mode,
                                                         &set_preview_scene,
                                                         &transitions,
                                                         &set_transition,
                                                         &transition,
                                                         &mute,
                                                         &set_mute,
                                                         &toggle_mute,
                                                         &volume,
                                                         &set_volume,
                                                         &profiles,
                                                         &set_profile,
                                                         &scene_collections,
                                                         &set_scene_collection,
                                                         &start_record,
                                                         &stop_record,
                                                         &pause_record,
                                                         &resume_record,
                                                         &record_status,
                                                         &set_record_directory,
                                                         &record_directory,
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
                                                         &stats,
                                                         &start_virtualcam,
                                                         &stop_virtualcam,
                                                         &virtualcam_status,
                                                         &set_source_visible,
                                                         &set_input_settings,
                                                         &hotkey,
                                                         &broadcast,
                                                         &request};
    return all;
}

}  // namespace vta::bindings
