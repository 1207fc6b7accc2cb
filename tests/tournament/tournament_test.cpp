// `vta tournament` (the real binary) against a real Mosquitto and a real PostgreSQL cluster, with courts played by an
// MQTT publisher that sends exactly docs/courts-bus.md's topics and payloads; the board in a real headless Chromium.
// Every test has its own tournament slug and database, so they share the peers of this one process.
#include <csignal>
#include <ctime>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "bus_processes.hpp"
#include "vta_bus_peers.hpp"
#include "vta_chromium_peer.hpp"

namespace vta {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;
using test_peers::MqttPublisher;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

struct Peers {
    test_peers::PostgresPeer postgres;
    test_peers::MosquittoPeer mosquitto;
};
Peers* peers = nullptr;

json day_of(const std::string& tournament, int number, const std::string& date) {
    return {{"tournament", tournament}, {"day_number", number}, {"date", date}};
}

json athlete(const std::string& long_name, const std::string& noc) {
    return {{"short_name", long_name.substr(0, 8)}, {"long_name", long_name}, {"noc", noc}};
}

// A MatchState JSON as a court's host publishes it (only the fields the tournament side reads, and a few more).
json match_state(const std::string& number, const json& blue, const json& red, int blue_score, int red_score, int round,
                 const std::string& winner = "", const std::string& decision = "") {
    const bool decided = !winner.empty();
    return {{"number", number},
            {"category", "Senior"},
            {"weight", "M -68 kg"},
            {"athletes", {blue, red}},
            {"scores", {blue_score, red_score}},
            {"round", round},
            {"clock", "1:23"},
            {"clock_seconds", 83},
            {"clock_running", false},
            {"decided", decided},
            {"winner", winner},
            {"winner_name", decided ? (winner == "BLUE" ? blue : red)["long_name"] : json("")},
            {"decision", decision}};
}

// One court's host on the bus: the topics and payloads of docs/courts-bus.md.
class Court {
public:
    Court(std::string tournament, int number, bool with_will = false)
        : tournament_(std::move(tournament)), number_(number) {
        const MqttPublisher::Will will{topic("status"), status_payload(false, now_ms()).dump(), true};
        publisher_ = std::make_unique<MqttPublisher>(peers->mosquitto.port(),
                                                     "court-" + tournament_ + "-" + std::to_string(number_),
                                                     with_will ? &will : nullptr);
    }

    std::string topic(const std::string& kind) const {
        return "vta/" + tournament_ + "/court/" + std::to_string(number_) + "/" + kind;
    }
    json status_payload(bool online, std::int64_t since_ms) const {
        return {{"court", number_},
                {"online", online},
                {"since_ms", since_ms},
                {"host", "court-pc-" + std::to_string(number_)}};
    }
    void status(bool online, std::int64_t since_ms = now_ms()) {
        publisher_->publish(topic("status"), status_payload(online, since_ms).dump(), true);
    }
    void state(std::int64_t seq, std::int64_t match_id, const json& match, const json& day) {
        const json payload = {{"court", number_},
                              {"seq", seq},
                              {"at_ms", now_ms()},
                              {"match_id", match_id},
                              {"has_match", true},
                              {"match", match},
                              {"obs", json::array({{{"name", "main"},
                                                    {"role", "both"},
                                                    {"state", "connected"},
                                                    {"recording", true},
                                                    {"streaming", false}}})},
                              {"day", day}};
        publisher_->publish(topic("state"), payload.dump(), true);
    }
    void event(std::int64_t seq, std::int64_t match_id, const std::string& match_number, const std::string& raw,
               const json& day, int round = 1) {
        const std::string code = raw.substr(0, raw.find(';'));
        const json payload = {{"court", number_},
                              {"seq", seq},
                              {"event",
                               {{"id", 1000 + seq},
                                {"code", code},
                                {"raw", raw},
                                {"at_us", now_ms() * 1000},
                                {"match_id", match_id},
                                {"match_number", match_number},
                                {"round", round},
                                {"fields", json::object()},
                                {"manual", false}}},
                              {"day", day}};
        publisher_->publish(topic("events"), payload.dump());
    }
    // A whole decided match as events: loaded, athletes, score, winner; returns the next seq.
    std::int64_t decided_match(std::int64_t seq, std::int64_t match_id, const std::string& number, const json& blue,
                               const json& red, int blue_score, int red_score, const std::string& winner,
                               const json& day) {
        event(seq++, match_id, number, "pre;FightLoaded;", day);
        event(seq++, match_id, number,
              "at1;" + blue["short_name"].get<std::string>() + ";" + blue["long_name"].get<std::string>() + ";" +
                  blue["noc"].get<std::string>() + ";at2;" + red["short_name"].get<std::string>() + ";" +
                  red["long_name"].get<std::string>() + ";" + red["noc"].get<std::string>() + ";",
              day);
        event(seq++, match_id, number, "mch;" + number + ";Final;M -68 kg;1;", day);
        event(seq++, match_id, number, "sc1;" + std::to_string(blue_score) + ";sc2;" + std::to_string(red_score) + ";",
              day, 3);
        event(seq++, match_id, number, "win;" + winner + ";", day, 3);
        return seq;
    }
    // An event with a new seq after messages that should change nothing (duplicates, stale states): once the board
    // counts it, everything sent before it has been handled (one publisher, QoS 1, in order).
    void sentinel(std::int64_t seq, std::int64_t match_id, const std::string& match_number, const json& day) {
        event(seq, match_id, match_number, "clk;0:00;", day, 3);
    }
    void crash() { publisher_->drop(); }

private:
    std::string tournament_;
    int number_;
    std::unique_ptr<MqttPublisher> publisher_;
};

// `vta tournament run` on this process's broker.
class TournamentSide : public test::TournamentSide {
public:
    TournamentSide(std::string tournament, std::string db_url, int courts = 0)
        : test::TournamentSide(std::move(tournament), std::move(db_url), peers->mosquitto.address(), courts) {}
};
using test::court_in;

std::string time_of_day(std::int64_t ms) {
    const std::time_t seconds = ms / 1000;
    std::tm local{};
    localtime_r(&seconds, &local);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &local);
    return text;
}

