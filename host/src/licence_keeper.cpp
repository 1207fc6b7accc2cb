#include "vta/host/licence_keeper.hpp"

#include <atomic>
#include <fstream>
#include <sstream>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "vta/licence/licence_file.hpp"
#include "vta/licence_client/client.hpp"

namespace vta::host {

namespace {

// The server answered that this licence is no longer valid (revoked, expired or unknown key, no seat for this
// machine), as opposed to not answering: only the first ends the licence before the offline grace does.
bool refused_by_server(const vta::Error& error) {
    return error.code == vta::Errc::request_failed && (error.comment == "auth_failed" || error.comment == "not_found");
}

std::optional<std::string> read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

// The worker thread, and the flag that drops results arriving after stop(): completions hold it weakly.
struct LicenceKeeper::Worker {
    boost::asio::thread_pool pool{1};
    std::atomic<bool> stopped{false};
};

LicenceKeeper::LicenceKeeper(boost::asio::io_context& io, LicenceKeeperOptions options)
    : io_(io),
      options_(std::move(options)),
      files_(licence_client::LocalFiles::in(options_.folder)),
      check_timer_(io),
      evaluate_timer_(io),
      worker_(std::make_shared<Worker>()) {
    view_.server = options_.server;
    view_.in_force = licence_client::evaluate_installed(files_, options_.public_key_pem, now(), machine());
    log_change({}, view_.in_force);
}

LicenceKeeper::~LicenceKeeper() { stop(); }

licence::Time LicenceKeeper::now() const {
    return options_.clock ? options_.clock()
                          : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

licence::Fingerprint LicenceKeeper::machine() const {
    return options_.machine ? options_.machine() : licence::read_fingerprint();
}

void LicenceKeeper::start() {
    if (!options_.server.empty()) {
        check_now();
        every(check_timer_, options_.check_every, &LicenceKeeper::check_now);
    }
    every(evaluate_timer_, options_.evaluate_every, &LicenceKeeper::evaluate_later);
}

void LicenceKeeper::stop() {
    if (worker_->stopped.exchange(true)) return;
    check_timer_.cancel();
    evaluate_timer_.cancel();
    worker_->pool.join();
}

void LicenceKeeper::every(boost::asio::steady_timer& timer, std::chrono::milliseconds period,
                          void (LicenceKeeper::*run)()) {
    timer.expires_after(period);
    timer.async_wait([this, &timer, period, run](const boost::system::error_code& ec) {
        if (ec || worker_->stopped) return;
        (this->*run)();
        every(timer, period, run);
    });
}

void LicenceKeeper::evaluate_later() {
    boost::asio::post(worker_->pool, [this, alive = std::weak_ptr<Worker>(worker_), now = now(), machine = machine()] {
        auto evaluated = licence_client::evaluate_installed(files_, options_.public_key_pem, now, machine);
        boost::asio::post(io_, [this, alive, evaluated = std::move(evaluated)]() mutable {
            if (auto worker = alive.lock(); worker && !worker->stopped) apply(std::move(evaluated));
        });
    });
}

void LicenceKeeper::check_now() {
    if (options_.server.empty()) return;
    boost::asio::post(worker_->pool, [this, alive = std::weak_ptr<Worker>(worker_), server = options_.server,
                                      now = now(), machine = machine()] {
        std::string failure;
        if (const auto text = read_text(files_.licence)) {
            auto answer = licence_client::validate(server, *text, machine, options_.client);
            if (answer) {
                auto installed = licence_client::install_licence(files_.licence, *answer, options_.public_key_pem);
                if (!installed)
                    failure = "the server's answer was refused: " + installed.error().message;
                else if (auto recorded = licence_client::record_server_answer(files_.state, *installed); !recorded)
                    failure = recorded.error().message;
            } else if (refused_by_server(answer.error())) {
                // Set aside, not deleted: the vendor may want to see what was refused.
                std::error_code ec;
                std::filesystem::rename(files_.licence, files_.licence.string() + ".refused", ec);
                failure = answer.error().message + " (the licence was set aside as licence.json.refused)";
            } else {
                failure = answer.error().message;
            }
        }
        auto evaluated = licence_client::evaluate_installed(files_, options_.public_key_pem, now, machine);
        boost::asio::post(io_, [this, alive, failure = std::move(failure), evaluated = std::move(evaluated)]() mutable {
            auto worker = alive.lock();
            if (!worker || worker->stopped) return;
            if (failure != view_.last_check_error) {
                if (failure.empty())
                    spdlog::info("licence: checked with {}", view_.server);
                else
                    spdlog::warn("licence: the check with {} failed: {}", view_.server, failure);
            }
            view_.last_check_error = std::move(failure);
            apply(std::move(evaluated));
            changed();
        });
    });
}

void LicenceKeeper::activate(std::string server, std::string key) {
    if (server.empty()) server = options_.server;
    if (server.empty() || key.empty()) {
        view_.activation = server.empty() ? "activation needs the licence server's URL (config licence.server)"
                                          : "activation needs a licence key";
        spdlog::warn("licence: {}", view_.activation);
        return changed();
    }
    view_.activating = true;
    view_.activation = "activating with " + server;
    changed();
    boost::asio::post(worker_->pool, [this, alive = std::weak_ptr<Worker>(worker_), server, key = std::move(key),
                                      now = now(), machine = machine()] {
        std::string outcome;
        auto text = licence_client::activate(server, key, machine, options_.client);
        auto installed = text ? licence_client::install_licence(files_.licence, *text, options_.public_key_pem)
                              : Result<licence::Licence>(text.error());
        if (installed) {
            if (auto recorded = licence_client::record_server_answer(files_.state, *installed); !recorded)
                spdlog::warn("licence: {}", recorded.error().message);
            outcome = "activated: licensed to " + installed->licensee + " (" + installed->key_id + ")";
        } else {
            outcome = "activation failed: " + installed.error().message;
        }
        auto evaluated = licence_client::evaluate_installed(files_, options_.public_key_pem, now, machine);
        boost::asio::post(io_, [this, alive, ok = installed.ok(), outcome = std::move(outcome),
                                evaluated = std::move(evaluated)]() mutable {
            auto worker = alive.lock();
            if (!worker || worker->stopped) return;
            if (ok)
                spdlog::info("licence: {}", outcome);
            else
                spdlog::warn("licence: {}", outcome);
            view_.activating = false;
            view_.activation = std::move(outcome);
            if (ok) view_.last_check_error.clear();
            apply(std::move(evaluated));
            changed();
        });
    });
}

void LicenceKeeper::apply(licence::Evaluation evaluated) {
    const bool in_match = options_.match_in_progress && options_.match_in_progress();
    const licence::State applied = licence::state_to_apply(view_.in_force.state, evaluated.state, in_match);
    if (applied != evaluated.state) {
        if (!view_.pending || view_.pending->state != evaluated.state)
            spdlog::warn(
                "licence: {}; this takes effect at the next match load, the match under way keeps its features",
                evaluated.reason);
        view_.pending = std::move(evaluated);
        return changed();
    }
    const licence::Evaluation before = std::move(view_.in_force);
    view_.in_force = std::move(evaluated);
    view_.pending.reset();
    log_change(before, view_.in_force);
    changed();
}

void LicenceKeeper::on_match_loaded() {
    if (!view_.pending) return;
    spdlog::info("licence: a match was loaded: the change that waited for it applies now");
    const licence::Evaluation before = std::move(view_.in_force);
    view_.in_force = std::move(*view_.pending);
    view_.pending.reset();
    log_change(before, view_.in_force);
    changed();
}

void LicenceKeeper::log_change(const licence::Evaluation& before, const licence::Evaluation& after) {
    using licence::State;
    if (after.clock_behind && !before.clock_behind) spdlog::warn("licence: {}", after.clock_warning);
    if (after.state == State::warning) {
        // Once a day: the hourly evaluation must not flood the log.
        if (warned_day_ != after.days_since_check) spdlog::warn("licence: {}", after.reason);
        warned_day_ = after.days_since_check;
        return;
    }
    if (before.state == after.state && before.reason == after.reason) return;
    if (licence::features_on(after.state))
        spdlog::info("licence: {}", after.reason);
    else if (after.state == State::evaluation)
        spdlog::info("licence: {} (what it allows: README, Licence)", after.reason);
    else
        spdlog::error("licence: {}: the licensed features are off, the host runs in evaluation mode", after.reason);
}

void LicenceKeeper::changed() {
    if (on_change) on_change();
}

nlohmann::json LicenceKeeper::status() {
    auto j = licence::to_json(view_.in_force);
    j["pending"] = view_.pending ? nlohmann::json(licence::to_string(view_.pending->state)) : nlohmann::json();
    return j;
}

bool LicenceKeeper::has(const std::string& feature) { return view_.in_force.has(feature); }

}  // namespace vta::host
