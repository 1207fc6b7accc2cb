// Settings with history, the tournaments and their days, and the active day (kept as two settings).

#include <cctype>
#include <map>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "connection.hpp"
#include "vta/store/database.hpp"

namespace vta::store {

namespace {

std::optional<std::string> read_setting(SQLite::Database& db, std::string_view key) {
    SQLite::Statement query(db, "SELECT value FROM setting WHERE key = ?");
    query.bind(1, std::string(key));
    if (!query.executeStep()) {
        return std::nullopt;
    }
    return query.getColumn(0).getString();
}

// Runs inside the caller's transaction.
void write_setting(SQLite::Database& db, std::string_view key, std::string_view value, std::string_view changed_by) {
    const auto old_value = read_setting(db, key);
    if (old_value == value) {
        return;
    }
    SQLite::Statement upsert(
        db,
        "INSERT INTO setting (key, value, updated_at)"
        " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at");
    upsert.bind(1, std::string(key));
    upsert.bind(2, std::string(value));
    upsert.exec();
    SQLite::Statement history(db,
                              "INSERT INTO setting_history (key, old_value, new_value, changed_at, changed_by)"
                              " VALUES (?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?)");
    history.bind(1, std::string(key));
    if (old_value) {
        history.bind(2, *old_value);
    } else {
        history.bind(2);
    }
    history.bind(3, std::string(value));
    history.bind(4, std::string(changed_by));
    history.exec();
}

std::optional<std::int64_t> setting_as_id(SQLite::Database& db, std::string_view key) {
    const auto value = read_setting(db, key);
    if (!value) {
        return std::nullopt;
    }
    try {
        return std::stoll(*value);
    } catch (const std::exception&) {
        return std::nullopt;  // an edited, unusable value counts as unset
    }
}

std::optional<ActiveDay> load_day(SQLite::Database& db, std::int64_t day_id) {
    SQLite::Statement query(db,
                            "SELECT t.id, t.name, d.id, d.day_number, d.date"
                            " FROM tournament_day d JOIN tournament t ON t.id = d.tournament_id WHERE d.id = ?");
    query.bind(1, day_id);
    if (!query.executeStep()) {
        return std::nullopt;
    }
    return ActiveDay{query.getColumn(0).getInt64(), query.getColumn(1).getString(), query.getColumn(2).getInt64(),
                     query.getColumn(3).getInt(), query.getColumn(4).getString()};
}

bool tournament_exists(SQLite::Database& db, std::int64_t tournament_id) {
    SQLite::Statement query(db, "SELECT 1 FROM tournament WHERE id = ?");
    query.bind(1, tournament_id);
    return query.executeStep();
}

std::int64_t insert_tournament(SQLite::Database& db, const std::string& name) {
    SQLite::Statement insert(db, "INSERT INTO tournament (name) VALUES (?)");
    insert.bind(1, name);
    insert.exec();
    return db.getLastInsertRowid();
}

std::int64_t insert_next_day(SQLite::Database& db, std::int64_t tournament_id, std::string_view date_iso) {
    SQLite::Statement insert(db,
                             "INSERT INTO tournament_day (tournament_id, day_number, date)"
                             " SELECT ?1, COALESCE(MAX(day_number), 0) + 1, ?2 FROM tournament_day"
                             " WHERE tournament_id = ?1");
    insert.bind(1, tournament_id);
    insert.bind(2, std::string(date_iso));
    insert.exec();
    return db.getLastInsertRowid();
}

bool looks_like_iso_date(std::string_view date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
        return false;
    }
    for (std::size_t i = 0; i < date.size(); ++i) {
        if (i != 4 && i != 7 && (date[i] < '0' || date[i] > '9')) {
            return false;
        }
    }
    return true;
}

std::string trimmed(std::string_view text) {
    std::size_t begin = 0;
    std::size_t end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) {
        ++begin;
    }
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) {
        --end;
    }
    return std::string(text.substr(begin, end - begin));
}

constexpr std::size_t max_tournament_name = 200;

}  // namespace

Result<std::optional<std::string>> Database::get_setting(std::string_view key) {
    try {
        return read_setting(*db_, key);
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading setting " + std::string(key));
    }
}

Result<void> Database::set_setting(std::string_view key, std::string_view value, std::string_view changed_by) {
    try {
        SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        write_setting(*db_, key, value, changed_by);
        transaction.commit();
        return {};
    } catch (const std::exception& e) {
        return detail::to_error(e, "writing setting " + std::string(key));
    }
}

Result<std::vector<SettingChange>> Database::setting_history(std::string_view key) {
    try {
        SQLite::Statement query(*db_,
                                "SELECT key, old_value, new_value, changed_at, changed_by FROM setting_history"
                                " WHERE key = ? ORDER BY id");
        query.bind(1, std::string(key));
        std::vector<SettingChange> changes;
        while (query.executeStep()) {
            SettingChange change;
            change.key = query.getColumn(0).getString();
            if (!query.getColumn(1).isNull()) {
                change.old_value = query.getColumn(1).getString();
            }
            change.new_value = query.getColumn(2).getString();
            change.changed_at = query.getColumn(3).getString();
            change.changed_by = query.getColumn(4).getString();
            changes.push_back(std::move(change));
        }
        return changes;
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading the history of setting " + std::string(key));
    }
}

