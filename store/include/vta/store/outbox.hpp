#pragma once
// The courts' outbox read and emptied off the caller's thread (docs/courts-bus.md): the Writer adds the rows in
// the transactions of what they describe; this reads them in seq order and deletes those the broker acknowledged,
// on a connection and thread of its own. Callbacks run on that thread (or at once on the caller's when closed):
// post them to your own loop.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vta/store/result.hpp"

namespace vta::store {

struct OutboxMessage {
    std::int64_t seq = 0;
    std::string topic;
    std::string payload;
};

class Outbox {
public:
    // Opens `path` read-write (migrating it like the Writer) and starts the thread.
    static Result<std::unique_ptr<Outbox>> open(const std::filesystem::path& path);

    ~Outbox();  // close()
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // The first `limit` rows with a seq above `after_seq`, in seq order.
    void read_after(std::int64_t after_seq, std::size_t limit,
                    std::function<void(Result<std::vector<OutboxMessage>>)> done);
    // Deletes these rows (in one transaction); an absent seq is no error.
    void remove(std::vector<std::int64_t> seqs, std::function<void(Result<void>)> done);

    // Completes the requests already submitted, then stops and joins the thread. Idempotent.
    void close();

private:
    struct State;
    explicit Outbox(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace vta::store
