#include "vta/host/panel_feed.hpp"

#include <map>

namespace vta::host {

namespace {

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

PanelFeed::PanelFeed(boost::asio::io_context& io, Sources sources, SnapshotHandler handler,
                     std::shared_ptr<LogRing> log)
    : sources_(sources), handler_(std::move(handler)), log_(std::move(log)), timer_(io) {}

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
    // every two seconds, from one read of the span the table shows.
    const auto now = std::chrono::steady_clock::now();
    if (recent_events_.empty() || now - last_clip_refresh_ < std::chrono::seconds(2)) return;
    last_clip_refresh_ = now;
    const auto stored =
        sources_.workflows.store().events_between(recent_events_.front().at_us, recent_events_.back().at_us);
    if (!stored.ok() || !stored.value().is_array()) return;
    std::map<std::int64_t, const nlohmann::json*> by_id;
    for (const auto& e : stored.value())
        if (e.contains("id") && (e.contains("clip_path") || e.contains("rec_offset_ms") ||
                                 e.contains("str_offset_ms") || e.contains("clip_offset_ms")))
            by_id[e["id"].get<std::int64_t>()] = &e;
    if (by_id.empty()) return;
    for (auto& event : recent_events_) {
        auto found = by_id.find(event.id);
        if (found == by_id.end()) continue;
        const auto& e = *found->second;
        if (auto clip = e.find("clip_path"); clip != e.end() && clip->is_string())
            event.clip_path = clip->get<std::string>();
        if (auto rec = e.find("rec_offset_ms"); rec != e.end() && rec->is_number())
            event.rec_offset_ms = rec->get<std::int64_t>();
        if (auto str = e.find("str_offset_ms"); str != e.end() && str->is_number())
            event.str_offset_ms = str->get<std::int64_t>();
        if (auto in_clip = e.find("clip_offset_ms"); in_clip != e.end() && in_clip->is_number())
            event.clip_offset_ms = in_clip->get<std::int64_t>();
    }
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
                                 status.recording, status.streaming});
    }
    snapshot->has_match = ingest.tracker().has_match();
    snapshot->match = ingest.tracker().state();
    snapshot->match_id = ingest.match_id();
    refresh_clip_links();
    snapshot->events.assign(recent_events_.begin(), recent_events_.end());
    snapshot->packages = sources_.workflows.status();
    if (log_) {
        snapshot->log = log_->lines();
        log_sequence_seen_ = snapshot->log.empty() ? 0 : snapshot->log.back().sequence;
    }
    snapshot->day = sources_.days.active();
    snapshot->tournaments = sources_.days.tournaments();
    snapshot->day_change_error = sources_.days.last_error();
    return snapshot;
}

}  // namespace vta::host
