#include "vta/store/outbox.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "connection.hpp"

namespace vta::store {

struct Outbox::State {
    explicit State(std::unique_ptr<SQLite::Database> connection)
        : db(std::move(connection)),
          select(*db, "SELECT seq, topic, payload FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
          erase(*db, "DELETE FROM outbox WHERE seq = ?1") {}

    std::unique_ptr<SQLite::Database> db;  // used by the thread only
    SQLite::Statement select;
    SQLite::Statement erase;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::function<void(State*)>> queue;  // guarded by mutex
    bool stopping = false;                          // guarded by mutex
    std::thread thread;

    void submit(std::function<void(State*)> job) {
        {
            std::lock_guard lock(mutex);
            if (!stopping) {
                queue.push_back(std::move(job));
                wake.notify_one();
                return;
            }
        }
        job(nullptr);
    }

    void run() {
        std::unique_lock lock(mutex);
        while (true) {
            wake.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty()) return;
            auto job = std::move(queue.front());
            queue.pop_front();
            lock.unlock();
            job(this);
            job = nullptr;
            lock.lock();
        }
    }
};

namespace {

Error closed_error() { return Error{Errc::closed, "the outbox is closed"}; }

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const std::filesystem::path& path) {
    auto db = detail::open_connection(path, detail::OpenMode::read_write);
    if (!db) return db.error();
    try {
        auto state = std::make_unique<State>(std::move(db).value());
        State& shared = *state;
        shared.thread = std::thread([&shared] { shared.run(); });
        return std::unique_ptr<Outbox>(new Outbox(std::move(state)));
    } catch (const std::exception& e) {
        return detail::to_error(e, "opening the outbox of " + path.string());
    }
}

Outbox::Outbox(std::unique_ptr<State> state) : state_(std::move(state)) {}

Outbox::~Outbox() { close(); }

void Outbox::read_after(std::int64_t after_seq, std::size_t limit,
                        std::function<void(Result<std::vector<OutboxMessage>>)> done) {
    state_->submit([after_seq, limit, done = std::move(done)](State* s) {
        if (!s) return done(closed_error());
        try {
            std::vector<OutboxMessage> messages;
            s->select.reset();
            s->select.bind(1, after_seq);
            s->select.bind(2, static_cast<std::int64_t>(limit));
            while (s->select.executeStep()) {
                messages.push_back({s->select.getColumn(0).getInt64(), s->select.getColumn(1).getString(),
                                    s->select.getColumn(2).getString()});
            }
            s->select.reset();
            done(std::move(messages));
        } catch (const std::exception& e) {
            s->select.reset();
            done(detail::to_error(e, "reading the outbox"));
        }
    });
}

void Outbox::remove(std::vector<std::int64_t> seqs, std::function<void(Result<void>)> done) {
    state_->submit([seqs = std::move(seqs), done = std::move(done)](State* s) {
        if (!s) return done(closed_error());
        try {
            SQLite::Transaction transaction(*s->db, SQLite::TransactionBehavior::IMMEDIATE);
            for (std::int64_t seq : seqs) {
                s->erase.reset();
                s->erase.bind(1, seq);
                s->erase.exec();
            }
            s->erase.reset();
            transaction.commit();
            done(Result<void>{});
        } catch (const std::exception& e) {
            s->erase.reset();
            done(detail::to_error(e, "deleting acknowledged outbox rows"));
        }
    });
}

void Outbox::close() {
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
        state_->wake.notify_one();
    }
    if (state_->thread.joinable()) state_->thread.join();
}

}  // namespace vta::store
