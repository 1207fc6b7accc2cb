// bench_store_writer [datagrams=200000]: rows/s committed through the Writer (one datagram + one event
// per datagram) and arrival->committed latency, against the same inserts in one plain transaction.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using vta::store::CommitInfo;
using vta::store::DatagramRow;
using vta::store::EventRow;

DatagramRow make_datagram(std::int64_t i) {
    return DatagramRow{1'700'000'000'000'000 + i * 20, "192.168.1.10:6000",
                       "pt1;3;mch;101;blue;KIM Minsu;KOR;red;GARCIA Luis;ESP;" + std::to_string(i), 1};
}

EventRow make_event(std::int64_t datagram_id) {
    EventRow row;
    row.datagram_id = datagram_id;
    row.code = "pt1";
    row.raw = "pt1;3;";
    row.fields_json = R"({"side":"blue","points":3,"kind":"body"})";
    row.round = 1;
    row.clock_seconds = 95;
    row.clock_running = true;
    return row;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
    return values[index];
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The same rows inserted with prepared statements in one transaction, no Writer.
double baseline_rows_per_second(const std::filesystem::path& file, std::int64_t datagrams) {
    if (!vta::store::Database::open(file)) {
        std::fprintf(stderr, "cannot create %s\n", file.c_str());
        std::exit(1);
    }
    SQLite::Database db(file, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
    SQLite::Statement insert_datagram(
        db, "INSERT INTO datagram (id, received_us, sender, raw, group_count) VALUES (?, ?, ?, ?, ?)");
    SQLite::Statement insert_event(
        db,
        "INSERT INTO event (id, datagram_id, group_index, code, raw, fields, match_id, round,"
        " clock_seconds, clock_running) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)");
    const auto start = Clock::now();
    SQLite::Transaction transaction(db);
    for (std::int64_t id = 1; id <= datagrams; ++id) {
        const DatagramRow d = make_datagram(id);
        insert_datagram.reset();
        insert_datagram.bind(1, id);
        insert_datagram.bind(2, d.received_us);
        insert_datagram.bind(3, d.sender);
        insert_datagram.bind(4, d.raw.data(), static_cast<int>(d.raw.size()));
        insert_datagram.bind(5, d.group_count);
        insert_datagram.exec();
        const EventRow e = make_event(id);
        insert_event.reset();
        insert_event.bind(1, id);
        insert_event.bind(2, id);
        insert_event.bind(3, e.group_index);
        insert_event.bind(4, e.code);
        insert_event.bind(5, e.raw);
        insert_event.bind(6, e.fields_json);
        insert_event.bind(7, e.round);
        insert_event.bind(8, *e.clock_seconds);
        insert_event.bind(9, 1);
        insert_event.exec();
    }
    transaction.commit();
    return static_cast<double>(2 * datagrams) / seconds_since(start);
}

struct WriterRun {
    double rows_per_second = 0;
    double add_ns = 0;               // mean cost of add_datagram + add_event on the producing thread
    std::vector<double> latency_ms;  // per datagram, add_datagram -> on_commit covering it
    std::vector<double> commit_ms;   // per batch, BEGIN..COMMIT
    std::vector<double> batch_rows;
};

// paced_per_ms == 0: as fast as possible; else that many datagrams each millisecond.
WriterRun run_writer(const std::filesystem::path& file, std::int64_t datagrams, int paced_per_ms) {
    struct Commit {
        Clock::time_point at;
        CommitInfo info;
    };
    std::vector<Commit> commits;
    commits.reserve(static_cast<std::size_t>(datagrams));
    vta::store::WriterOptions options;
    options.on_commit = [&commits](const CommitInfo& info) { commits.push_back({Clock::now(), info}); };
    options.on_error = [](const vta::Error& e) { std::fprintf(stderr, "writer error: %s\n", e.message.c_str()); };
    auto writer = vta::store::Writer::open(file, options);
    if (!writer) {
        std::fprintf(stderr, "%s\n", writer.error().message.c_str());
        std::exit(1);
    }
    std::vector<Clock::time_point> added_at(static_cast<std::size_t>(datagrams) + 1);
    std::vector<DatagramRow> rows;
    rows.reserve(static_cast<std::size_t>(datagrams));
    for (std::int64_t i = 1; i <= datagrams; ++i) {
        rows.push_back(make_datagram(i));
    }

    Clock::duration adding{};
    const auto start = Clock::now();
    for (std::int64_t i = 1; i <= datagrams; ++i) {
        if (paced_per_ms > 0 && i % paced_per_ms == 1) {
            std::this_thread::sleep_until(start + std::chrono::milliseconds(i / paced_per_ms));
        }
        const auto before = Clock::now();
        const auto id = writer.value()->add_datagram(std::move(rows[static_cast<std::size_t>(i - 1)]));
        writer.value()->add_event(make_event(id));
        added_at[static_cast<std::size_t>(id)] = before;
        adding += Clock::now() - before;
    }
    if (!writer.value()->close()) {
        std::fprintf(stderr, "close failed\n");
        std::exit(1);
    }
    WriterRun run;
    run.rows_per_second = static_cast<double>(2 * datagrams) / seconds_since(start);
    run.add_ns = std::chrono::duration<double, std::nano>(adding).count() / static_cast<double>(datagrams);
    std::int64_t covered = 0;
    for (const Commit& c : commits) {
        run.commit_ms.push_back(std::chrono::duration<double, std::milli>(c.info.duration).count());
        run.batch_rows.push_back(static_cast<double>(c.info.rows));
        for (std::int64_t id = covered + 1; id <= c.info.last_datagram_id; ++id) {
            run.latency_ms.push_back(
                std::chrono::duration<double, std::milli>(c.at - added_at[static_cast<std::size_t>(id)]).count());
        }
        covered = std::max(covered, c.info.last_datagram_id);
    }
    return run;
}

void print_run(const char* name, const WriterRun& run) {
    std::printf(
        "%-28s %10.0f rows/s  add %6.0f ns  latency p50 %7.2f ms p99 %7.2f ms  commit p50 %6.2f ms p99 %6.2f ms"
        "  batch p50 %5.0f rows (%zu batches)\n",
        name, run.rows_per_second, run.add_ns, percentile(run.latency_ms, 50), percentile(run.latency_ms, 99),
        percentile(run.commit_ms, 50), percentile(run.commit_ms, 99), percentile(run.batch_rows, 50),
        run.commit_ms.size());
}

}  // namespace

int main(int argc, char** argv) {
    const std::int64_t datagrams = argc > 1 ? std::stoll(argv[1]) : 200'000;
    const auto folder = std::filesystem::temp_directory_path() / ("vta-bench-store-" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);

    std::printf("bench_store_writer: %lld datagrams + %lld events (defaults: 2000 rows / 10 ms batches)\n",
                static_cast<long long>(datagrams), static_cast<long long>(datagrams));
    const double baseline = baseline_rows_per_second(folder / "baseline.sqlite", datagrams);
    std::printf("%-28s %10.0f rows/s\n", "baseline (one transaction)", baseline);
    const WriterRun unpaced = run_writer(folder / "writer.sqlite", datagrams, 0);
    print_run("writer, unpaced", unpaced);
    const WriterRun paced = run_writer(folder / "paced.sqlite", datagrams, 50);
    print_run("writer, paced 50k dgram/s", paced);
    std::printf("ratio writer/baseline: %.2f\n", unpaced.rows_per_second / baseline);

    std::filesystem::remove_all(folder);
    return 0;
}