// The peers live from the first test to the end of the process: the environment stops them then.
class PeersEnvironment : public ::testing::Environment {
public:
    void TearDown() override {
        delete peers;
        peers = nullptr;
    }
};
const auto* const peers_environment = ::testing::AddGlobalTestEnvironment(new PeersEnvironment);

class Tournament : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!peers) peers = new Peers();
    }
    static std::string count(const std::string& database, const std::string& sql) {
        return peers->postgres.query(database, sql);
    }
};

const json day1 = day_of("open", 1, "2026-12-05");
const json kim = athlete("KIM Min-jun", "KOR");
const json dupont = athlete("Lucas DUPONT", "FRA");

TEST_F(Tournament, EventsSentTwiceAreStoredOnce) {
    const std::string db = "twice";
    TournamentSide side("twice", peers->postgres.create_database(db));
    Court court("twice", 1);
    court.status(true);
    const auto day = day_of("twice", 1, "2026-12-05");
    std::int64_t next = court.decided_match(1, 7, "101", kim, dupont, 12, 5, "BLUE", day);
    // The whole match again: a QoS 1 redelivery, or the court replaying its outbox.
    court.decided_match(1, 7, "101", kim, dupont, 12, 5, "BLUE", day);
    court.sentinel(next, 7, "101", day);
    EXPECT_TRUE(side.board_shows([&](const json& b) {
        const json c = court_in(b, 1);
        return c.value("events", 0) == next && c.value("highest_seq", 0) == next && b["results"].size() == 1;
    }));
    EXPECT_EQ(count(db, "SELECT count(*) FROM events WHERE tournament = 'twice'"), std::to_string(next));
    EXPECT_EQ(count(db, "SELECT count(DISTINCT seq) FROM events"), std::to_string(next));
    EXPECT_EQ(count(db,
                    "SELECT number || ' ' || blue_name || ' ' || blue_score || '-' || red_score || ' ' || winner "
                    "FROM matches"),
              "101 KIM Min-jun 12-5 BLUE");
}

