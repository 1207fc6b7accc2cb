#include "vta/host/obs_monitor.hpp"

namespace vta::host {

// One round of requests to one OBS; finished when every answer is in.
struct ObsMonitor::Poll {
    int outstanding = 0;
    bool failed = false;  // a core request failed (the connection dropped): the round is dropped
    ObsLiveSnapshot live;
};

ObsMonitor::ObsMonitor(boost::asio::io_context& io, obs::Connections& connections, Options options)
    : io_(io), connections_(connections), options_(std::move(options)), timer_(io) {}

ObsMonitor::~ObsMonitor() { *alive_ = false; }

void ObsMonitor::start() {
    stopped_ = false;
    tick();
}

void ObsMonitor::stop() {
    stopped_ = true;
    timer_.cancel();
}

std::optional<ObsLiveSnapshot> ObsMonitor::live(const std::string& connection) const {
    const auto found = entries_.find(connection);
    return found == entries_.end() ? std::nullopt : found->second.live;
}

void ObsMonitor::schedule() {
    timer_.expires_after(options_.interval);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        tick();
    });
}

void ObsMonitor::tick() {
    bool dropped = false;
    for (const auto& client : connections_.all()) {
        Entry& entry = entries_[client->name()];
        if (client->state() != obs::State::connected) {
            dropped = dropped || entry.live.has_value();
            entry.live.reset();
            entry.stream_bytes = -1;
            continue;
        }
        if (!entry.polling) poll(client, entry);
    }
    if (dropped && on_update) on_update();
    schedule();
}

void ObsMonitor::poll(const std::shared_ptr<obs::Client>& client, Entry& entry) {
    entry.polling = true;
    auto round = std::make_shared<Poll>();
    const bool records = client->role() != obs::Role::str;
    round->outstanding = records ? 6 : 5;
    // Every handler runs on the io thread, never inside the call that started it.
    auto answered = [this, alive = std::weak_ptr<bool>(alive_), name = client->name(), round](bool core_failed) {
        const auto still = alive.lock();
        if (!still || !*still) return;
        round->failed = round->failed || core_failed;
        if (--round->outstanding == 0) finish(name, *round);
    };
    client->get_stats([round, answered](vta::Result<obs::Stats> r) {
        if (r) round->live.stats = r.value();
        answered(!r);
    });
    client->get_stream_status([round, answered](vta::Result<obs::StreamStatus> r) {
        if (r) round->live.stream = r.value();
        answered(!r);
    });
    client->get_record_status([round, answered](vta::Result<obs::RecordStatus> r) {
        if (r) round->live.record = r.value();
        answered(!r);
    });
    client->get_scene_list([round, answered](vta::Result<obs::SceneList> r) {
        if (r) round->live.scenes = r.value().scenes;
        answered(!r);
    });
    // An OBS without that input answers with an error: it has no main audio to show, which is not a failure.
    client->get_input_mute(options_.main_audio_input, [round, answered](vta::Result<bool> r) {
        if (r) round->live.main_audio_muted = r.value();
        answered(false);
    });
    if (records)
        client->get_record_directory([round, answered](vta::Result<std::string> r) {
            if (r) round->live.record_directory = r.value();
            answered(false);
        });
}

void ObsMonitor::finish(const std::string& name, Poll& round) {
    Entry& entry = entries_[name];
    entry.polling = false;
    const auto client = connections_.by_name(name);
    if (round.failed || stopped_ || !client || client->state() != obs::State::connected) return;
    const auto now = std::chrono::steady_clock::now();
    ObsLiveSnapshot& live = round.live;
    live.polled_at = std::chrono::system_clock::now();
    if (!live.stream.active) {
        entry.stream_bytes = -1;
    } else {
        const double seconds = std::chrono::duration<double>(now - entry.stream_bytes_at).count();
        if (entry.stream_bytes >= 0 && live.stream.bytes >= entry.stream_bytes && seconds > 0)
            live.stream_kbps = double(live.stream.bytes - entry.stream_bytes) * 8 / 1000 / seconds;
        entry.stream_bytes = live.stream.bytes;
        entry.stream_bytes_at = now;
    }
    entry.live = std::move(live);
    if (on_update) on_update();
}

}  // namespace vta::host
