// What the operator does from the panel, posted onto the host's io_context: the caller (the panel's thread) never
// waits, and outcomes go to the log. Each action that changes the record or what is on air leaves a row in the
// audit trail (source "panel").
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/host/audit_log.hpp"
#include "vta/host/control_room.hpp"
#include "vta/host/licence_keeper.hpp"
#include "vta/host/panel_feed.hpp"
#include "vta/host/tournament_days.hpp"
#include "vta/host/workflow_link.hpp"
#include "vta/obs/connections.hpp"

namespace vta::host {

class OperatorActions {
public:
    // `feed_manual` stores and tracks PSS text like a datagram (the host's ingest path).
    // `main_audio_input`: the OBS input the control room mutes (config panel.main_audio_input).
    OperatorActions(boost::asio::io_context& io, WorkflowLink& workflows, obs::Connections& connections,
                    TournamentDays& days, LicenceKeeper& licence, AuditLog& audit,
                    std::function<void(const std::string&)> feed_manual, std::string main_audio_input = "MAIN_AUDIO");
    ~OperatorActions();

    // The feed to tell of changes, once the panel asked for snapshots (may stay unset: `vta run`).
    void set_feed(PanelFeed* feed) { feed_ = feed; }
    // Refuses every later action (the host is stopping).
    void stop() { stopped_ = true; }

    void post_replay();               // host event "operator_replay" to the workflows
    void post_back_to_live();         // host event "operator_back_to_live"
    void post_recording(bool start);  // StartRecord / StopRecord on the first `rec` OBS connection
    void post_workflow_enabled(const std::string& package, bool enabled);
    void post_workflow_reload(const std::string& package);
    // PSS text typed by the operator ("pt1;3;"): stored and tracked like a datagram from sender "manual".
    void post_manual(std::string text);
    // Opens `path` in the playback viewer at `offset_ms`.
    void post_play_clip(std::string path, std::int64_t offset_ms);
    // The tournament/day selector: matches that begin afterwards attach to the new active day, the match under
    // way keeps its own. Refusals (unknown id, bad name or date) go to the log and change nothing.
    void post_activate_day(std::int64_t day_id);
    void post_add_day(std::int64_t tournament_id, std::string date_iso);
    void post_create_tournament(std::string name, std::string date_iso);
    // The Settings tab wrote the config file (`before` -> `after`, whole documents), or loaded `file` into its form
    // (`after` the imported document): audit rows with what changed, secrets masked. Never blocks.
    // `secrets_written`: the names of the secrets the save wrote (typed passwords), never their values.
    void settings_saved(const nlohmann::json& before, const nlohmann::json& after,
                        const std::vector<std::string>& secrets_written = {});
    void settings_imported(const std::string& file, const nlohmann::json& before, const nlohmann::json& after);
    // The control room: `request.operation` on every connection named, all at once. A connection that is down (or
    // not configured) answers at once with its error and never holds the others up. The outcomes show in the
    // snapshot's `control_room` as they come; once the last one came, one audit row (control_room) holds them all.
    void post_control_room(ControlRoomRequest request);
    // The activation dialog: fetches this machine's licence for `key` from `server` ("" for licence.server) and
    // installs it; the outcome shows in the snapshot's licence view and the log.
    void post_activate_licence(std::string server, std::string key);

private:
    void run_control_room(ControlRoomRequest request);
    // Runs `action` on the io thread unless the host stopped meanwhile.
    void post(std::function<void()> action);
    nlohmann::json package_state(const std::string& package) const;  // {"state": ...}, null when not loaded
    void changed() {
        if (feed_) feed_->mark_changed();
    }

    boost::asio::io_context& io_;
    WorkflowLink& workflows_;
    obs::Connections& connections_;
    TournamentDays& days_;
    LicenceKeeper& licence_;
    AuditLog& audit_;
    std::function<void(const std::string&)> feed_manual_;
    std::string main_audio_input_;
    PanelFeed* feed_ = nullptr;
    bool stopped_ = false;
    std::uint64_t control_room_actions_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // OBS answers after destruction are dropped
};

}  // namespace vta::host
