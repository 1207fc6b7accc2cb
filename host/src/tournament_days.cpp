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

TournamentDays::TournamentDays(boost::asio::io_context& io, store::Reader& reader, AuditLog& audit,
                               store::ActiveDay day, std::vector<store::TournamentInfo> tournaments)
    : io_(io), reader_(reader), audit_(audit), day_(std::move(day)), tournaments_(std::move(tournaments)) {}

TournamentDays::~TournamentDays() { *alive_ = false; }

void TournamentDays::change(std::string what, store::AuditAction action, Change change) {
    reader_.change_day(std::move(change), [this, what = std::move(what), action, alive = std::weak_ptr<bool>(alive_)](
                                              vta::Result<store::DayChange> outcome) mutable {
        boost::asio::post(io_, [this, alive, what = std::move(what), action, outcome = std::move(outcome)]() mutable {
            if (const auto still = alive.lock(); still && *still) apply(what, action, std::move(outcome));
        });
    });
}

void TournamentDays::apply(const std::string& what, store::AuditAction action, vta::Result<store::DayChange> outcome) {
    if (!outcome) {
        last_error_ = "cannot " + what + ": " + outcome.error().message;
        spdlog::warn("operator: {}", last_error_);
    } else {
        last_error_.clear();
        audit_.record(store::AuditSource::panel(), action, what, nlohmann::json(day_), nlohmann::json(outcome->day));
        day_ = outcome->day;
        if (outcome->tournaments)
            tournaments_ = std::move(outcome->tournaments.value());
        else
            spdlog::warn("cannot list the tournaments: {}", outcome->tournaments.error().message);
        spdlog::info("operator: active day is now tournament '{}' day {} ({}, id {}); new matches attach to it",
                     day_.tournament_name, day_.day_number, day_.date_iso, day_.day_id);
    }
    if (on_change) on_change(day_);
}

void TournamentDays::activate(std::int64_t day_id) {
    change("activate day " + std::to_string(day_id), store::AuditAction::day_activated,
           [day_id](store::Database& db) { return db.activate_day(day_id, "panel"); });
}

void TournamentDays::add_day(std::int64_t tournament_id, std::string date_iso) {
    change("add a day to tournament " + std::to_string(tournament_id), store::AuditAction::day_added,
           [tournament_id, date_iso = std::move(date_iso)](store::Database& db) {
               auto day = db.add_day(tournament_id, date_iso);
               return day ? db.activate_day(day->day_id, "panel") : day;
           });
}

void TournamentDays::create_tournament(std::string name, std::string date_iso) {
    change("create tournament '" + name + "'", store::AuditAction::tournament_created,
           [name, date_iso = std::move(date_iso)](store::Database& db) {
               auto day = db.create_tournament(name, date_iso);
               return day ? db.activate_day(day->day_id, "panel") : day;
           });
}

}  // namespace vta::host
