// The store module against the real SQLite store: day and match info, events of a time window,
// tags through the writer, and per-package key/value data that survives a restart.

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"
#include "vta/store/database.hpp"
#include "vta/store/writer.hpp"

namespace vta::bindings::testing {
namespace {

using Store = RuntimeTest;

TEST_F(Store, ModuleWorksOnTheRealDatabase) {
    auto db_path = root / "db" / "vta.sqlite";
    {
        auto db = store::Database::open(db_path);
        ASSERT_TRUE(db.ok()) << db.error().message;
        ASSERT_TRUE(db->ensure_active_day("2026-11-22").ok());
    }
    auto writer = store::Writer::open(db_path);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    store::MatchRow match;
    match.number = "101";
    std::int64_t match_id = writer.value()->add_match(match);
    std::int64_t datagram = writer.value()->add_datagram({1'700'000'000'000'000, "127.0.0.1:6000", "pt1;3;", 1});
    store::EventRow event;
    event.datagram_id = datagram;
    event.code = "pt1";
    event.raw = "pt1;3;";
    event.fields_json = R"({"points":3})";
    event.match_id = match_id;
    writer.value()->add_event(event);
    ASSERT_TRUE(writer.value()->flush(std::chrono::seconds(10)).ok());

    package("db", R"lua(
        on("go", function(ev)
          log.info("day", store.day().day_number, store.match().number)
          local events = store.events { since = ev.at - 1, to = ev.at + 1 }
          log.info("window", #events, events[1].code, events[1].fields.points)
          log.info("match events", #store.events())
          log.info("tag", store.tag { since = ev.at - 1, to = ev.at + 1, clip_path = "/clips/c1.mkv" })
          log.info("kv", store.get("runs"), store.set("runs", { n = 1 }))
        end)
        on("check", function(ev)
          log.info("clip", store.events({ match_id = ev.match_id })[1].clip_path, store.get("runs").n)
        end)
    )lua");
    auto o = options();
    o.store = make_store_backend(db_path, writer.value().get());
    start(o);
    Event go;
    go.kind = "go";
    go.at_us = 1'700'000'000'000'000;
    go.match_id = match_id;
    runtime->dispatch(go);
    ASSERT_TRUE(writer.value()->flush(std::chrono::seconds(10)).ok());
    EXPECT_EQ(messages("db"), (std::vector<std::string>{"day 1 101", "window 1 pt1 3", "match events 1", "tag true",
                                                        "kv nil true"}))
        << dump();

    // A new runtime and backend (a restart) still sees the package's data and the tag.
    runtime.reset();
    logs.clear();
    o.store = make_store_backend(db_path, writer.value().get());
    start(o);
    go.kind = "check";
    runtime->dispatch(go);
    EXPECT_EQ(messages("db"), std::vector<std::string>{"clip /clips/c1.mkv 1"}) << dump();
    writer.value()->close();
}

}  // namespace
}  // namespace vta::bindings::testing
