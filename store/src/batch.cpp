#include "batch.hpp"

#include <algorithm>

#include <sqlite3.h>

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Transaction.h>

#include "audit_rows.hpp"
#include "codec.hpp"

namespace vta::store::detail {

namespace {

constexpr const char* match_columns =
    "day_id, number, category, weight, division, match_code, rounds, round_seconds, blue_score, red_score,"
    " round_scores, round_winners, winner, winner_name, decision, state_json";

template <class Rows>
auto find_by_id(Rows& rows, std::int64_t id) {
    auto it = std::lower_bound(rows.begin(), rows.end(), id,
                               [](const auto& entry, std::int64_t wanted) { return entry.first < wanted; });
    return it != rows.end() && it->first == id ? it : rows.end();
}

// Text parameters are bound without a copy: every row outlives the statement's execution.
void bind_text(SQLite::Statement& statement, int index, const std::string& text) { statement.bindNoCopy(index, text); }

template <class T>
void bind_optional(SQLite::Statement& statement, int index, const std::optional<T>& value) {
    if (value) {
        statement.bind(index, static_cast<std::int64_t>(*value));
    } else {
        statement.bind(index);
    }
}

void bind_optional_text(SQLite::Statement& statement, int index, const std::optional<std::string>& text) {
    if (text) {
        bind_text(statement, index, *text);
    } else {
        statement.bind(index);
    }
}

struct EncodedMatch {
    std::string round_scores;
    std::string round_winners;
};

// Binds ?1 = id and ?2.. in the order of match_columns.
void bind_match(SQLite::Statement& statement, std::int64_t id, const MatchRow& row, const EncodedMatch& encoded) {
    statement.bind(1, id);
    bind_optional(statement, 2, row.day_id);
    bind_text(statement, 3, row.number);
    bind_text(statement, 4, row.category);
    bind_text(statement, 5, row.weight);
    bind_text(statement, 6, row.division);
    bind_text(statement, 7, row.match_code);
    statement.bind(8, row.rounds);
    statement.bind(9, row.round_seconds);
    statement.bind(10, row.blue_score);
    statement.bind(11, row.red_score);
    bind_text(statement, 12, encoded.round_scores);
    bind_text(statement, 13, encoded.round_winners);
    statement.bind(14, static_cast<int>(row.winner));
    bind_text(statement, 15, row.winner_name);
    bind_text(statement, 16, row.decision);
    bind_text(statement, 17, row.state_json);
}

// A failed statement is reset before the transaction is rolled back: SQLite otherwise carries the
// failed statement's foreign key violation into the next transaction on this connection.
void execute(SQLite::Statement& statement) {
    try {
        statement.exec();
    } catch (...) {
        statement.tryReset();
        throw;
    }
}

EncodedMatch encode(const MatchRow& row) {
    return {encode_round_scores(row.round_scores), encode_round_winners(row.round_winners)};
}

std::string describe(Refusal::Kind kind, std::int64_t id) {
    switch (kind) {
        case Refusal::Kind::match:
            return "match " + std::to_string(id);
        case Refusal::Kind::match_update:
            return "update of match " + std::to_string(id);
        case Refusal::Kind::datagram:
            return "datagram " + std::to_string(id);
        case Refusal::Kind::event:
            return "event " + std::to_string(id);
        case Refusal::Kind::unknown:
            return "unknown group " + std::to_string(id);
        case Refusal::Kind::event_update:
            return "fields update of event " + std::to_string(id);
        case Refusal::Kind::recording:
            return "recording " + std::to_string(id);
        case Refusal::Kind::recording_end:
            return "end of recording " + std::to_string(id);
        case Refusal::Kind::clip:
            return "clip " + std::to_string(id);
        case Refusal::Kind::stream_session:
            return "stream session " + std::to_string(id);
        case Refusal::Kind::stream_session_end:
            return "end of stream session " + std::to_string(id);
        case Refusal::Kind::outbox:
            return "outbox message " + std::to_string(id);
        case Refusal::Kind::tag:
            return "event tag";
        case Refusal::Kind::audit:
            return "audit row";
        case Refusal::Kind::package_value:
            return "package value";
        case Refusal::Kind::counter:
            break;
    }
    return "host counter";
}

}  // namespace

std::size_t Batch::rows() const {
    return new_matches.size() + match_updates.size() + datagrams.size() + events.size() + unknowns.size() +
           event_field_updates.size() + recordings.size() + recording_ends.size() + clips.size() +
           stream_sessions.size() + stream_session_ends.size() + counters.size() + package_values.size() + tags.size() +
           outbox.size() + audits.size();
}

bool Batch::replace_new_match(std::int64_t id, const std::function<MatchRow()>& make_row) {
    auto it = find_by_id(new_matches, id);
    if (it == new_matches.end()) {
        return false;
    }
    it->second = make_row();
    return true;
}

bool Batch::replace_event_fields(std::int64_t id, std::string& fields_json) {
    auto it = find_by_id(events, id);
    if (it == events.end()) {
        return false;
    }
    it->second.fields_json = std::move(fields_json);
    return true;
}

bool Batch::end_new_recording(std::int64_t id, RecordingEnd& end) {
    auto it = find_by_id(recordings, id);
    if (it == recordings.end()) {
        return false;
    }
    it->second.ended_us = end.ended_us;
    if (end.path) {
        it->second.path = std::move(end.path);
    }
    it->second.stopped_by = std::move(end.stopped_by);
    return true;
}

bool Batch::end_new_stream_session(std::int64_t id, StreamSessionEnd& end) {
    auto it = find_by_id(stream_sessions, id);
    if (it == stream_sessions.end()) {
        return false;
    }
    it->second.ended_us = end.ended_us;
    it->second.end_reason = std::move(end.end_reason);
    return true;
}

BatchCommitter::BatchCommitter(SQLite::Database& db)
    : db_(db),
      insert_match_(db, std::string("INSERT INTO match (id, ") + match_columns +
                            ", created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                            " ?13, ?14, ?15, ?16, ?17, strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
                            " strftime('%Y-%m-%dT%H:%M:%fZ','now'))"),
      update_match_(db,
                    "UPDATE match SET day_id = ?2, number = ?3, category = ?4, weight = ?5, division = ?6,"
                    " match_code = ?7, rounds = ?8, round_seconds = ?9, blue_score = ?10, red_score = ?11,"
                    " round_scores = ?12, round_winners = ?13, winner = ?14, winner_name = ?15, decision = ?16,"
                    " state_json = ?17, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?1"),
      upsert_athlete_(db,
                      "INSERT INTO athlete (short_name, long_name, noc) VALUES (?1, ?2, ?3)"
                      " ON CONFLICT (long_name, noc) DO UPDATE SET short_name = excluded.short_name RETURNING id"),
      link_athlete_(db, "INSERT OR REPLACE INTO match_athlete (match_id, side, athlete_id) VALUES (?1, ?2, ?3)"),
      unlink_athlete_(db, "DELETE FROM match_athlete WHERE match_id = ?1 AND side = ?2"),
      insert_datagram_(db,
                       "INSERT INTO datagram (id, received_us, sender, raw, group_count) VALUES (?1, ?2, ?3, ?4, ?5)"),
      insert_event_(
          db,
          "INSERT INTO event (id, datagram_id, group_index, code, raw, fields, match_id, round, clock_seconds,"
          " clock_running, rec_offset_ms, str_offset_ms, clip_path, clip_offset_ms)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
      insert_unknown_(db,
                      "INSERT INTO unknown_datagram (id, datagram_id, group_index, status, code, raw, reason, match_id,"
                      " round, clock_seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
      update_event_fields_(db, "UPDATE event SET fields = ?2 WHERE id = ?1"),
      insert_recording_(db,
                        "INSERT INTO recording (id, match_id, connection, path, folder, file, started_us, ended_us,"
                        " stopped_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
      end_recording_(db,
                     "UPDATE recording SET ended_us = ?2, path = COALESCE(?3, path), stopped_by = ?4 WHERE id = ?1"),
      insert_clip_(db,
                   "INSERT INTO clip (id, match_id, path, since_us, until_us, requested_us, reason, side, error)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
      insert_stream_session_(db,
                             "INSERT INTO stream_session (id, day_id, connection, started_us, ended_us, end_reason,"
                             " timeline_start_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
      end_stream_session_(db, "UPDATE stream_session SET ended_us = ?2, end_reason = ?3 WHERE id = ?1"),
      set_counter_(db,
                   "INSERT INTO host_counter (name, value, updated_at)"
                   " VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ','now'))"
                   " ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"),
      upsert_package_value_(db,
                            "INSERT INTO package_value (package, key, value, updated_at)"
                            " VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%fZ','now')) ON CONFLICT (package, key)"
                            " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"),
      delete_package_value_(db, "DELETE FROM package_value WHERE package = ?1 AND key = ?2"),
      tag_events_(db,
                  "UPDATE event SET clip_path = COALESCE(?3, clip_path),"
                  " rec_offset_ms = CASE WHEN ?4 IS NULL THEN rec_offset_ms"
                  "  ELSE ((SELECT received_us FROM datagram d WHERE d.id = event.datagram_id) - ?4) / 1000 END,"
                  " str_offset_ms = CASE WHEN ?5 IS NULL THEN str_offset_ms"
                  "  ELSE ?6 + ((SELECT received_us FROM datagram d WHERE d.id = event.datagram_id) - ?5) / 1000 END,"
                  " clip_offset_ms = CASE WHEN ?7 IS NULL THEN clip_offset_ms"
                  "  ELSE ((SELECT received_us FROM datagram d WHERE d.id = event.datagram_id) - ?7) / 1000 END"
                  " WHERE datagram_id IN (SELECT id FROM datagram WHERE received_us BETWEEN ?1 AND ?2)"),
      insert_outbox_(db, "INSERT INTO outbox (seq, topic, payload) VALUES (?1, ?2, ?3)"),
      supersede_outbox_(db, "DELETE FROM outbox WHERE topic = ?1 AND seq < ?2"),
      trim_outbox_span_(db, "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM outbox WHERE seq < ?1"),
      trim_outbox_(db, "DELETE FROM outbox WHERE seq < ?1"),
      insert_audit_(db, detail::insert_audit_sql) {}

// Foreign keys are checked per statement, so parents go first: matches, then datagrams, then the
// groups that reference both, then updates of rows committed earlier.
template <class Run>
void BatchCommitter::apply(const Batch& batch, Run&& run) {
    for (const auto& [id, row] : batch.new_matches) {
        run(Refusal::Kind::match, id, [&] { insert_match(id, row); });
    }
    for (const auto& [id, make_row] : batch.match_updates) {
        run(Refusal::Kind::match_update, id, [&] { update_match(id, make_row()); });
    }
    for (const auto& [id, row] : batch.datagrams) {
        run(Refusal::Kind::datagram, id, [&] { insert_datagram(id, row); });
    }
    for (const auto& [id, row] : batch.events) {
        run(Refusal::Kind::event, id, [&] { insert_event(id, row); });
    }
    for (const auto& [id, row] : batch.unknowns) {
        run(Refusal::Kind::unknown, id, [&] { insert_unknown(id, row); });
    }
    for (const auto& [id, fields] : batch.event_field_updates) {
        run(Refusal::Kind::event_update, id, [&] { update_event_fields(id, fields); });
    }
    for (const auto& [id, row] : batch.recordings) {
        run(Refusal::Kind::recording, id, [&] { insert_recording(id, row); });
    }
    for (const auto& [id, end] : batch.recording_ends) {
        run(Refusal::Kind::recording_end, id, [&] { end_recording(id, end); });
    }
    for (const auto& [id, row] : batch.clips) {
        run(Refusal::Kind::clip, id, [&] { insert_clip(id, row); });
    }
    for (const auto& [id, row] : batch.stream_sessions) {
        run(Refusal::Kind::stream_session, id, [&] { insert_stream_session(id, row); });
    }
    for (const auto& [id, end] : batch.stream_session_ends) {
        run(Refusal::Kind::stream_session_end, id, [&] { end_stream_session(id, end); });
    }
    for (const auto& [name, value] : batch.counters) {
        run(Refusal::Kind::counter, 0, [&] { set_counter(name, value); });
    }
    for (const auto& [key, value] : batch.package_values) {
        run(Refusal::Kind::package_value, 0, [&] { set_package_value(key, value); });
    }
    for (const EventTag& tag : batch.tags) {
        run(Refusal::Kind::tag, 0, [&] { tag_events(tag); });
    }
    for (const auto& [seq, entry] : batch.outbox) {
        run(Refusal::Kind::outbox, seq, [&] { insert_outbox(seq, entry); });
    }
    if (batch.outbox_keep_from > 0) trim_outbox(batch.outbox_keep_from);
    for (const AuditRow& row : batch.audits) {
        run(Refusal::Kind::audit, 0, [&] { insert_audit(row); });
    }
}

void BatchCommitter::commit(const Batch& batch) {
    outbox_dropped_ = outbox_dropped_through_ = 0;
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    apply(batch, [](Refusal::Kind, std::int64_t, auto&& write) { write(); });
    transaction.commit();
}

std::vector<Refusal> BatchCommitter::commit_row_by_row(const Batch& batch) {
    outbox_dropped_ = outbox_dropped_through_ = 0;
    SQLite::Transaction transaction(db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<Refusal> refused;
    apply(batch, [&](Refusal::Kind kind, std::int64_t id, auto&& write) {
        db_.exec("SAVEPOINT batch_row");
        try {
            write();
        } catch (const SQLite::Exception& e) {
            if (e.getErrorCode() != SQLITE_CONSTRAINT) {
                throw;
            }
            db_.exec("ROLLBACK TO batch_row");
            refused.push_back(
                {kind, id,
                 Error{Errc::sqlite, describe(kind, id) + " refused: " + e.what(), e.getExtendedErrorCode()}});
        }
        db_.exec("RELEASE batch_row");
    });
    transaction.commit();
    return refused;
}

void BatchCommitter::insert_match(std::int64_t id, const MatchRow& row) {
    const EncodedMatch encoded = encode(row);
    insert_match_.reset();
    bind_match(insert_match_, id, row, encoded);
    execute(insert_match_);
    link_athletes(id, row);
}

void BatchCommitter::update_match(std::int64_t id, const MatchRow& row) {
    const EncodedMatch encoded = encode(row);
    update_match_.reset();
    bind_match(update_match_, id, row, encoded);
    execute(update_match_);
    link_athletes(id, row);
}

// The row's athletes replace the linked ones; an athlete without a long name counts as absent.
void BatchCommitter::link_athletes(std::int64_t match_id, const MatchRow& row) {
    const std::pair<Side, const std::optional<AthleteRow>*> sides[] = {{Side::blue, &row.blue}, {Side::red, &row.red}};
    for (const auto& [side, athlete] : sides) {
        const int side_number = static_cast<int>(side);
        if (!*athlete || (*athlete)->long_name.empty()) {
            unlink_athlete_.reset();
            unlink_athlete_.bind(1, match_id);
            unlink_athlete_.bind(2, side_number);
            execute(unlink_athlete_);
            continue;
        }
        upsert_athlete_.reset();
        bind_text(upsert_athlete_, 1, (*athlete)->short_name);
        bind_text(upsert_athlete_, 2, (*athlete)->long_name);
        bind_text(upsert_athlete_, 3, (*athlete)->noc);
        std::int64_t athlete_id = 0;
        try {
            upsert_athlete_.executeStep();
            athlete_id = upsert_athlete_.getColumn(0).getInt64();
        } catch (...) {
            upsert_athlete_.tryReset();
            throw;
        }
        upsert_athlete_.reset();
        link_athlete_.reset();
        link_athlete_.bind(1, match_id);
        link_athlete_.bind(2, side_number);
        link_athlete_.bind(3, athlete_id);
        execute(link_athlete_);
    }
}

void BatchCommitter::insert_datagram(std::int64_t id, const DatagramRow& row) {
    insert_datagram_.reset();
    insert_datagram_.bind(1, id);
    insert_datagram_.bind(2, row.received_us);
    bind_text(insert_datagram_, 3, row.sender);
    insert_datagram_.bindNoCopy(4, row.raw.data(), static_cast<int>(row.raw.size()));
    insert_datagram_.bind(5, row.group_count);
    execute(insert_datagram_);
}

void BatchCommitter::insert_event(std::int64_t id, const EventRow& row) {
    insert_event_.reset();
    insert_event_.bind(1, id);
    insert_event_.bind(2, row.datagram_id);
    insert_event_.bind(3, row.group_index);
    bind_text(insert_event_, 4, row.code);
    bind_text(insert_event_, 5, row.raw);
    bind_text(insert_event_, 6, row.fields_json);
    bind_optional(insert_event_, 7, row.match_id);
    insert_event_.bind(8, row.round);
    bind_optional(insert_event_, 9, row.clock_seconds);
    insert_event_.bind(10, row.clock_running ? 1 : 0);
    bind_optional(insert_event_, 11, row.rec_offset_ms);
    bind_optional(insert_event_, 12, row.str_offset_ms);
    bind_optional_text(insert_event_, 13, row.clip_path);
    bind_optional(insert_event_, 14, row.clip_offset_ms);
    execute(insert_event_);
}

void BatchCommitter::insert_unknown(std::int64_t id, const UnknownRow& row) {
    insert_unknown_.reset();
    insert_unknown_.bind(1, id);
    insert_unknown_.bind(2, row.datagram_id);
    insert_unknown_.bind(3, row.group_index);
    insert_unknown_.bindNoCopy(4, status_name(row.status).data());
    bind_text(insert_unknown_, 5, row.code);
    bind_text(insert_unknown_, 6, row.raw);
    bind_text(insert_unknown_, 7, row.reason);
    bind_optional(insert_unknown_, 8, row.match_id);
    insert_unknown_.bind(9, row.round);
    bind_optional(insert_unknown_, 10, row.clock_seconds);
    execute(insert_unknown_);
}

void BatchCommitter::update_event_fields(std::int64_t id, const std::string& fields_json) {
    update_event_fields_.reset();
    update_event_fields_.bind(1, id);
    bind_text(update_event_fields_, 2, fields_json);
    execute(update_event_fields_);
}

void BatchCommitter::set_counter(const std::string& name, std::int64_t value) {
    set_counter_.reset();
    bind_text(set_counter_, 1, name);
    set_counter_.bind(2, value);
    execute(set_counter_);
}

void BatchCommitter::set_package_value(const std::pair<std::string, std::string>& key,
                                       const std::optional<std::string>& value) {
    SQLite::Statement& statement = value ? upsert_package_value_ : delete_package_value_;
    statement.reset();
    bind_text(statement, 1, key.first);
    bind_text(statement, 2, key.second);
    if (value) {
        bind_text(statement, 3, *value);
    }
    execute(statement);
}

void BatchCommitter::tag_events(const EventTag& tag) {
    tag_events_.reset();
    tag_events_.bind(1, tag.since_us);
    tag_events_.bind(2, tag.until_us);
    bind_optional_text(tag_events_, 3, tag.clip_path);
    bind_optional(tag_events_, 4, tag.recording_started_us);
    bind_optional(tag_events_, 5, tag.stream_started_us);
    tag_events_.bind(6, tag.stream_timeline_start_ms);
    bind_optional(tag_events_, 7, tag.clip_started_us);
    execute(tag_events_);
}

void BatchCommitter::insert_recording(std::int64_t id, const RecordingRow& row) {
    insert_recording_.reset();
    insert_recording_.bind(1, id);
    bind_optional(insert_recording_, 2, row.match_id);
    bind_text(insert_recording_, 3, row.connection);
    bind_optional_text(insert_recording_, 4, row.path);
    bind_text(insert_recording_, 5, row.folder);
    bind_text(insert_recording_, 6, row.file);
    insert_recording_.bind(7, row.started_us);
    bind_optional(insert_recording_, 8, row.ended_us);
    bind_text(insert_recording_, 9, row.stopped_by);
    execute(insert_recording_);
}

void BatchCommitter::end_recording(std::int64_t id, const RecordingEnd& end) {
    end_recording_.reset();
    end_recording_.bind(1, id);
    end_recording_.bind(2, end.ended_us);
    bind_optional_text(end_recording_, 3, end.path);
    bind_text(end_recording_, 4, end.stopped_by);
    execute(end_recording_);
}

void BatchCommitter::insert_clip(std::int64_t id, const ClipRow& row) {
    insert_clip_.reset();
    insert_clip_.bind(1, id);
    bind_optional(insert_clip_, 2, row.match_id);
    bind_optional_text(insert_clip_, 3, row.path);
    insert_clip_.bind(4, row.since_us);
    insert_clip_.bind(5, row.until_us);
    insert_clip_.bind(6, row.requested_us);
    bind_text(insert_clip_, 7, row.reason);
    bind_optional(insert_clip_, 8, row.side);
    bind_optional_text(insert_clip_, 9, row.error);
    execute(insert_clip_);
}

void BatchCommitter::insert_stream_session(std::int64_t id, const StreamSessionRow& row) {
    insert_stream_session_.reset();
    insert_stream_session_.bind(1, id);
    bind_optional(insert_stream_session_, 2, row.day_id);
    bind_text(insert_stream_session_, 3, row.connection);
    insert_stream_session_.bind(4, row.started_us);
    bind_optional(insert_stream_session_, 5, row.ended_us);
    bind_text(insert_stream_session_, 6, row.end_reason);
    insert_stream_session_.bind(7, row.timeline_start_ms);
    execute(insert_stream_session_);
}

void BatchCommitter::end_stream_session(std::int64_t id, const StreamSessionEnd& end) {
    end_stream_session_.reset();
    end_stream_session_.bind(1, id);
    end_stream_session_.bind(2, end.ended_us);
    bind_text(end_stream_session_, 3, end.end_reason);
    execute(end_stream_session_);
}

void BatchCommitter::insert_audit(const AuditRow& row) {
    insert_audit_.reset();
    bind_audit(insert_audit_, row);
    execute(insert_audit_);
}

void BatchCommitter::insert_outbox(std::int64_t seq, const Batch::OutboxEntry& entry) {
    const std::string payload = entry.row.make_payload(seq, entry.event_id);
    insert_outbox_.reset();
    insert_outbox_.bind(1, seq);
    bind_text(insert_outbox_, 2, entry.row.topic);
    bind_text(insert_outbox_, 3, payload);
    execute(insert_outbox_);
    if (entry.row.supersedes) {
        supersede_outbox_.reset();
        bind_text(supersede_outbox_, 1, entry.row.topic);
        supersede_outbox_.bind(2, seq);
        execute(supersede_outbox_);
    }
}

void BatchCommitter::trim_outbox(std::int64_t keep_from) {
    trim_outbox_span_.reset();
    trim_outbox_span_.bind(1, keep_from);
    if (!trim_outbox_span_.executeStep() || trim_outbox_span_.getColumn(0).getInt64() == 0) return;
    outbox_dropped_ = trim_outbox_span_.getColumn(0).getInt64();
    outbox_dropped_through_ = trim_outbox_span_.getColumn(1).getInt64();
    trim_outbox_span_.reset();
    trim_outbox_.reset();
    trim_outbox_.bind(1, keep_from);
    execute(trim_outbox_);
}

}  // namespace vta::store::detail
