#include "vta/store/writer.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include "batch.hpp"
#include "connection.hpp"

namespace vta::store {

using Clock = std::chrono::steady_clock;

namespace {

struct OpenStreamSession {
    std::int64_t day_key = 0;
    std::int64_t started_us = 0;
};

}  // namespace

struct Writer::State {
    State(std::unique_ptr<SQLite::Database> connection, WriterOptions writer_options)
        : db(std::move(connection)), committer(*db), options(std::move(writer_options)) {}

    std::unique_ptr<SQLite::Database> db;  // used by the writer thread only, after open()
    detail::BatchCommitter committer;
    const WriterOptions options;

    mutable std::mutex mutex;
    std::condition_variable wake_writer;  // rows arrived, flush asked, stop asked
    std::condition_variable committed;    // a batch was committed (or the thread ended)

    // Guarded by mutex.
    detail::Batch pending;
    Clock::time_point first_pending_at;
    bool timer_started = false;       // first_pending_at is set for the rows now pending
    std::uint64_t submitted = 0;      // calls that added or changed a row
    std::uint64_t committed_seq = 0;  // `submitted` value covered by the last finished batch
    std::size_t flush_waiters = 0;
    int holds = 0;                     // hold_batch() calls not yet released
    bool waiting_for_release = false;  // the writer thread waits for the last release's handoff
    // The pending rows, taken by the last release_batch() for the waiting writer thread.
    struct Taken {
        detail::Batch batch;
        std::uint64_t submitted_seq = 0;  // `submitted` when they were taken
    };
    std::optional<Taken> handoff;
    bool stopping = false;    // close(): commit what is pending, then end
    bool abandoning = false;  // close() gave up waiting: stop retrying a failing batch
    bool thread_done = false;
    std::optional<Error> last_error;
    std::int64_t next_match_id = 0;
    std::int64_t next_datagram_id = 0;
    std::int64_t next_event_id = 0;
    std::int64_t next_unknown_id = 0;
    std::int64_t next_recording_id = 0;
    std::int64_t next_clip_id = 0;
    std::int64_t next_stream_session_id = 0;
    std::int64_t next_outbox_seq = 0;
    // The stream timeline per day (key: day id, 0 for none): summed durations of closed sessions,
    // and where each open session started.
    std::map<std::int64_t, std::int64_t> closed_stream_ms;
    std::map<std::int64_t, OpenStreamSession> open_sessions;
    WriterStatus counts;

    std::thread thread;

    struct Committed {
        std::vector<detail::Refusal> refusals;
        std::chrono::microseconds duration{0};
    };
    // Called on the writer thread without the mutex; empty when close() abandoned the batch.
    std::optional<Committed> commit_until_done(const detail::Batch& batch);
    void report(const Error& error) const;

    // Called with mutex held: the pending rows become a batch to commit.
    Taken take_pending() {
        Taken taken{std::exchange(pending, detail::Batch{}), submitted};
        if (options.outbox_max_rows > 0 && !taken.batch.outbox.empty())
            taken.batch.outbox_keep_from = std::max<std::int64_t>(0, next_outbox_seq - options.outbox_max_rows);
        timer_started = false;
        return taken;
    }

