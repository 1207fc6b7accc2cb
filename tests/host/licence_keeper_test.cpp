// The licence as the running host applies it (LicenceKeeper), against the real licence server on a loopback
// port, with one injected clock for both: activation, the daily check, revocation, the day-5 warning and the
// day-7 stop deferred to the next match load.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "vta/host/licence_keeper.hpp"
#include "vta/licence/signing.hpp"
#include "vta/licence_server/server.hpp"
#include "vta/licence_server/store.hpp"
#include "vta/web/http_server.hpp"

namespace vta::host {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using licence::State;
using licence::Time;

class LicenceKeeperTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        folder_ = fs::temp_directory_path() /
                  ("vta-licence-keeper-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(folder_);
        fs::create_directories(folder_);
        keys_ = licence::generate_key_pair().value();
        store_ = licence_server::Store::open(folder_ / "licences.sqlite3").value();
        licences_ =
            licence_server::LicenceServer::create(*store_, {keys_.private_pem, [this] { return now(); }}).value();
        web::HttpServerOptions web;
        web.port = 0;
        http_ = web::HttpServer::open(io_, web).value();
        licences_->add_routes(*http_);
        http_->start();
        url_ = "http://127.0.0.1:" + std::to_string(http_->local_endpoint().port());
        licence_server::NewKey request{"Court 3", {"ivr", "multi_obs"}, 1, now() + std::chrono::days(365)};
        key_ = store_->issue(request, now()).value().key;
    }
    void TearDown() override {
        keeper_.reset();
        http_->stop();
        io_.poll();
        fs::remove_all(folder_);
    }

    Time now() const { return Time(std::chrono::seconds(now_.load())); }
    void advance(std::chrono::hours by) { now_ += std::chrono::duration_cast<std::chrono::seconds>(by).count(); }

    // `server`: the keeper's online checks go there ("" for none: activation still names the server).
    LicenceKeeper& keeper(const std::string& server = "") {
        LicenceKeeperOptions options;
        options.folder = folder_ / "host";
        options.public_key_pem = keys_.public_pem;
        options.server = server;
        options.evaluate_every = 20ms;
        options.clock = [this] { return now(); };
        options.machine = [] { return licence::Fingerprint{std::string(64, 'a'), std::nullopt, std::string(64, 'c')}; };
        options.match_in_progress = [this] { return in_match_; };
        keeper_ = std::make_unique<LicenceKeeper>(io_, options);
        keeper_->on_change = [this] { ++changes_; };
        return *keeper_;
    }

    // Runs the io_context (the server and the keeper's completions) until `done` or 10 s.
    bool run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done() && std::chrono::steady_clock::now() < deadline) io_.run_one_for(10ms);
        return done();
    }

    void activate(LicenceKeeper& k) {
        k.activate(url_, key_);
        ASSERT_TRUE(run_until([&] { return !k.view().activating; }));
        ASSERT_EQ(k.view().activation.rfind("activated: licensed to Court 3", 0), 0u) << k.view().activation;
    }

    fs::path folder_;
    boost::asio::io_context io_;
    std::atomic<std::int64_t> now_{
        Time(std::chrono::sys_days(std::chrono::year(2026) / 12 / 1)).time_since_epoch().count()};
    licence::KeyPair keys_;
    std::unique_ptr<licence_server::Store> store_;
    std::unique_ptr<licence_server::LicenceServer> licences_;
    std::unique_ptr<web::HttpServer> http_;
    std::string url_, key_;
    std::unique_ptr<LicenceKeeper> keeper_;
    bool in_match_ = false;
    int changes_ = 0;
};

TEST_F(LicenceKeeperTest, WithoutALicenceTheHostRunsInEvaluationMode) {
    auto& k = keeper();
    EXPECT_EQ(k.in_force().state, State::evaluation);
    EXPECT_FALSE(k.has("ivr"));
    EXPECT_FALSE(k.has("multi_obs"));
    EXPECT_EQ(k.status()["state"], "evaluation");
}

TEST_F(LicenceKeeperTest, ActivationTurnsTheFeaturesOnAtOnceEvenMidMatch) {
    in_match_ = true;
    auto& k = keeper();
    activate(k);
    EXPECT_EQ(k.in_force().state, State::valid);
    EXPECT_TRUE(k.has("ivr"));
    EXPECT_TRUE(k.has("multi_obs"));
    EXPECT_FALSE(k.has("overlays"));
    EXPECT_GT(changes_, 0);
    EXPECT_TRUE(fs::exists(folder_ / "host" / "licence.json"));
    EXPECT_EQ(k.status()["licensee"], "Court 3");
}

