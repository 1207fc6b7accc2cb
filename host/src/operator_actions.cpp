#include "vta/host/operator_actions.hpp"

#include <chrono>
#include <optional>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace vta::host {

namespace {

using store::AuditAction;
using store::AuditSource;

}  // namespace

OperatorActions::OperatorActions(boost::asio::io_context& io, WorkflowLink& workflows, obs::Connections& connections,
                                 TournamentDays& days, LicenceKeeper& licence, AuditLog& audit,
                                 std::function<void(const std::string&)> feed_manual, std::string main_audio_input)
    : io_(io),
      workflows_(workflows),
      connections_(connections),
      days_(days),
      licence_(licence),
      audit_(audit),
      feed_manual_(std::move(feed_manual)),
      main_audio_input_(std::move(main_audio_input)) {}

OperatorActions::~OperatorActions() { *alive_ = false; }

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

void OperatorActions::post_control_room(ControlRoomRequest request) {
    post([this, request = std::move(request)]() mutable { run_control_room(std::move(request)); });
}

void OperatorActions::run_control_room(ControlRoomRequest request) {
    using Operation = ControlRoomOperation;
    using State = ControlRoomOutcome::State;
    auto result = std::make_shared<ControlRoomResult>();
    result->id = ++control_room_actions_;
    result->request = std::move(request);
    const Operation operation = result->request.operation;
    if (operation == Operation::mute || operation == Operation::unmute || operation == Operation::toggle_mute)
        result->input = main_audio_input_;
    result->started_at = std::chrono::system_clock::now();
    for (const auto& name : result->request.connections) {
        ControlRoomOutcome outcome;
        outcome.connection = name;
        result->outcomes.push_back(std::move(outcome));
    }
    std::string names;
    for (const auto& name : result->request.connections) names += (names.empty() ? "" : ", ") + name;
    spdlog::info("operator: control room {}{} on {}", to_string(operation),
                 result->request.scene.empty() ? "" : " " + result->request.scene, names.empty() ? "nothing" : names);

    const auto started = std::chrono::steady_clock::now();
    auto remaining = std::make_shared<std::size_t>(result->outcomes.size());
    // Every answer comes on the io thread (obs::Client's handlers), each exactly once.
    auto answer = [this, alive = std::weak_ptr<bool>(alive_), result, remaining, started](
                      std::size_t index, std::optional<vta::Error> error, std::string detail) {
        const auto still = alive.lock();
        if (!still || !*still) return;
        ControlRoomOutcome& outcome = result->outcomes[index];
        if (error) {
            outcome.state = State::failed;
            outcome.detail = error->message;
            outcome.code = std::string(vta::to_string(error->code));
            spdlog::warn("operator: control room {} on {}: {}", to_string(result->request.operation),
                         outcome.connection, error->message);
        } else {
            outcome.state = State::done;
            outcome.detail = std::move(detail);
        }
        if (--*remaining == 0) {
            result->took =
                std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
            audit_.record_control_room(store::AuditSource::panel(), std::string(to_string(result->request.operation)),
                                       control_room_request_json(*result), control_room_outcomes_json(*result));
            spdlog::info("operator: control room {} answered by all {} connections in {} ms",
                         to_string(result->request.operation), result->outcomes.size(), result->took->count());
        }
        if (feed_) feed_->set_control_room(*result);
    };
    if (result->outcomes.empty()) return spdlog::info("operator: control room: no connection chosen");
    if (feed_) feed_->set_control_room(*result);

    for (std::size_t i = 0; i < result->outcomes.size(); ++i) {
        const std::string& name = result->outcomes[i].connection;
        const auto client = connections_.by_name(name);
        if (!client) {
            answer(i, vta::Error(vta::Errc::not_connected, "no OBS connection named \"" + name + "\" is configured"),
                   "");
            continue;
        }
        const auto done = [answer, i](vta::VoidResult r) {
            answer(i, r ? std::nullopt : std::optional<vta::Error>(r.error()), "");
        };
        switch (operation) {
            case Operation::set_scene:
                client->set_current_program_scene(result->request.scene, done);
                break;
            case Operation::start_stream:
                client->start_stream(done);
                break;
            case Operation::stop_stream:
                client->stop_stream(done);
                break;
            case Operation::start_record:
                client->start_record(done);
                break;
            case Operation::stop_record:
                client->stop_record([answer, i](vta::Result<std::string> r) {
                    answer(i, r ? std::nullopt : std::optional<vta::Error>(r.error()), r ? r.value() : "");
                });
                break;
            case Operation::mute:
            case Operation::unmute:
                client->set_input_mute(result->input, operation == Operation::mute, done);
                break;
            case Operation::toggle_mute:
                client->toggle_input_mute(result->input, [answer, i](vta::Result<bool> r) {
                    answer(i, r ? std::nullopt : std::optional<vta::Error>(r.error()),
                           r ? (r.value() ? "muted" : "unmuted") : "");
                });
                break;
        }
    }
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
