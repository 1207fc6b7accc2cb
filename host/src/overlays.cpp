#include "vta/host/overlays.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "vta/web/static_files.hpp"

namespace vta::host {

std::vector<std::filesystem::path> overlay_folders(const OverlaysConfig& config,
                                                   const std::filesystem::path& shipped_folder) {
    std::vector<std::filesystem::path> folders;
    if (!config.folder.empty()) folders.push_back(config.folder);
    folders.push_back(shipped_folder);
    return folders;
}

vta::Result<flags::NocTable> load_noc_table(const OverlaysConfig& config, const std::filesystem::path& shipped_folder) {
    auto table = web::resolve_static(overlay_folders(config, shipped_folder), "/noc.json");
    if (!table) return vta::Error(table.error().code, "no noc.json in the overlay folders");
    return flags::NocTable::load(*table, config.flags_folder);
}

Overlays::Overlays(boost::asio::io_context& io, const OverlaysConfig& config, const Ingest& ingest)
    : io_(io), config_(config), ingest_(ingest), frame_timer_(io) {}

Overlays::~Overlays() { stop(); }

vta::Result<std::shared_ptr<Overlays>> Overlays::open(boost::asio::io_context& io, const OverlaysConfig& config,
                                                      const std::filesystem::path& shipped_folder,
                                                      const Ingest& ingest) {
    std::shared_ptr<Overlays> overlays(new Overlays(io, config, ingest));
    web::HttpServerOptions options;
    options.bind = config.bind;
    options.port = std::uint16_t(config.port);
    options.roots = overlay_folders(config, shipped_folder);
    if (auto nocs = load_noc_table(config, shipped_folder))
        overlays->nocs_.emplace(std::move(nocs.value()));
    else
        spdlog::warn("overlays: {}: every flag shows as neutral", nocs.error().message);
    auto server = web::HttpServer::open(io, options);
    if (!server)
        return vta::Error(server.error().code,
                          "overlays: " + server.error().message + " (config overlays.bind / overlays.port)");
    overlays->server_ = std::move(server.value());
    const flags::NocTable* nocs = overlays->nocs();
    const std::filesystem::path neutral = config.flags_folder / "_generic.svg";
    overlays->server_->add_file_route("/flags/",
                                      [nocs, neutral](std::string_view rest) -> vta::Result<std::filesystem::path> {
                                          const auto decoded = web::decoded_path(rest);
                                          if (!decoded || !decoded->ends_with(".svg"))
                                              return vta::Error(vta::Errc::not_found, "flags are /flags/<NOC>.svg");
                                          const std::string code = decoded->substr(0, decoded->size() - 4);
                                          return nocs ? nocs->flag_file(code) : neutral;
                                      });
    overlays->server_->add_feed("/feed", overlays->feed_);
    overlays->feed_.publish(overlays->state());
    return overlays;
}

void Overlays::serve_status(std::function<nlohmann::json()> status) {
    server_->add_json_route(
        "GET", "/api/status",
        [status = std::move(status)](const web::JsonRequest& request) -> vta::Result<nlohmann::json> {
            boost::system::error_code ec;
            const auto address = boost::asio::ip::make_address(request.remote, ec);
            if (ec || !address.is_loopback())
                return vta::Error(vta::Errc::auth_failed, "the status is served to this machine only (127.0.0.1)");
            return status();
        });
}

void Overlays::start() {
    server_->start();
    const auto endpoint = server_->local_endpoint();
    spdlog::info("overlays: http://{}:{}/ (scoreboard.html, intro.html, ivr.html, winner.html, break.html)",
                 endpoint.address().to_string(), endpoint.port());
}

void Overlays::stop() {
    if (stopped_) return;
    stopped_ = true;
    frame_timer_.cancel();
    if (server_) server_->stop();
}

void Overlays::on_group(const IngestedGroup& g) {
    // The page runs the clock between updates from the time the host last saw it change.
    if (g.state.clock_seconds != clock_seconds_ || g.state.clock_running != clock_running_) {
        clock_seconds_ = g.state.clock_seconds;
        clock_running_ = g.state.clock_running;
        clock_at_ms_ = g.arrival_us / 1000;
    }
    changed();
}

bindings::JsonResult Overlays::show(const std::string& package, const std::string& page, const nlohmann::json& data) {
    spdlog::debug("overlays: {} shows {}", package, page);
    pages_[page] = {{"visible", true}, {"data", data}};
    changed();
    return bindings::JsonResult(nullptr);
}

bindings::JsonResult Overlays::hide(const std::string& package, const std::string& page) {
    spdlog::debug("overlays: {} hides {}", package, page);
    nlohmann::json& entry = pages_[page];
    if (!entry.is_object()) entry = {{"data", nlohmann::json::object()}};
    entry["visible"] = false;
    changed();
    return bindings::JsonResult(nullptr);
}

bindings::JsonResult Overlays::set(const std::string&, const std::string& key, const nlohmann::json& value) {
    if (value.is_null())
        custom_.erase(key);
    else
        custom_[key] = value;
    changed();
    return bindings::JsonResult(nullptr);
}

void Overlays::changed() {
    if (frame_pending_ || stopped_) return;
    frame_pending_ = true;
    const auto next = last_frame_ + overlay_frame_interval;
    std::weak_ptr<Overlays> weak = weak_from_this();
    if (std::chrono::steady_clock::now() >= next)
        return boost::asio::post(io_, [weak] {
            if (auto self = weak.lock()) self->publish();
        });
    frame_timer_.expires_at(next);
    frame_timer_.async_wait([weak](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->publish();
    });
}

void Overlays::publish() {
    frame_pending_ = false;
    if (stopped_) return;
    last_frame_ = std::chrono::steady_clock::now();
    feed_.publish(state());
}

void Overlays::set_themes_licensed(bool licensed) {
    if (licensed == themes_licensed_) return;
    themes_licensed_ = licensed;
    changed();
}

nlohmann::json Overlays::state() const {
    const pss::MatchState& match = ingest_.tracker().state();
    nlohmann::json m = match.to_json();
    m["has_match"] = ingest_.tracker().has_match();
    return {
        {"match", std::move(m)},
        {"clock", {{"seconds", match.clock_seconds}, {"running", match.clock_running}, {"at_ms", clock_at_ms_}}},
        {"overlays", pages_},
        {"custom", custom_},
        {"settings",
         {{"theme", themes_licensed_ ? config_.theme : OverlaysConfig{}.theme},
          {"themes", themes_licensed_},
          {"challenges_per_match", config_.challenges_per_match}}},
    };
}

}  // namespace vta::host
