// Courts' bus benchmark (prints figures, never fails the suite): 12 courts at 10x a real day's rate, from the
// court's datagram to the tournament store's commit.
//
// Twelve real `vta run` court hosts, each fed by `vta simulate --speed 10` (a match day at ten times its pace:
// about 10 datagrams/s per court), publish through a real Mosquitto to a real `vta tournament run` storing in a
// real PostgreSQL with fsync and synchronous commits on. Latency per event: the commit time PostgreSQL recorded for
// its row (track_commit_timestamp) minus the time the court received the datagram (the event's at_us); both clocks
// are this machine's. Baseline in the same run: one QoS 1 message at a time from a publisher to a subscriber through
// the same broker, the floor any bus-borne figure sits on.
//
// Usage: bench_courts [--seconds S] (default 60) [--speed X] (default 10)
#include <mosquitto.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus_processes.hpp"
#include "vta_bus_peers.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int court_count = 12;
const std::string tournament = "bench";

std::int64_t wall_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The floor: QoS 1 messages from a publisher to a subscriber through the same broker, one at a time, in us.
std::vector<std::int64_t> broker_round_trips(std::uint16_t port, int count) {
    std::vector<std::int64_t> latencies;
    std::mutex mutex;
    std::atomic<int> heard{0};
    mosquitto_lib_init();
    mosquitto* subscriber = mosquitto_new("bench-floor-sub", true, nullptr);
    mosquitto* publisher = mosquitto_new("bench-floor-pub", true, nullptr);
    struct Context {
        std::vector<std::int64_t>* latencies;
        std::mutex* mutex;
        std::atomic<int>* heard;
    } context{&latencies, &mutex, &heard};
    mosquitto_user_data_set(subscriber, &context);
    mosquitto_message_callback_set(subscriber, [](mosquitto*, void* user, const mosquitto_message* m) {
        auto* c = static_cast<Context*>(user);
        const std::int64_t sent = std::stoll(std::string(static_cast<const char*>(m->payload), m->payloadlen));
        std::lock_guard lock(*c->mutex);
        c->latencies->push_back(wall_us() - sent);
        ++*c->heard;
    });
    mosquitto_connect(subscriber, "127.0.0.1", port, 10);
    mosquitto_subscribe(subscriber, nullptr, "floor", 1);
    mosquitto_loop_start(subscriber);
    mosquitto_connect(publisher, "127.0.0.1", port, 10);
    mosquitto_loop_start(publisher);
    std::this_thread::sleep_for(500ms);  // the SUBACK: a benchmark's set-up, not a test's synchronisation
    for (int i = 0; i < count; ++i) {
        const std::string payload = std::to_string(wall_us());
        mosquitto_publish(publisher, nullptr, "floor", int(payload.size()), payload.data(), 1, false);
        const auto deadline = Clock::now() + 1s;
        while (heard.load() <= i && Clock::now() < deadline) std::this_thread::sleep_for(100us);
    }
    for (mosquitto* m : {publisher, subscriber}) {
        mosquitto_disconnect(m);
        mosquitto_loop_stop(m, false);
        mosquitto_destroy(m);
    }
    return latencies;
}

double percentile(std::vector<std::int64_t> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return double(values[std::min(values.size() - 1, std::size_t(p * double(values.size())))]);
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = 60, speed = 10;
    for (int i = 1; i + 1 < argc; ++i) {
        const std::string name = argv[i];
        if (name == "--seconds") seconds = std::stoi(argv[++i]);
        if (name == "--speed") speed = std::stoi(argv[++i]);
    }
    vta::test_peers::PostgresPeer postgres(true);
    vta::test_peers::MosquittoPeer broker;
    const std::string db = postgres.create_database("bench");
    vta::test::TournamentSide side(tournament, db, broker.address(), court_count);
    std::vector<std::unique_ptr<vta::test::CourtHost>> courts;
    for (int n = 1; n <= court_count; ++n) {
        courts.push_back(std::make_unique<vta::test::CourtHost>(tournament, n, broker.port()));
        courts.back()->start();
    }
    std::printf("%d courts, `vta simulate --speed %d` each for %d s; PostgreSQL with fsync and synchronous commit\n",
                court_count, speed, seconds);
    std::fflush(stdout);
    for (auto& court : courts) court->simulate(1000, speed);
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    for (auto& court : courts) court->stop_simulation();
    std::int64_t stored_by_courts = 0;
    for (auto& court : courts) stored_by_courts += court->events();
    const auto all_in = [&] { return postgres.query("bench", "SELECT count(*) FROM events") == std::to_string(stored_by_courts); };
    if (!vta::test::wait_until(all_in, 120s)) {
        std::printf("the tournament store did not get every event: %s of %lld\n",
                    postgres.query("bench", "SELECT count(*) FROM events").c_str(), (long long)stored_by_courts);
        return 1;
    }
    const std::string latency =
        "(extract(epoch from pg_xact_commit_timestamp(xmin)) * 1000000 - at_us) / 1000.0";
    const std::string figures = postgres.query(
        "bench", "SELECT count(*) || ' ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY " + latency +
                     ")::numeric, 1) || ' ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY " + latency +
                     ")::numeric, 1) || ' ' || round(max(" + latency + ")::numeric, 1) FROM events");
    long long count = 0;
    double p50 = 0, p99 = 0, worst = 0;
    std::sscanf(figures.c_str(), "%lld %lf %lf %lf", &count, &p50, &p99, &worst);
    const auto floor = broker_round_trips(broker.port(), 1000);
    std::printf("events stored by the courts: %lld; in the tournament store: %lld (%.1f events/s offered)\n",
                (long long)stored_by_courts, count, double(stored_by_courts) / seconds);
    std::printf("court datagram -> tournament commit: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", p50, p99, worst);
    std::printf("floor, one QoS 1 message publisher -> broker -> subscriber: p50 %.2f ms, p99 %.2f ms\n",
                percentile(floor, 0.5) / 1000, percentile(floor, 0.99) / 1000);
    for (auto& court : courts) court->stop();
    return 0;
}