    // Called with mutex held after a row was added or changed: wakes the thread only when the first
    // row starts the batch_delay timer and when the batch is full, to keep the loop thread's cost low.
    void note_submitted() {
        ++submitted;
        if (!timer_started) {
            timer_started = true;
            first_pending_at = Clock::now();
            wake_writer.notify_one();
        } else if (pending.rows() >= options.batch_rows) {
            wake_writer.notify_one();
        }
    }
};

namespace {

std::int64_t max_id(SQLite::Database& db, const char* table) {
    SQLite::Statement query(db, std::string("SELECT COALESCE(MAX(id), 0) FROM ") + table);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

// Seqs are never reused, even those of rows already deleted: sqlite_sequence remembers the highest one.
std::int64_t next_outbox_seq(SQLite::Database& db) {
    SQLite::Statement query(db,
                            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),"
                            " COALESCE((SELECT MAX(seq) FROM outbox), 0))");
    query.executeStep();
    return query.getColumn(0).getInt64() + 1;
}

std::int64_t day_key(const std::optional<std::int64_t>& day_id) { return day_id.value_or(0); }

// The stream timeline as committed by earlier runs.
void read_stream_timeline(SQLite::Database& db, std::map<std::int64_t, std::int64_t>& closed_ms,
                          std::map<std::int64_t, OpenStreamSession>& open) {
    SQLite::Statement closed(db,
                             "SELECT COALESCE(day_id, 0), SUM((ended_us - started_us) / 1000) FROM stream_session"
                             " WHERE ended_us IS NOT NULL GROUP BY COALESCE(day_id, 0)");
    while (closed.executeStep()) {
        closed_ms[closed.getColumn(0).getInt64()] = closed.getColumn(1).getInt64();
    }
    SQLite::Statement running(db,
                              "SELECT id, COALESCE(day_id, 0), started_us FROM stream_session WHERE ended_us IS NULL");
    while (running.executeStep()) {
        open[running.getColumn(0).getInt64()] = {running.getColumn(1).getInt64(), running.getColumn(2).getInt64()};
    }
}

}  // namespace

Result<std::unique_ptr<Writer>> Writer::open(const std::filesystem::path& path, WriterOptions options) {
    if (options.batch_rows == 0) {
        return Error{Errc::invalid_argument, "WriterOptions::batch_rows must be at least 1"};
    }
    auto db =
        detail::open_connection(path, detail::OpenMode::read_write, static_cast<int>(options.busy_timeout.count()),
                                detail::Threading::one_thread_at_a_time);
    if (!db) {
        return db.error();
    }
    try {
        auto state = std::make_unique<State>(std::move(db).value(), std::move(options));
        state->next_match_id = max_id(*state->db, "match") + 1;
        state->next_datagram_id = max_id(*state->db, "datagram") + 1;
        state->next_event_id = max_id(*state->db, "event") + 1;
        state->next_unknown_id = max_id(*state->db, "unknown_datagram") + 1;
        state->next_recording_id = max_id(*state->db, "recording") + 1;
        state->next_clip_id = max_id(*state->db, "clip") + 1;
        state->next_stream_session_id = max_id(*state->db, "stream_session") + 1;
        state->next_outbox_seq = next_outbox_seq(*state->db);
        read_stream_timeline(*state->db, state->closed_stream_ms, state->open_sessions);
        state->counts.last_datagram_id = state->next_datagram_id - 1;
        State& shared = *state;
        shared.thread = std::thread([&shared] { run(shared); });
        return std::unique_ptr<Writer>(new Writer(std::move(state)));
    } catch (const std::exception& e) {
        return detail::to_error(e, "starting the writer on " + path.string());
    }
}

Writer::Writer(std::unique_ptr<State> state) : state_(std::move(state)) {}

Writer::~Writer() { close(); }

std::int64_t Writer::add_datagram(DatagramRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_datagram_id++;
    if (!state_->stopping) {
        state_->pending.datagrams.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return id;
}

std::int64_t Writer::add_event(EventRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_event_id++;
    if (!state_->stopping) {
        state_->pending.events.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return id;
}

std::int64_t Writer::add_event(EventRow row, OutboxRow message) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_event_id++;
    const std::int64_t seq = state_->next_outbox_seq++;
    if (!state_->stopping) {
        state_->pending.events.emplace_back(id, std::move(row));
        state_->pending.outbox.emplace_back(seq, detail::Batch::OutboxEntry{id, std::move(message)});
        state_->note_submitted();
    }
    return id;
}

std::int64_t Writer::add_outbox(OutboxRow message) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t seq = state_->next_outbox_seq++;
    if (!state_->stopping) {
        state_->pending.outbox.emplace_back(seq, detail::Batch::OutboxEntry{0, std::move(message)});
        state_->note_submitted();
    }
    return seq;
}

std::int64_t Writer::add_unknown(UnknownRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_unknown_id++;
    if (!state_->stopping) {
        state_->pending.unknowns.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return id;
}

std::int64_t Writer::add_match(MatchRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_match_id++;
    if (!state_->stopping) {
        state_->pending.new_matches.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return id;
}

void Writer::update_match(std::int64_t match_id, MatchRow row) {
    update_match(match_id, [row = std::move(row)] { return row; });
}

void Writer::update_match(std::int64_t match_id, std::function<MatchRow()> make_row) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    if (!state_->pending.replace_new_match(match_id, make_row)) {
        state_->pending.match_updates.insert_or_assign(match_id, std::move(make_row));
    }
    state_->note_submitted();
}

void Writer::update_event_fields(std::int64_t event_id, std::string fields_json) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    if (!state_->pending.replace_event_fields(event_id, fields_json)) {
        state_->pending.event_field_updates.insert_or_assign(event_id, std::move(fields_json));
    }
    state_->note_submitted();
}

void Writer::tag_events(EventTag tag) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    state_->pending.tags.push_back(std::move(tag));
    state_->note_submitted();
}

std::int64_t Writer::add_recording(RecordingRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_recording_id++;
    if (!state_->stopping) {
        state_->pending.recordings.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return id;
}

void Writer::end_recording(std::int64_t recording_id, RecordingEnd end) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    if (!state_->pending.end_new_recording(recording_id, end)) {
        state_->pending.recording_ends.insert_or_assign(recording_id, std::move(end));
    }
    state_->note_submitted();
}

