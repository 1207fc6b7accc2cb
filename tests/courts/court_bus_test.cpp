// The court on the courts' bus (docs/courts-bus.md): `vta run` publishing to a real Mosquitto broker, heard by a
// libmosquitto subscriber in the test. Every stored event arrives with its seq, in order; the retained state and
// status reach a late subscriber; the will says offline when the host is killed; a broker down for a while and a
// host killed meanwhile lose nothing (duplicates allowed, no gaps); two hosts talk through Lua's courts module.

#include <gtest/gtest.h>
#include <mosquitto.h>
#include <signal.h>

#include <fstream>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>
#include <SQLiteCpp/SQLiteCpp.h>

#include "child_process.hpp"
#include "vta_test_peers.hpp"

namespace vta::test {
namespace {

const std::string vta = VTA_BINARY;
const std::string captures = VTA_CAPTURES;
const std::string tournament = "test-open";
const std::string packages = VTA_TEST_PACKAGES;

struct Heard {
    std::string topic;
    nlohmann::json payload;
    bool retained = false;
};

// A subscriber to vta/# that keeps every message it hears. With an id its session is persistent: what is
// published while it reconnects after a broker restart waits for it.
class Listener {
public:
    explicit Listener(std::uint16_t port, const std::string& id = {}) {
        mosquitto_lib_init();
        handle_ = mosquitto_new(id.empty() ? nullptr : id.c_str(), id.empty(), this);
        mosquitto_connect_callback_set(handle_, [](mosquitto* m, void*, int rc) {
            if (rc == 0) mosquitto_subscribe(m, nullptr, "vta/#", 1);
        });
        mosquitto_message_callback_set(handle_, [](mosquitto*, void* self, const mosquitto_message* message) {
            auto& listener = *static_cast<Listener*>(self);
            std::string text(static_cast<const char*>(message->payload), std::size_t(message->payloadlen));
            std::lock_guard lock(listener.mutex_);
            listener.heard_.push_back({message->topic, nlohmann::json::parse(text, nullptr, false), message->retain});
        });
        mosquitto_reconnect_delay_set(handle_, 1, 1, false);
        mosquitto_loop_start(handle_);
        mosquitto_connect_async(handle_, "127.0.0.1", port, 10);
    }
    ~Listener() {
        mosquitto_disconnect(handle_);
        mosquitto_loop_stop(handle_, true);
        mosquitto_destroy(handle_);
    }
    std::vector<Heard> heard() const {
        std::lock_guard lock(mutex_);
        return heard_;
    }
    std::vector<Heard> on(const std::string& topic) const {
        std::vector<Heard> out;
        for (auto& h : heard())
            if (h.topic == topic) out.push_back(h);
        return out;
    }

private:
    mosquitto* handle_;
    mutable std::mutex mutex_;
    std::vector<Heard> heard_;
};

std::string topic(int court, const std::string& leaf) {
    return "vta/" + tournament + "/court/" + std::to_string(court) + "/" + leaf;
}

class Court {
public:
    // `delivery` "broker": an event leaves the outbox at the broker's PUBACK (no tournament side in these tests).
    Court(int number, std::uint16_t broker_port, const std::filesystem::path& workflows = {}) : number_(number) {
        nlohmann::json config = {{"courts",
                                  {{"enabled", true},
                                   {"broker", "127.0.0.1:" + std::to_string(broker_port)},
                                   {"court", number},
                                   {"tournament", tournament},
                                   {"delivery", "broker"}}},
                                 {"overlays", {{"enabled", false}}}};
        if (!workflows.empty()) config["workflows"] = {{"folders", {workflows.string()}}};
        std::filesystem::create_directories(folder_.path() / "config" / "restrike-vta");
        std::ofstream(folder_.path() / "config" / "restrike-vta" / "config.json") << config.dump(2);
    }
    ~Court() {
        if (host_) host_->signal(SIGKILL);
    }

    void start() {
        host_ = std::make_unique<ChildProcess>(
            vta, std::vector<std::string>{"run", "--bind", "127.0.0.1", "--port", std::to_string(port_)}, env_,
            folder_.path() / ("host-" + std::to_string(++starts_) + ".log"));
        bool exited = false;
        ASSERT_TRUE(wait_until(
            [&] {
                exited = host_->wait(std::chrono::milliseconds(0)).has_value();
                return exited || host_->output().find("listening for PSS") != std::string::npos;
            },
            std::chrono::seconds(20)))
            << host_->output();
        ASSERT_FALSE(exited) << "vta run exited at start:\n" << host_->output();
    }
    void kill() {
        host_->signal(SIGKILL);
        host_->wait(std::chrono::seconds(5));
    }
    void stop() {
        host_->signal(SIGTERM);
        ASSERT_TRUE(host_->wait(std::chrono::seconds(20)).has_value());
    }

