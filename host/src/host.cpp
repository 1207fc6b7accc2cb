#include "vta/host/host.hpp"

#include <chrono>
#include <ctime>
#include <map>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "vta/bindings/host_backends.hpp"

namespace vta::host {

std::string local_date_iso() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &local);
    return text;
}

namespace {

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

Host::Host(boost::asio::io_context& io, const HostSetup& setup)
    : io_(io), setup_(setup), report_timer_(io), snapshot_timer_(io) {}

Host::~Host() { stop(); }

std::unique_ptr<Host> Host::create(boost::asio::io_context& io, const HostSetup& setup, std::string& error) {
    std::unique_ptr<Host> host(new Host(io, setup));
    std::optional<std::pair<std::int64_t, pss::MatchState>> unfinished;
    {
        auto database = store::Database::open(setup.database);
        if (!database) {
            error = "cannot open the database " + setup.database.string() + ": " + database.error().message;
            return nullptr;
        }
        auto day = database->ensure_active_day(local_date_iso());
        if (!day) {
            error = "cannot set up the active tournament day: " + day.error().message;
            return nullptr;
        }
        host->day_ = day.value();
        host->load_tournaments(database.value());
        // A host restarted mid-match continues that match: the rest of its events must not attach to none.
        if (auto newest = database->list_matches({host->day_.day_id, 1}); newest && !newest->empty()) {
            const store::MatchInfo& match = newest->back();
            auto state = pss::MatchState::from_json(nlohmann::json::parse(match.state_json, nullptr, false));
            if (!state.decided) unfinished = std::make_pair(match.id, std::move(state));
        } else if (!newest) {
            spdlog::warn("cannot read the newest match of the day to continue it: {}", newest.error().message);
        }
    }

    store::WriterOptions options;
    options.batch_rows = std::size_t(setup.config.store.batch_rows);
    options.batch_delay = std::chrono::milliseconds(setup.config.store.batch_ms);
    Host* self = host.get();
    options.on_commit = [self](const store::CommitInfo& info) {
        self->committed_datagram_id_.store(info.last_datagram_id);
        spdlog::debug("committed {} rows in {} us, through datagram {}", info.rows, info.duration.count(),
                      info.last_datagram_id);
    };
    options.on_error = [](const vta::Error& e) { spdlog::error("store: {}", e.message); };
    auto writer = store::Writer::open(setup.database, options);
    if (!writer) {
        error = "cannot open the store writer on " + setup.database.string() + ": " + writer.error().message;
        return nullptr;
    }
    host->writer_ = std::move(writer.value());
    host->ingest_ = std::make_unique<Ingest>(*host->writer_, host->day_.day_id);
    if (unfinished) {
        spdlog::info("continuing match {} (id {}) begun before the restart", unfinished->second.number,
                     unfinished->first);
        host->ingest_->resume(unfinished->first, unfinished->second);
    }

    Ingest* ingest = host->ingest_.get();
    host->listener_ = pss::UdpListener::open(
        io, setup.config.udp, [self](const pss::ReceivedDatagram& d) { self->on_datagram(d); }, error);
    if (!host->listener_) return nullptr;
    host->listener_->on_drained([ingest] { ingest->flush_match(); });
    host->obs_ = std::make_unique<obs::Connections>(io, setup.config.obs);

    bindings::RuntimeOptions workflows;
    workflows.package_roots = setup.workflow_folders;
    workflows.packages = setup.config.workflows.packages;
    workflows.memory_limit_bytes = std::size_t(setup.config.workflows.memory_limit_mb) << 20;
    workflows.hot_reload = setup.config.workflows.hot_reload;
    workflows.obs = bindings::make_obs_backend(*host->obs_);
    workflows.store = bindings::make_store_backend(setup.database, host->writer_.get());
    host->store_reader_ = workflows.store;
    bindings::MpvOptions mpv;
    mpv.mpv_path = setup.config.playback.mpv;
    mpv.extra_args = setup.config.playback.args;
    workflows.playback = bindings::make_mpv_playback(io, mpv);
    host->playback_ = workflows.playback;
    workflows.current_match = [ingest] { return ingest->tracker().state().to_json(); };
    workflows.current_match_id = [ingest] { return ingest->match_id(); };
    host->workflows_ = std::make_unique<bindings::Runtime>(io, std::move(workflows));
    ingest->set_observer([self](const IngestedGroup& g) {
        if (self->snapshot_handler_) self->remember_event(g);  // only a panel shows them: `vta run` skips the copy
        // Building the events serialises the match state: skip it for groups no package listens to (most
        // datagrams are clock ticks).
        bool wanted = self->workflows_->wants(g.group.code);
        for (const auto& derived : g.update.derived) wanted = wanted || self->workflows_->wants(derived.kind);
        if (!wanted) return;
        for (const auto& event :
             bindings::events_from(g.group, g.update, g.state, g.event_id, g.arrival_us, self->ingest_->match_id()))
            self->workflows_->dispatch(event);
    });
    return host;
}

void Host::start() {
    const auto endpoint = listener_->local_endpoint();
    spdlog::info(
        "listening for PSS on udp {}:{} (receive buffer {} KiB){}", endpoint.address().to_string(), endpoint.port(),
        listener_->receive_buffer_bytes() / 1024,
        setup_.config.udp.allow.empty() ? "" : ", senders allowed: " + std::to_string(setup_.config.udp.allow.size()));
    if (listener_->receive_buffer_bytes() < setup_.config.udp.receive_buffer_bytes / 2)
        spdlog::warn(
            "the kernel granted a {} KiB receive buffer instead of {} KiB: raise net.core.rmem_max or run as "
            "root so bursts are not dropped",
            listener_->receive_buffer_bytes() / 1024, setup_.config.udp.receive_buffer_bytes / 1024);
    spdlog::info("storing into {} (tournament '{}', day {})", setup_.database.string(), day_.tournament_name,
                 day_.day_number);
    listener_->start();
    for (const auto& client : obs_->all()) {
        obs_state_logging_.push_back(client->on_state_change([name = client->name()](const obs::ConnectionState& s) {
            if (s.state == obs::State::failed)
                spdlog::error("{}: connection failed: {}", name, s.reason);
            else
                spdlog::info("{}: {}{}", name, obs::to_string(s.state), s.reason.empty() ? "" : " (" + s.reason + ")");
        }));
    }
    obs_->start_all();
    const int loaded = workflows_->load_all();
    const auto packages = workflows_->status();
    spdlog::info("workflows: {} of {} packages loaded from {} folders", loaded, packages.size(),
                 setup_.workflow_folders.size());
    for (const auto& p : packages)
        if (p.last_error)
            spdlog::error("workflow {}: {}:{}: {}", p.name, p.last_error->file, p.last_error->line,
                          p.last_error->message);
    report_every_second();
    if (snapshot_handler_) schedule_snapshot();
}

void Host::publish_counters() {
    const auto& udp = listener_->counters();
    const auto& ingest = ingest_->counters();
    writer_->set_counters({{"udp_datagrams", std::int64_t(udp.datagrams)},
                           {"udp_bytes", std::int64_t(udp.bytes)},
                           {"udp_refused", std::int64_t(udp.refused)},
                           {"udp_receive_errors", std::int64_t(udp.receive_errors)},
                           {"decoded", std::int64_t(ingest.decoded)},
                           {"unknown", std::int64_t(ingest.unknown)},
                           {"invalid", std::int64_t(ingest.invalid)}});
}

void Host::report_every_second() {
    report_timer_.expires_after(std::chrono::seconds(1));
    report_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        const std::int64_t committed = committed_datagram_id_.load();
        if (committed != reported_datagram_id_) {
            const auto& c = ingest_->counters();
            publish_counters();
            spdlog::info(
                "received {} datagrams ({} groups decoded, {} unknown, {} invalid, {} refused); committed through "
                "datagram {}",
                c.datagrams, c.decoded, c.unknown, c.invalid, listener_->counters().refused, committed);
            reported_datagram_id_ = committed;
        }
        report_every_second();
    });
}