TEST_F(Tournament, OutOfOrderAndRedeliveredSeqsKeepTheLatest) {
    const std::string db = "order";
    TournamentSide side("order", peers->postgres.create_database(db));
    Court court("order", 2);
    const auto day = day_of("order", 1, "2026-12-05");
    // Scores by seq: 1 -> 1-0, 2 -> 2-0, 3 -> 2-1, 4 -> 4-1, 5 -> 4-3; they come shuffled and some twice.
    const std::map<int, std::string> scores = {
        {1, "sc1;1;sc2;0;"}, {2, "sc1;2;sc2;0;"}, {3, "sc1;2;sc2;1;"}, {4, "sc1;4;sc2;1;"}, {5, "sc1;4;sc2;3;"}};
    for (int seq : {5, 2, 4, 1, 3, 4, 2, 5}) court.event(seq, 3, "202", scores.at(seq), day);
    // States: seq 10 then a late copy of seq 7 (older): the court's state stays at 10.
    court.state(10, 3, match_state("202", kim, dupont, 4, 3, 2), day);
    court.state(7, 3, match_state("202", kim, dupont, 1, 0, 1), day);
    court.sentinel(6, 3, "202", day);
    EXPECT_TRUE(side.board_shows([](const json& b) {
        const json c = court_in(b, 2);
        return c.value("events", 0) == 6 && c["match"].is_object() && c["match"]["blue"]["score"] == 4 &&
               c["match"]["red"]["score"] == 3 && c["match"]["round"] == 2;
    }));
    EXPECT_EQ(count(db, "SELECT string_agg(seq::text, ',' ORDER BY seq) FROM events"), "1,2,3,4,5,6");
    EXPECT_EQ(count(db, "SELECT state_seq FROM courts WHERE court = 2"), "10");
    EXPECT_EQ(count(db, "SELECT blue_score || '-' || red_score FROM matches WHERE match_id = 3"), "4-3");
}

TEST_F(Tournament, StoreRebuiltAfterItsRestartFromRetainedStateAndReplay) {
    const std::string db = "restart";
    const std::string url = peers->postgres.create_database(db);
    const auto day = day_of("restart", 1, "2026-12-05");
    auto side = std::make_unique<TournamentSide>("restart", url);
    Court court("restart", 3);
    court.status(true);
    court.state(1, 1, match_state("301", kim, dupont, 0, 0, 1), day);
    std::int64_t next = court.decided_match(2, 1, "301", kim, dupont, 9, 4, "BLUE", day);
    ASSERT_TRUE(side->board_shows([&](const json& b) { return court_in(b, 3).value("events", 0) == next - 2; }));

    // The tournament side goes away; the court goes on: a second match, and its state.
    side->stop();
    const std::int64_t second_from = next;
    next = court.decided_match(next, 2, "302", dupont, kim, 3, 11, "RED", day);
    court.state(next, 2, match_state("302", dupont, kim, 3, 11, 3, "RED", "PTF"), day);
    ++next;  // the state took a seq
    // And replays part of what it had sent before (a restarted court re-draining its outbox): no-ops.
    court.decided_match(second_from, 2, "302", dupont, kim, 3, 11, "RED", day);

    side->start();
    court.sentinel(next, 2, "302", day);
    EXPECT_TRUE(side->board_shows([&](const json& b) {
        const json c = court_in(b, 3);
        return c.value("events", 0) == next - 2 && c["match"].is_object() && c["match"]["number"] == "302" &&
               c["match"]["winner"] == "RED" && b["results"].size() == 2;
    }));
    // Events: seqs 2 .. next without 1 and state_seq (states).
    EXPECT_EQ(count(db, "SELECT count(*) || ' ' || min(seq) || ' ' || max(seq) FROM events"),
              std::to_string(next - 2) + " 2 " + std::to_string(next));
    EXPECT_EQ(count(db,
                    "SELECT string_agg(number || ':' || winner || ':' || decision, ',' ORDER BY number) "
                    "FROM matches"),
              "301:BLUE:,302:RED:PTF");
    side->stop();

    // A tournament side with an empty store and a new session: the broker's retained status and state rebuild the
    // board at once (the events it never subscribed to are the court store's).
    TournamentSide fresh("restart", peers->postgres.create_database("restart_fresh"));
    EXPECT_TRUE(fresh.board_shows([&](const json& b) {
        const json c = court_in(b, 3);
        return c["online"] == true && c["match"].is_object() && c["match"]["number"] == "302" &&
               c["match"]["red"]["score"] == 11;
    }));
}

TEST_F(Tournament, CourtOfflineByItsWillShowsSinceWhen) {
    TournamentSide side("will", peers->postgres.create_database("will"));
    Court court("will", 4, true);
    court.status(true);
    ASSERT_TRUE(side.board_shows([](const json& b) { return court_in(b, 4)["online"] == true; }));
    const std::int64_t crashed_ms = now_ms();
    court.crash();  // no DISCONNECT: the broker publishes the court's will (online false)
    EXPECT_TRUE(side.board_shows(
        [&](const json& b) {
            const json c = court_in(b, 4);
            // dated by its arrival, not by the will's since_ms (written when the court connected)
            return c["online"] == false && c.value("since_ms", std::int64_t(0)) >= crashed_ms;
        },
        20s));
}

