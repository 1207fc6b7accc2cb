// The tournament and day the host's new matches attach to, and the operator's changes of it (activate a day, add
// a day, create a tournament). The store work of a change runs off the io thread; its outcome comes back on it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/host/audit_log.hpp"
#include "vta/store/database.hpp"
#include "vta/store/reader.hpp"

namespace vta::host {

// Today on this machine's calendar (YYYY-MM-DD): the date a new tournament day gets.
std::string local_date_iso();

class TournamentDays {
public:
    using Change = std::function<vta::Result<store::ActiveDay>(store::Database&)>;

    // `reader` runs the changes (it must outlive this); `day` is the active day create() set up, `tournaments` the
    // list it read. Accepted changes leave an audit row (source "panel") with the active day before and after.
    TournamentDays(boost::asio::io_context& io, store::Reader& reader, AuditLog& audit, store::ActiveDay day,
                   std::vector<store::TournamentInfo> tournaments);
    ~TournamentDays();

    const store::ActiveDay& active() const { return day_; }
    const std::vector<store::TournamentInfo>& tournaments() const { return tournaments_; }
    // Why the operator's last change was refused, "" after a success.
    const std::string& last_error() const { return last_error_; }

    // Called on the io thread after each change (accepted or refused): the active day may have moved.
    std::function<void(const store::ActiveDay&)> on_change;

    // Runs `change` on the reader's thread (one change at a time, in order); the day it returns becomes the
    // active one. `what` names the change in the log and in last_error().
    void change(std::string what, store::AuditAction action, Change change);

    void activate(std::int64_t day_id);
    // Adds the tournament's next day, dated `date_iso` (YYYY-MM-DD), and activates it.
    void add_day(std::int64_t tournament_id, std::string date_iso);
    // Creates a tournament with its day 1 dated `date_iso` and activates that day.
    void create_tournament(std::string name, std::string date_iso);

private:
    void apply(const std::string& what, store::AuditAction action, vta::Result<store::DayChange> outcome);

    boost::asio::io_context& io_;
    store::Reader& reader_;
    AuditLog& audit_;
    store::ActiveDay day_;
    std::vector<store::TournamentInfo> tournaments_;
    std::string last_error_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a change finishing after destruction is dropped
};

}  // namespace vta::host