std::int64_t Writer::add_clip(ClipRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_clip_id++;
    if (!state_->stopping) {
        state_->pending.clips.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return id;
}

OpenedStreamSession Writer::open_stream_session(StreamSessionRow row) {
    std::lock_guard lock(state_->mutex);
    const std::int64_t id = state_->next_stream_session_id++;
    const std::int64_t day = day_key(row.day_id);
    row.timeline_start_ms = state_->closed_stream_ms[day];
    const OpenedStreamSession opened{id, row.timeline_start_ms};
    if (!state_->stopping) {
        state_->open_sessions[id] = {day, row.started_us};
        state_->pending.stream_sessions.emplace_back(id, std::move(row));
        state_->note_submitted();
    }
    return opened;
}

void Writer::close_stream_session(std::int64_t session_id, StreamSessionEnd end) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    auto open = state_->open_sessions.find(session_id);
    if (open == state_->open_sessions.end()) {
        return;
    }
    state_->closed_stream_ms[open->second.day_key] += (end.ended_us - open->second.started_us) / 1000;
    state_->open_sessions.erase(open);
    if (!state_->pending.end_new_stream_session(session_id, end)) {
        state_->pending.stream_session_ends.insert_or_assign(session_id, std::move(end));
    }
    state_->note_submitted();
}

void Writer::set_package_value(PackageValueRow row) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    state_->pending.package_values.insert_or_assign(std::make_pair(std::move(row.package), std::move(row.key)),
                                                    std::move(row.value_json));
    state_->note_submitted();
}

void Writer::add_audit(AuditRow row) {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    state_->pending.audits.push_back(std::move(row));
    state_->note_submitted();
}

void Writer::set_counters(const std::map<std::string, std::int64_t>& counters) {
    if (counters.empty()) {
        return;
    }
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) {
        return;
    }
    for (const auto& [name, value] : counters) {
        state_->pending.counters.insert_or_assign(name, value);
    }
    state_->note_submitted();
}

Result<void> Writer::flush(std::chrono::milliseconds timeout) {
    State& s = *state_;
    std::unique_lock lock(s.mutex);
    const std::uint64_t target = s.submitted;
    ++s.flush_waiters;
    s.wake_writer.notify_one();
    const auto deadline = Clock::now() + std::min<std::chrono::milliseconds>(timeout, std::chrono::hours(24 * 365));
    const bool done =
        s.committed.wait_until(lock, deadline, [&] { return s.committed_seq >= target || s.thread_done; });
    --s.flush_waiters;
    if (s.committed_seq >= target) {
        return {};
    }
    std::string message = done ? "the writer stopped before committing everything"
                               : "flush timed out with " + std::to_string(s.pending.rows() + s.counts.in_flight_rows) +
                                     " rows not committed";
    if (s.last_error) {
        message += " (last error: " + s.last_error->message + ")";
    }
    return Error{done ? Errc::closed : Errc::timeout, std::move(message)};
}

Result<void> Writer::close(std::chrono::milliseconds timeout) {
    State& s = *state_;
    if (!s.thread.joinable()) {
        return {};
    }
    Result<void> flushed = flush(timeout);
    {
        std::lock_guard lock(s.mutex);
        s.stopping = true;
        s.abandoning = !flushed.ok();
        s.wake_writer.notify_one();
    }
    s.thread.join();
    return flushed;
}

void Writer::hold_batch() {
    std::lock_guard lock(state_->mutex);
    ++state_->holds;
}

void Writer::release_batch() {
    std::lock_guard lock(state_->mutex);
    State& s = *state_;
    // Only when the writer thread waits on the hold (a release per datagram must not wake it each time). The
    // rows are handed over here, before this thread can hold again: under a steady stream of datagrams the
    // writer thread would otherwise seldom find the count at zero.
    if (--s.holds > 0 || !s.waiting_for_release) return;
    s.handoff = s.take_pending();
    s.waiting_for_release = false;
    s.wake_writer.notify_one();
}

std::size_t Writer::pending_rows() const {
    std::lock_guard lock(state_->mutex);
    return state_->pending.rows();
}

WriterStatus Writer::status() const {
    std::lock_guard lock(state_->mutex);
    WriterStatus status = state_->counts;
    status.pending_rows = state_->pending.rows();
    status.submitted_changes = state_->submitted;
    status.committed_changes = state_->committed_seq;
    status.waiting_on_hold = state_->waiting_for_release;
    return status;
}

