#include "vta/host/operator_actions.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace vta::host {

namespace {

using store::AuditAction;
using store::AuditSource;

}  // namespace

OperatorActions::OperatorActions(boost::asio::io_context& io, WorkflowLink& workflows, obs::Connections& connections,
                                 TournamentDays& days, LicenceKeeper& licence, AuditLog& audit,
                                 std::function<void(const std::string&)> feed_manual)
    : io_(io),
      workflows_(workflows),
      connections_(connections),
      days_(days),
      licence_(licence),
      audit_(audit),
      feed_manual_(std::move(feed_manual)) {}

void OperatorActions::post(std::function<void()> action) {
    boost::asio::post(io_, [this, action = std::move(action)] {
        if (!stopped_) action();
    });
}

nlohmann::json OperatorActions::package_state(const std::string& package) const {
    for (const auto& status : workflows_.status())
        if (status.name == package) return {{"state", std::string(bindings::to_string(status.state))}};
    return {{"state", nullptr}};
}

void OperatorActions::post_replay() {
    post([this] {
        audit_.record(AuditSource::panel(), AuditAction::replay, "");
        workflows_.dispatch_operator_event("operator_replay");
        changed();
    });
}

void OperatorActions::post_back_to_live() {
    post([this] {
        audit_.record(AuditSource::panel(), AuditAction::back_to_live, "");
        workflows_.dispatch_operator_event("operator_back_to_live");
        changed();
    });
}

void OperatorActions::post_recording(bool start) {
    post([this, start] {
        const auto recorders = connections_.by_role(obs::Role::rec);
        const auto action = start ? AuditAction::recording_start : AuditAction::recording_stop;
        audit_.record(AuditSource::panel(), action, recorders.empty() ? "" : recorders.front()->name(), std::nullopt,
                      nlohmann::json{{"sent", !recorders.empty()}});
        if (recorders.empty())
            return spdlog::warn("operator: cannot {} recording: no OBS connection with the rec role is configured",
                                start ? "start" : "stop");
        const auto client = recorders.front();
        spdlog::info("operator: {} recording on {}", start ? "start" : "stop", client->name());
        if (start)
            client->start_record([name = client->name()](vta::VoidResult r) {
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

void OperatorActions::post_workflow_enabled(const std::string& package, bool enabled) {
    post([this, package, enabled] {
        changed();
        const nlohmann::json before = package_state(package);
        workflows_.set_enabled(package, enabled);
        audit_.record(AuditSource::panel(), enabled ? AuditAction::workflow_enabled : AuditAction::workflow_disabled,
                      package, before, package_state(package));
    });
}

void OperatorActions::post_workflow_reload(const std::string& package) {
    post([this, package] {
        changed();
        const nlohmann::json before = package_state(package);
        workflows_.reload(package);
        audit_.record(AuditSource::panel(), AuditAction::workflow_reloaded, package, before, package_state(package));
    });
}

void OperatorActions::post_manual(std::string text) {
    post([this, text = std::move(text)] {
        audit_.record(AuditSource::panel(), AuditAction::manual_event, text);
        feed_manual_(text);
        spdlog::info("operator: manual event '{}'", text);
    });
}

void OperatorActions::post_play_clip(std::string path, std::int64_t offset_ms) {
    post([this, path = std::move(path), offset_ms] {
        spdlog::info("operator: playing {} from {:.1f} s", path, double(offset_ms) / 1000);
        workflows_.playback().open("panel", path, double(offset_ms) / 1000, [path](bindings::JsonResult r) {
            if (!r) spdlog::warn("playback of {} failed: {}", path, r.error().text());
        });
    });
}

void OperatorActions::post_activate_day(std::int64_t day_id) {
    post([this, day_id] { days_.activate(day_id); });
}

void OperatorActions::post_add_day(std::int64_t tournament_id, std::string date_iso) {
    post([this, tournament_id, date_iso = std::move(date_iso)] { days_.add_day(tournament_id, date_iso); });
}

void OperatorActions::post_create_tournament(std::string name, std::string date_iso) {
    post([this, name = std::move(name), date_iso = std::move(date_iso)] { days_.create_tournament(name, date_iso); });
}

void OperatorActions::settings_saved(const nlohmann::json& before, const nlohmann::json& after,
                                     const std::vector<std::string>& secrets_written) {
    auto [was, now] = config_change(before, after);
    if (!secrets_written.empty()) now["secrets written"] = secrets_written;
    audit_.record(AuditSource::panel(), AuditAction::settings_saved, "", std::move(was), std::move(now));
}

void OperatorActions::settings_imported(const std::string& file, const nlohmann::json& before,
                                        const nlohmann::json& after) {
    auto [was, now] = config_change(before, after);
    audit_.record(AuditSource::panel(), AuditAction::settings_imported, file, std::move(was), std::move(now));
}

void OperatorActions::post_activate_licence(std::string server, std::string key) {
    post([this, server = std::move(server), key = std::move(key)] { licence_.activate(server, key); });
}

}  // namespace vta::host
