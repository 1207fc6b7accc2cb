// The workflows as the host runs them: the Lua runtime with the host's backends (OBS connections, the store, mpv),
// fed with the events of every ingested group and the operator's events, and the packages the operator disabled.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/bindings/runtime.hpp"
#include "vta/courts/court_bus.hpp"
#include "vta/host/audit_log.hpp"
#include "vta/host/config.hpp"
#include "vta/host/ingest.hpp"
#include "vta/obs/connections.hpp"
#include "vta/store/reader.hpp"
#include "vta/store/writer.hpp"

namespace vta::host {

class WorkflowLink {
public:
    // `connections`, `reader`, `writer`, `ingest` and `audit` must outlive the link (the host owns them all);
    // `overlay` may be null (overlays off); `licence` is what the Lua `license` module reads; `courts` (null when
    // off) carries the Lua `courts` module. The packages' obs.all calls that change OBS go to `audit`.
    WorkflowLink(boost::asio::io_context& io, const Config& config, std::vector<std::filesystem::path> folders,
                 obs::Connections& connections, store::Reader& reader, store::Writer& writer, const Ingest& ingest,
                 AuditLog& audit, std::shared_ptr<bindings::OverlayBackend> overlay,
                 std::shared_ptr<bindings::LicenceBackend> licence, std::shared_ptr<courts::CourtBus> courts = nullptr);
    ~WorkflowLink();  // unloads the packages before the backends they use go

    // Loads every package of the folders and logs what failed; returns how many loaded.
    int load_all();
    // Dispatches the group's events to the packages that listen to them.
    void on_group(const IngestedGroup& group);
    // A host event of the operator's ("operator_replay"...), with the current match; logged, saying so when no
    // running package handles it.
    void dispatch_operator_event(const std::string& kind);

    // The operator's enable / disable / reload; outcomes go to the log.
    void set_enabled(const std::string& package, bool enabled);
    void reload(const std::string& package);
    // Loaded packages, then those the operator disabled.
    std::vector<bindings::PackageStatus> status() const;

    bindings::PlaybackBackend& playback() { return *playback_; }

private:
    const Ingest& ingest_;
    std::vector<std::filesystem::path> folders_;
    std::shared_ptr<bindings::PlaybackBackend> playback_;
    std::unique_ptr<bindings::Runtime> runtime_;
    std::map<std::string, bindings::PackageStatus> disabled_;  // by the operator, with their folder
};

}  // namespace vta::host
