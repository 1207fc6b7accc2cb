#include "vta/host/health_monitor.hpp"

#include <algorithm>
#include <system_error>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

namespace vta::host {

namespace {

constexpr auto frames_window = std::chrono::seconds(10);  // skipped frames are counted over this span
constexpr double gb = 1'000'000'000.0;
constexpr double mb = 1'000'000.0;

double percent(std::int64_t part, std::int64_t whole) { return whole > 0 ? 100.0 * double(part) / double(whole) : 0; }

std::uint64_t file_bytes(const std::filesystem::path& file) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    return ec ? 0 : size;
}

std::string age_text(std::chrono::milliseconds age) {
    const auto s = age.count() / 1000;
    if (s < 120) return fmt::format("{}s", s);
    if (s < 7200) return fmt::format("{}m", s / 60);
    return fmt::format("{}h", s / 3600);
}

void raise(HealthItem& item, HealthLevel level, std::string reason) {
    if (level <= item.level) return;
    item.level = level;
    item.reason = std::move(reason);
}

}  // namespace

std::string_view to_string(HealthLevel level) {
    switch (level) {
        case HealthLevel::ok:
            return "ok";
        case HealthLevel::warning:
            return "warning";
        case HealthLevel::alert:
            return "alert";
    }
    return "ok";
}

std::vector<HealthItem> assess(const HealthSnapshot& h, const HealthConfig& t, bool match_running) {
    std::vector<HealthItem> items;

    HealthItem cpu{"cpu", fmt::format("CPU {:.0f}% {:.0f} MB", h.host_cpu_percent, double(h.host_rss_bytes) / mb)};
    if (h.host_cpu_percent >= t.cpu_warning_percent)
        raise(cpu, HealthLevel::warning,
              fmt::format("the host uses {:.0f}% CPU (health.cpu_warning_percent {})", h.host_cpu_percent,
                          t.cpu_warning_percent));
    items.push_back(std::move(cpu));

    const auto& m = h.machine_memory;
    const double used =
        m.total_bytes > 0 ? 100.0 * double(m.total_bytes - m.available_bytes) / double(m.total_bytes) : 0;
    HealthItem memory{"memory", fmt::format("mem {:.0f}%", used)};
    if (used >= t.memory_warning_percent)
        raise(memory, HealthLevel::warning,
              fmt::format("the machine's memory is {:.0f}% used (health.memory_warning_percent {})", used,
                          t.memory_warning_percent));
    items.push_back(std::move(memory));

    HealthItem disk{"disk", "disk ?"};
    if (!h.disk) {
        raise(disk, HealthLevel::warning, h.disk_problem);
    } else {
        const double free_gb = double(h.disk->free_bytes) / gb;
        disk.text = free_gb < 10 ? fmt::format("disk {:.1f} GB", free_gb) : fmt::format("disk {:.0f} GB", free_gb);
        if (free_gb < t.disk_alert_gb)
            raise(disk, HealthLevel::alert,
                  fmt::format("{:.1f} GB free in {} (health.disk_alert_gb {}): the recording may stop", free_gb,
                              h.disk->folder.string(), t.disk_alert_gb));
        else if (free_gb < t.disk_warning_gb)
            raise(disk, HealthLevel::warning,
                  fmt::format("{:.1f} GB free in {} (health.disk_warning_gb {})", free_gb, h.disk->folder.string(),
                              t.disk_warning_gb));
    }
    items.push_back(std::move(disk));

    HealthItem udp{"udp", h.last_datagram_age_ms
                              ? fmt::format("UDP {:.1f}/s {}", h.udp_datagrams_per_second,
                                            age_text(std::chrono::milliseconds(*h.last_datagram_age_ms)))
                              : std::string("UDP none")};
    const std::int64_t silence_ms = std::int64_t(t.udp_silence_warning_s) * 1000;
    if (match_running && (!h.last_datagram_age_ms || *h.last_datagram_age_ms > silence_ms))
        raise(udp, HealthLevel::alert,
              fmt::format("no PSS datagram for over {} s during a match (health.udp_silence_warning_s)",
                          t.udp_silence_warning_s));
    items.push_back(std::move(udp));

    for (const auto& o : h.obs) {
        HealthItem item{"obs:" + o.name, o.name + " down"};
        if (!o.connected) {
            raise(item, HealthLevel::alert, o.name + " is not connected");
        } else if (!o.polled) {
            item.text = o.name + " …";
        } else {
            const double skipped =
                std::max({o.render_skipped_percent, o.output_skipped_percent, o.stream_skipped_percent});
            item.text = fmt::format("{} cpu {:.0f}% skip {:.1f}%", o.name, o.cpu_percent, skipped);
            if (o.streaming) item.text += fmt::format(" cong {:.2f}", o.stream_congestion);
            if (o.cpu_percent >= t.obs_cpu_warning_percent)
                raise(item, HealthLevel::warning,
                      fmt::format("{} uses {:.0f}% CPU (health.obs_cpu_warning_percent {})", o.name, o.cpu_percent,
                                  t.obs_cpu_warning_percent));
            if (skipped >= 5 * t.obs_skipped_frames_warning_percent)
                raise(item, HealthLevel::alert,
                      fmt::format("{} skips {:.1f}% of its frames (5 x health.obs_skipped_frames_warning_percent)",
                                  o.name, skipped));
            else if (skipped >= t.obs_skipped_frames_warning_percent)
                raise(item, HealthLevel::warning,
                      fmt::format("{} skips {:.1f}% of its frames (health.obs_skipped_frames_warning_percent {})",
                                  o.name, skipped, t.obs_skipped_frames_warning_percent));
            if (o.stream_reconnecting)
                raise(item, HealthLevel::alert, o.name + "'s stream is reconnecting");
            else if (o.streaming && o.stream_congestion >= t.congestion_warning)
                raise(item, HealthLevel::warning,
                      fmt::format("{}'s stream is congested ({:.2f}, health.congestion_warning {})", o.name,
                                  o.stream_congestion, t.congestion_warning));
        }
        items.push_back(std::move(item));
    }

    HealthItem store{"store", fmt::format("store {:.1f} MB", double(h.store_bytes) / mb)};
    if (h.last_commit)
        store.text +=
            " " + age_text(std::chrono::duration_cast<std::chrono::milliseconds>(h.taken_at - *h.last_commit));
    items.push_back(std::move(store));
    return items;
}

