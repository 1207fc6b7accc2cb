#include "vta/host/tournament_days.hpp"

#include <ctime>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace vta::host {

std::string local_date_iso() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char text[16];
    std::strftime(text, sizeof text, "%Y-%m-%d", &local);
    return text;
}

TournamentDays::TournamentDays(boost::asio::io_context& io, std::filesystem::path database, store::ActiveDay day)
    : io_(io), database_(std::move(database)), day_(std::move(day)) {}

TournamentDays::~TournamentDays() {
    *alive_ = false;
    if (worker_.joinable()) worker_.join();
}

void TournamentDays::load_tournaments(store::Database& database) {
    auto tournaments = database.list_tournaments();
    if (!tournaments) return spdlog::warn("cannot list the tournaments: {}", tournaments.error().message);
    tournaments_ = std::move(tournaments.value());
}

void TournamentDays::change(std::string what, Change change) {
    queued_.emplace_back(std::move(what), std::move(change));
    start_next();
}

void TournamentDays::start_next() {
    if (running_ || queued_.empty()) return;
    running_ = true;
    auto [what, change] = std::move(queued_.front());
    queued_.pop_front();
    if (worker_.joinable()) worker_.join();  // it posted its outcome and returned: this does not wait
    worker_ = std::thread([this, what = std::move(what), change = std::move(change),
                           alive = std::weak_ptr<bool>(alive_)]() mutable {
        Outcome outcome;
        if (auto database = store::Database::open(database_); !database) {
            outcome.day = database.error();
        } else {
            outcome.day = change(database.value());
            if (auto tournaments = database->list_tournaments(); tournaments)
                outcome.tournaments = std::move(tournaments.value());
        }
        boost::asio::post(io_, [this, alive, what = std::move(what), outcome = std::move(outcome)]() mutable {
            if (auto still = alive.lock(); still && *still) apply(what, std::move(outcome));
        });
    });
}

void TournamentDays::apply(const std::string& what, Outcome outcome) {
    running_ = false;
    if (outcome.tournaments) tournaments_ = std::move(*outcome.tournaments);
    if (!outcome.day) {
        last_error_ = "cannot " + what + ": " + outcome.day.error().message;
        spdlog::warn("operator: {}", last_error_);
    } else {
        last_error_.clear();
        day_ = outcome.day.value();
        spdlog::info("operator: active day is now tournament '{}' day {} ({}, id {}); new matches attach to it",
                     day_.tournament_name, day_.day_number, day_.date_iso, day_.day_id);
    }
    if (on_change) on_change(day_);
    start_next();
}

void TournamentDays::activate(std::int64_t day_id) {
    change("activate day " + std::to_string(day_id),
           [day_id](store::Database& db) { return db.activate_day(day_id, "panel"); });
}

void TournamentDays::add_day(std::int64_t tournament_id, std::string date_iso) {
    change("add a day to tournament " + std::to_string(tournament_id),
           [tournament_id, date_iso = std::move(date_iso)](store::Database& db) {
               auto day = db.add_day(tournament_id, date_iso);
               return day ? db.activate_day(day->day_id, "panel") : day;
           });
}

void TournamentDays::create_tournament(std::string name, std::string date_iso) {
    change("create tournament '" + name + "'",
           [name, date_iso = std::move(date_iso)](store::Database& db) {
               auto day = db.create_tournament(name, date_iso);
               return day ? db.activate_day(day->day_id, "panel") : day;
           });
}

}  // namespace vta::host
