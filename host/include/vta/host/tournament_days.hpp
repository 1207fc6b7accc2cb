// The tournament and day the host's new matches attach to, and the operator's changes of it (activate a day, add
// a day, create a tournament). The store work of a change runs off the io thread; its outcome comes back on it.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <thread>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/store/database.hpp"

namespace vta::host {

// Today on this machine's calendar (YYYY-MM-DD): the date a new tournament day gets.
std::string local_date_iso();

class TournamentDays {
public:
    using Change = std::function<vta::Result<store::ActiveDay>(store::Database&)>;

    // `database` is the host's store file; `day` the active day create() set up.
    TournamentDays(boost::asio::io_context& io, std::filesystem::path database, store::ActiveDay day);
    ~TournamentDays();

    const store::ActiveDay& active() const { return day_; }
    const std::vector<store::TournamentInfo>& tournaments() const { return tournaments_; }
    // Why the operator's last change was refused, "" after a success.
    const std::string& last_error() const { return last_error_; }

    // Called on the io thread after each change (accepted or refused): the active day may have moved.
    std::function<void(const store::ActiveDay&)> on_change;

    // Rereads the tournament list (for the selector) with `database` (create() has one open).
    void load_tournaments(store::Database& database);

    // Runs `change` on a store connection of its own, off the io thread; the day it returns becomes the active
    // one. `what` names the change in the log and in last_error().
    void change(std::string what, Change change);

    void activate(std::int64_t day_id);
    // Adds the tournament's next day, dated `date_iso` (YYYY-MM-DD), and activates it.
    void add_day(std::int64_t tournament_id, std::string date_iso);
    // Creates a tournament with its day 1 dated `date_iso` and activates that day.
    void create_tournament(std::string name, std::string date_iso);

private:
    struct Outcome {
        vta::Result<store::ActiveDay> day = vta::Error(vta::Errc::cancelled, "not run");
        std::optional<std::vector<store::TournamentInfo>> tournaments;
    };
    void start_next();
    void apply(const std::string& what, Outcome outcome);

    boost::asio::io_context& io_;
    std::filesystem::path database_;
    store::ActiveDay day_;
    std::vector<store::TournamentInfo> tournaments_;
    std::string last_error_;
    std::deque<std::pair<std::string, Change>> queued_;  // one change at a time, in the operator's order
    bool running_ = false;
    std::thread worker_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a change finishing after destruction is dropped
};

}  // namespace vta::host
