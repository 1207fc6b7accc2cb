#pragma once
// Helpers for driving vta::obs clients from a gtest thread: the io_context runs on its own
// thread, calls are awaited with a deadline, state changes and events are recorded so a test
// waits on a condition instead of sleeping.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "vta/obs/client.hpp"
#include "vta/obs/connections.hpp"
#include "vta_test_peers.hpp"

namespace vta::obs_live {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

// An io_context running on a thread of its own until stop().
class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;
    boost::asio::io_context& io() { return io_; }
    void stop();

private:
    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

// Starts an asynchronous client call and waits for its handler; a call that never completes
// within `deadline` yields an Error with code timeout and says so.
template <class T>
vta::Result<T> await(const std::function<void(obs::Handler<T>)>& call, Millis deadline = 15s) {
    auto promise = std::make_shared<std::promise<vta::Result<T>>>();
    auto future = promise->get_future();
    call([promise](vta::Result<T> result) { promise->set_value(std::move(result)); });
    if (future.wait_for(deadline) != std::future_status::ready) {
        vta::Error error;
        error.code = vta::Errc::timeout;
        error.message = "the test's deadline passed before the client answered";
        return error;
    }
    return future.get();
}

// Records something (state changes, events) as it happens and lets the test wait for it.
template <class Entry>
class Recorder {
public:
    struct Stamped {
        Clock::time_point at;
        Entry entry;
    };

    void add(Entry entry) {
        {
            std::lock_guard lock(mutex_);
            entries_.push_back({Clock::now(), std::move(entry)});
        }
        changed_.notify_all();
    }
    // The first recorded entry (from index `from` on) matching `match`, waiting up to `deadline`.
    std::optional<Stamped> wait_for(const std::function<bool(const Entry&)>& match, Millis deadline,
                                    std::size_t from = 0) {
        std::unique_lock lock(mutex_);
        std::optional<Stamped> found;
        changed_.wait_for(lock, deadline, [&] {
            for (std::size_t i = from; i < entries_.size(); ++i) {
                if (match(entries_[i].entry)) {
                    found = entries_[i];
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    std::size_t count(const std::function<bool(const Entry&)>& match) const {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(
            std::count_if(entries_.begin(), entries_.end(), [&](const Stamped& s) { return match(s.entry); }));
    }
    std::vector<Stamped> entries() const {
        std::lock_guard lock(mutex_);
        return entries_;
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<Stamped> entries_;
};

using StateLog = Recorder<obs::ConnectionState>;
using EventLog = Recorder<obs::Event>;

// A client under test with everything it reported since before start().
struct Session {
    std::shared_ptr<obs::Client> client;
    std::shared_ptr<StateLog> states = std::make_shared<StateLog>();
    std::shared_ptr<EventLog> events = std::make_shared<EventLog>();
    std::vector<obs::Subscription> subscriptions;

    std::optional<StateLog::Stamped> wait_state(obs::State state, Millis deadline, std::size_t from = 0) {
        return states->wait_for([state](const obs::ConnectionState& s) { return s.state == state; }, deadline, from);
    }
    std::optional<EventLog::Stamped> wait_event(const std::string& type, const std::string& key,
                                                const std::string& value, Millis deadline, std::size_t from = 0) {
        return events->wait_for([&](const obs::Event& e) { return e.type == type && e.data.value(key, "") == value; },
                                deadline, from);
    }
};

// Records the states and events of `client` from now on (call before start()).
Session record(std::shared_ptr<obs::Client> client);

// Base fixture: owns the loop and every client, and stops the loop before the clients go
// (a Client must be destroyed on the loop thread or after the loop stopped).
class ObsLiveTest : public ::testing::Test {
protected:
    ~ObsLiveTest() override;

    static obs::ConnectionConfig config_for(const test_peers::ObsPeer& peer, std::string name = "OBS_REC",
                                            obs::Role role = obs::Role::both);
    // Creates the client, records its states and all its events, starts it.
    Session open(obs::ConnectionConfig config, obs::ClientOptions options = {});
    // open() and wait until connected; fails the test (fatally, by throwing) if it is not.
    Session connect(const test_peers::ObsPeer& peer, obs::ClientOptions options = {});
    // Records states and events of a client created elsewhere (e.g. by Connections), before start.
    Session watch(std::shared_ptr<obs::Client> client);
    // Keeps `object` alive until after the loop stopped.
    void keep(std::shared_ptr<void> object) { kept_.push_back(std::move(object)); }

    Loop loop_;

private:
    std::vector<std::shared_ptr<void>> kept_;
};

// Polls `condition` until it holds or the deadline passes; for OBS state that no event announces.
bool eventually(const std::function<bool()>& condition, Millis deadline, Millis interval = 100ms);

std::string describe(const vta::Error& error);

// Median and max of a set of durations, for the figures the tests report.
struct Figures {
    double median_ms = 0, max_ms = 0;
    std::size_t samples = 0;
};
Figures summarize(std::vector<Clock::duration> samples);
// Prints a measured figure and records it in the gtest XML output.
void report(const std::string& name, const std::string& value);

}  // namespace vta::obs_live