TEST_F(LicenceKeeperTest, ARefusedActivationSaysWhyAndChangesNothing) {
    auto& k = keeper();
    k.activate(url_, "VTA-NOPE-NOPE-NOPE-NOPE");
    ASSERT_TRUE(run_until([&] { return !k.view().activating; }));
    EXPECT_NE(k.view().activation.find("activation failed"), std::string::npos) << k.view().activation;
    EXPECT_NE(k.view().activation.find("unknown key"), std::string::npos) << k.view().activation;
    EXPECT_EQ(k.in_force().state, State::evaluation);
    k.activate("", key_);
    EXPECT_NE(k.view().activation.find("licence server's URL"), std::string::npos) << k.view().activation;
}

TEST_F(LicenceKeeperTest, TheDailyCheckRecordsTheServersTime) {
    auto& k = keeper(url_);
    activate(k);
    advance(std::chrono::days(5) + 1h);
    k.start();  // checks at once: the server's time becomes the last check
    ASSERT_TRUE(run_until([&] { return k.in_force().last_check == now(); }));
    EXPECT_EQ(k.in_force().state, State::valid);
    EXPECT_EQ(k.in_force().days_since_check, 0);
    EXPECT_TRUE(k.view().last_check_error.empty()) << k.view().last_check_error;
}

TEST_F(LicenceKeeperTest, OfflineWarnsFromDayFiveAndStopsFromDaySevenAtTheNextMatchLoad) {
    auto& k = keeper();  // no server: offline
    activate(k);
    k.start();
    advance(std::chrono::days(5) + 1h);
    ASSERT_TRUE(run_until([&] { return k.in_force().state == State::warning; }));
    EXPECT_TRUE(k.has("ivr"));
    EXPECT_NE(k.in_force().reason.find("5 days since the last licence check"), std::string::npos)
        << k.in_force().reason;

    in_match_ = true;
    advance(std::chrono::days(2));
    ASSERT_TRUE(run_until([&] { return k.view().pending.has_value(); }));
    EXPECT_EQ(k.view().pending->state, State::disabled);
    EXPECT_EQ(k.in_force().state, State::warning);  // the match under way keeps its features
    EXPECT_TRUE(k.has("ivr"));
    EXPECT_EQ(k.status()["pending"], "disabled");

    in_match_ = false;
    k.on_match_loaded();
    EXPECT_EQ(k.in_force().state, State::disabled);
    EXPECT_FALSE(k.has("ivr"));
    EXPECT_FALSE(k.view().pending);
}

TEST_F(LicenceKeeperTest, ARevokedLicenceIsSetAsideAtTheNextCheck) {
    auto& k = keeper(url_);
    activate(k);
    ASSERT_TRUE(store_->revoke(key_).ok());
    k.check_now();
    ASSERT_TRUE(run_until([&] { return !k.view().last_check_error.empty(); }));
    EXPECT_NE(k.view().last_check_error.find("revoked"), std::string::npos) << k.view().last_check_error;
    EXPECT_TRUE(fs::exists(folder_ / "host" / "licence.json.refused"));
    EXPECT_EQ(k.in_force().state, State::evaluation);
    EXPECT_FALSE(k.has("ivr"));
}

TEST_F(LicenceKeeperTest, ARevocationMidMatchWaitsForTheNextMatchLoad) {
    auto& k = keeper(url_);
    activate(k);
    ASSERT_TRUE(store_->revoke(key_).ok());
    in_match_ = true;
    k.check_now();
    ASSERT_TRUE(run_until([&] { return k.view().pending.has_value(); }));
    EXPECT_TRUE(k.has("ivr"));
    in_match_ = false;
    k.on_match_loaded();
    EXPECT_FALSE(k.has("ivr"));
}

TEST_F(LicenceKeeperTest, AServerThatIsDownIsAWarningNotALock) {
    auto& k = keeper("http://127.0.0.1:1");
    activate(k);
    k.check_now();
    ASSERT_TRUE(run_until([&] { return !k.view().last_check_error.empty(); }));
    EXPECT_NE(k.view().last_check_error.find("cannot reach"), std::string::npos) << k.view().last_check_error;
    EXPECT_EQ(k.in_force().state, State::valid);
    EXPECT_TRUE(fs::exists(folder_ / "host" / "licence.json"));
}

}  // namespace
}  // namespace vta::host
