#include "vta/host/host.hpp"

#include <chrono>
#include <ctime>
#include <map>

#include <spdlog/spdlog.h>

#include "vta/bindings/host_backends.hpp"

namespace vta::host {

namespace {
std::string local_date_iso() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &local);
  return text;
}
}  // namespace

Host::Host(boost::asio::io_context& io, const HostSetup& setup) : io_(io), setup_(setup), report_timer_(io) {}

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
  options.on_error = [](const store::Error& e) { spdlog::error("store: {}", e.message); };
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
      io, setup.config.udp, [ingest](const pss::ReceivedDatagram& d) { ingest->on_datagram(d); }, error);
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
  bindings::MpvOptions mpv;
  mpv.mpv_path = setup.config.playback.mpv;
  mpv.extra_args = setup.config.playback.args;
  workflows.playback = bindings::make_mpv_playback(io, mpv);
  workflows.current_match = [ingest] { return ingest->tracker().state().to_json(); };
  workflows.current_match_id = [ingest] { return ingest->match_id(); };
  host->workflows_ = std::make_unique<bindings::Runtime>(io, std::move(workflows));
  ingest->set_observer([self](const IngestedGroup& g) {
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
  spdlog::info("listening for PSS on udp {}:{} (receive buffer {} KiB){}", endpoint.address().to_string(),
               endpoint.port(), listener_->receive_buffer_bytes() / 1024,
               setup_.config.udp.allow.empty() ? "" : ", senders allowed: " + std::to_string(setup_.config.udp.allow.size()));
  if (listener_->receive_buffer_bytes() < setup_.config.udp.receive_buffer_bytes / 2)
    spdlog::warn("the kernel granted a {} KiB receive buffer instead of {} KiB: raise net.core.rmem_max or run as "
                 "root so bursts are not dropped", listener_->receive_buffer_bytes() / 1024,
                 setup_.config.udp.receive_buffer_bytes / 1024);
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
      spdlog::error("workflow {}: {}:{}: {}", p.name, p.last_error->file, p.last_error->line, p.last_error->message);
  report_every_second();
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
      spdlog::info("received {} datagrams ({} groups decoded, {} unknown, {} invalid, {} refused); committed through "
                   "datagram {}", c.datagrams, c.decoded, c.unknown, c.invalid, listener_->counters().refused,
                   committed);
      reported_datagram_id_ = committed;
    }
    report_every_second();
  });
}

void Host::stop() {
  if (stopped_) return;
  stopped_ = true;
  report_timer_.cancel();
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

}  // namespace vta::host