void Host::stop() {
    if (stopped_) return;
    stopped_ = true;
    report_timer_.cancel();
    snapshot_timer_.cancel();
    if (listener_) listener_->stop();
    workflows_.reset();  // before the OBS connections and the writer its backends use
    if (obs_) obs_->stop_all();
    obs_state_logging_.clear();
    if (!listener_ || !writer_) return;  // create() failed half-way: nothing was received
    ingest_->flush_match();
    publish_counters();
    if (auto closed = writer_->close(); !closed) spdlog::error("store: closing failed: {}", closed.error().message);
    const auto& c = ingest_->counters();
    spdlog::info("stopped: {} datagrams received, committed through datagram {}", c.datagrams,
                 committed_datagram_id_.load());
}

void Host::on_datagram(const pss::ReceivedDatagram& datagram) {
    ingest_->on_datagram(datagram);
    last_sender_ = datagram.sender;
    last_sender_manual_ = !datagram.sender_name.empty();
    changed_since_snapshot_ = true;
}

void Host::remember_event(const IngestedGroup& g) {
    EventSnapshot event;
    event.id = g.event_id;
    event.at_us = g.arrival_us;
    event.code = g.group.code;
    event.raw = g.group.raw;
    event.round = g.state.round;
    if (ingest_->tracker().has_match()) event.clock_seconds = g.state.clock_seconds;
    event.manual = feeding_manual_;
    recent_events_.push_back(std::move(event));
    if (recent_events_.size() > recent_events_kept) recent_events_.pop_front();
}

