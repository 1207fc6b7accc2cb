// `vta chapters` and tied matches: datagrams through the ingest path into a real store, stream
// offsets tagged as the stream-recovery workflow does, then the real `vta` binary reads them back.
#include <fstream>

#include <gtest/gtest.h>

#include "child_process.hpp"
#include "vta/store/writer.hpp"
#include "vta/host/commands.hpp"
#include "vta/host/ingest.hpp"
#include "vta/store/database.hpp"

namespace vta::host {
namespace {

constexpr std::int64_t t0 = 1'773'478'800'000'000;  // 2026-03-14 09:00 UTC, in microseconds

class Chapters : public ::testing::Test {
protected:
    void SetUp() override {
        auto db = store::Database::open(db_path_);
        ASSERT_TRUE(db) << db.error().message;
        day_ = db->ensure_active_day("2026-03-14").value();
        auto writer = store::Writer::open(db_path_);
        ASSERT_TRUE(writer) << writer.error().message;
        writer_ = std::move(writer.value());
        ingest_ = std::make_unique<Ingest>(*writer_, day_.day_id);
    }

    void receive(std::string_view bytes, std::int64_t at_us) {
        ingest_->on_datagram(
            {bytes, boost::asio::ip::udp::endpoint(boost::asio::ip::make_address("10.1.2.3"), 6000), at_us});
    }

    // One match from its loading to its winner, `seconds` long from `start_us`.
    void match(const std::string& number, const std::string& athletes, const std::string& winner,
               std::int64_t start_us) {
        receive("pre;FightLoaded;", start_us);
        receive(athletes, start_us + 40'000);
        receive("mch;" + number +
                    ";Semi-final;W+ 67 kg;1;#0000ff;#FFFFFF;#ff0000;#FFFFFF;8f4d3e27;Senior;3;120;cntDown;18;1;",
                start_us + 80'000);
        receive("pt1;3;", start_us + 60'000'000);
        receive("win;" + winner + ";", start_us + 300'000'000);
    }

    // The stream, as stream-recovery stores it: a session from `from_us` to `to_us` with its events tagged.
    void stream_session(std::int64_t from_us, std::int64_t to_us) {
        auto session = writer_->open_stream_session({day_.day_id, "OBS_STR", from_us, std::nullopt, "", 0});
        store::EventTag tag;
        tag.since_us = from_us;
        tag.until_us = to_us;
        tag.stream_started_us = from_us;
        tag.stream_timeline_start_ms = session.timeline_start_ms;
        writer_->tag_events(tag);
        writer_->close_stream_session(session.id, {to_us, "stream stopped"});
    }

    void commit() {
        ingest_->flush_match();
        ASSERT_TRUE(writer_->close().ok());
    }

    std::pair<int, std::string> vta(std::vector<std::string> args) {
        args.push_back("--db");
        args.push_back(db_path_.string());
        return test::run_to_end(VTA_BINARY, args, folder_.xdg_env());
    }

    test::TempFolder folder_;
    std::filesystem::path db_path_ = folder_.path() / "vta.sqlite3";
    store::ActiveDay day_;
    std::unique_ptr<store::Writer> writer_;
    std::unique_ptr<Ingest> ingest_;
};

TEST_F(Chapters, OneLinePerMatchFromTheCumulativeStreamOffsets) {
    // The stream starts 100 s before match 101 and drops during match 102 for 60 s.
    match("101", "at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;", "BLUE", t0 + 100'000'000);
    match("102", "at1;T. NGUYEN;Thi NGUYEN;VIE;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;", "RED", t0 + 600'000'000);
    match("103", "at1;R. MULLER;Ralf MULLER;GER;at2;V. SHCHERBAKOV;Vladislav SHCHERBAKOV;AIN;", "TIE",
          t0 + 1'300'000'000);
    stream_session(t0, t0 + 700'000'000);
    stream_session(t0 + 760'000'000, t0 + 2'000'000'000);
    commit();

    const std::string expected =
        "00:00:00 Match 101: Emma O'CONNOR (IRL) vs Kareem ABDULLAH (JOR)\n"
        "00:10:00 Match 102: Thi NGUYEN (VIE) vs Kareem ABDULLAH (JOR)\n"
        // 700 s of the first session + 540 s into the second
        "00:20:40 Match 103: Ralf MULLER (GER) vs Vladislav SHCHERBAKOV (AIN)\n";
    auto db = store::Database::open_read_only(db_path_).value();
    for (const std::string& day : {std::to_string(day_.day_id), std::string("2026-03-14")}) {
        const auto text = chapters_text(db, day);
        EXPECT_EQ(text ? *text : text.error().message, expected);
    }

    const auto out = folder_.path() / "chapters.txt";
    auto [status, output] = vta({"chapters", "--day", std::to_string(day_.day_id), "--out", out.string()});
    EXPECT_EQ(status, 0) << output;
    std::ifstream in(out);
    std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(written, expected);
}

TEST_F(Chapters, ADayWithoutStreamOffsetsIsAClearError) {
    match("101", "at1;E. O'CONNOR;Emma O'CONNOR;IRL;at2;K. ABDULLAH;Kareem ABDULLAH;JOR;", "BLUE", t0);
    commit();
    auto [status, output] = vta({"chapters", "--day", "2026-03-14"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(output.find("has no stream offsets"), std::string::npos) << output;

    std::tie(status, output) = vta({"chapters", "--day", "2031-01-01"});
    EXPECT_EQ(status, 1);
    EXPECT_NE(output.find("no tournament day '2031-01-01'"), std::string::npos) << output;

    std::tie(status, output) = vta({"chapters"});
    EXPECT_EQ(status, 2);
    EXPECT_NE(output.find("--day D is required"), std::string::npos) << output;
}

TEST_F(Chapters, ATiedMatchIsShownAsATie) {
    match("104", "at1;A. ONE;Anna ONE;KOR;at2;B. TWO;Bea TWO;JPN;", "TIE", t0);
    commit();
    auto [status, output] = vta({"matches", "--json"});
    ASSERT_EQ(status, 0) << output;
    auto matches = nlohmann::json::parse(output);
    ASSERT_EQ(matches.size(), 1u);
    EXPECT_EQ(matches[0]["winner"], "tie");
    std::tie(status, output) = vta({"matches"});
    ASSERT_EQ(status, 0) << output;
    EXPECT_NE(output.find("TIE"), std::string::npos) << output;
}

}  // namespace
}  // namespace vta::host
