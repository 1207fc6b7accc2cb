#include "vta/store/reader.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

namespace vta::store {

struct Reader::State {
    explicit State(Database database) : db(std::move(database)) {}

    Database db;  // used by the thread only
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::function<void(Database*)>> queue;  // guarded by mutex
    bool stopping = false;                             // guarded by mutex
    std::thread thread;

    void run() {
        std::unique_lock lock(mutex);
        while (true) {
            wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty()) {
                return;
            }
            auto job = std::move(queue.front());
            queue.pop_front();
            lock.unlock();
            job(&db);
            job = nullptr;  // what the job captured goes before the next one waits
            lock.lock();
        }
    }
};

Result<std::unique_ptr<Reader>> Reader::open(const std::filesystem::path& path) {
    auto db = Database::open_read_only(path);
    if (!db) {
        return db.error();
    }
    auto state = std::make_unique<State>(std::move(db).value());
    State& shared = *state;
    shared.thread = std::thread([&shared] { shared.run(); });
    return std::unique_ptr<Reader>(new Reader(std::move(state)));
}

Reader::Reader(std::unique_ptr<State> state) : state_(std::move(state)) {}

Reader::~Reader() { close(); }

Error Reader::closed_error() { return Error{Errc::closed, "the store reader is closed"}; }

void Reader::submit(std::function<void(Database*)> job) {
    {
        std::lock_guard lock(state_->mutex);
        if (!state_->stopping) {
            state_->queue.push_back(std::move(job));
            state_->wake.notify_one();
            return;
        }
    }
    job(nullptr);
}

void Reader::events_between(std::int64_t since_us, std::int64_t until_us, std::int64_t limit,
                            std::function<void(Result<std::vector<EventInfo>>)> done) {
    read<std::vector<EventInfo>>(
        [since_us, until_us, limit](Database& db) { return db.events_between(since_us, until_us, limit); },
        std::move(done));
}

void Reader::change_day(std::function<Result<ActiveDay>(Database&)> change,
                        std::function<void(Result<DayChange>)> done) {
    read<DayChange>(
        [change = std::move(change)](Database& reading) -> Result<DayChange> {
            auto db = Database::open(reading.path());
            if (!db) {
                return db.error();
            }
            auto day = change(db.value());
            if (!day) {
                return day.error();
            }
            return DayChange{std::move(day).value(), db->list_tournaments()};
        },
        std::move(done));
}

void Reader::close() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        state_->wake.notify_one();
    }
    if (state_->thread.joinable()) {
        state_->thread.join();
    }
}

}  // namespace vta::store
