#pragma once
// The operations a script can ask of an OBS connection, one table entry each: the Lua name and arguments,
// the doc comment, how a live connection carries it out and what a dry run answers. The Lua module, the
// live backend and the dry-run recorder all register from this one table (obs_operations.cpp), so a new
// operation is one entry, and a misspelt one does not compile (backends and tests name the entries).

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/bindings/backends.hpp"

namespace boost::asio {
class io_context;
}
namespace vta::obs {
class Client;
class ReplayKeeper;
}  // namespace vta::obs

namespace vta::bindings {

class Recorder;

// What a live operation acts on: the connection, its replay keeper (made on first use) and the io_context.
struct LiveObs {
    std::shared_ptr<obs::Client> client;
    boost::asio::io_context& io;
    std::function<obs::ReplayKeeper&()> keeper;
};

enum class ArgType { string, number, boolean, table };

// Whether an operation only reads OBS's state or changes it (what is on air, recorded or heard): a group call of
// one that changes leaves a row in the host's audit trail.
enum class ObsEffect { changes, reads };

struct ObsArg {
    const char* name;  // its key in the args object the backends get
    ArgType type;
    bool optional = false;
};

struct ObsOperation {
    const char* name;  // the Lua method: conn:<name>(...)
    std::vector<ObsArg> args;
    // Checks argument values beyond their types (a wrong one raises in Lua at the call site): returns why
    // `args` is refused, or "" when it is fine. May be null.
    std::string (*check)(const nlohmann::json& args);
    // Carries the operation out on a live connection, with `args` already through `check`; `done` gets the
    // result the script sees.
    void (*live)(LiveObs& target, const nlohmann::json& args, ActionDone done);
    // A dry run's answer (what OBS would plausibly return), recorded by `recorder`; may report host events
    // through recorder.obs_sink as OBS would.
    nlohmann::json (*dry_run)(Recorder& recorder, const std::string& target, const nlohmann::json& args);
    ObsEffect effect = ObsEffect::changes;
};

// Every operation, in the reference's order.
const std::vector<const ObsOperation*>& obs_operations();

// The entries, for the backends and tests that single one out.
namespace obs_op {
extern const ObsOperation set_scene, get_scene, scenes, studio_mode, set_studio_mode, set_preview_scene, transitions,
    set_transition, transition, mute, set_mute, toggle_mute, volume, set_volume, profiles, set_profile,
    scene_collections, set_scene_collection, start_record, stop_record, pause_record, resume_record, record_status,
    set_record_directory, set_filename_format, arm_replay, disarm_replay, start_replay, stop_replay, save_replay,
    recording_clip, start_stream, stop_stream, stream_status, start_virtualcam, stop_virtualcam, virtualcam_status,
    set_source_visible, set_input_settings, hotkey, broadcast, request;
}

}  // namespace vta::bindings
