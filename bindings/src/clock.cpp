#include "vta/bindings/clock.hpp"

#include <chrono>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>

namespace vta::bindings {

std::int64_t Clock::epoch_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

class SteadyClock : public Clock, public std::enable_shared_from_this<SteadyClock> {
public:
    explicit SteadyClock(boost::asio::io_context& io) : io_(io), start_(std::chrono::steady_clock::now()) {}

    std::int64_t now_ms() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
    }

    TimerId schedule(std::int64_t delay_ms, std::function<void()> fn) override {
        TimerId id = next_id_++;
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(delay_ms));
        timers_[id] = timer;
        std::weak_ptr<SteadyClock> weak = weak_from_this();
        timer->async_wait([weak, id, fn = std::move(fn)](const boost::system::error_code& ec) {
            auto self = weak.lock();
            if (!self) return;
            auto it = self->timers_.find(id);
            if (ec || it == self->timers_.end()) return;
            self->timers_.erase(it);
            fn();
        });
        return id;
    }

    void cancel(TimerId id) override {
        auto it = timers_.find(id);
        if (it == timers_.end()) return;
        it->second->cancel();
        timers_.erase(it);
    }

private:
    boost::asio::io_context& io_;
    std::chrono::steady_clock::time_point start_;
    TimerId next_id_ = 1;
    std::unordered_map<TimerId, std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace

std::shared_ptr<Clock> make_steady_clock(boost::asio::io_context& io) { return std::make_shared<SteadyClock>(io); }

Clock::TimerId VirtualClock::schedule(std::int64_t delay_ms, std::function<void()> fn) {
    TimerId id = next_id_++;
    due_.emplace(std::make_pair(now_ + std::max<std::int64_t>(delay_ms, 0), id), std::move(fn));
    return id;
}

void VirtualClock::cancel(TimerId id) {
    for (auto it = due_.begin(); it != due_.end(); ++it)
        if (it->first.second == id) {
            due_.erase(it);
            return;
        }
}

void VirtualClock::advance_to(std::int64_t t_ms) {
    io_.restart();
    io_.poll();
    while (!due_.empty() && due_.begin()->first.first <= t_ms) {
        auto node = due_.extract(due_.begin());
        now_ = std::max(now_, node.key().first);
        node.mapped()();
        io_.restart();
        io_.poll();
    }
    now_ = std::max(now_, t_ms);
}

std::int64_t VirtualClock::next_due() const { return due_.empty() ? -1 : due_.begin()->first.first; }

}  // namespace vta::bindings
