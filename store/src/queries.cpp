// Read queries behind `vta matches|events|stats --json`. Each runs in one read transaction, so it
// sees a single committed state even while the Writer commits on another connection.

#include <algorithm>
#include <map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "audit_rows.hpp"
#include "codec.hpp"
#include "connection.hpp"
#include "vta/store/database.hpp"

namespace vta::store {

namespace {

constexpr const char* match_select =
    "SELECT m.id, m.day_id, m.number, m.category, m.weight, m.division, m.match_code, m.rounds,"
    " m.round_seconds, m.blue_score, m.red_score, m.round_scores, m.round_winners, m.winner, m.winner_name,"
    " m.decision, m.state_json, m.created_at, m.updated_at,"
    " (SELECT COUNT(*) FROM event e WHERE e.match_id = m.id),"
    " b.id, b.short_name, b.long_name, b.noc, r.id, r.short_name, r.long_name, r.noc"
    " FROM match m"
    " LEFT JOIN match_athlete mb ON mb.match_id = m.id AND mb.side = 1"
    " LEFT JOIN athlete b ON b.id = mb.athlete_id"
    " LEFT JOIN match_athlete mr ON mr.match_id = m.id AND mr.side = 2"
    " LEFT JOIN athlete r ON r.id = mr.athlete_id";

constexpr const char* event_select =
    "SELECT e.id, e.datagram_id, d.received_us, e.group_index, e.code, e.raw, e.fields, e.match_id, e.round,"
    " e.clock_seconds, e.clock_running, e.rec_offset_ms, e.str_offset_ms, e.clip_path, e.clip_offset_ms"
    " FROM event e JOIN datagram d ON d.id = e.datagram_id";

template <class T>
std::optional<T> optional_column(const SQLite::Column& column) {
    if (column.isNull()) {
        return std::nullopt;
    }
    return static_cast<T>(column.getInt64());
}

std::optional<std::string> optional_text(const SQLite::Column& column) {
    if (column.isNull()) {
        return std::nullopt;
    }
    return column.getString();
}

// The athlete whose id is in column `first` (short name, long name and NOC follow), if any.
void read_athlete(SQLite::Statement& row, int first, std::optional<AthleteRow>& athlete,
                  std::optional<std::int64_t>& id) {
    if (row.getColumn(first).isNull()) return;
    id = row.getColumn(first).getInt64();
    athlete = AthleteRow{row.getColumn(first + 1).getString(), row.getColumn(first + 2).getString(),
                         row.getColumn(first + 3).getString()};
}

MatchInfo read_match(SQLite::Statement& row) {
    MatchInfo m;
    m.id = row.getColumn(0).getInt64();
    m.day_id = optional_column<std::int64_t>(row.getColumn(1));
    m.number = row.getColumn(2).getString();
    m.category = row.getColumn(3).getString();
    m.weight = row.getColumn(4).getString();
    m.division = row.getColumn(5).getString();
    m.match_code = row.getColumn(6).getString();
    m.rounds = row.getColumn(7).getInt();
    m.round_seconds = row.getColumn(8).getInt();
    m.blue_score = row.getColumn(9).getInt();
    m.red_score = row.getColumn(10).getInt();
    m.round_scores = detail::decode_round_scores(row.getColumn(11).getString());
    m.round_winners = detail::decode_round_winners(row.getColumn(12).getString());
    m.winner = detail::side_from_int(row.getColumn(13).getInt());
    m.winner_name = row.getColumn(14).getString();
    m.decision = row.getColumn(15).getString();
    m.state_json = row.getColumn(16).getString();
    m.created_at = row.getColumn(17).getString();
    m.updated_at = row.getColumn(18).getString();
    m.event_count = row.getColumn(19).getInt64();
    read_athlete(row, 20, m.blue, m.blue_id);
    read_athlete(row, 24, m.red, m.red_id);
    return m;
}

EventInfo read_event(SQLite::Statement& row) {
    EventInfo e;
    e.id = row.getColumn(0).getInt64();
    e.datagram_id = row.getColumn(1).getInt64();
    e.received_us = row.getColumn(2).getInt64();
    e.group_index = row.getColumn(3).getInt();
    e.code = row.getColumn(4).getString();
    e.raw = row.getColumn(5).getString();
    e.fields_json = row.getColumn(6).getString();
    e.match_id = optional_column<std::int64_t>(row.getColumn(7));
    e.round = row.getColumn(8).getInt();
    e.clock_seconds = optional_column<int>(row.getColumn(9));
    e.clock_running = row.getColumn(10).getInt() != 0;
    e.rec_offset_ms = optional_column<std::int64_t>(row.getColumn(11));
    e.str_offset_ms = optional_column<std::int64_t>(row.getColumn(12));
    e.clip_path = optional_text(row.getColumn(13));
    e.clip_offset_ms = optional_column<std::int64_t>(row.getColumn(14));
    return e;
}

}  // namespace

Result<std::vector<MatchInfo>> Database::list_matches(const MatchFilter& filter) {
    try {
        SQLite::Statement query(*db_, std::string(match_select) +
                                          " WHERE (?1 IS NULL OR m.day_id = ?1) ORDER BY m.id DESC"
                                          " LIMIT COALESCE(?2, -1)");
        if (filter.day_id) {
            query.bind(1, *filter.day_id);
        }
        if (filter.limit) {
            query.bind(2, *filter.limit);
        }
        SQLite::Transaction snapshot(*db_, SQLite::TransactionBehavior::DEFERRED);
        std::vector<MatchInfo> matches;
        while (query.executeStep()) {
            matches.push_back(read_match(query));
        }
        snapshot.commit();
        std::reverse(matches.begin(), matches.end());
        return matches;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing matches");
    }
}

Result<std::optional<MatchInfo>> Database::get_match(std::int64_t match_id) {
    try {
        SQLite::Statement query(*db_, std::string(match_select) + " WHERE m.id = ?");
        query.bind(1, match_id);
        if (!query.executeStep()) {
            return std::optional<MatchInfo>{};
        }
        return std::optional<MatchInfo>{read_match(query)};
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading match " + std::to_string(match_id));
    }
}

Result<std::vector<EventInfo>> Database::list_events(std::int64_t match_id) {
    try {
        SQLite::Statement query(*db_, std::string(event_select) + " WHERE e.match_id = ? ORDER BY e.id");
        query.bind(1, match_id);
        std::vector<EventInfo> events;
        while (query.executeStep()) {
            events.push_back(read_event(query));
        }
        return events;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing the events of match " + std::to_string(match_id));
    }
}

Result<std::vector<EventInfo>> Database::events_between(std::int64_t since_us, std::int64_t until_us,
                                                        std::int64_t limit) {
    try {
        SQLite::Statement query(
            *db_, std::string(event_select) + " WHERE d.received_us BETWEEN ?1 AND ?2 ORDER BY e.id LIMIT ?3");
        query.bind(1, since_us);
        query.bind(2, until_us);
        query.bind(3, limit);
        std::vector<EventInfo> events;
        while (query.executeStep()) {
            events.push_back(read_event(query));
        }
        return events;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing the events received between " + std::to_string(since_us) + " and " +
                                       std::to_string(until_us) + " us");
    }
}