    // Sends lines [from, to) of a capture at full speed.
    void send(const std::string& capture, std::size_t from, std::size_t to) {
        std::ifstream in(captures + "/" + capture);
        const auto part = folder_.path() / "part.jsonl";
        std::ofstream out(part);
        std::size_t n = 0;
        for (std::string line; std::getline(in, line); ++n)
            if (n >= from && n < to) out << line << '\n';
        out.close();
        auto [status, output] = run_to_end(
            vta, {"send", part.string(), "--to", "127.0.0.1:" + std::to_string(port_), "--speed", "max"}, env_);
        ASSERT_EQ(status, 0) << output;
    }

    std::int64_t stored(const std::string& sql) const {
        SQLite::Database db(folder_.path() / "data" / "restrike-vta" / "vta.sqlite3", SQLite::OPEN_READONLY);
        SQLite::Statement query(db, sql);
        query.executeStep();
        return query.getColumn(0).getInt64();
    }
    std::int64_t stored_events() const { return stored("SELECT COUNT(*) FROM event"); }
    std::string output() const { return host_ ? host_->output() : ""; }
    int number() const { return number_; }

private:
    int number_;
    TempFolder folder_;
    std::map<std::string, std::string> env_ = folder_.xdg_env();
    std::uint16_t port_ = free_udp_port();
    std::unique_ptr<ChildProcess> host_;
    int starts_ = 0;
};

// Event ids -> seq of their first delivery, after checking the first deliveries came in seq order.
std::map<std::int64_t, std::int64_t> events_heard(const Listener& listener, int court) {
    std::map<std::int64_t, std::int64_t> seq_of;
    std::int64_t last_new_seq = 0;
    for (const Heard& h : listener.on(topic(court, "events"))) {
        const std::int64_t seq = h.payload.value("seq", std::int64_t(0));
        const std::int64_t id = h.payload["event"].value("id", std::int64_t(0));
        if (seq_of.count(id)) continue;  // a QoS 1 duplicate
        EXPECT_GT(seq, last_new_seq) << "event " << id << " arrived out of order";
        last_new_seq = seq;
        seq_of[id] = seq;
    }
    return seq_of;
}

// Every stored event heard, ids 1..N without a gap, seqs growing with the ids.
void expect_every_event_heard(const Listener& listener, const Court& court) {
    const std::int64_t stored = court.stored_events();
    ASSERT_GT(stored, 0);
    std::map<std::int64_t, std::int64_t> seq_of;
    const bool all = wait_until(
        [&] {
            seq_of = events_heard(listener, court.number());
            return std::int64_t(seq_of.size()) >= stored;
        },
        std::chrono::seconds(20));
    ASSERT_TRUE(all) << "heard " << seq_of.size() << " of " << stored << " events\n" << court.output();
    ASSERT_EQ(std::int64_t(seq_of.size()), stored);
    EXPECT_EQ(seq_of.begin()->first, 1);
    EXPECT_EQ(seq_of.rbegin()->first, stored);
    std::int64_t previous = 0;
    for (const auto& [id, seq] : seq_of) {
        EXPECT_GT(seq, previous) << "event " << id;
        previous = seq;
    }
}

TEST(CourtBus, EveryStoredEventIsPublishedInOrderAndALateSubscriberGetsStateAndStatus) {
    test_peers::MosquittoPeer broker;
    Listener listener(broker.port());
    Court court(3, broker.port());
    court.start();
    court.send("day-3-matches.jsonl", 0, 400);
    ASSERT_TRUE(wait_until([&] { return court.stored_events() > 0; }, std::chrono::seconds(10)));
    expect_every_event_heard(listener, court);

    const auto events = listener.on(topic(3, "events"));
    const nlohmann::json& first = events.front().payload;
    EXPECT_EQ(first["court"], 3);
    EXPECT_FALSE(events.front().retained);
    for (const char* key : {"id", "code", "raw", "at_us", "match_id", "match_number", "round", "fields", "manual"})
        EXPECT_TRUE(first["event"].contains(key)) << key << " in " << first.dump();
    EXPECT_EQ(first["day"]["day_number"], 1) << first.dump();

    Listener late(broker.port());
    ASSERT_TRUE(wait_until([&] { return !late.on(topic(3, "state")).empty() && !late.on(topic(3, "status")).empty(); },
                           std::chrono::seconds(5)));
    const Heard state = late.on(topic(3, "state")).front();
    EXPECT_TRUE(state.retained);
    for (const char* key : {"court", "seq", "at_ms", "match_id", "has_match", "match", "obs", "day"})
        EXPECT_TRUE(state.payload.contains(key)) << key << " in " << state.payload.dump();
    // The snapshot after the datagrams follows within 250 ms.
    EXPECT_TRUE(wait_until([&] { return late.on(topic(3, "state")).back().payload["has_match"] == true; },
                           std::chrono::seconds(3)));
    const Heard status = late.on(topic(3, "status")).back();
    EXPECT_TRUE(status.retained);
    EXPECT_EQ(status.payload["online"], true);
    EXPECT_EQ(status.payload["court"], 3);
}

TEST(CourtBus, TheWillSaysOfflineWhenTheHostIsKilledAndAStoppedHostSaysItItself) {
    test_peers::MosquittoPeer broker;
    Listener listener(broker.port());
    Court court(4, broker.port());
    court.start();
    ASSERT_TRUE(wait_until(
        [&] {
            auto status = listener.on(topic(4, "status"));
            return !status.empty() && status.back().payload["online"] == true;
        },
        std::chrono::seconds(10)))
        << court.output();
    court.kill();
    ASSERT_TRUE(wait_until(
        [&] {
            auto status = listener.on(topic(4, "status"));
            return status.back().payload["online"] == false;
        },
        std::chrono::seconds(5)));

    // A clean stop sends no will: the host says offline itself.
    court.start();
    ASSERT_TRUE(wait_until([&] { return listener.on(topic(4, "status")).back().payload["online"] == true; },
                           std::chrono::seconds(10)));
    court.stop();
    EXPECT_TRUE(wait_until([&] { return listener.on(topic(4, "status")).back().payload["online"] == false; },
                           std::chrono::seconds(5)));
}

TEST(CourtBus, ABrokerDownAndAHostKilledMeanwhileLoseNoEvent) {
    test_peers::MosquittoPeer broker;
    Listener listener(broker.port(), "listener-5");
    Court court(5, broker.port());
    court.start();
    court.send("day-3-matches.jsonl", 0, 300);
    ASSERT_TRUE(wait_until([&] { return court.stored_events() > 0; }, std::chrono::seconds(10)));

    // Every datagram sent is stored (with its events and their outbox rows, in the same commits) before the next step.
    const auto stored_datagrams = [&](std::int64_t count) {
        return wait_until([&] { return court.stored("SELECT COUNT(*) FROM datagram") == count; },
                          std::chrono::seconds(10));
    };
    broker.stop();
    court.send("day-3-matches.jsonl", 300, 600);
    ASSERT_TRUE(stored_datagrams(600));
    court.kill();
    EXPECT_GT(court.stored("SELECT COUNT(*) FROM outbox"), 0);
    court.start();
    court.send("day-3-matches.jsonl", 600, 900);
    ASSERT_TRUE(stored_datagrams(900));  // the restarted host stored them while the broker is still away
    broker.start();
    expect_every_event_heard(listener, court);
    // Every acknowledged row leaves the outbox (the state may still wait for its next publication).
    ASSERT_TRUE(wait_until([&] { return court.stored("SELECT COUNT(*) FROM outbox WHERE topic LIKE '%/events'") == 0; },
                           std::chrono::seconds(10)));
}

TEST(CourtBus, LuaPackagesOfTwoCourtsTalkThroughTheBroker) {
    test_peers::MosquittoPeer broker;
    Court sender(1, broker.port(), packages);
    Court hearer(2, broker.port(), packages);
    sender.start();
    hearer.start();
    ASSERT_TRUE(wait_until([&] { return hearer.output().find("courts: connected") != std::string::npos; },
                           std::chrono::seconds(10)))
        << hearer.output();
    sender.send("day-3-matches.jsonl", 0, 100);
    ASSERT_TRUE(wait_until([&] { return hearer.output().find("loaded' from court 1") != std::string::npos; },
                           std::chrono::seconds(10)))
        << "court 2:\n"
        << hearer.output() << "\ncourt 1:\n"
        << sender.output();
    // The sender's own package hears it too.
    EXPECT_TRUE(wait_until([&] { return sender.output().find("loaded' from court 1") != std::string::npos; },
                           std::chrono::seconds(5)));
}

}  // namespace
}  // namespace vta::test