TEST_F(Tournament, MalformedMessagesAreSkippedAndTheOthersStored) {
    TournamentSide side("malformed", peers->postgres.create_database("malformed"));
    Court court("malformed", 5);
    MqttPublisher raw(peers->mosquitto.port(), "court-malformed-raw");
    raw.publish("vta/malformed/court/5/events", "not json");
    raw.publish("vta/malformed/court/5/events", R"({"court": 6, "seq": 1, "event": {}})");  // another court's number
    // seq as a string
    raw.publish("vta/malformed/court/5/events",
                R"({"court": 5, "seq": "1", "event": {"id": 1, "code": "sc1", "at_us": 1, "match_id": 1}})");
    raw.publish("vta/malformed/court/5/state", R"({"court": 5, "seq": 0})");  // seq below 1
    raw.publish("vta/malformed/court/x/status", R"({"court": 5, "online": true, "since_ms": 1})");
    court.event(1, 1, "501", "sc1;1;sc2;0;", day_of("malformed", 1, "2026-12-05"));
    EXPECT_TRUE(side.board_shows([](const json& b) { return court_in(b, 5).value("events", 0) == 1; }));
    EXPECT_EQ(count("malformed", "SELECT count(*) FROM events"), "1");
    EXPECT_EQ(count("malformed", "SELECT count(*) FROM courts"), "1");
    EXPECT_NE(side.log().find("field 'court' differs from the topic's court"), std::string::npos) << side.log();
    EXPECT_NE(side.log().find("field 'seq' is missing or mistyped"), std::string::npos) << side.log();
}

