// The overlay pages (scripts/overlays) and their live state, served for OBS browser sources: the match as the
// tracker keeps it (exactly what tkStrike sent), the pages scripts show or hide, custom fields, and the settings
// pages need. The state's shape is documented in scripts/overlays/README.md. Lives on the io thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "vta/bindings/backends.hpp"
#include "vta/flags/noc_table.hpp"
#include "vta/host/config.hpp"
#include "vta/host/ingest.hpp"
#include "vta/web/feed.hpp"
#include "vta/web/http_server.hpp"

namespace vta::host {

// Changes are coalesced to at most one feed frame per this interval (a browser source renders 60 at most).
inline constexpr std::chrono::milliseconds overlay_frame_interval{4};

// The folders the overlays are served from: the operator's (config overlays.folder) first, then the shipped ones.
std::vector<std::filesystem::path> overlay_folders(const OverlaysConfig& config,
                                                   const std::filesystem::path& shipped_folder);
// The NOC table (noc.json) of those folders, with the configured flags folder; the overlays and the panel share it.
vta::Result<flags::NocTable> load_noc_table(const OverlaysConfig& config, const std::filesystem::path& shipped_folder);

class Overlays : public bindings::OverlayBackend, public std::enable_shared_from_this<Overlays> {
public:
    // Binds overlays.bind:port. Serves the operator's folder (config overlays.folder) over `shipped_folder`,
    // and /flags/<NOC>.svg through the NOC table (noc.json of those folders).
    static vta::Result<std::shared_ptr<Overlays>> open(boost::asio::io_context& io, const OverlaysConfig& config,
                                                       const std::filesystem::path& shipped_folder,
                                                       const Ingest& ingest);
    ~Overlays() override;

    void start();
    void stop();

    // A group was ingested: the match may have changed.
    void on_group(const IngestedGroup& group);
    // Whether the licence includes "overlays": without it the pages keep the default theme (settings.themes
    // false). The operator's folder is chosen when the host starts (Host leaves it out in evaluation mode).
    void set_themes_licensed(bool licensed);
    // GET /api/status answers `status()` (called on the server's worker thread) to loopback clients only: the
    // health figures are for the operator on this machine, not for whatever else can reach the overlays' port.
    // Call before start().
    void serve_status(std::function<nlohmann::json()> status);

    bindings::JsonResult show(const std::string& package, const std::string& page, const nlohmann::json& data) override;
    bindings::JsonResult hide(const std::string& package, const std::string& page) override;
    bindings::JsonResult set(const std::string& package, const std::string& key, const nlohmann::json& value) override;

    boost::asio::ip::tcp::endpoint local_endpoint() const { return server_->local_endpoint(); }
    const web::HttpServer& server() const { return *server_; }
    const web::Feed& feed() const { return feed_; }
    // Null when no noc.json could be read (the flags route then serves the neutral flag only).
    const flags::NocTable* nocs() const { return nocs_ ? &*nocs_ : nullptr; }

private:
    Overlays(boost::asio::io_context& io, const OverlaysConfig& config, const Ingest& ingest);
    void changed();
    void publish();
    nlohmann::json state() const;

    boost::asio::io_context& io_;
    OverlaysConfig config_;
    const Ingest& ingest_;
    std::unique_ptr<web::HttpServer> server_;
    std::optional<flags::NocTable> nocs_;
    web::Feed feed_;
    nlohmann::json pages_ = nlohmann::json::object();   // {"<page>": {"visible", "data"}}
    nlohmann::json custom_ = nlohmann::json::object();  // overlay.set
    bool themes_licensed_ = true;
    int clock_seconds_ = -1;
    bool clock_running_ = false;
    std::int64_t clock_at_ms_ = 0;
    boost::asio::steady_timer frame_timer_;
    std::chrono::steady_clock::time_point last_frame_{};
    bool frame_pending_ = false;
    bool stopped_ = false;
};

}  // namespace vta::host
