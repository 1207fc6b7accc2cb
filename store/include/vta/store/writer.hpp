#pragma once
// Batched writer: the host's loop thread appends rows with cheap non-blocking calls; one background
// thread commits them in batches, one transaction per batch, on its own SQLite connection.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "vta/store/audit.hpp"
#include "vta/store/ingest_sink.hpp"
#include "vta/store/result.hpp"
#include "vta/store/rows.hpp"

namespace vta::store {

struct CommitInfo {
    std::int64_t last_datagram_id = 0;      // highest datagram id committed so far (0: none yet)
    std::size_t rows = 0;                   // rows written by this batch (inserts + updates)
    std::chrono::microseconds duration{0};  // BEGIN..COMMIT on the writer thread
    // Outbox rows this batch deleted to keep within WriterOptions::outbox_max_rows (the oldest first), and the
    // highest seq among them (0: none).
    std::int64_t outbox_dropped = 0;
    std::int64_t outbox_dropped_through = 0;
};

struct WriterOptions {
    std::size_t batch_rows = 2000;                 // commit once this many rows are pending...
    std::chrono::milliseconds batch_delay{10};     // ...or this long after the first pending row
    std::chrono::milliseconds retry_delay{200};    // wait before retrying a failed commit
    std::chrono::milliseconds busy_timeout{5000};  // wait on another connection's lock before failing
    // The outbox keeps at most the newest this many seqs: each batch deletes the rows older than that (0: no
    // bound). What they carried stays in the other tables.
    std::int64_t outbox_max_rows = 0;
    // Both callbacks run on the writer thread: keep them short, post to the loop for real work.
    std::function<void(const CommitInfo&)> on_commit;
    std::function<void(const Error&)> on_error;  // failed commits (retried) and rows refused by a constraint
};

struct WriterStatus {
    std::size_t pending_rows = 0;    // queued, not yet handed to a transaction
    std::size_t in_flight_rows = 0;  // in the transaction being committed (or retried)
    std::uint64_t committed_batches = 0;
    std::uint64_t committed_rows = 0;
    std::uint64_t failed_commits = 0;       // commit attempts that failed and were retried
    std::uint64_t refused_rows = 0;         // rows rejected by a constraint, reported through on_error
    std::int64_t last_datagram_id = 0;      // highest datagram id committed
    std::uint64_t outbox_dropped_rows = 0;  // outbox rows deleted past outbox_max_rows
    bool waiting_on_hold = false;           // the writer thread waits for a held batch (see hold_batch)
    // Calls that added or changed a row so far, and how many of them are committed (in call order): a
    // change is readable from other connections once committed_changes reaches submitted_changes as read
    // right after it.
    std::uint64_t submitted_changes = 0;
    std::uint64_t committed_changes = 0;
};

// A stream session as opened: its id and its place in the day's stream timeline.
struct OpenedStreamSession {
    std::int64_t id = 0;
    std::int64_t timeline_start_ms = 0;
};

class Writer final : public IngestSink {
public:
    // Opens its own connection (migrating the schema like Database::open) and starts the thread.
    // One Writer per database file: ids continue from the MAX(id) read here. The add/update methods
    // may be called from any thread; flush() and close() from the owner.
    static Result<std::unique_ptr<Writer>> open(const std::filesystem::path& path, WriterOptions options = {});

    ~Writer() override;  // close()
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    // Non-blocking appends (a short mutex hold). Each returns the id the row will have once committed.
    // Rows must reference ids already returned by this Writer or rows already in the database.
    std::int64_t add_datagram(DatagramRow row) override;
    std::int64_t add_event(EventRow row) override;
    std::int64_t add_unknown(UnknownRow row) override;
    std::int64_t add_match(MatchRow row) override;
    // The event and its outbox message in the same batch, so one is never committed without the other.
    // `message.make_payload` gets the event's id.
    std::int64_t add_event(EventRow row, OutboxRow message);
    // Queues a message for the courts' bus; returns its seq.
    std::int64_t add_outbox(OutboxRow message);
    // The row replaces the stored match entirely, athletes included (an unset side is unlinked).
    // Repeated updates of one match before its batch commits are coalesced: the last one wins.
    void update_match(std::int64_t match_id, MatchRow row);
    // The same with the row made when its batch commits, on the writer thread (once per batch however
    // often the match is updated), so the caller pays only for what `make_row` captures. `make_row`
    // must not throw.
    void update_match(std::int64_t match_id, std::function<MatchRow()> make_row) override;
    // Replaces an event's fields JSON (a late hit level linked to a point); coalesced like update_match.
    void update_event_fields(std::int64_t event_id, std::string fields_json) override;
    // While held (by any thread, counted), the writer thread does not take the pending rows: they wait, with
    // those added meanwhile, for the last release. Hold for microseconds only; never flush() while holding.
    void hold_batch() override;
    void release_batch() override;
    // Applied after the inserts of its batch, so it also reaches matching events still pending.
    void tag_events(EventTag tag);
    std::int64_t add_recording(RecordingRow row);
    void end_recording(std::int64_t recording_id, RecordingEnd end);
    std::int64_t add_clip(ClipRow row);
    // Sets row.timeline_start_ms to the summed durations of the day's sessions closed so far (those
    // in the file when the Writer opened and those closed through it since).
    OpenedStreamSession open_stream_session(StreamSessionRow row);
    // Closing an unknown or already closed session changes nothing in the timeline.
    void close_stream_session(std::int64_t session_id, StreamSessionEnd end);
    // Upserts host_counter rows; coalesced per name.
    void set_counters(const std::map<std::string, std::int64_t>& counters);
    // Stores or (without a value) deletes a package's value; coalesced per package and key.
    void set_package_value(PackageValueRow row);
    // Appends a row to the audit trail (never coalesced; its id comes from SQLite when it is committed).
    void add_audit(AuditRow row);

    // Blocks until everything added before the call is committed, or the timeout passes.
    Result<void> flush(std::chrono::milliseconds timeout = std::chrono::hours(24));
    // Flushes (bounded by timeout), stops and joins the thread. Idempotent; later adds are ignored.
    Result<void> close(std::chrono::milliseconds timeout = std::chrono::seconds(30));

    std::size_t pending_rows() const;  // for the status display
    WriterStatus status() const;

private:
    struct State;  // shared with the writer thread
    explicit Writer(std::unique_ptr<State> state);
    static void run(State& state);
    std::unique_ptr<State> state_;
};

}  // namespace vta::store
