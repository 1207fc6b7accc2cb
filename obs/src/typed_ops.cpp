// Typed obs-websocket operations, built on Client::request and Client::wait_event.

#include <fmt/format.h>

#include "client_impl.hpp"
#include "json_fields.hpp"

namespace vta::obs {

using namespace detail;

namespace {

Handler<Json> to_void(Handler<void> handler) {
    return [handler = std::move(handler)](Result<Json> r) {
        ClientImpl::invoke(handler, r ? Result<void>() : Result<void>(r.error()));
    };
}

// Converts responseData with `convert` (Json -> T) before handing it on.
template <class T, class Convert>
Handler<Json> mapped(Handler<T> handler, Convert convert) {
    return [handler = std::move(handler), convert = std::move(convert)](Result<Json> r) {
        if (!r) return ClientImpl::invoke(handler, Result<T>(r.error()));
        ClientImpl::invoke(handler, Result<T>(convert(r.value())));
    };
}

// A string field that must be present: its absence is a protocol error, not an empty value.
Handler<Json> string_field(Handler<std::string> handler, const char* key, std::string request_type) {
    return [handler = std::move(handler), key, request_type = std::move(request_type)](Result<Json> r) {
        if (!r) return ClientImpl::invoke(handler, Result<std::string>(r.error()));
        const std::string value = str_field(r.value(), key);
        if (value.empty())
            return ClientImpl::invoke(
                handler, Result<std::string>(
                             Error{Errc::protocol, fmt::format("{}: the response has no \"{}\"", request_type, key)}));
        ClientImpl::invoke(handler, Result<std::string>(value));
    };
}

RecordStatus to_record_status(const Json& d) {
    return RecordStatus{bool_field(d, "outputActive"), bool_field(d, "outputPaused"), str_field(d, "outputTimecode"),
                        int_field(d, "outputDuration"), int_field(d, "outputBytes")};
}

StreamStatus to_stream_status(const Json& d) {
    return StreamStatus{bool_field(d, "outputActive"),       bool_field(d, "outputReconnecting"),
                        str_field(d, "outputTimecode"),      int_field(d, "outputDuration"),
                        double_field(d, "outputCongestion"), int_field(d, "outputBytes"),
                        int_field(d, "outputSkippedFrames"), int_field(d, "outputTotalFrames")};
}

Stats to_stats(const Json& d) {
    return Stats{double_field(d, "cpuUsage"),       double_field(d, "memoryUsage"),
                 double_field(d, "activeFps"),      int_field(d, "renderSkippedFrames"),
                 int_field(d, "renderTotalFrames"), int_field(d, "outputSkippedFrames"),
                 int_field(d, "outputTotalFrames")};
}

// `list_key` is an array of strings (profiles, scene collections) or of objects naming each in `name_key`.
NamedList to_named_list(const Json& d, const char* current_key, const char* list_key, const char* name_key = nullptr) {
    NamedList list{str_field(d, current_key), {}};
    if (const auto it = d.find(list_key); it != d.end() && it->is_array())
        for (const auto& entry : *it) {
            if (entry.is_string())
                list.names.push_back(entry.get<std::string>());
            else if (name_key)
                list.names.push_back(str_field(entry, name_key));
        }
    return list;
}

Handler<Json> bool_result(Handler<bool> handler, const char* key) {
    return mapped(std::move(handler), [key](const Json& d) { return bool_field(d, key); });
}

Json profile_parameter(const char* category, const char* name, const std::string& value) {
    return {{"parameterCategory", category}, {"parameterName", name}, {"parameterValue", value}};
}

// Finishes an operation that needs both a response and an event; whichever path ends it first wins.
template <class T>
struct TwoPartOperation {
    Handler<T> handler;
    bool finished = false;
    bool responded = false;
    bool event_seen = false;
    bool event_timed_out = false;
    std::string path;

