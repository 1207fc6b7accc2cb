#include "vta/host/workflow_link.hpp"

#include <set>

#include <spdlog/spdlog.h>

#include "vta/bindings/event.hpp"
#include "vta/bindings/host_backends.hpp"

namespace vta::host {

namespace {

// Lua's courts module on the court's bus.
class BusBackend final : public bindings::CourtsBackend {
public:
    explicit BusBackend(std::shared_ptr<courts::CourtBus> bus) : bus_(std::move(bus)) {}
    ~BusBackend() override {
        for (std::uint64_t id : subscriptions_) bus_->unsubscribe_lua(id);
    }

    bindings::JsonResult publish(const std::string& package, const std::string& suffix,
                                 const nlohmann::json& data) override {
        if (!courts::valid_lua_suffix(suffix))
            return vta::Error(vta::Errc::invalid_argument, "courts.publish: bad topic suffix '" + suffix + "'");
        auto published = bus_->publish_lua(package, suffix, data);
        if (!published) return published.error();
        return bindings::JsonResult(nullptr);
    }

    void subscribe(const std::string& suffix) override {
        if (!subscribed_.insert(suffix).second) return;
        subscriptions_.push_back(
            bus_->subscribe_lua(suffix, [sink = sink_, suffix](const nlohmann::json& data, int from_court) {
                if (*sink) (*sink)("courts:" + suffix, {{"data", data}, {"court", from_court}});
            }));
    }

    void set_event_sink(bindings::HostEventSink sink) override { *sink_ = std::move(sink); }

private:
    std::shared_ptr<courts::CourtBus> bus_;
    std::shared_ptr<bindings::HostEventSink> sink_ = std::make_shared<bindings::HostEventSink>();
    std::set<std::string> subscribed_;
    std::vector<std::uint64_t> subscriptions_;
};

// The packages' control-room calls (obs.all) in the host's audit trail, as "script:<package>".
class TrailBackend final : public bindings::AuditBackend {
public:
    explicit TrailBackend(AuditLog& audit) : audit_(audit) {}

    void control_room(const std::string& package, const std::string& operation, const nlohmann::json& request,
                      const nlohmann::json& results) override {
        audit_.record_control_room(store::AuditSource::script(package), operation, request, results);
    }

private:
    AuditLog& audit_;
};

}  // namespace

WorkflowLink::WorkflowLink(boost::asio::io_context& io, const Config& config,
                           std::vector<std::filesystem::path> folders, obs::Connections& connections,
                           store::Reader& reader, store::Writer& writer, const Ingest& ingest, AuditLog& audit,
                           std::shared_ptr<bindings::OverlayBackend> overlay,
                           std::shared_ptr<bindings::LicenceBackend> licence, std::shared_ptr<courts::CourtBus> courts)
    : ingest_(ingest), folders_(std::move(folders)) {
    bindings::RuntimeOptions options;
    options.package_roots = folders_;
    options.packages = config.workflows.packages;
    options.memory_limit_bytes = std::size_t(config.workflows.memory_limit_mb) << 20;
    options.hot_reload = config.workflows.hot_reload;
    options.obs = bindings::make_obs_backend(connections);
    options.store = bindings::make_store_backend(reader, &writer);
    bindings::MpvOptions mpv;
    mpv.mpv_path = config.playback.mpv;
    mpv.extra_args = config.playback.args;
    playback_ = bindings::make_mpv_playback(io, mpv);
    options.playback = playback_;
    options.overlay = std::move(overlay);
    options.licence = std::move(licence);
    options.audit = std::make_shared<TrailBackend>(audit);
    if (courts) options.courts = std::make_shared<BusBackend>(std::move(courts));
    options.current_match = [&ingest] { return ingest.tracker().state().to_json(); };
    options.current_match_id = [&ingest] { return ingest.match_id(); };
    runtime_ = std::make_unique<bindings::Runtime>(io, std::move(options));
}

WorkflowLink::~WorkflowLink() = default;

int WorkflowLink::load_all() {
    const int loaded = runtime_->load_all();
    const auto packages = runtime_->status();
    spdlog::info("workflows: {} of {} packages loaded from {} folders", loaded, packages.size(), folders_.size());
    for (const auto& p : packages)
        if (p.last_error)
            spdlog::error("workflow {}: {}:{}: {}", p.name, p.last_error->file, p.last_error->line,
                          p.last_error->message);
    return loaded;
}

void WorkflowLink::on_group(const IngestedGroup& g) {
    // Building the events serialises the match state: skip it for groups no package listens to (most datagrams
    // are clock ticks).
    bool wanted = runtime_->wants(g.group.code);
    for (const auto& derived : g.update.derived) wanted = wanted || runtime_->wants(derived.kind);
    if (!wanted) return;
    for (const auto& event : bindings::events_from(g.group, g.update, g.state, g.event_id, g.arrival_us, g.match_id))
        runtime_->dispatch(event);
}

void WorkflowLink::dispatch_operator_event(const std::string& kind) {
    bindings::Event event;
    event.kind = kind;
    event.at_us = now_us();
    event.match = ingest_.tracker().state().to_json();
    event.match_id = ingest_.match_id();
    spdlog::info("operator: {}{}", kind, runtime_->wants(kind) ? "" : " (no running workflow package handles it)");
    runtime_->dispatch(event);
}

void WorkflowLink::set_enabled(const std::string& package, bool enabled) {
    if (!enabled) {
        auto status = runtime_->status(package);
        if (!status) return spdlog::warn("operator: no loaded workflow package '{}' to disable", package);
        status->state = bindings::PackageState::disabled;
        disabled_[package] = *status;
        runtime_->unload(package);
        return spdlog::info("operator: workflow {} disabled", package);
    }
    auto disabled = disabled_.find(package);
    if (disabled == disabled_.end()) return spdlog::info("operator: workflow {} is not disabled", package);
    const auto folder = disabled->second.folder;
    disabled_.erase(disabled);
    const bool loaded = runtime_->load(folder);
    spdlog::info("operator: workflow {} enabled{}", package, loaded ? "" : " but failed to load (see its error)");
}

void WorkflowLink::reload(const std::string& package) {
    if (disabled_.count(package))
        return spdlog::warn("operator: workflow {} is disabled: enable it to load it again", package);
    const bool ok = runtime_->reload(package);
    spdlog::info("operator: workflow {} reloaded{}", package, ok ? "" : " with an error");
}

std::vector<bindings::PackageStatus> WorkflowLink::status() const {
    auto packages = runtime_->status();
    for (const auto& [name, package] : disabled_) packages.push_back(package);
    return packages;
}

}  // namespace vta::host
