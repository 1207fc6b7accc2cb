// The store under SIGKILL: the real `vta run` on a temporary database, killed at random points of a burst of
// PSS datagrams, 20 times on the same file. After each kill the SQLite file is intact and holds every datagram
// the host had reported committed, each with all its groups: its per-commit debug line "committed R rows in T us,
// through datagram N" (and the per-second "committed through datagram N"), printed once the commit returned.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "child_process.hpp"
#include "vta/host/capture.hpp"
#include "vta/host/udp_sender.hpp"

namespace vta::test {
namespace {

constexpr int kills = 20;
constexpr std::size_t burst_datagrams = 2000;
// 2,000 datagrams in 400 ms: some forty commits of the writer (every 10 ms) in a burst.
constexpr double datagrams_per_ms = 5;

std::int64_t last_reported_committed(const std::string& output) {
    static const std::regex committed(R"(through datagram (\d+))");
    std::int64_t last = 0;
    for (auto it = std::sregex_iterator(output.begin(), output.end(), committed); it != std::sregex_iterator(); ++it)
        last = std::max<std::int64_t>(last, std::stoll((*it)[1]));
    return last;
}

TEST(HostKilled, AtRandomPointsOfABurstTheStoreKeepsEveryDatagramReportedCommitted) {
    const auto capture = host::read_capture(std::string(VTA_CAPTURES) + "/day-12-matches.jsonl");
    ASSERT_TRUE(capture.datagrams) << capture.error;
    ASSERT_GE(capture.datagrams->size(), burst_datagrams);
    std::vector<std::string> burst;
    for (std::size_t i = 0; i < burst_datagrams; ++i) burst.push_back((*capture.datagrams)[i].bytes);

    TempFolder folder;
    const auto env = folder.xdg_env();
    const auto config = folder.path() / "crash.json";
    // Debug: the host reports each commit, not only once a second.
    std::ofstream(config) << R"({"log": {"level": "debug"}, "overlays": {"enabled": false}})";
    const auto database = folder.path() / "crash.sqlite3";
    const std::uint16_t port = free_udp_port();
    const unsigned seed = std::random_device{}();
    std::mt19937 random(seed);
    std::uniform_int_distribution<std::size_t> kill_before(0, burst_datagrams - 1);

    std::int64_t stored_before = 0;  // the highest datagram id in the store before a run
    int kills_after_a_report = 0;
    for (int run = 1; run <= kills; ++run) {
        const std::size_t kill_at = kill_before(random);
        SCOPED_TRACE("seed " + std::to_string(seed) + ", run " + std::to_string(run) + ", killed before datagram " +
                     std::to_string(kill_at) + " of the burst or at the first commit reported after it");
        ChildProcess host(VTA_BINARY,
                          {"run", "--config", config.string(), "--db", database.string(), "--bind", "127.0.0.1",
                           "--port", std::to_string(port)},
                          env, folder.path() / ("host-" + std::to_string(run) + ".log"));
        ASSERT_TRUE(wait_until([&] { return host.output().find("listening for PSS") != std::string::npos; },
                               std::chrono::seconds(20)))
            << host.output();
        std::size_t next = 0;
        std::thread sender([&] {
            host::send_paced({"127.0.0.1", port}, datagrams_per_ms, [&]() -> std::optional<host::TimedDatagram> {
                // A kill before this run's first reported commit would prove only the file's integrity: a slow
                // host (sanitizers, a loaded machine) is killed at its first report after the drawn point instead.
                if (next == burst.size() ||
                    (next >= kill_at && last_reported_committed(host.output()) > stored_before)) {
                    host.signal(SIGKILL);
                    return std::nullopt;
                }
                host::TimedDatagram datagram{std::int64_t(next), burst[next]};
                ++next;
                return datagram;
            });
        });
        sender.join();
        ASSERT_EQ(host.wait(std::chrono::seconds(10)), 128 + SIGKILL) << host.output();

        const std::int64_t reported = last_reported_committed(host.output());
        SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
        ASSERT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
        if (reported > stored_before) {
            ++kills_after_a_report;
            SQLite::Statement rows(db, "SELECT raw FROM datagram WHERE id > ? AND id <= ? ORDER BY id");
            rows.bind(1, stored_before);
            rows.bind(2, reported);
            // Every id up to the reported one, each the next of the datagrams sent (UDP may drop, never invent).
            std::int64_t found = 0;
            auto sent = burst.begin();
            while (rows.executeStep()) {
                ++found;
                const auto raw = rows.getColumn(0).getString();
                sent = std::find(sent, burst.end(), raw);
                ASSERT_NE(sent, burst.end()) << "datagram " << stored_before + found << " is not one sent: " << raw;
                ++sent;
            }
            EXPECT_EQ(found, reported - stored_before) << "reported committed through " << reported;
            // Each with every group it was split into: an event or an unknown row, committed with the datagram.
            SQLite::Statement incomplete(db, R"(SELECT COUNT(*) FROM datagram d WHERE d.id > ? AND d.id <= ? AND
                d.group_count != (SELECT COUNT(*) FROM event e WHERE e.datagram_id = d.id) +
                                 (SELECT COUNT(*) FROM unknown_datagram u WHERE u.datagram_id = d.id))");
            incomplete.bind(1, stored_before);
            incomplete.bind(2, reported);
            ASSERT_TRUE(incomplete.executeStep());
            EXPECT_EQ(incomplete.getColumn(0).getInt64(), 0) << "datagrams reported committed without their groups";
        }
        stored_before = db.execAndGet("SELECT coalesce(max(id), 0) FROM datagram").getInt64();
        EXPECT_GE(stored_before, reported);
    }
    EXPECT_GE(kills_after_a_report, kills / 2) << "too few kills came after a commit to prove anything";
}

}  // namespace
}  // namespace vta::test
