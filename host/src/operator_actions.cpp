#include "vta/host/operator_actions.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace vta::host {

OperatorActions::OperatorActions(boost::asio::io_context& io, WorkflowLink& workflows, obs::Connections& connections,
                                 TournamentDays& days, LicenceKeeper& licence,
                                 std::function<void(const std::string&)> feed_manual)
    : io_(io),
      workflows_(workflows),
      connections_(connections),
      days_(days),
      licence_(licence),
      feed_manual_(std::move(feed_manual)) {}

void OperatorActions::post(std::function<void()> action) {
    boost::asio::post(io_, [this, action = std::move(action)] {
        if (!stopped_) action();
    });
}

void OperatorActions::post_replay() {
    post([this] {
        workflows_.dispatch_operator_event("operator_replay");
        changed();
    });
}

void OperatorActions::post_back_to_live() {
    post([this] {
        workflows_.dispatch_operator_event("operator_back_to_live");
        changed();
    });
}

void OperatorActions::post_recording(bool start) {
    post([this, start] {
        const auto recorders = connections_.by_role(obs::Role::rec);
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
        workflows_.set_enabled(package, enabled);
    });
}

void OperatorActions::post_workflow_reload(const std::string& package) {
    post([this, package] {
        changed();
        workflows_.reload(package);
    });
}

void OperatorActions::post_manual(std::string text) {
    post([this, text = std::move(text)] {
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

void OperatorActions::post_activate_licence(std::string server, std::string key) {
    post([this, server = std::move(server), key = std::move(key)] { licence_.activate(server, key); });
}

}  // namespace vta::host