namespace {

// The highest datagram id of the batch that was not refused (0 when none was written).
std::int64_t last_written_datagram(const detail::Batch& batch, const std::vector<detail::Refusal>& refusals) {
    for (auto it = batch.datagrams.rbegin(); it != batch.datagrams.rend(); ++it) {
        const bool refused = std::any_of(refusals.begin(), refusals.end(), [&](const detail::Refusal& r) {
            return r.kind == detail::Refusal::Kind::datagram && r.id == it->first;
        });
        if (!refused) {
            return it->first;
        }
    }
    return 0;
}

}  // namespace

void Writer::State::report(const Error& error) const {
    if (options.on_error) {
        options.on_error(error);
    }
}

// Transient failures (busy, disk full, I/O) are retried until they pass or close() gives up; a
// constraint failure switches to row by row so that only the offending rows are left out.
std::optional<Writer::State::Committed> Writer::State::commit_until_done(const detail::Batch& batch) {
    const std::string doing = "committing a batch of " + std::to_string(batch.rows()) + " rows";
    bool row_by_row = false;
    while (true) {
        const auto started = Clock::now();
        Error failure;
        try {
            Committed done;
            if (row_by_row) {
                done.refusals = committer.commit_row_by_row(batch);
            } else {
                committer.commit(batch);
            }
            done.duration = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
            return done;
        } catch (const SQLite::Exception& e) {
            if (!row_by_row && e.getErrorCode() == SQLITE_CONSTRAINT) {
                row_by_row = true;
                continue;
            }
            failure = detail::to_error(e, doing);
        } catch (const std::exception& e) {
            failure = detail::to_error(e, doing);
        }
        {
            // Counted before it is reported, so whoever hears of the failure sees it in status().
            std::lock_guard lock(mutex);
            last_error = failure;
            ++counts.failed_commits;
        }
        report(failure);
        std::unique_lock lock(mutex);
        if (wake_writer.wait_for(lock, options.retry_delay, [&] { return abandoning; })) {
            const std::size_t lost = batch.rows() + pending.rows();
            lock.unlock();
            report(Error{failure.code,
                         "writer closed with " + std::to_string(lost) + " rows not committed: " + failure.message,
                         failure.status_code});
            return std::nullopt;
        }
    }
}

void Writer::run(State& s) {
    // Commits are throughput work; the thread that adds rows (the host's loop, receiving datagrams)
    // is latency work. On a 2-core machine they compete, so the writer yields the CPU first.
    setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    std::unique_lock lock(s.mutex);
    while (true) {
        if (s.pending.empty()) {
            if (s.stopping) {
                break;
            }
            s.wake_writer.wait(lock, [&] { return s.stopping || !s.pending.empty(); });
            continue;
        }
        s.wake_writer.wait_until(lock, s.first_pending_at + s.options.batch_delay, [&] {
            return s.stopping || s.flush_waiters > 0 || s.pending.rows() >= s.options.batch_rows;
        });
        if (s.holds > 0 && !s.stopping) {
            s.waiting_for_release = true;
            s.wake_writer.wait(lock, [&] { return s.handoff || s.stopping; });
            s.waiting_for_release = false;
        }
        State::Taken taken = s.handoff ? std::move(*std::exchange(s.handoff, std::nullopt)) : s.take_pending();
        detail::Batch batch = std::move(taken.batch);
        const std::uint64_t batch_seq = taken.submitted_seq;
        const std::size_t rows = batch.rows();
        s.counts.in_flight_rows = rows;
        lock.unlock();

        const auto committed = s.commit_until_done(batch);
        if (!committed) {
            lock.lock();
            break;
        }
        for (const detail::Refusal& refusal : committed->refusals) {
            s.report(refusal.error);
        }
        const std::size_t written = rows - committed->refusals.size();
        lock.lock();
        s.counts.last_datagram_id =
            std::max(s.counts.last_datagram_id, last_written_datagram(batch, committed->refusals));
        ++s.counts.committed_batches;
        s.counts.committed_rows += written;
        s.counts.refused_rows += committed->refusals.size();
        s.counts.in_flight_rows = 0;
        s.counts.outbox_dropped_rows += std::uint64_t(s.committer.outbox_dropped());
        s.last_error.reset();
        if (s.options.on_commit) {
            const CommitInfo info{s.counts.last_datagram_id, written, committed->duration, s.committer.outbox_dropped(),
                                  s.committer.outbox_dropped_through()};
            lock.unlock();
            s.options.on_commit(info);
            lock.lock();
        }
        s.committed_seq = batch_seq;
        s.committed.notify_all();
        lock.unlock();
        batch = detail::Batch{};  // freeing thousands of strings must not hold up the adding threads
        lock.lock();
    }
    s.thread_done = true;
    s.committed.notify_all();
}

}  // namespace vta::store