Result<std::optional<std::string>> Database::package_value(std::string_view package, std::string_view key) {
    try {
        SQLite::Statement query(*db_, "SELECT value FROM package_value WHERE package = ?1 AND key = ?2");
        query.bind(1, std::string(package));
        query.bind(2, std::string(key));
        if (!query.executeStep()) {
            return std::optional<std::string>{};
        }
        return std::optional<std::string>{query.getColumn(0).getString()};
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading value '" + std::string(key) + "' of package " + std::string(package));
    }
}

Result<Stats> Database::stats() {
    try {
        SQLite::Transaction snapshot(*db_, SQLite::TransactionBehavior::DEFERRED);
        Stats stats;
        SQLite::Statement datagrams(*db_, "SELECT COUNT(*), MIN(received_us), MAX(received_us) FROM datagram");
        datagrams.executeStep();
        stats.datagrams = datagrams.getColumn(0).getInt64();
        stats.first_received_us = optional_column<std::int64_t>(datagrams.getColumn(1));
        stats.last_received_us = optional_column<std::int64_t>(datagrams.getColumn(2));

        SQLite::Statement events(*db_, "SELECT code, COUNT(*) FROM event GROUP BY code");
        while (events.executeStep()) {
            const std::int64_t count = events.getColumn(1).getInt64();
            stats.per_code[events.getColumn(0).getString()].events = count;
            stats.events += count;
        }

        SQLite::Statement unrecognised(*db_,
                                       "SELECT status, code, COUNT(*) FROM unknown_datagram GROUP BY status, code");
        while (unrecognised.executeStep()) {
            const bool invalid = unrecognised.getColumn(0).getString() == "invalid";
            const std::int64_t count = unrecognised.getColumn(2).getInt64();
            CodeCounts& counts = stats.per_code[unrecognised.getColumn(1).getString()];
            (invalid ? counts.invalid : counts.unknown) += count;
            (invalid ? stats.invalid : stats.unknown) += count;
        }

        SQLite::Statement counters(*db_, "SELECT name, value FROM host_counter");
        while (counters.executeStep()) {
            stats.counters[counters.getColumn(0).getString()] = counters.getColumn(1).getInt64();
        }
        snapshot.commit();
        return stats;
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading statistics");
    }
}

