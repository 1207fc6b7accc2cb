// What the control panel sees of the host: immutable snapshots built on the io thread at most every
// snapshot_interval when something changed (and at least once a second, so ages move on), with the recent events,
// the datagram rate and the clip links the workflows stored.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vta/host/ingest.hpp"
#include "vta/host/log_ring.hpp"
#include "vta/host/health_monitor.hpp"
#include "vta/host/obs_monitor.hpp"
#include "vta/host/snapshot.hpp"
#include "vta/host/tournament_days.hpp"
#include "vta/host/workflow_link.hpp"
#include "vta/obs/connections.hpp"
#include "vta/pss/udp_listener.hpp"
#include "vta/store/reader.hpp"

namespace vta::host {

class PanelFeed {
public:
    static constexpr std::size_t recent_events_kept = 500;
    static constexpr std::int64_t audit_rows_kept = 500;  // the newest rows of the audit trail the log tab lists
    static constexpr std::chrono::milliseconds snapshot_interval{50};  // at most 20 snapshots a second

    using SnapshotHandler = std::function<void(std::shared_ptr<const HostSnapshot>)>;

    // What the snapshots are read from; all outlive the feed.
    struct Sources {
        const Ingest& ingest;
        const pss::UdpListener& listener;
        obs::Connections& connections;
        const ObsMonitor& obs_monitor;  // each connected OBS's polled figures
        const HealthMonitor& health;
        WorkflowLink& workflows;
        const TournamentDays& days;
        store::Reader& reader;  // the stored clip links of the recent events
        const LicenceKeeper& licence;
    };

    // `log` (may be null) supplies the log lines.
    PanelFeed(boost::asio::io_context& io, Sources sources, SnapshotHandler handler, std::shared_ptr<LogRing> log);
    ~PanelFeed();

    void start();
    void stop();

    // Something the panel shows changed: the next tick sends a snapshot.
    void mark_changed() { changed_ = true; }
    void on_datagram(const pss::ReceivedDatagram& datagram);
    // `manual`: the operator typed it.
    void on_group(const IngestedGroup& group, bool manual);
    // The last control-room action as it stands (OperatorActions), for the next snapshot.
    void set_control_room(ControlRoomResult result) {
        control_room_ = std::move(result);
        changed_ = true;
    }

private:
    void schedule();
    std::shared_ptr<const HostSnapshot> build();
    // Asks the reader for the clip links of the events shown; they arrive with a later snapshot.
    void refresh_clip_links();
    void refresh_audit();
    void apply_clip_links(const std::vector<store::EventInfo>& stored);

    boost::asio::io_context& io_;
    Sources sources_;
    SnapshotHandler handler_;
    std::shared_ptr<LogRing> log_;
    boost::asio::steady_timer timer_;
    bool stopped_ = false;
    std::uint64_t sequence_ = 0;
    bool changed_ = true;
    std::uint64_t log_sequence_seen_ = 0;
    std::chrono::steady_clock::time_point last_snapshot_at_{};
    std::chrono::steady_clock::time_point last_clip_refresh_{};
    std::deque<EventSnapshot> recent_events_;
    boost::asio::ip::udp::endpoint last_sender_;
    bool last_sender_manual_ = false;
    std::chrono::steady_clock::time_point rate_since_{};  // datagrams per second: counted from here
    std::uint64_t rate_datagrams_at_since_ = 0;
    double datagrams_per_second_ = 0;
    bool clip_links_pending_ = false;  // one read at a time
    std::chrono::steady_clock::time_point last_audit_refresh_{};
    bool audit_pending_ = false;
    std::vector<store::AuditEntry> audit_;
    std::optional<ControlRoomResult> control_room_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a read answered after destruction is dropped
};

}  // namespace vta::host