// 12 courts on the board page in Chromium: matches, scores, online, and two courts offline since a time.
TEST_F(Tournament, BoardPageShowsTwelveCourtsInChromium) {
    const auto day = day_of("german-open", 2, "2026-12-05");
    TournamentSide side("german-open", peers->postgres.create_database("board"), 12);
    const std::vector<std::pair<std::string, std::string>> names = {
        {"KIM Min-jun", "KOR"},        {"Lucas DUPONT", "FRA"},     {"Ahmad ABUGHAUSH", "JOR"},
        {"Vito DELL'AQUILA", "ITA"},   {"Ulugbek RASHITOV", "UZB"}, {"Jaden JAMES", "USA"},
        {"Mahama CHO", "GBR"},         {"Zhao SHUAI", "CHN"},       {"Bradly SINDEN", "GBR"},
        {"Carlos NAVARRO", "MEX"},     {"Simone ALESSIO", "ITA"},   {"Lee DAE-HOON", "KOR"},
        {"Ali SOHRAB", "IRI"},         {"Jesús TORTOSA", "ESP"},    {"Tom BURNS", "GER"},
        {"Edival PONTES", "BRA"},      {"Milad BEIGI", "AZE"},      {"Hakan RECBER", "TUR"},
        {"Ivan SAPINA", "CRO"},        {"Stefan TAKOV", "SRB"},     {"Tae-joon PARK", "KOR"},
        {"Mirhashem HOSSEINI", "IRI"}, {"Hugo ARILLO", "ESP"},      {"Cyrian RAVET", "FRA"}};
    std::vector<std::unique_ptr<Court>> courts;
    std::int64_t offline_since = 0;
    for (int n = 1; n <= 12; ++n) {
        courts.push_back(std::make_unique<Court>("german-open", n, n >= 11));
        Court& c = *courts.back();
        c.status(true);
        const json blue = athlete(names[2 * (n - 1)].first, names[2 * (n - 1)].second);
        const json red = athlete(names[2 * (n - 1) + 1].first, names[2 * (n - 1) + 1].second);
        std::int64_t seq = 1;
        if (n <= 4)  // a decided match earlier in the day: the results column
            seq = c.decided_match(seq, 1, std::to_string(100 * n), red, blue, n + 6, n, "BLUE", day);
        c.state(seq, 2, match_state(std::to_string(100 * n + 1), blue, red, n, 12 - n, 1 + n % 3), day);
    }
    ASSERT_TRUE(side.board_shows([](const json& b) {
        int with_match = 0;
        for (const auto& c : b["courts"]) with_match += c["match"].is_object() && c["online"] == true;
        return with_match == 12 && b["results"].size() == 4;
    }));
    for (int n : {11, 12}) courts[n - 1]->crash();
    ASSERT_TRUE(side.board_shows(
        [](const json& b) { return court_in(b, 11)["online"] == false && court_in(b, 12)["online"] == false; }, 20s));
    offline_since = court_in(side.board(), 11)["since_ms"];

    test_peers::ChromiumPage page(test_peers::ChromiumPeer::shared());
    page.set_viewport(1920, 1080);
    page.navigate(side.url("/board.html"));
    ASSERT_TRUE(page.wait_for("window.vtaReady === true && document.querySelectorAll('.court').length === 12", 10s))
        << page.log_text();
    ASSERT_TRUE(
        page.wait_for("document.querySelector('#court-12 .court-status').textContent.startsWith('offline')", 5s));
    const auto text = [&page](int court, const std::string& selector) {
        return page
            .evaluate("document.querySelector('#court-" + std::to_string(court) + " " + selector + "').textContent")
            .get<std::string>();
    };
    for (int n = 1; n <= 12; ++n) {
        SCOPED_TRACE("court " + std::to_string(n));
        EXPECT_EQ(text(n, ".court-name"), "Court " + std::to_string(n));
        EXPECT_EQ(text(n, ".court-match"), "Match " + std::to_string(100 * n + 1) + " · M -68 kg");
        EXPECT_EQ(text(n, ".side.blue .name"), names[2 * (n - 1)].first);
        EXPECT_EQ(text(n, ".side.red .noc"), names[2 * (n - 1) + 1].second);
        EXPECT_EQ(text(n, ".side.blue .score"), std::to_string(n));
        EXPECT_EQ(text(n, ".side.red .score"), std::to_string(12 - n));
        EXPECT_EQ(text(n, ".court-status"),
                  n >= 11 ? "offline since " +
                                time_of_day(n == 11 ? offline_since
                                                    : court_in(side.board(), 12)["since_ms"].get<std::int64_t>())
                          : "online");
        EXPECT_EQ(page.evaluate("document.getElementById('court-" + std::to_string(n) + "').dataset.online"),
                  n >= 11 ? "false" : "true");
    }
    EXPECT_EQ(page.evaluate("document.querySelectorAll('#results .result').length"), 4);
    // Newest first: court 4's match 400, its winner (blue) highlighted, both scores shown.
    EXPECT_EQ(page.evaluate("Array.from(document.querySelectorAll('#results .result')[0].children)"
                            ".map(e => e.className + ':' + e.textContent)"),
              json::array({"where:Court 4 · Match 400", "line won:Zhao SHUAI (CHN)10", "line:Mahama CHO (GBR)4"}));
    EXPECT_EQ(page.evaluate("document.getElementById('board-title').textContent"), "german-open");
    EXPECT_EQ(page.evaluate("document.getElementById('board-broker').textContent"), "courts' bus connected");
    const auto overflowing = page.evaluate(
        "Array.from(document.querySelectorAll('.court, .court-head'))"
        ".filter(e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1).map(e => e.className)");
    EXPECT_TRUE(overflowing.empty()) << overflowing.dump();

    const std::string png = page.screenshot_png();
    fs::create_directories(VTA_SCREENSHOTS);
    const fs::path file = fs::path(VTA_SCREENSHOTS) / "board-12-courts.png";
    std::ofstream(file, std::ios::binary) << png;
    const auto image = test_peers::decode_png(png);
    EXPECT_EQ(image.width, 1920);
    EXPECT_EQ(image.height, 1080);
    EXPECT_EQ(image.alpha_at(0, 0), 255) << "the board is opaque (a big screen)";
}

