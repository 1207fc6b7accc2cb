#pragma once
// Reads off the caller's thread: a read-only connection used by one thread of its own, which runs the
// requests in submission order. Every request completes through its callback, called on the reader
// thread (or at once on the caller's when the Reader is closed): post it to your own loop for real work.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "vta/store/database.hpp"
#include "vta/store/result.hpp"

namespace vta::store {

// What a day change leaves: the day now active, and the tournaments with their days (read after the
// change; an error there does not undo it).
struct DayChange {
    ActiveDay day;
    Result<std::vector<TournamentInfo>> tournaments;
};

class Reader {
public:
    // Opens `path` read-only (it must be at the latest schema: open a Database or the Writer on it
    // first) and starts the thread.
    static Result<std::unique_ptr<Reader>> open(const std::filesystem::path& path);

    ~Reader();  // close()
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // Runs `query` on the reader thread, then `done` with its result.
    template <class T>
    void read(std::function<Result<T>(Database&)> query, std::function<void(Result<T>)> done) {
        submit([query = std::move(query), done = std::move(done)](Database* db) {
            done(db ? query(*db) : Result<T>(closed_error()));
        });
    }

    // Database::events_between.
    void events_between(std::int64_t since_us, std::int64_t until_us, std::int64_t limit,
                        std::function<void(Result<std::vector<EventInfo>>)> done);

    // Runs `change` on the reader thread with a read-write Database of the same file (opened for the
    // change: the read-only connection cannot write), then lists the tournaments on it.
    void change_day(std::function<Result<ActiveDay>(Database&)> change, std::function<void(Result<DayChange>)> done);

    // Completes the requests already submitted, then stops and joins the thread. Idempotent; later
    // requests complete at once with Errc::closed. Call it from the owner, not from a callback.
    void close();

private:
    struct State;
    explicit Reader(std::unique_ptr<State> state);
    // `job` gets the connection, or null when the Reader is closed.
    void submit(std::function<void(Database*)> job);
    static Error closed_error();
    std::unique_ptr<State> state_;
};

}  // namespace vta::store
