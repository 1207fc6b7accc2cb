#pragma once
// A batch of rows collected by the Writer, and the prepared statements that commit one.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "vta/store/result.hpp"
#include "vta/store/audit.hpp"
#include "vta/store/rows.hpp"

namespace vta::store::detail {

// Rows waiting for one transaction. Ids are assigned in increasing order, so each vector is sorted by id.
struct Batch {
    std::vector<std::pair<std::int64_t, MatchRow>> new_matches;
    // Matches committed by an earlier batch. The row is made when the batch commits, on the writer thread:
    // of a match updated at every burst only the last update of a batch is ever built.
    std::map<std::int64_t, std::function<MatchRow()>> match_updates;
    std::vector<std::pair<std::int64_t, DatagramRow>> datagrams;
    std::vector<std::pair<std::int64_t, EventRow>> events;
    std::vector<std::pair<std::int64_t, UnknownRow>> unknowns;
    std::map<std::int64_t, std::string> event_field_updates;  // events committed by an earlier batch
    std::vector<std::pair<std::int64_t, RecordingRow>> recordings;
    std::map<std::int64_t, RecordingEnd> recording_ends;  // recordings committed by an earlier batch
    std::vector<std::pair<std::int64_t, ClipRow>> clips;
    std::vector<std::pair<std::int64_t, StreamSessionRow>> stream_sessions;
    std::map<std::int64_t, StreamSessionEnd> stream_session_ends;  // sessions committed by an earlier batch
    std::map<std::string, std::int64_t> counters;
    // (package, key) -> JSON text; none deletes the key.
    std::map<std::pair<std::string, std::string>, std::optional<std::string>> package_values;
    std::vector<EventTag> tags;    // in submission order, applied last
    std::vector<AuditRow> audits;  // in submission order; SQLite gives their ids
    // Outbox rows by seq, with the id of the event they describe (0: none).
    struct OutboxEntry {
        std::int64_t event_id = 0;
        OutboxRow row;
    };
    std::vector<std::pair<std::int64_t, OutboxEntry>> outbox;
    std::int64_t outbox_keep_from = 0;  // outbox rows below this seq are deleted with the batch (0: none)

    std::size_t rows() const;
    bool empty() const { return rows() == 0; }
    std::int64_t last_datagram_id() const { return datagrams.empty() ? 0 : datagrams.back().first; }

    // Folds an update into a row still waiting here; false when the row is not in this batch.
    bool replace_new_match(std::int64_t id, const std::function<MatchRow()>& make_row);
    bool replace_event_fields(std::int64_t id, std::string& fields_json);
    bool end_new_recording(std::int64_t id, RecordingEnd& end);
    bool end_new_stream_session(std::int64_t id, StreamSessionEnd& end);
};

// A row a constraint refused when a batch was committed row by row.
struct Refusal {
    enum class Kind {
        match,
        match_update,
        datagram,
        event,
        unknown,
        event_update,
        recording,
        recording_end,
        clip,
        stream_session,
        stream_session_end,
        counter,
        package_value,
        tag,
        outbox,
        audit
    } kind;
    std::int64_t id = 0;  // 0 for counters, package values and tags
    Error error;
};

// Prepared statements on the writer's connection, reused for every batch.
class BatchCommitter {
public:
    explicit BatchCommitter(SQLite::Database& db);

    // Writes the whole batch in one IMMEDIATE transaction. Throws (after rolling back) on any failure.
    void commit(const Batch& batch);
    // Same, with each row in its own savepoint: rows refused by a constraint are left out and returned.
    // Throws (after rolling back) on any other failure.
    std::vector<Refusal> commit_row_by_row(const Batch& batch);
    // Outbox rows the last commit deleted past Batch::outbox_keep_from, and the highest seq among them.
    std::int64_t outbox_dropped() const { return outbox_dropped_; }
    std::int64_t outbox_dropped_through() const { return outbox_dropped_through_; }

private:
    template <class Run>
    void apply(const Batch& batch, Run&& run);

    void insert_match(std::int64_t id, const MatchRow& row);
    void update_match(std::int64_t id, const MatchRow& row);
    void link_athletes(std::int64_t match_id, const MatchRow& row);
    void insert_datagram(std::int64_t id, const DatagramRow& row);
    void insert_event(std::int64_t id, const EventRow& row);
    void insert_unknown(std::int64_t id, const UnknownRow& row);
    void update_event_fields(std::int64_t id, const std::string& fields_json);
    void insert_recording(std::int64_t id, const RecordingRow& row);
    void end_recording(std::int64_t id, const RecordingEnd& end);
    void insert_clip(std::int64_t id, const ClipRow& row);
    void insert_stream_session(std::int64_t id, const StreamSessionRow& row);
    void end_stream_session(std::int64_t id, const StreamSessionEnd& end);
    void set_counter(const std::string& name, std::int64_t value);
    void set_package_value(const std::pair<std::string, std::string>& key, const std::optional<std::string>& value);
    void tag_events(const EventTag& tag);
    void insert_outbox(std::int64_t seq, const Batch::OutboxEntry& entry);
    void insert_audit(const AuditRow& row);
    void trim_outbox(std::int64_t keep_from);

    SQLite::Database& db_;
    SQLite::Statement insert_match_;
    SQLite::Statement update_match_;
    SQLite::Statement upsert_athlete_;
    SQLite::Statement link_athlete_;
    SQLite::Statement unlink_athlete_;
    SQLite::Statement insert_datagram_;
    SQLite::Statement insert_event_;
    SQLite::Statement insert_unknown_;
    SQLite::Statement update_event_fields_;
    SQLite::Statement insert_recording_;
    SQLite::Statement end_recording_;
    SQLite::Statement insert_clip_;
    SQLite::Statement insert_stream_session_;
    SQLite::Statement end_stream_session_;
    SQLite::Statement set_counter_;
    SQLite::Statement upsert_package_value_;
    SQLite::Statement delete_package_value_;
    SQLite::Statement tag_events_;
    SQLite::Statement insert_outbox_;
    SQLite::Statement supersede_outbox_;
    SQLite::Statement trim_outbox_span_;
    SQLite::Statement trim_outbox_;
    SQLite::Statement insert_audit_;
    std::int64_t outbox_dropped_ = 0;
    std::int64_t outbox_dropped_through_ = 0;
};

}  // namespace vta::store::detail