TEST_F(Tournament, ResultsOfADayAsCsvJsonAndPerAthlete) {
    const std::string url = peers->postgres.create_database("results");
    {
        TournamentSide side("results", url);
        Court one("results", 1), two("results", 2);
        const auto first = day_of("results", 1, "2026-12-05"), second = day_of("results", 2, "2026-12-06");
        std::int64_t s1 = one.decided_match(1, 1, "101", kim, dupont, 10, 7, "BLUE", first);
        std::int64_t s2 = two.decided_match(1, 1, "201", athlete("Jaden JAMES", "USA"), athlete("Zhao SHUAI", "CHN"), 2,
                                            8, "RED", first);
        s1 = one.decided_match(s1, 2, "102", dupont, athlete("Tom BURNS", "GER"), 5, 5, "TIE", second);
        ASSERT_TRUE(
            side.board_shows([](const json& b) { return b["day"] == "2026-12-06" && b["results"].size() == 1; }));
        (void)s2;
    }
    const auto results = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"tournament", "results", "--db", url});
        return test::run_to_end(VTA_BINARY, args, {});
    };
    const auto [csv_status, csv] = results({"--day", "2026-12-05", "--csv"});
    EXPECT_EQ(csv_status, 0) << csv;
    EXPECT_EQ(csv,
              "tournament,date,day,court,match,category,weight,blue,blue_noc,blue_score,red,red_noc,red_score,winner,"
              "winner_name,decision\n"
              "results,2026-12-05,1,1,101,,,KIM Min-jun,KOR,10,Lucas DUPONT,FRA,7,BLUE,KIM Min-jun,\n"
              "results,2026-12-05,1,2,201,,,Jaden JAMES,USA,2,Zhao SHUAI,CHN,8,RED,Zhao SHUAI,\n");
    const auto [json_status, json_text] = results({"--day", "2", "--json"});
    EXPECT_EQ(json_status, 0) << json_text;
    const json day2 = json::parse(json_text, nullptr, false);
    ASSERT_TRUE(day2.is_array()) << json_text;
    ASSERT_EQ(day2.size(), 1u);
    EXPECT_EQ(day2[0]["number"], "102");
    EXPECT_EQ(day2[0]["winner"], "TIE");
    EXPECT_EQ(day2[0]["blue"]["name"], "Lucas DUPONT");
    EXPECT_EQ(day2[0]["red"]["score"], 5);
    const auto [athlete_status, athlete_text] = results({"--athlete", "dupont", "--json"});
    EXPECT_EQ(athlete_status, 0) << athlete_text;
    const json dupont_matches = json::parse(athlete_text, nullptr, false);
    ASSERT_EQ(dupont_matches.size(), 2u) << athlete_text;
    EXPECT_EQ(dupont_matches[0]["number"], "101");
    EXPECT_EQ(dupont_matches[1]["number"], "102");
    const auto [missing_status, missing] = results({"--csv"});
    EXPECT_EQ(missing_status, 2);
    EXPECT_NE(missing.find("--day D"), std::string::npos) << missing;
}

// A broker that takes only known users over TLS: a real court host (its password in its secrets file) and the
// tournament side (its own user, its password a secret too) connect with their CA and the events flow; a court with a
// wrong password is refused, and says so without the password.
TEST_F(Tournament, ASecuredBrokerTakesTheCourtAndTheTournamentSideByUserOverTlsAndRefusesAWrongPassword) {
    const std::string court_password = "court-secret-71";
    const std::string tournament_password = "tournament-secret-72";
    test_peers::MosquittoPeer broker({{"court1", court_password}, {"tournament", tournament_password}});
    const std::string ca = broker.ca_file().string();
    test::TournamentSide side("secure", peers->postgres.create_database("secure"), broker.address(), 0,
                              {"--broker-user", "tournament", "--broker-ca", ca},
                              {{"tournament_broker", tournament_password}});
    test::CourtHost court("secure", 1, broker.port(),
                          {{"username", "court1"}, {"password", {{"secret", "courts_broker"}}}, {"tls", {{"ca_file", ca}}}});
    test::set_secret(court.env(), "courts_broker", court_password);
    ASSERT_NO_FATAL_FAILURE(court.start());
    court.simulate(1, 1000);
    ASSERT_TRUE(test::wait_until([&] { return court.simulation_done(); }, 60s));
    // The court may still be committing its last datagrams: its count is read again at each look.
    EXPECT_TRUE(side.board_shows(
        [&](const json& b) {
            return court_in(b, 1)["online"] == true && court_in(b, 1).value("events", 0) == court.events();
        },
        20s));
    EXPECT_NE(court.output().find("(TLS)"), std::string::npos) << court.output();
    EXPECT_EQ(court.output().find(court_password), std::string::npos);

    test::CourtHost intruder("secure", 2, broker.port(),
                             {{"username", "court1"}, {"password", "not-the-password"}, {"tls", {{"ca_file", ca}}}});
    ASSERT_NO_FATAL_FAILURE(intruder.start());
    EXPECT_TRUE(test::wait_until(
        [&] { return intruder.output().find("refused the connection") != std::string::npos; }, 10s))
        << intruder.output();
    EXPECT_EQ(intruder.output().find("not-the-password"), std::string::npos);
    EXPECT_EQ(side.log().find(tournament_password), std::string::npos);
}

}  // namespace
}  // namespace vta
