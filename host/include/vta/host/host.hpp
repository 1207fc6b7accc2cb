// The running host: UDP listener -> ingest (codec, match state) -> store writer and the Lua
// workflows, with the configured OBS connections, all on one io_context.
// `vta run` drives it headless; the control panel drives the same object from another thread through
// snapshots (on_snapshot) and operator actions (post_*), which never block the caller.
#pragma once

#include <atomic>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "vta/host/config.hpp"
#include "vta/bindings/runtime.hpp"
#include "vta/host/ingest.hpp"
#include "vta/host/snapshot.hpp"
#include "vta/obs/connections.hpp"
#include "vta/store/database.hpp"

namespace vta::host {

// Today on this machine's calendar (YYYY-MM-DD): the date a new tournament day gets.
std::string local_date_iso();

struct HostSetup {
    Config config;
    std::filesystem::path database;                       // resolved path of the SQLite file
    std::vector<std::filesystem::path> workflow_folders;  // shipped, user, then the config's
};

class Host {
public:
    // Opens the store, makes sure a tournament day is active and binds the UDP port. On failure
    // returns nullptr and sets `error` to what the user can do about it.
    static std::unique_ptr<Host> create(boost::asio::io_context& io, const HostSetup& setup, std::string& error);
    ~Host();

    void start();
    // Stops receiving, commits everything received and closes the store. Safe to call twice.
    void stop();

    const Ingest& ingest() const { return *ingest_; }
    const store::ActiveDay& active_day() const { return day_; }
    obs::Connections& obs() { return *obs_; }
    bindings::Runtime& workflows() { return *workflows_; }

    // --- for the control panel; each call may come from any thread ---

    static constexpr std::size_t recent_events_kept = 500;
    static constexpr std::chrono::milliseconds snapshot_interval{50};  // at most 20 snapshots a second

    using SnapshotHandler = std::function<void(std::shared_ptr<const HostSnapshot>)>;
    // `handler` runs on the io thread with a fresh snapshot whenever something changed, at most every
    // snapshot_interval (changes in between are coalesced), and at least once a second (ages move on).
    // `log` (may be null) supplies the log lines. Call before start().
    void on_snapshot(SnapshotHandler handler, std::shared_ptr<LogRing> log);

    // Operator actions, posted onto the io_context: the caller never waits. Outcomes go to the log.
    void post_replay();               // host event "operator_replay" to the workflows
    void post_back_to_live();         // host event "operator_back_to_live"
    void post_recording(bool start);  // StartRecord / StopRecord on the first `rec` OBS connection
    void post_workflow_enabled(const std::string& package, bool enabled);
    void post_workflow_reload(const std::string& package);
    // PSS text typed by the operator ("pt1;3;"): stored and tracked like a datagram from sender "manual".
    void post_manual(std::string text);
    // Opens `path` in the playback viewer at `offset_ms`.
    void post_play_clip(std::string path, std::int64_t offset_ms);

    // The tournament/day selector, applied on the io thread: matches that begin afterwards attach to the
    // new active day, the match under way keeps its own. Refusals (unknown id, bad name or date) go to the
    // log and change nothing.
    void post_activate_day(std::int64_t day_id);
    // Adds the tournament's next day, dated `date_iso` (YYYY-MM-DD), and activates it.
    void post_add_day(std::int64_t tournament_id, std::string date_iso);
    // Creates a tournament with its day 1 dated `date_iso` and activates that day.
    void post_create_tournament(std::string name, std::string date_iso);

private:
    Host(boost::asio::io_context& io, const HostSetup& setup);
    void report_every_second();
    void publish_counters();
    void on_datagram(const pss::ReceivedDatagram& datagram);
    void remember_event(const IngestedGroup& group);
    void dispatch_operator_event(const std::string& kind);
    void schedule_snapshot();
    std::shared_ptr<const HostSnapshot> build_snapshot();
    void refresh_clip_links();
    // Runs `change` on a store connection of its own; the day it returns becomes the active one.
    void change_day(const std::string& what,
                    const std::function<vta::Result<store::ActiveDay>(store::Database&)>& change);
    void load_tournaments(store::Database& database);

    boost::asio::io_context& io_;
    HostSetup setup_;
    store::ActiveDay day_;
    std::vector<store::TournamentInfo> tournaments_;  // for the selector, reread after each change
    std::string day_change_error_;
    std::unique_ptr<store::Writer> writer_;
    std::unique_ptr<Ingest> ingest_;
    std::unique_ptr<pss::UdpListener> listener_;
    std::unique_ptr<obs::Connections> obs_;
    std::vector<obs::Subscription> obs_state_logging_;
    std::unique_ptr<bindings::Runtime> workflows_;
    boost::asio::steady_timer report_timer_;
    std::atomic<std::int64_t> committed_datagram_id_{0};
    std::int64_t reported_datagram_id_ = -1;
    bool stopped_ = false;

    std::shared_ptr<bindings::PlaybackBackend> playback_;
    std::shared_ptr<bindings::StoreBackend> store_reader_;
    // Panel state, all touched on the io thread only.
    SnapshotHandler snapshot_handler_;
    std::shared_ptr<LogRing> log_ring_;
    boost::asio::steady_timer snapshot_timer_;
    std::uint64_t snapshot_sequence_ = 0;
    bool changed_since_snapshot_ = true;
    std::uint64_t log_sequence_seen_ = 0;
    std::chrono::steady_clock::time_point last_snapshot_at_{};
    std::chrono::steady_clock::time_point last_clip_refresh_{};
    std::deque<EventSnapshot> recent_events_;
    boost::asio::ip::udp::endpoint last_sender_;
    bool last_sender_manual_ = false;
    bool feeding_manual_ = false;
    std::chrono::steady_clock::time_point rate_since_{};  // datagrams per second: counted from here
    std::uint64_t rate_datagrams_at_since_ = 0;
    double datagrams_per_second_ = 0;
    std::map<std::string, bindings::PackageStatus> disabled_packages_;  // by the operator, with their folder
};

}  // namespace vta::host
