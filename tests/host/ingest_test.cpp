// The ingest path without sockets: datagrams in, rows committed by a real store writer.
#include <gtest/gtest.h>

#include "child_process.hpp"
#include "vta/store/writer.hpp"
#include "vta/host/ingest.hpp"
#include "vta/store/database.hpp"

namespace vta::host {
namespace {

class IngestToStore : public ::testing::Test {
protected:
    void SetUp() override {
        auto writer = store::Writer::open(db_path_);
        ASSERT_TRUE(writer) << writer.error().message;
        writer_ = std::move(writer.value());
        ingest_ = std::make_unique<Ingest>(*writer_, std::nullopt);
    }

    void receive(std::string_view bytes, std::int64_t at_us) {
        ingest_->on_datagram(
            {bytes, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("10.1.2.3"), 6000), at_us});
    }

    store::Database committed() {
        ingest_->flush_match();
        EXPECT_TRUE(writer_->flush());
        auto db = store::Database::open_read_only(db_path_);
        EXPECT_TRUE(db) << db.error().message;
        return std::move(db.value());
    }

    test::TempFolder folder_;
    std::filesystem::path db_path_ = folder_.path() / "ingest.sqlite3";
    std::unique_ptr<store::Writer> writer_;
    std::unique_ptr<Ingest> ingest_;
};

TEST_F(IngestToStore, EveryDatagramIsStoredKnownOrNot) {
    receive("pre;FightLoaded;", 1'000'000);
    receive("at1;A. ONE;Anna ONE;KOR;at2;B. TWO;Bea TWO;JPN;", 1'010'000);
    receive("clk;1:44;clk;1:51;", 1'020'000);
    receive("xyz;1;2;3;", 1'030'000);
    receive("pt1;9;", 1'040'000);
    receive("", 1'050'000);
    EXPECT_EQ(ingest_->counters().datagrams, 6u);

    auto db = committed();
    auto stats = db.stats();
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->datagrams, 6);
    EXPECT_EQ(stats->events, 4);   // pre, at1, two clk
    EXPECT_EQ(stats->unknown, 2);  // xyz and the empty datagram
    EXPECT_EQ(stats->invalid, 1);  // pt1;9
    auto matches = db.list_matches();
    ASSERT_TRUE(matches);
    ASSERT_EQ(matches->size(), 1u);
    EXPECT_EQ(matches->front().blue->long_name, "Anna ONE");
    EXPECT_EQ(matches->front().red->noc, "JPN");
    EXPECT_EQ(matches->front().event_count, 4);
}

TEST_F(IngestToStore, APointStoredBeforeItsHitLevelIsRewrittenWhenTheHitLevelLinks) {
    receive("pre;FightLoaded;", 1'000'000);
    receive("pt2;3;", 2'000'000);   // the written spec's order: the point first...
    receive("hl2;77;", 2'013'000);  // ...its hit level after
    receive("hl1;55;", 3'000'000);  // real tkStrike: hit level first...
    receive("pt1;2;", 3'013'000);   // ...then the point

    auto db = committed();
    auto matches = db.list_matches();
    ASSERT_TRUE(matches && matches->size() == 1u);
    auto events = db.list_events(matches->front().id);
    ASSERT_TRUE(events);
    std::map<std::string, nlohmann::json> points;
    for (const auto& e : *events)
        if (e.code == "pt1" || e.code == "pt2") points[e.code] = nlohmann::json::parse(e.fields_json);
    EXPECT_EQ(points["pt2"]["hit_levels"], nlohmann::json::array({77}));
    EXPECT_EQ(points["pt1"]["hit_levels"], nlohmann::json::array({55}));
}

}  // namespace
}  // namespace vta::host