void Host::on_snapshot(SnapshotHandler handler, std::shared_ptr<LogRing> log) {
    snapshot_handler_ = std::move(handler);
    log_ring_ = std::move(log);
}

void Host::schedule_snapshot() {
    snapshot_timer_.expires_after(snapshot_interval);
    snapshot_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopped_) return;
        const auto now = std::chrono::steady_clock::now();
        const bool log_moved = log_ring_ && log_ring_->last_sequence() != log_sequence_seen_;
        if (changed_since_snapshot_ || log_moved || now - last_snapshot_at_ >= std::chrono::seconds(1)) {
            changed_since_snapshot_ = false;
            last_snapshot_at_ = now;
            snapshot_handler_(build_snapshot());
        }
        schedule_snapshot();
    });
}

void Host::refresh_clip_links() {
    // Workflows tag events with clips in the store; the in-memory events learn of it here, at most
    // every two seconds, from one read of the span the table shows.
    const auto now = std::chrono::steady_clock::now();
    if (recent_events_.empty() || now - last_clip_refresh_ < std::chrono::seconds(2)) return;
    last_clip_refresh_ = now;
    const auto stored = store_reader_->events_between(recent_events_.front().at_us, recent_events_.back().at_us);
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

std::shared_ptr<const HostSnapshot> Host::build_snapshot() {
    auto snapshot = std::make_shared<HostSnapshot>();
    snapshot->sequence = ++snapshot_sequence_;
    snapshot->taken_at = std::chrono::system_clock::now();

    const auto& counters = ingest_->counters();
    const auto steady_now = std::chrono::steady_clock::now();
    const double rate_seconds = std::chrono::duration<double>(steady_now - rate_since_).count();
    if (rate_seconds >= 1.0) {
        datagrams_per_second_ = rate_since_ == std::chrono::steady_clock::time_point{}
                                    ? 0
                                    : double(counters.datagrams - rate_datagrams_at_since_) / rate_seconds;
        rate_since_ = steady_now;
        rate_datagrams_at_since_ = counters.datagrams;
    }
    const auto endpoint = listener_->local_endpoint();
    snapshot->udp.listening = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
    if (last_sender_manual_)
        snapshot->udp.last_sender = "manual";
    else if (counters.datagrams > 0)
        snapshot->udp.last_sender = last_sender_.address().to_string() + ":" + std::to_string(last_sender_.port());
    snapshot->udp.datagrams_per_second = datagrams_per_second_;
    if (counters.last_arrival_us > 0) snapshot->udp.last_datagram_age_ms = (now_us() - counters.last_arrival_us) / 1000;
    snapshot->udp.datagrams = counters.datagrams;
    snapshot->udp.refused = listener_->counters().refused;

    for (const auto& client : obs_->all()) {
        const obs::Status status = client->status();
        snapshot->obs.push_back({client->name(), std::string(obs::to_string(client->role())), status.connection,
                                 status.recording, status.streaming});
    }
    snapshot->has_match = ingest_->tracker().has_match();
    snapshot->match = ingest_->tracker().state();
    snapshot->match_id = ingest_->match_id();
    refresh_clip_links();
    snapshot->events.assign(recent_events_.begin(), recent_events_.end());
    snapshot->packages = workflows_->status();
    for (const auto& [name, package] : disabled_packages_) snapshot->packages.push_back(package);
    if (log_ring_) {
        snapshot->log = log_ring_->lines();
        log_sequence_seen_ = snapshot->log.empty() ? 0 : snapshot->log.back().sequence;
    }
    snapshot->day = day_;
    snapshot->tournaments = tournaments_;
    snapshot->day_change_error = day_change_error_;
    return snapshot;
}

void Host::dispatch_operator_event(const std::string& kind) {
    bindings::Event event;
    event.kind = kind;
    event.at_us = now_us();
    event.match = ingest_->tracker().state().to_json();
    event.match_id = ingest_->match_id();
    const bool heard = workflows_->wants(kind);
    spdlog::info("operator: {}{}", kind, heard ? "" : " (no running workflow package handles it)");
    workflows_->dispatch(event);
    changed_since_snapshot_ = true;
}

void Host::post_replay() {
    boost::asio::post(io_, [this] {
        if (!stopped_) dispatch_operator_event("operator_replay");
    });
}

void Host::post_back_to_live() {
    boost::asio::post(io_, [this] {
        if (!stopped_) dispatch_operator_event("operator_back_to_live");
    });
}

void Host::post_recording(bool start) {
    boost::asio::post(io_, [this, start] {
        if (stopped_) return;
        const auto recorders = obs_->by_role(obs::Role::rec);
        if (recorders.empty()) {
            spdlog::warn("operator: cannot {} recording: no OBS connection with the rec role is configured",
                         start ? "start" : "stop");
            return;
        }
        const auto client = recorders.front();
        spdlog::info("operator: {} recording on {}", start ? "start" : "stop", client->name());
        if (start)
            client->start_record([name = client->name()](vta::Result<void> r) {
                if (!r) spdlog::warn("{}: recording did not start: {}", name, r.error().message);
            });
        else
            client->stop_record([name = client->name()](vta::Result<std::string> r) {
                if (r)
                    spdlog::info("{}: recording stopped: {}", name, r.value());
                else
                    spdlog::warn("{}: recording did not stop: {}", name, r.error().message);
            });
    });
}

void Host::post_workflow_enabled(const std::string& package, bool enabled) {
    boost::asio::post(io_, [this, package, enabled] {
        if (stopped_) return;
        changed_since_snapshot_ = true;
        if (!enabled) {
            auto status = workflows_->status(package);
            if (!status) return spdlog::warn("operator: no loaded workflow package '{}' to disable", package);
            status->state = bindings::PackageState::disabled;
            disabled_packages_[package] = *status;
            workflows_->unload(package);
            return spdlog::info("operator: workflow {} disabled", package);
        }
        auto disabled = disabled_packages_.find(package);
        if (disabled == disabled_packages_.end()) return spdlog::info("operator: workflow {} is not disabled", package);
        const auto folder = disabled->second.folder;
        disabled_packages_.erase(disabled);
        const bool loaded = workflows_->load(folder);
        spdlog::info("operator: workflow {} enabled{}", package, loaded ? "" : " but failed to load (see its error)");
    });
}

void Host::post_workflow_reload(const std::string& package) {
    boost::asio::post(io_, [this, package] {
        if (stopped_) return;
        changed_since_snapshot_ = true;
        if (disabled_packages_.count(package))
            return spdlog::warn("operator: workflow {} is disabled: enable it to load it again", package);
        const bool ok = workflows_->reload(package);
        spdlog::info("operator: workflow {} reloaded{}", package, ok ? "" : " with an error");
    });
}

void Host::post_manual(std::string text) {
    boost::asio::post(io_, [this, text = std::move(text)] {
        if (stopped_) return;
        pss::ReceivedDatagram datagram;
        datagram.bytes = text;
        datagram.arrival_us = now_us();
        datagram.sender_name = "manual";
        feeding_manual_ = true;
        on_datagram(datagram);
        feeding_manual_ = false;
        ingest_->flush_match();
        spdlog::info("operator: manual event '{}'", text);
    });
}

void Host::post_play_clip(std::string path, std::int64_t offset_ms) {
    boost::asio::post(io_, [this, path = std::move(path), offset_ms] {
        if (stopped_) return;
        spdlog::info("operator: playing {} from {:.1f} s", path, double(offset_ms) / 1000);
        playback_->open("panel", path, double(offset_ms) / 1000, [path](bindings::JsonResult r) {
            if (!r) spdlog::warn("playback of {} failed: {}", path, r.error().text());
        });
    });
}

void Host::load_tournaments(store::Database& database) {
    auto tournaments = database.list_tournaments();
    if (!tournaments) return spdlog::warn("cannot list the tournaments: {}", tournaments.error().message);
    tournaments_ = std::move(tournaments.value());
}

void Host::change_day(const std::string& what,
                      const std::function<vta::Result<store::ActiveDay>(store::Database&)>& change) {
    changed_since_snapshot_ = true;
    auto database = store::Database::open(setup_.database);
    if (!database) {
        day_change_error_ = "cannot " + what + ": " + database.error().message;
        return spdlog::error("operator: {}", day_change_error_);
    }
    auto day = change(database.value());
    if (!day) {
        day_change_error_ = "cannot " + what + ": " + day.error().message;
        return spdlog::warn("operator: {}", day_change_error_);
    }
    day_change_error_.clear();
    day_ = day.value();
    ingest_->set_day(day_.day_id);
    load_tournaments(database.value());
    spdlog::info("operator: active day is now tournament '{}' day {} ({}, id {}); new matches attach to it",
                 day_.tournament_name, day_.day_number, day_.date_iso, day_.day_id);
}

void Host::post_activate_day(std::int64_t day_id) {
    boost::asio::post(io_, [this, day_id] {
        if (stopped_) return;
        change_day("activate day " + std::to_string(day_id),
                   [day_id](store::Database& db) { return db.activate_day(day_id, "panel"); });
    });
}

void Host::post_add_day(std::int64_t tournament_id, std::string date_iso) {
    boost::asio::post(io_, [this, tournament_id, date_iso = std::move(date_iso)] {
        if (stopped_) return;
        change_day("add a day to tournament " + std::to_string(tournament_id), [&](store::Database& db) {
            auto day = db.add_day(tournament_id, date_iso);
            return day ? db.activate_day(day->day_id, "panel") : day;
        });
    });
}

void Host::post_create_tournament(std::string name, std::string date_iso) {
    boost::asio::post(io_, [this, name = std::move(name), date_iso = std::move(date_iso)] {
        if (stopped_) return;
        change_day("create tournament '" + name + "'", [&](store::Database& db) {
            auto day = db.create_tournament(name, date_iso);
            return day ? db.activate_day(day->day_id, "panel") : day;
        });
    });
}

}  // namespace vta::host
