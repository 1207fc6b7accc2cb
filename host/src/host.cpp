#include "vta/host/host.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "vta/licence/signing.hpp"

namespace vta::host {

namespace {

nlohmann::json day_json(const store::ActiveDay& day) {
    return {{"tournament", day.tournament_name}, {"day_number", day.day_number}, {"date", day.date_iso}};
}

}  // namespace

Host::Host(boost::asio::io_context& io, const HostSetup& setup) : io_(io), setup_(setup), report_timer_(io) {}

Host::~Host() { stop(); }

vta::Result<std::unique_ptr<Host>> Host::create(boost::asio::io_context& io, const HostSetup& setup) {
    std::unique_ptr<Host> host(new Host(io, setup));
    std::optional<std::pair<std::int64_t, pss::MatchState>> unfinished;
    std::optional<store::ActiveDay> active_day;
    std::vector<store::TournamentInfo> tournaments;
    {
        auto database = store::Database::open(setup.database);
        if (!database)
            return vta::Error(database.error().code,
                              "cannot open the database " + setup.database.string() + ": " + database.error().message);
        auto day = database->ensure_active_day(local_date_iso());
        if (!day)
            return vta::Error(day.error().code, "cannot set up the active tournament day: " + day.error().message);
        active_day = day.value();
        if (auto listed = database->list_tournaments(); listed)
            tournaments = std::move(listed.value());
        else
            spdlog::warn("cannot list the tournaments: {}", listed.error().message);
        // A host restarted mid-match continues that match: the rest of its events must not attach to none.
        if (auto newest = database->list_matches({day->day_id, 1}); newest && !newest->empty()) {
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
    options.outbox_max_rows = setup.config.courts.outbox_max_rows;
    options.on_commit = [self, max_rows = options.outbox_max_rows](const store::CommitInfo& info) {
        self->committed_datagram_id_.store(info.last_datagram_id);
        self->last_commit_ms_.store(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        if (auto* courts = self->committed_to_courts_.load()) courts->on_committed();
        if (info.outbox_dropped > 0)
            spdlog::warn(
                "courts: the outbox is full (courts.outbox_max_rows = {}): its {} oldest messages, through seq {}, "
                "are dropped unpublished; the events stay in the store",
                max_rows, info.outbox_dropped, info.outbox_dropped_through);
        spdlog::debug("committed {} rows in {} us, through datagram {}", info.rows, info.duration.count(),
                      info.last_datagram_id);
    };
    options.on_error = [](const vta::Error& e) { spdlog::error("store: {}", e.message); };
    auto writer = store::Writer::open(setup.database, options);
    if (!writer)
        return vta::Error(writer.error().code,
                          "cannot open the store writer on " + setup.database.string() + ": " + writer.error().message);
    host->writer_ = std::move(writer.value());
    host->audit_ = std::make_unique<AuditLog>(*host->writer_);
    auto reader = store::Reader::open(setup.database);
    if (!reader)
        return vta::Error(reader.error().code,
                          "cannot open the store reader on " + setup.database.string() + ": " + reader.error().message);
    host->reader_ = std::move(reader.value());
    host->days_ =
        std::make_unique<TournamentDays>(io, *host->reader_, *host->audit_, *active_day, std::move(tournaments));
    if (setup.config.courts.enabled) {
        auto bus = courts::CourtBus::open(io, setup.config.courts, setup.database, *host->writer_);
        if (!bus) return bus.error();
        host->courts_ = std::move(bus.value());
        host->committed_to_courts_.store(host->courts_.get());
        host->courts_->set_day(day_json(*active_day));
    }
    host->ingest_ =
        std::make_unique<Ingest>(host->courts_ ? host->courts_->sink() : *host->writer_, active_day->day_id);
    if (unfinished) {
        spdlog::info("continuing match {} (id {}) begun before the restart", unfinished->second.number,
                     unfinished->first);
        host->ingest_->resume(unfinished->first, unfinished->second);
    }
    host->days_->on_change = [self](const store::ActiveDay& day) {
        self->ingest_->set_day(day.day_id);
        if (self->courts_) self->courts_->set_day(day_json(day));
        if (self->feed_) self->feed_->mark_changed();
    };

    Ingest* ingest = host->ingest_.get();
    auto listener =
        pss::UdpListener::open(io, setup.config.udp, [self](const pss::ReceivedDatagram& d) { self->on_datagram(d); });
    if (!listener) return listener.error();
    host->listener_ = std::move(listener.value());
    host->listener_->on_drained([ingest] { ingest->flush_match(); });

    LicenceKeeperOptions licence;
    licence.folder = setup.licence_folder;
    licence.public_key_pem = std::string(licence::trusted_public_key());
    licence.server = setup.config.licence.server;
    if (!setup.config.licence.ca_file.empty()) licence.client.ca_file = setup.config.licence.ca_file;
    licence.match_in_progress = [ingest] {
        return ingest->tracker().has_match() && !ingest->tracker().state().decided;
    };
    host->licence_ = std::make_shared<LicenceKeeper>(io, std::move(licence));
    host->licence_->on_change = [self] {
        self->apply_licence();
        if (self->feed_) self->feed_->mark_changed();
    };

    host->obs_ = std::make_unique<obs::Connections>(io, setup.config.obs);
    host->obs_monitor_ =
        std::make_unique<ObsMonitor>(io, *host->obs_,
                                     ObsMonitor::Options{std::chrono::milliseconds(setup.config.health.obs_poll_ms),
                                                         setup.config.panel.main_audio_input});
    host->obs_monitor_->on_update = [self] {
        if (self->feed_) self->feed_->mark_changed();
    };
    host->health_ = std::make_unique<HealthMonitor>(
        io, setup.config.health,
        HealthMonitor::Sources{*ingest, *host->obs_, *host->obs_monitor_, setup.database,
                               [self]() -> std::optional<std::chrono::system_clock::time_point> {
                                   const std::int64_t ms = self->last_commit_ms_.load();
                                   if (ms == 0) return std::nullopt;
                                   return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
                               }});
    host->health_->on_update = [self] {
        if (self->feed_) self->feed_->mark_changed();
    };
    if (host->courts_) {
        host->courts_->set_match_number_source([ingest] { return ingest->tracker().state().number; });
        host->courts_->set_state_source([self] { return self->court_state(); });
    }
    if (setup.config.overlays.enabled) {
        OverlaysConfig overlays_config = setup.config.overlays;
        if (!overlays_config.folder.empty() && !host->licence_->has("overlays")) {
            spdlog::warn(
                "overlays: the operator's folder {} needs a licence with \"overlays\"; the shipped pages are "
                "served (vta license status)",
                overlays_config.folder.string());
            overlays_config.folder.clear();
        }
        // Graphics are not worth a court that does not record: without its port the host runs on and says why.
        if (auto overlays = Overlays::open(io, overlays_config, setup.overlays_folder, *ingest)) {
            host->overlays_ = std::move(overlays.value());
            // `vta status` asks here; the route runs on the server's worker thread.
            host->overlays_->serve_status([health = host->health_.get()]() -> nlohmann::json {
                const auto latest = health->latest();
                return latest ? to_json(*latest)
                              : nlohmann::json{{"level", "starting"}, {"items", nlohmann::json::array()}};
            });
        } else
            spdlog::error("{}: the overlays are off until the host restarts", overlays.error().message);
    }
    host->workflows_ = std::make_unique<WorkflowLink>(io, setup.config, setup.workflow_folders, *host->obs_,
                                                      *host->reader_, *host->writer_, *ingest, *host->audit_,
                                                      host->overlays_, host->licence_, host->courts_);
    host->actions_ = std::make_unique<OperatorActions>(
        io, *host->workflows_, *host->obs_, *host->days_, *host->licence_, *host->audit_,
        [self](const std::string& text) { self->feed_manual(text); }, setup.config.panel.main_audio_input);
    ingest->set_observer([self](const IngestedGroup& g) {
        // Before the workflows see the new match: a licence change that waited for it applies to it.
        for (const auto& derived : g.update.derived)
            if (derived.kind == "match_loaded") self->licence_->on_match_loaded();
        if (self->feed_) self->feed_->on_group(g, self->feeding_manual_);  // only a panel shows them
        if (self->overlays_) self->overlays_->on_group(g);
        self->workflows_->on_group(g);
    });
    return {std::move(host)};
}

void Host::on_snapshot(PanelFeed::SnapshotHandler handler, std::shared_ptr<LogRing> log) {
    feed_ = std::make_unique<PanelFeed>(io_,
                                        PanelFeed::Sources{*ingest_, *listener_, *obs_, *obs_monitor_, *health_,
                                                           *workflows_, *days_, *reader_, *licence_},
                                        std::move(handler), std::move(log));
    actions_->set_feed(feed_.get());
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
    const store::ActiveDay& day = days_->active();
    spdlog::info("storing into {} (tournament '{}', day {})", setup_.database.string(), day.tournament_name,
                 day.day_number);
    listener_->start();
    for (const auto& client : obs_->all()) {
        obs_state_logging_.push_back(client->on_state_change([name = client->name()](const obs::ConnectionState& s) {
            if (s.state == obs::State::failed)
                spdlog::error("{}: connection failed: {}", name, s.reason);
            else
                spdlog::info("{}: {}{}", name, obs::to_string(s.state), s.reason.empty() ? "" : " (" + s.reason + ")");
        }));
    }
    apply_licence();
    obs_monitor_->start();
    health_->start();
    licence_->start();
    if (overlays_) overlays_->start();
    if (courts_) courts_->start();
    workflows_->load_all();
    report_every_second();
    if (feed_) feed_->start();
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
    if (actions_) actions_->stop();
    if (feed_) feed_->stop();
    if (listener_) listener_->stop();
    if (licence_) licence_->stop();
    workflows_.reset();  // before the OBS connections, the reader and the writer its backends use
    if (overlays_) overlays_->stop();
    if (health_) health_->stop();
    if (obs_monitor_) obs_monitor_->stop();
    if (obs_) obs_->stop_all();
    obs_state_logging_.clear();
    // Before the writer: a pending read may complete through it (store.stream_session_opened).
    if (reader_) reader_->close();
    if (!listener_ || !writer_) return;  // create() failed half-way: nothing was received
    ingest_->flush_match();
    publish_counters();
    if (auto closed = writer_->close(); !closed) spdlog::error("store: closing failed: {}", closed.error().message);
    // After the writer: what it committed last stays in the outbox for the next start.
    if (courts_) courts_->stop();
    const auto& c = ingest_->counters();
    spdlog::info("stopped: {} datagrams received, committed through datagram {}", c.datagrams,
                 committed_datagram_id_.load());
}

void Host::apply_licence() {
    if (overlays_) overlays_->set_themes_licensed(licence_->has("overlays"));
    // Evaluation mode keeps one OBS: the first that records, else the first listed.
    const auto& clients = obs_->all();
    std::shared_ptr<obs::Client> kept;
    for (const auto& client : clients)
        if (!kept && client->role() != obs::Role::str) kept = client;
    if (!kept && !clients.empty()) kept = clients.front();
    const bool all_allowed = licence_->has("multi_obs");
    std::vector<std::string> held_back;
    for (const auto& client : clients) {
        const bool held =
            std::find(obs_held_back_.begin(), obs_held_back_.end(), client->name()) != obs_held_back_.end();
        if (all_allowed || client == kept) {
            if (held || !obs_started_) client->start();
            continue;
        }
        held_back.push_back(client->name());
        if (held) continue;
        client->stop();
        spdlog::warn(
            "{}: not connected: a second OBS connection needs a licence with \"multi_obs\" (vta license "
            "status); {} is kept",
            client->name(), kept->name());
    }
    obs_held_back_ = std::move(held_back);
    obs_started_ = true;
}

void Host::on_datagram(const pss::ReceivedDatagram& datagram) {
    ingest_->on_datagram(datagram);
    if (feed_) feed_->on_datagram(datagram);
}

void Host::feed_manual(const std::string& text) {
    pss::ReceivedDatagram datagram;
    datagram.bytes = text;
    datagram.arrival_us = now_us();
    datagram.sender_name = "manual";
    feeding_manual_ = true;
    on_datagram(datagram);
    feeding_manual_ = false;
    ingest_->flush_match();
}

nlohmann::json Host::court_state() const {
    const pss::MatchTracker& tracker = ingest_->tracker();
    nlohmann::json obs = nlohmann::json::array();
    for (const auto& client : obs_->all()) {
        const obs::Status status = client->status();
        obs.push_back({{"name", client->name()},
                       {"role", obs::to_string(client->role())},
                       {"state", obs::to_string(status.connection.state)},
                       {"recording", status.recording},
                       {"streaming", status.streaming}});
    }
    const auto match_id = ingest_->match_id();
    return {{"match_id", match_id ? nlohmann::json(*match_id) : nlohmann::json()},
            {"has_match", tracker.has_match()},
            {"match", tracker.state().to_json()},
            {"obs", std::move(obs)}};
}

}  // namespace vta::host