    void finish(Result<T> result) {
        if (finished) return;
        finished = true;
        ClientImpl::invoke(handler, std::move(result));
    }
};

}  // namespace

// ---- scenes ---------------------------------------------------------------------------------

void Client::get_scene_list(Handler<SceneList> handler) {
    request("GetSceneList", {}, mapped(std::move(handler), [](const Json& d) {
                SceneList list{str_field(d, "currentProgramSceneName"), {}};
                // obs-websocket lists scenes bottom first; operators know them top first, as OBS shows them.
                if (const auto it = d.find("scenes"); it != d.end() && it->is_array())
                    for (auto scene = it->rbegin(); scene != it->rend(); ++scene)
                        list.scenes.push_back(str_field(*scene, "sceneName"));
                return list;
            }));
}

void Client::get_current_program_scene(Handler<std::string> handler) {
    request("GetCurrentProgramScene", {}, mapped(std::move(handler), [](const Json& d) {
                return str_field(d, "currentProgramSceneName", str_field(d, "sceneName"));
            }));
}

void Client::set_current_program_scene(std::string scene, Handler<void> handler) {
    request("SetCurrentProgramScene", {{"sceneName", std::move(scene)}}, to_void(std::move(handler)));
}

// ---- studio mode and transitions ----------------------------------------------------------

void Client::get_studio_mode(Handler<bool> handler) {
    request("GetStudioModeEnabled", {}, bool_result(std::move(handler), "studioModeEnabled"));
}

void Client::set_studio_mode(bool enabled, Handler<void> handler) {
    request("SetStudioModeEnabled", {{"studioModeEnabled", enabled}}, to_void(std::move(handler)));
}

void Client::set_current_preview_scene(std::string scene, Handler<void> handler) {
    request("SetCurrentPreviewScene", {{"sceneName", std::move(scene)}}, to_void(std::move(handler)));
}

void Client::get_transition_list(Handler<NamedList> handler) {
    request("GetSceneTransitionList", {}, mapped(std::move(handler), [](const Json& d) {
                return to_named_list(d, "currentSceneTransitionName", "transitions", "transitionName");
            }));
}

void Client::set_current_transition(std::string transition, Handler<void> handler) {
    request("SetCurrentSceneTransition", {{"transitionName", std::move(transition)}}, to_void(std::move(handler)));
}

void Client::trigger_studio_transition(Handler<void> handler) {
    request("TriggerStudioModeTransition", {}, to_void(std::move(handler)));
}

// ---- input audio ----------------------------------------------------------------------------

void Client::get_input_mute(std::string input, Handler<bool> handler) {
    request("GetInputMute", {{"inputName", std::move(input)}}, bool_result(std::move(handler), "inputMuted"));
}

void Client::set_input_mute(std::string input, bool muted, Handler<void> handler) {
    request("SetInputMute", {{"inputName", std::move(input)}, {"inputMuted", muted}}, to_void(std::move(handler)));
}

void Client::toggle_input_mute(std::string input, Handler<bool> handler) {
    request("ToggleInputMute", {{"inputName", std::move(input)}}, bool_result(std::move(handler), "inputMuted"));
}

void Client::get_input_volume(std::string input, Handler<InputVolume> handler) {
    request("GetInputVolume", {{"inputName", std::move(input)}}, mapped(std::move(handler), [](const Json& d) {
                return InputVolume{double_field(d, "inputVolumeMul", 1), double_field(d, "inputVolumeDb")};
            }));
}

void Client::set_input_volume(std::string input, VolumeSetting volume, Handler<void> handler) {
    const char* key = volume.unit == VolumeSetting::Unit::db ? "inputVolumeDb" : "inputVolumeMul";
    request("SetInputVolume", {{"inputName", std::move(input)}, {key, volume.value}}, to_void(std::move(handler)));
}

// ---- profiles and scene collections ---------------------------------------------------------

void Client::get_profile_list(Handler<NamedList> handler) {
    request("GetProfileList", {}, mapped(std::move(handler), [](const Json& d) {
                return to_named_list(d, "currentProfileName", "profiles");
            }));
}

void Client::set_current_profile(std::string profile, Handler<void> handler) {
    request("SetCurrentProfile", {{"profileName", std::move(profile)}}, to_void(std::move(handler)));
}

void Client::get_scene_collection_list(Handler<NamedList> handler) {
    request("GetSceneCollectionList", {}, mapped(std::move(handler), [](const Json& d) {
                return to_named_list(d, "currentSceneCollectionName", "sceneCollections");
            }));
}

void Client::set_current_scene_collection(std::string collection, Handler<void> handler) {
    request("SetCurrentSceneCollection", {{"sceneCollectionName", std::move(collection)}}, to_void(std::move(handler)));
}

// ---- recording ------------------------------------------------------------------------------

void Client::start_record(Handler<void> handler) { request("StartRecord", {}, to_void(std::move(handler))); }

void Client::stop_record(Handler<std::string> handler) {
    auto op = std::make_shared<TwoPartOperation<std::string>>();
    op->handler = std::move(handler);
    const bool outputs_subscribed = (config_.event_subscriptions & subscription::outputs) != 0;
    if (outputs_subscribed) {
        // The file is complete only at STOPPED; StopRecord answers earlier.
        wait_event(
            "RecordStateChanged",
            [](const Event& e) { return str_field(e.data, "outputState") == "OBS_WEBSOCKET_OUTPUT_STOPPED"; },
            impl_->options().record_stopped_timeout,
            [op](Result<Event> e) {
                if (e) {
                    op->event_seen = true;
                    op->path = str_field(e.value().data, "outputPath", op->path);
                } else {
                    op->event_timed_out = true;
                }
                if (op->responded) op->finish(op->path);
            });
    }
    request("StopRecord", {}, [op, outputs_subscribed](Result<Json> r) {
        if (!r) return op->finish(r.error());
        op->responded = true;
        if (op->path.empty()) op->path = str_field(r.value(), "outputPath");
        if (!outputs_subscribed || op->event_seen || op->event_timed_out) op->finish(op->path);
    });
}

void Client::get_record_status(Handler<RecordStatus> handler) {
    request("GetRecordStatus", {}, mapped(std::move(handler), to_record_status));
}

namespace {

// Sends `request_type` and, when output events are subscribed, ends only once RecordStateChanged reports
// `state`: OBS 29 answers PauseRecord with success and does nothing when the recording cannot pause (it
// shares the stream's encoder), which an operator must hear about.
void confirmed_record_change(Client& client, const ClientOptions& options, bool outputs_subscribed,
                             const char* request_type, const char* state, Handler<void> handler) {
    auto op = std::make_shared<TwoPartOperation<void>>();
    op->handler = std::move(handler);
    const std::string what = request_type;
    if (outputs_subscribed)
        client.wait_event(
            "RecordStateChanged", [state](const Event& e) { return str_field(e.data, "outputState") == state; },
            options.request_timeout,
            [op, what](Result<Event> e) {
                if (e)
                    op->event_seen = true;
                else
                    op->event_timed_out = true;
                if (!op->responded) return;
                if (op->event_seen) return op->finish(Result<void>());
                op->finish(Error{Errc::invalid_state,
                                 fmt::format("OBS answered {} but the recording did not change (a recording that "
                                             "shares the stream's encoder cannot pause)",
                                             what)});
            });
    client.request(request_type, {}, [op, outputs_subscribed, what](Result<Json> r) {
        if (!r) return op->finish(Result<void>(r.error()));
        op->responded = true;
        if (!outputs_subscribed || op->event_seen) return op->finish(Result<void>());
        if (op->event_timed_out)
            op->finish(
                Error{Errc::invalid_state, fmt::format("OBS answered {} but the recording did not change", what)});
    });
}

}  // namespace

void Client::pause_record(Handler<void> handler) {
    confirmed_record_change(*this, impl_->options(), (config_.event_subscriptions & subscription::outputs) != 0,
                            "PauseRecord", "OBS_WEBSOCKET_OUTPUT_PAUSED", std::move(handler));
}

void Client::resume_record(Handler<void> handler) {
    confirmed_record_change(*this, impl_->options(), (config_.event_subscriptions & subscription::outputs) != 0,
                            "ResumeRecord", "OBS_WEBSOCKET_OUTPUT_RESUMED", std::move(handler));
}

namespace {

// Runs `then` only while OBS is not recording; the record folder and name must not change mid-file.
// GetRecordStatus says whether the output is active; the last RecordStateChanged also covers the
// STARTING/STOPPING windows in which OBS still reports it inactive.
void when_not_recording(Client& client, const std::shared_ptr<ClientImpl>& impl, const char* what,
                        Handler<void> handler, std::function<void(Handler<void>)> then) {
    client.request("GetRecordStatus", {},
                   [impl, what, handler = std::move(handler), then = std::move(then)](Result<Json> r) mutable {
                       if (!r) return ClientImpl::invoke(handler, Result<void>(r.error()));
                       const std::string state = impl->status().record_state;
                       if (bool_field(r.value(), "outputActive") || state == "OBS_WEBSOCKET_OUTPUT_STARTING" ||
                           state == "OBS_WEBSOCKET_OUTPUT_STOPPING")
                           return ClientImpl::invoke(
                               handler,
                               Result<void>(Error{Errc::invalid_state,
                                                  fmt::format("cannot change the {} while OBS is recording", what)}));
                       then(std::move(handler));
                   });
}

}  // namespace

void Client::set_record_directory(std::string directory, Handler<void> handler) {
    const bool direct = impl_->status().has_request("SetRecordDirectory");
    when_not_recording(*this, impl_, "record folder", std::move(handler),
                       [impl = impl_, direct, directory = std::move(directory)](Handler<void> handler) {
                           if (direct)
                               return impl->request(impl->next_request_id(), "SetRecordDirectory",
                                                    {{"recordDirectory", directory}}, to_void(std::move(handler)), {});
                           // Simple and advanced output modes keep the folder in different keys.
                           impl->request_batch(
                               {{"SetProfileParameter", profile_parameter("SimpleOutput", "FilePath", directory)},
                                {"SetProfileParameter", profile_parameter("AdvOut", "RecFilePath", directory)}},
                               {},
                               [handler = std::move(handler)](Result<BatchResults> r) {
                                   if (!r) return ClientImpl::invoke(handler, Result<void>(r.error()));
                                   for (const auto& item : r.value())
                                       if (!item) return ClientImpl::invoke(handler, Result<void>(item.error()));
                                   ClientImpl::invoke(handler, Result<void>());
                               },
                               {});
                       });
}

void Client::get_record_directory(Handler<std::string> handler) {
    request("GetRecordDirectory", {}, string_field(std::move(handler), "recordDirectory", "GetRecordDirectory"));
}

void Client::set_filename_format(std::string format, Handler<void> handler) {
    when_not_recording(*this, impl_, "file name format", std::move(handler),
                       [impl = impl_, format = std::move(format)](Handler<void> handler) {
                           impl->request(impl->next_request_id(), "SetProfileParameter",
                                         profile_parameter("Output", "FilenameFormatting", format),
                                         to_void(std::move(handler)), {});
                       });
}

// ---- replay buffer --------------------------------------------------------------------------

void Client::start_replay_buffer(Handler<void> handler) {
    request("StartReplayBuffer", {}, to_void(std::move(handler)));
}

void Client::stop_replay_buffer(Handler<void> handler) { request("StopReplayBuffer", {}, to_void(std::move(handler))); }

void Client::get_replay_buffer_status(Handler<bool> handler) {
    request("GetReplayBufferStatus", {},
            mapped(std::move(handler), [](const Json& d) { return bool_field(d, "outputActive"); }));
}

void Client::save_replay_buffer(Handler<std::string> handler) {
    auto op = std::make_shared<TwoPartOperation<std::string>>();
    op->handler = std::move(handler);
    // SaveReplayBuffer answers before the file exists; ReplayBufferSaved carries the final path.
    auto fallback = [impl = impl_, op] {
        impl->request(impl->next_request_id(), "GetLastReplayBufferReplay", {},
                      [op](Result<Json> r) {
                          if (!r) return op->finish(r.error());
                          const std::string path = str_field(r.value(), "savedReplayPath");
                          if (path.empty())
                              return op->finish(Error{Errc::protocol, "GetLastReplayBufferReplay: no savedReplayPath"});
                          op->finish(path);
                      },
                      {});
    };
    wait_event("ReplayBufferSaved", {}, impl_->options().replay_saved_timeout, [op, fallback](Result<Event> e) {
        if (!e) {
            op->event_timed_out = true;
            if (op->responded) fallback();
            return;
        }
        op->event_seen = true;
        op->path = str_field(e.value().data, "savedReplayPath");
        if (op->responded) op->finish(op->path);
    });
    request("SaveReplayBuffer", {}, [op, fallback](Result<Json> r) {
        if (!r) return op->finish(r.error());
        op->responded = true;
        if (op->event_seen)
            op->finish(op->path);
        else if (op->event_timed_out)
            fallback();
    });
}

// ---- streaming ------------------------------------------------------------------------------

void Client::start_stream(Handler<void> handler) { request("StartStream", {}, to_void(std::move(handler))); }

void Client::stop_stream(Handler<void> handler) { request("StopStream", {}, to_void(std::move(handler))); }

void Client::get_stream_status(Handler<StreamStatus> handler) {
    request("GetStreamStatus", {}, mapped(std::move(handler), to_stream_status));
}

void Client::get_stats(Handler<Stats> handler) { request("GetStats", {}, mapped(std::move(handler), to_stats)); }

// ---- virtual camera -------------------------------------------------------------------------

void Client::start_virtual_cam(Handler<void> handler) { request("StartVirtualCam", {}, to_void(std::move(handler))); }

void Client::stop_virtual_cam(Handler<void> handler) { request("StopVirtualCam", {}, to_void(std::move(handler))); }

void Client::get_virtual_cam_status(Handler<bool> handler) {
    request("GetVirtualCamStatus", {}, bool_result(std::move(handler), "outputActive"));
}

// ---- sources and misc -----------------------------------------------------------------------

void Client::set_scene_item_enabled(std::string scene, std::string source, bool enabled, Handler<void> handler) {
    Json lookup = {{"sceneName", scene}, {"sourceName", std::move(source)}};
    request("GetSceneItemId", std::move(lookup),
            [impl = impl_, scene = std::move(scene), enabled, handler = std::move(handler)](Result<Json> r) mutable {
                if (!r) return ClientImpl::invoke(handler, Result<void>(r.error()));
                const auto item = r.value().find("sceneItemId");
                if (item == r.value().end() || !item->is_number_integer())
                    return ClientImpl::invoke(
                        handler,
                        Result<void>(Error{Errc::protocol, "GetSceneItemId: the response has no sceneItemId"}));
                impl->request(impl->next_request_id(), "SetSceneItemEnabled",
                              {{"sceneName", std::move(scene)}, {"sceneItemId", *item}, {"sceneItemEnabled", enabled}},
                              to_void(std::move(handler)), {});
            });
}

void Client::set_input_settings(std::string input, Json settings, bool overlay, Handler<void> handler) {
    request("SetInputSettings",
            {{"inputName", std::move(input)}, {"inputSettings", std::move(settings)}, {"overlay", overlay}},
            to_void(std::move(handler)));
}

void Client::broadcast_custom_event(Json event_data, Handler<void> handler) {
    request("BroadcastCustomEvent", {{"eventData", std::move(event_data)}}, to_void(std::move(handler)));
}

void Client::trigger_hotkey_by_name(std::string hotkey_name, Handler<void> handler) {
    request("TriggerHotkeyByName", {{"hotkeyName", std::move(hotkey_name)}}, to_void(std::move(handler)));
}

}  // namespace vta::obs