namespace {

// Binds ?1 = day id and ?2 = match id of a RowFilter (NULL when unset).
void bind_filter(SQLite::Statement& query, const RowFilter& filter) {
    if (filter.day_id) {
        query.bind(1, *filter.day_id);
    }
    if (filter.match_id) {
        query.bind(2, *filter.match_id);
    }
}

constexpr const char* by_day_and_match =
    " WHERE (?1 IS NULL OR t.match_id IN (SELECT id FROM match WHERE day_id = ?1))"
    " AND (?2 IS NULL OR t.match_id = ?2) ORDER BY t.id";

}  // namespace

Result<std::vector<RecordingInfo>> Database::list_recordings(const RowFilter& filter) {
    try {
        SQLite::Statement query(*db_, std::string("SELECT t.id, t.match_id, t.connection, t.path, t.folder, t.file,"
                                                  " t.started_us, t.ended_us, t.stopped_by FROM recording t") +
                                          by_day_and_match);
        bind_filter(query, filter);
        std::vector<RecordingInfo> rows;
        while (query.executeStep()) {
            RecordingInfo r;
            r.id = query.getColumn(0).getInt64();
            r.match_id = optional_column<std::int64_t>(query.getColumn(1));
            r.connection = query.getColumn(2).getString();
            r.path = optional_text(query.getColumn(3));
            r.folder = query.getColumn(4).getString();
            r.file = query.getColumn(5).getString();
            r.started_us = query.getColumn(6).getInt64();
            r.ended_us = optional_column<std::int64_t>(query.getColumn(7));
            r.stopped_by = query.getColumn(8).getString();
            rows.push_back(std::move(r));
        }
        return rows;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing recordings");
    }
}

Result<std::vector<ClipInfo>> Database::list_clips(const RowFilter& filter) {
    try {
        SQLite::Statement query(*db_, std::string("SELECT t.id, t.match_id, t.path, t.since_us, t.until_us,"
                                                  " t.requested_us, t.reason, t.side, t.error FROM clip t") +
                                          by_day_and_match);
        bind_filter(query, filter);
        std::vector<ClipInfo> rows;
        while (query.executeStep()) {
            ClipInfo c;
            c.id = query.getColumn(0).getInt64();
            c.match_id = optional_column<std::int64_t>(query.getColumn(1));
            c.path = optional_text(query.getColumn(2));
            c.since_us = query.getColumn(3).getInt64();
            c.until_us = query.getColumn(4).getInt64();
            c.requested_us = query.getColumn(5).getInt64();
            c.reason = query.getColumn(6).getString();
            c.side = optional_column<int>(query.getColumn(7));
            c.error = optional_text(query.getColumn(8));
            rows.push_back(std::move(c));
        }
        return rows;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing clips");
    }
}

