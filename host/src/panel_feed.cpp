#include "vta/host/panel_feed.hpp"

#include <map>

#include <boost/asio/post.hpp>

namespace vta::host {

PanelFeed::PanelFeed(boost::asio::io_context& io, Sources sources, SnapshotHandler handler,
                     std::shared_ptr<LogRing> log)
    : io_(io), sources_(sources), handler_(std::move(handler)), log_(std::move(log)), timer_(io) {}

PanelFeed::~PanelFeed() { *alive_ = false; }

void PanelFeed::start() { schedule(); }

void PanelFeed::stop() {
    stopped_ = true;
    timer_.cancel();
}

void PanelFeed::on_datagram(const pss::ReceivedDatagram& datagram) {
    last_sender_ = datagram.sender;
    last_sender_manual_ = !datagram.sender_name.empty();
    changed_ = true;
}

void PanelFeed::on_group(const IngestedGroup& g, bool manual) {
    EventSnapshot event;
    event.id = g.event_id;
    event.at_us = g.arrival_us;
    event.code = g.group.code;
    event.raw = g.group.raw;
    event.round = g.state.round;
    if (g.has_match) event.clock_seconds = g.state.clock_seconds;
    event.manual = manual;
    recent_events_.push_back(std::move(event));
    if (recent_events_.size() > recent_events_kept) recent_events_.pop_front();
}

void PanelFeed::schedule() {
    timer_.expires_after(snapshot_interval);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        const auto now = std::chrono::steady_clock::now();
        const bool log_moved = log_ && log_->last_sequence() != log_sequence_seen_;
        if (changed_ || log_moved || now - last_snapshot_at_ >= std::chrono::seconds(1)) {
            changed_ = false;
            last_snapshot_at_ = now;
            handler_(build());
        }
        schedule();
    });
}

void PanelFeed::refresh_clip_links() {
    // Workflows tag events with clips in the store; the in-memory events learn of it here, at most
    // every two seconds, from one read of the span the table shows, made on the reader's thread.
    const auto now = std::chrono::steady_clock::now();
    if (recent_events_.empty() || clip_links_pending_ || now - last_clip_refresh_ < std::chrono::seconds(2)) return;
    last_clip_refresh_ = now;
    clip_links_pending_ = true;
    sources_.reader.events_between(
        recent_events_.front().at_us, recent_events_.back().at_us, store::default_events_limit,
        [this, alive = std::weak_ptr<bool>(alive_)](vta::Result<std::vector<store::EventInfo>> stored) {
            boost::asio::post(io_, [this, alive, stored = std::move(stored)] {
                const auto still = alive.lock();
                if (!still || !*still) return;
                clip_links_pending_ = false;
                if (stored) apply_clip_links(stored.value());
            });
        });
}

void PanelFeed::refresh_audit() {
    // The trail is written by the Writer (and by CLI commands on their own connections): read its newest rows
    // every second on the reader's thread.
    const auto now = std::chrono::steady_clock::now();
    if (audit_pending_ || now - last_audit_refresh_ < std::chrono::seconds(1)) return;
    last_audit_refresh_ = now;
    audit_pending_ = true;
    sources_.reader.read<std::vector<store::AuditEntry>>(
        [](store::Database& db) {
            return db.list_audit({std::nullopt, audit_rows_kept});
        },
        [this, alive = std::weak_ptr<bool>(alive_)](vta::Result<std::vector<store::AuditEntry>> rows) {
            boost::asio::post(io_, [this, alive, rows = std::move(rows)]() mutable {
                const auto still = alive.lock();
                if (!still || !*still) return;
                audit_pending_ = false;
                if (!rows) return;
                const bool moved =
                    rows->size() != audit_.size() || (!rows->empty() && rows->back().id != audit_.back().id);
                audit_ = std::move(rows.value());
                if (moved) changed_ = true;
            });
        });
}

void PanelFeed::apply_clip_links(const std::vector<store::EventInfo>& stored) {
    std::map<std::int64_t, const store::EventInfo*> by_id;
    for (const auto& e : stored)
        if (e.clip_path || e.rec_offset_ms || e.str_offset_ms || e.clip_offset_ms) by_id[e.id] = &e;
    if (by_id.empty()) return;
    for (auto& event : recent_events_) {
        const auto found = by_id.find(event.id);
        if (found == by_id.end()) continue;
        const store::EventInfo& e = *found->second;
        if (e.clip_path) event.clip_path = e.clip_path;
        if (e.rec_offset_ms) event.rec_offset_ms = e.rec_offset_ms;
        if (e.str_offset_ms) event.str_offset_ms = e.str_offset_ms;
        if (e.clip_offset_ms) event.clip_offset_ms = e.clip_offset_ms;
    }
    changed_ = true;
}

std::shared_ptr<const HostSnapshot> PanelFeed::build() {
    auto snapshot = std::make_shared<HostSnapshot>();
    snapshot->sequence = ++sequence_;
    snapshot->taken_at = std::chrono::system_clock::now();

    const Ingest& ingest = sources_.ingest;
    const auto& counters = ingest.counters();
    const auto steady_now = std::chrono::steady_clock::now();
    const double rate_seconds = std::chrono::duration<double>(steady_now - rate_since_).count();
    if (rate_seconds >= 1.0) {
        datagrams_per_second_ = rate_since_ == std::chrono::steady_clock::time_point{}
                                    ? 0
                                    : double(counters.datagrams - rate_datagrams_at_since_) / rate_seconds;
        rate_since_ = steady_now;
        rate_datagrams_at_since_ = counters.datagrams;
    }
    const auto endpoint = sources_.listener.local_endpoint();
    snapshot->udp.listening = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    if (last_sender_manual_)
        snapshot->udp.last_sender = "manual";
    else if (counters.datagrams > 0)
        snapshot->udp.last_sender = last_sender_.address().to_string() + ":" + std::to_string(last_sender_.port());
    snapshot->udp.datagrams_per_second = datagrams_per_second_;
    if (counters.last_arrival_us > 0) snapshot->udp.last_datagram_age_ms = (now_us() - counters.last_arrival_us) / 1000;
    snapshot->udp.datagrams = counters.datagrams;
    snapshot->udp.refused = sources_.listener.counters().refused;

    for (const auto& client : sources_.connections.all()) {
        const obs::Status status = client->status();
        snapshot->obs.push_back({client->name(), std::string(obs::to_string(client->role())), status.connection,
                                 status.recording, status.streaming, status.program_scene,
                                 sources_.obs_monitor.live(client->name())});
    }
    snapshot->has_match = ingest.tracker().has_match();
    snapshot->match = ingest.tracker().state();
    snapshot->match_id = ingest.match_id();
    refresh_clip_links();
    refresh_audit();
    snapshot->audit = audit_;
    snapshot->control_room = control_room_;
    snapshot->events.assign(recent_events_.begin(), recent_events_.end());
    snapshot->packages = sources_.workflows.status();
    if (log_) {
        snapshot->log = log_->lines();
        log_sequence_seen_ = snapshot->log.empty() ? 0 : snapshot->log.back().sequence;
    }
    snapshot->day = sources_.days.active();
    snapshot->tournaments = sources_.days.tournaments();
    snapshot->day_change_error = sources_.days.last_error();
    snapshot->licence = sources_.licence.view();
    snapshot->health = sources_.health.latest();
    return snapshot;
}

}  // namespace vta::host
