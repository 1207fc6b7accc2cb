// The running host: UDP listener -> ingest (codec, match state) -> store writer and the Lua workflows, with the
// configured OBS connections, all on one io_context. This class owns those parts and their lifecycle; the
// workflows (workflow_link.hpp), the panel's snapshots (panel_feed.hpp), the operator's actions
// (operator_actions.hpp) and the tournament days (tournament_days.hpp) each live in a class of their own.
// `vta run` drives it headless; the control panel drives the same object from another thread through snapshots
// (on_snapshot) and actions(), which never block the caller.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vta/courts/court_bus.hpp"
#include "vta/host/config.hpp"
#include "vta/host/ingest.hpp"
#include "vta/host/licence_keeper.hpp"
#include "vta/host/obs_monitor.hpp"
#include "vta/host/operator_actions.hpp"
#include "vta/host/overlays.hpp"
#include "vta/host/panel_feed.hpp"
#include "vta/host/tournament_days.hpp"
#include "vta/host/workflow_link.hpp"
#include "vta/obs/connections.hpp"
#include "vta/pss/udp_listener.hpp"
#include "vta/store/reader.hpp"
#include "vta/store/writer.hpp"

namespace vta::host {

struct HostSetup {
    Config config;
    std::filesystem::path database;                       // resolved path of the SQLite file
    std::vector<std::filesystem::path> workflow_folders;  // shipped, user, then the config's
    std::filesystem::path overlays_folder;                // the shipped overlay pages (scripts/overlays)
    std::filesystem::path licence_folder;                 // licence.json and licence-state.json
    std::filesystem::path secrets_file;                   // secrets.json.enc beside the config file
    std::vector<std::string> warnings;  // for the log once it is set up: plain passwords, unreadable secrets
};

class Host {
public:
    // Opens the store, makes sure a tournament day is active and binds the UDP port. A failure says what the user
    // can do about it.
    static vta::Result<std::unique_ptr<Host>> create(boost::asio::io_context& io, const HostSetup& setup);
    ~Host();

    void start();
    // Stops receiving, commits everything received and closes the store. Safe to call twice.
    void stop();

    // `handler` runs on the io thread with a fresh snapshot whenever something changed (PanelFeed). `log` (may be
    // null) supplies the log lines. Call before start().
    void on_snapshot(PanelFeed::SnapshotHandler handler, std::shared_ptr<LogRing> log);

    // The operator's actions; callable from any thread.
    OperatorActions& actions() { return *actions_; }
    // The audit trail (control-room bulk actions record through it: AuditLog::record_control_room).
    AuditLog& audit() { return *audit_; }
    // The overlay server, null when it is off (io thread).
    const Overlays* overlays() const { return overlays_.get(); }
    // The licence in force (io thread).
    const LicenceKeeper& licence() const { return *licence_; }

private:
    explicit Host(boost::asio::io_context& io, const HostSetup& setup);
    void report_every_second();
    void publish_counters();
    void on_datagram(const pss::ReceivedDatagram& datagram);
    void feed_manual(const std::string& text);
    // The court now, for the courts' bus `state` topic.
    nlohmann::json court_state() const;
    // Puts the licence in force into effect: the OBS connections beyond the first need multi_obs, overlay
    // themes need overlays.
    void apply_licence();

    boost::asio::io_context& io_;
    HostSetup setup_;
    std::unique_ptr<store::Writer> writer_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<store::Reader> reader_;                        // reads and day changes off the io thread
    std::shared_ptr<courts::CourtBus> courts_;                     // null unless courts.enabled
    std::atomic<courts::CourtBus*> committed_to_courts_{nullptr};  // the writer thread's view of courts_
    std::unique_ptr<Ingest> ingest_;
    std::unique_ptr<pss::UdpListener> listener_;
    std::shared_ptr<LicenceKeeper> licence_;
    std::unique_ptr<obs::Connections> obs_;
    std::unique_ptr<ObsMonitor> obs_monitor_;  // each OBS's figures for the panel and `vta status`
    std::vector<std::string> obs_held_back_;  // connections not started for want of multi_obs
    bool obs_started_ = false;                // apply_licence() has started the allowed connections once
    std::vector<obs::Subscription> obs_state_logging_;
    std::unique_ptr<TournamentDays> days_;
    std::shared_ptr<Overlays> overlays_;  // null when off, or when its port could not be bound
    std::unique_ptr<WorkflowLink> workflows_;
    std::unique_ptr<PanelFeed> feed_;
    std::unique_ptr<OperatorActions> actions_;
    boost::asio::steady_timer report_timer_;
    std::atomic<std::int64_t> committed_datagram_id_{0};
    std::int64_t reported_datagram_id_ = -1;
    bool feeding_manual_ = false;
    bool stopped_ = false;
};

}  // namespace vta::host