nlohmann::json to_json(const HealthSnapshot& h) {
    using nlohmann::json;
    const auto ms = [](std::chrono::system_clock::time_point t) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    };
    json obs = json::array();
    for (const auto& o : h.obs)
        obs.push_back({{"name", o.name},
                       {"connected", o.connected},
                       {"polled", o.polled},
                       {"cpu_percent", o.cpu_percent},
                       {"render_skipped_percent", o.render_skipped_percent},
                       {"output_skipped_percent", o.output_skipped_percent},
                       {"stream_skipped_percent", o.stream_skipped_percent},
                       {"streaming", o.streaming},
                       {"stream_congestion", o.stream_congestion},
                       {"stream_reconnecting", o.stream_reconnecting}});
    json items = json::array();
    for (const auto& i : h.items)
        items.push_back({{"key", i.key}, {"text", i.text}, {"level", to_string(i.level)}, {"reason", i.reason}});
    json disk = nullptr;
    if (h.disk)
        disk = {{"folder", h.disk->folder.string()},
                {"free_bytes", h.disk->free_bytes},
                {"total_bytes", h.disk->total_bytes}};
    return {{"taken_at_ms", ms(h.taken_at)},
            {"level", to_string(h.worst)},
            {"host", {{"cpu_percent", h.host_cpu_percent}, {"rss_bytes", h.host_rss_bytes}}},
            {"machine_memory",
             {{"total_bytes", h.machine_memory.total_bytes}, {"available_bytes", h.machine_memory.available_bytes}}},
            {"disk", disk},
            {"disk_problem", h.disk_problem},
            {"udp",
             {{"datagrams_per_second", h.udp_datagrams_per_second},
              {"last_datagram_age_ms", h.last_datagram_age_ms ? json(*h.last_datagram_age_ms) : json(nullptr)}}},
            {"obs", obs},
            {"store",
             {{"bytes", h.store_bytes}, {"last_commit_ms", h.last_commit ? json(ms(*h.last_commit)) : json(nullptr)}}},
            {"items", items}};
}

HealthMonitor::HealthMonitor(boost::asio::io_context& io, HealthConfig config, Sources sources)
    : io_(io), config_(std::move(config)), sources_(std::move(sources)), timer_(io) {}

HealthMonitor::~HealthMonitor() {
    *alive_ = false;
    worker_.join();
}

void HealthMonitor::start() {
    stopped_ = false;
    sample();
}

void HealthMonitor::stop() {
    stopped_ = true;
    timer_.cancel();
}

std::shared_ptr<const HealthSnapshot> HealthMonitor::latest() const {
    std::lock_guard lock(mutex_);
    return latest_;
}

void HealthMonitor::schedule() {
    timer_.expires_after(interval);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        sample();
    });
}

std::filesystem::path HealthMonitor::record_folder() const {
    if (!config_.record_folder.empty()) return config_.record_folder;
    // The first connection that records (OBS_REC), as OBS itself reports its folder.
    for (const auto& client : sources_.connections.all())
        if (client->role() != obs::Role::str)
            if (const auto live = sources_.obs_monitor.live(client->name()); live && !live->record_directory.empty())
                return live->record_directory;
    return {};
}