Result<std::optional<ActiveDay>> Database::active_day() {
    try {
        const auto day_id = setting_as_id(*db_, active_day_key);
        if (!day_id) {
            return std::optional<ActiveDay>{};
        }
        return load_day(*db_, *day_id);
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading the active day");
    }
}

Result<ActiveDay> Database::ensure_active_day(std::string_view date_iso) {
    if (!looks_like_iso_date(date_iso)) {
        return Error{Errc::invalid_argument, "expected a date as YYYY-MM-DD, got \"" + std::string(date_iso) + "\""};
    }
    try {
        SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        if (const auto day_id = setting_as_id(*db_, active_day_key)) {
            if (auto day = load_day(*db_, *day_id)) {
                return *day;
            }
        }
        // No usable active day: continue the active tournament with a new day, or start one.
        auto tournament_id = setting_as_id(*db_, active_tournament_key);
        if (!tournament_id || !tournament_exists(*db_, *tournament_id)) {
            tournament_id = insert_tournament(*db_, "Tournament " + std::string(date_iso));
        }
        const std::int64_t day_id = insert_next_day(*db_, *tournament_id, date_iso);
        write_setting(*db_, active_tournament_key, std::to_string(*tournament_id), "store");
        write_setting(*db_, active_day_key, std::to_string(day_id), "store");
        auto day = load_day(*db_, day_id);
        transaction.commit();
        return *day;
    } catch (const std::exception& e) {
        return detail::to_error(e, "ensuring the active tournament day");
    }
}

Result<std::vector<TournamentInfo>> Database::list_tournaments() {
    try {
        std::vector<TournamentInfo> tournaments;
        std::map<std::int64_t, std::size_t> index_of;
        SQLite::Statement query(*db_, "SELECT id, name, created_at FROM tournament ORDER BY id");
        while (query.executeStep()) {
            index_of[query.getColumn(0).getInt64()] = tournaments.size();
            tournaments.push_back(
                {query.getColumn(0).getInt64(), query.getColumn(1).getString(), query.getColumn(2).getString(), {}});
        }
        SQLite::Statement days(*db_,
                               "SELECT tournament_id, id, day_number, date FROM tournament_day"
                               " ORDER BY tournament_id, day_number");
        while (days.executeStep()) {
            const auto found = index_of.find(days.getColumn(0).getInt64());
            if (found == index_of.end()) {
                continue;
            }
            tournaments[found->second].days.push_back(
                {days.getColumn(1).getInt64(), days.getColumn(2).getInt(), days.getColumn(3).getString()});
        }
        return tournaments;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing the tournaments");
    }
}

Result<ActiveDay> Database::create_tournament(std::string_view name, std::string_view first_day_date_iso) {
    const std::string clean = trimmed(name);
    if (clean.empty()) {
        return Error{Errc::invalid_argument, "a tournament needs a name"};
    }
    if (clean.size() > max_tournament_name) {
        return Error{Errc::invalid_argument,
                     "a tournament name has at most " + std::to_string(max_tournament_name) + " characters"};
    }
    if (!looks_like_iso_date(first_day_date_iso)) {
        return Error{Errc::invalid_argument,
                     "expected a date as YYYY-MM-DD, got \"" + std::string(first_day_date_iso) + "\""};
    }
    try {
        SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        const std::int64_t tournament_id = insert_tournament(*db_, clean);
        auto day = load_day(*db_, insert_next_day(*db_, tournament_id, first_day_date_iso));
        transaction.commit();
        return *day;
    } catch (const std::exception& e) {
        return detail::to_error(e, "creating tournament \"" + clean + "\"");
    }
}

Result<ActiveDay> Database::add_day(std::int64_t tournament_id, std::string_view date_iso) {
    if (!looks_like_iso_date(date_iso)) {
        return Error{Errc::invalid_argument, "expected a date as YYYY-MM-DD, got \"" + std::string(date_iso) + "\""};
    }
    try {
        SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        if (!tournament_exists(*db_, tournament_id)) {
            return Error{Errc::not_found, "no tournament with id " + std::to_string(tournament_id)};
        }
        auto day = load_day(*db_, insert_next_day(*db_, tournament_id, date_iso));
        transaction.commit();
        return *day;
    } catch (const std::exception& e) {
        return detail::to_error(e, "adding a day to tournament " + std::to_string(tournament_id));
    }
}

Result<ActiveDay> Database::activate_day(std::int64_t day_id, std::string_view changed_by) {
    try {
        SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        auto day = load_day(*db_, day_id);
        if (!day) {
            return Error{Errc::not_found, "no tournament day with id " + std::to_string(day_id)};
        }
        write_setting(*db_, active_tournament_key, std::to_string(day->tournament_id), changed_by);
        write_setting(*db_, active_day_key, std::to_string(day->day_id), changed_by);
        transaction.commit();
        return *day;
    } catch (const std::exception& e) {
        return detail::to_error(e, "activating tournament day " + std::to_string(day_id));
    }
}

}  // namespace vta::store