Result<std::vector<StreamSessionInfo>> Database::list_stream_sessions(std::optional<std::int64_t> day_id) {
    try {
        SQLite::Statement query(*db_,
                                "SELECT id, day_id, connection, started_us, ended_us, end_reason, timeline_start_ms"
                                " FROM stream_session WHERE (?1 IS NULL OR day_id = ?1) ORDER BY started_us, id");
        if (day_id) {
            query.bind(1, *day_id);
        }
        std::vector<StreamSessionInfo> rows;
        while (query.executeStep()) {
            StreamSessionInfo s;
            s.id = query.getColumn(0).getInt64();
            s.day_id = optional_column<std::int64_t>(query.getColumn(1));
            s.connection = query.getColumn(2).getString();
            s.started_us = query.getColumn(3).getInt64();
            s.ended_us = optional_column<std::int64_t>(query.getColumn(4));
            s.end_reason = query.getColumn(5).getString();
            s.timeline_start_ms = query.getColumn(6).getInt64();
            rows.push_back(std::move(s));
        }
        return rows;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing stream sessions");
    }
}

Result<std::vector<MatchStreamStart>> Database::match_stream_starts(std::int64_t day_id) {
    MatchFilter of_day;
    of_day.day_id = day_id;
    auto matches = list_matches(of_day);
    if (!matches) {
        return matches.error();
    }
    try {
        SQLite::Statement query(*db_,
                                "SELECT e.match_id, e.str_offset_ms FROM event e WHERE e.id IN"
                                " (SELECT MIN(id) FROM event WHERE str_offset_ms IS NOT NULL AND match_id IN"
                                "  (SELECT id FROM match WHERE day_id = ?1) GROUP BY match_id)");
        query.bind(1, day_id);
        std::map<std::int64_t, std::int64_t> offsets;
        while (query.executeStep()) {
            offsets[query.getColumn(0).getInt64()] = query.getColumn(1).getInt64();
        }
        std::vector<MatchStreamStart> starts;
        for (MatchInfo& match : matches.value()) {
            auto offset = offsets.find(match.id);
            starts.push_back({std::move(match),
                              offset == offsets.end() ? std::nullopt : std::optional<std::int64_t>(offset->second)});
        }
        return starts;
    } catch (const std::exception& e) {
        return detail::to_error(e, "reading the stream offsets of day " + std::to_string(day_id));
    }
}

Result<std::vector<ActiveDay>> Database::find_days(std::string_view day) {
    try {
        const bool by_id = !day.empty() && day.find_first_not_of("0123456789") == std::string_view::npos;
        SQLite::Statement query(*db_, std::string("SELECT t.id, t.name, d.id, d.day_number, d.date"
                                                  " FROM tournament_day d JOIN tournament t ON t.id = d.tournament_id"
                                                  " WHERE ") +
                                          (by_id ? "d.id = ?1" : "d.date = ?1") + " ORDER BY d.id");
        if (by_id) {
            query.bind(1, static_cast<std::int64_t>(std::stoll(std::string(day))));
        } else {
            query.bind(1, std::string(day));
        }
        std::vector<ActiveDay> days;
        while (query.executeStep()) {
            days.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getString(),
                            query.getColumn(2).getInt64(), query.getColumn(3).getInt(),
                            query.getColumn(4).getString()});
        }
        return days;
    } catch (const std::exception& e) {
        return detail::to_error(e, "finding day " + std::string(day));
    }
}

}  // namespace vta::store

namespace vta::store {

Result<std::vector<AuditEntry>> Database::list_audit(const AuditFilter& filter) {
    try {
        // The newest `limit` rows, then put back in time order.
        SQLite::Statement query(*db_, std::string("SELECT * FROM (SELECT ") + detail::audit_columns +
                                          " FROM audit WHERE ?1 IS NULL OR at_us >= ?1 ORDER BY at_us DESC, id DESC"
                                          " LIMIT ?2) ORDER BY at_us, id");
        if (filter.since_us) {
            query.bind(1, *filter.since_us);
        } else {
            query.bind(1);
        }
        query.bind(2, filter.limit.value_or(-1));
        std::vector<AuditEntry> entries;
        while (query.executeStep()) {
            entries.push_back(detail::read_audit(query));
        }
        return entries;
    } catch (const std::exception& e) {
        return detail::to_error(e, "listing the audit trail");
    }
}

Result<std::int64_t> Database::add_audit(const AuditRow& row) {
    try {
        SQLite::Statement insert(*db_, detail::insert_audit_sql);
        detail::bind_audit(insert, row);
        insert.exec();
        return db_->getLastInsertRowid();
    } catch (const std::exception& e) {
        return detail::to_error(e, "adding an audit row");
    }
}

}  // namespace vta::store