void HealthMonitor::sample() {
    schedule();
    if (reading_) return;  // the worker is still on the last read (a hung disk): no pile-up
    const auto now = std::chrono::steady_clock::now();
    HealthSnapshot snapshot;
    snapshot.taken_at = std::chrono::system_clock::now();

    const auto& counters = sources_.ingest.counters();
    if (last_datagrams_) {
        const double seconds = std::chrono::duration<double>(now - last_datagrams_->first).count();
        if (seconds > 0) datagrams_per_second_ = double(counters.datagrams - last_datagrams_->second) / seconds;
    }
    last_datagrams_ = {now, counters.datagrams};
    snapshot.udp_datagrams_per_second = datagrams_per_second_;
    if (counters.last_arrival_us > 0) snapshot.last_datagram_age_ms = (now_us() - counters.last_arrival_us) / 1000;

    for (const auto& client : sources_.connections.all()) {
        ObsHealth o;
        o.name = client->name();
        o.connected = client->state() == obs::State::connected;
        auto& window = frames_[o.name];
        const auto live = o.connected ? sources_.obs_monitor.live(o.name) : std::nullopt;
        if (!live) {
            window.clear();
        } else {
            o.polled = true;
            o.cpu_percent = live->stats.cpu_percent;
            o.streaming = live->stream.active;
            o.stream_congestion = live->stream.congestion;
            o.stream_reconnecting = live->stream.reconnecting;
            window.push_back({now, live->stats, live->stream.skipped_frames, live->stream.total_frames});
            while (window.size() > 1 && now - window.front().at > frames_window) window.pop_front();
            const FrameSample& first = window.front();
            const FrameSample& last = window.back();
            // Counters restart with OBS or with an output: a decrease starts the window again.
            if (last.stats.render_total_frames < first.stats.render_total_frames ||
                last.stats.output_total_frames < first.stats.output_total_frames ||
                last.stream_total < first.stream_total) {
                window.erase(window.begin(), window.end() - 1);
            } else {
                o.render_skipped_percent = percent(last.stats.render_skipped_frames - first.stats.render_skipped_frames,
                                                   last.stats.render_total_frames - first.stats.render_total_frames);
                o.output_skipped_percent = percent(last.stats.output_skipped_frames - first.stats.output_skipped_frames,
                                                   last.stats.output_total_frames - first.stats.output_total_frames);
                o.stream_skipped_percent =
                    percent(last.stream_skipped - first.stream_skipped, last.stream_total - first.stream_total);
            }
        }
        snapshot.obs.push_back(std::move(o));
    }
    snapshot.last_commit = sources_.last_commit ? sources_.last_commit() : std::nullopt;

    reading_ = true;
    const auto folder = record_folder();
    const int warning_gb = config_.disk_warning_gb;
    boost::asio::post(worker_, [this, alive = std::weak_ptr<bool>(alive_), folder, warning_gb,
                                database = sources_.database, snapshot = std::move(snapshot)]() mutable {
        MachineReads reads;
        reads.usage = process_usage();
        reads.memory = machine_memory();
        if (!folder.empty()) reads.disk = disk_space(folder, warning_gb);
        reads.store_bytes = file_bytes(database) + file_bytes(database.string() + "-wal");
        boost::asio::post(io_, [this, alive, reads = std::move(reads), snapshot = std::move(snapshot)]() mutable {
            const auto still = alive.lock();
            if (!still || !*still) return;
            complete(std::move(reads), std::move(snapshot));
        });
    });
}

void HealthMonitor::complete(MachineReads reads, HealthSnapshot snapshot) {
    reading_ = false;
    if (stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    if (reads.usage) {
        if (last_cpu_) {
            const double seconds = std::chrono::duration<double>(now - last_cpu_->first).count();
            if (seconds > 0) snapshot.host_cpu_percent = 100 * (reads.usage->cpu_seconds - last_cpu_->second) / seconds;
        }
        last_cpu_ = {now, reads.usage->cpu_seconds};
        snapshot.host_rss_bytes = reads.usage->rss_bytes;
    }
    if (reads.memory) snapshot.machine_memory = reads.memory.value();
    if (!reads.disk)
        snapshot.disk_problem =
            "the recording folder is not known: set health.record_folder, or connect the OBS that records";
    else if (!*reads.disk)
        snapshot.disk_problem = reads.disk->error().message;
    else
        snapshot.disk = reads.disk->value();
    snapshot.store_bytes = reads.store_bytes;
    const auto& tracker = sources_.ingest.tracker();
    snapshot.items = assess(snapshot, config_, tracker.has_match() && !tracker.state().decided);
    for (const auto& item : snapshot.items) snapshot.worst = std::max(snapshot.worst, item.level);
    {
        std::lock_guard lock(mutex_);
        latest_ = std::make_shared<const HealthSnapshot>(std::move(snapshot));
    }
    if (on_update) on_update();
}

}  // namespace vta::host
