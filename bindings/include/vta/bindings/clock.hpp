#pragma once
// Time as the runtime sees it: timers, sleeps and wait deadlines go through a Clock, so a dry run
// can replay a capture on an accelerated (virtual) clock. Runaway budgets always use real time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include <boost/asio/io_context.hpp>

namespace vta::bindings {

class Clock {
public:
    using TimerId = std::uint64_t;
    virtual ~Clock() = default;
    virtual std::int64_t now_ms() const = 0;
    // Wall-clock time, microseconds since the Unix epoch: the time base of ev.at and of the store.
    virtual std::int64_t epoch_us() const;
    // Runs `fn` on the io_context after `delay_ms`. Cancelled timers never run.
    virtual TimerId schedule(std::int64_t delay_ms, std::function<void()> fn) = 0;
    virtual void cancel(TimerId id) = 0;
};

// Real time: boost::asio::steady_timer on the io_context.
std::shared_ptr<Clock> make_steady_clock(boost::asio::io_context& io);

// Virtual time that only moves when advance_to() is called (dry runs, deterministic tests).
class VirtualClock : public Clock {
public:
    explicit VirtualClock(boost::asio::io_context& io) : io_(io) {}
    std::int64_t now_ms() const override { return now_; }
    // Virtual time read as epoch time: origin + now (a dry run's origin is 0, like its events' times).
    std::int64_t epoch_us() const override { return epoch_origin_us_ + now_ * 1000; }
    void set_epoch_origin_us(std::int64_t origin_us) { epoch_origin_us_ = origin_us; }
    TimerId schedule(std::int64_t delay_ms, std::function<void()> fn) override;
    void cancel(TimerId id) override;
    // Moves to `t_ms`, running every timer due on the way in time order; after each one the
    // io_context's ready handlers run (coroutine resumptions, backend answers).
    void advance_to(std::int64_t t_ms);
    // Time of the earliest pending timer, or -1.
    std::int64_t next_due() const;

private:
    boost::asio::io_context& io_;
    std::int64_t now_ = 0;
    std::int64_t epoch_origin_us_ = 0;
    TimerId next_id_ = 1;
    std::map<std::pair<std::int64_t, TimerId>, std::function<void()>> due_;
};

}  // namespace vta::bindings
