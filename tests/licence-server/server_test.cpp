// The licence server on a loopback port, in-process, with an injected clock, driven through the host's client
// (and raw requests for the malformed bodies the client never sends); then over HTTPS with certificates made at
// test time, and a client that refuses them.
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "test_certificates.hpp"
#include "vta/licence/licence_file.hpp"
#include "vta/licence/signing.hpp"
#include "vta/licence_client/client.hpp"
#include "vta/licence_client/local_files.hpp"
#include "vta/licence_server/server.hpp"
#include "vta/licence_server/store.hpp"

namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;
using namespace std::chrono_literals;
using vta::Errc;
using vta::licence::Fingerprint;
using vta::licence::Time;

Time at(std::string_view text) { return vta::licence::parse_time(text).value(); }

Fingerprint machine(char fill) {
    return Fingerprint{std::string(64, fill), std::nullopt, std::string(64, char(fill + 1))};
}

class LicenceServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        static std::atomic<int> counter{0};
        folder_ = fs::temp_directory_path() /
                  ("vta-licence-server-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(folder_);
        fs::create_directories(folder_);
        keys_ = vta::licence::generate_key_pair().value();
        store_ = vta::licence_server::Store::open(folder_ / "licences.sqlite3").value();
        vta::licence_server::ServerOptions options;
        options.private_key_pem = keys_.private_pem;
        options.now = [this] { return Time(std::chrono::seconds(now_.load())); };
        licences_ = vta::licence_server::LicenceServer::create(*store_, options).value();
        vta::web::HttpServerOptions web;
        web.port = 0;
        configure(web);
        auto opened = vta::web::HttpServer::open(io_, web);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        http_ = std::move(*opened);
        licences_->add_routes(*http_);
        http_->start();
        url_ = (web.tls ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(http_->local_endpoint().port());
        thread_ = std::thread([this] { io_.run(); });
    }
    virtual void configure(vta::web::HttpServerOptions&) {}

    void TearDown() override {
        if (thread_.joinable()) {
            on_io([this] { http_->stop(); });
            work_.reset();
            thread_.join();
        }
        fs::remove_all(folder_);
    }

    void set_now(Time t) { now_ = t.time_since_epoch().count(); }

    template <class F>
    void on_io(F f) {
        std::promise<void> done;
        net::post(io_, [&] {
            f();
            done.set_value();
        });
        done.get_future().wait();
    }

    vta::licence_server::KeyRecord issue(int seats = 1, Time expires = at("2027-03-01T00:00:00Z")) {
        return store_->issue({"Dojang Court 3", {"ivr", "overlays", "courts=4"}, seats, expires}, now()).value();
    }
    Time now() const { return Time(std::chrono::seconds(now_.load())); }

    vta::licence::Licence verified(const std::string& text) const {
        auto licence = vta::licence::verify_licence(text, keys_.public_pem);
        EXPECT_TRUE(licence.ok()) << (licence ? "" : licence.error().message);
        return licence.value();
    }

    // A request the client would never send: {status, body}.
    std::pair<int, std::string> raw(http::verb verb, const std::string& target, const std::string& body) {
        net::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), http_->local_endpoint().port()));
        http::request<http::string_body> request(verb, target, 11);
        request.set(http::field::host, "127.0.0.1");
        request.body() = body;
        request.prepare_payload();
        http::write(stream, request);
        beast::flat_buffer buffer;
        http::response<http::string_body> response;
        http::read(stream, buffer, response);
        return {response.result_int(), response.body()};
    }
    // The refusal's reason for a raw POST, checking its status.
    std::string refusal(const std::string& target, const std::string& body, int status = 400) {
        const auto [got, text] = raw(http::verb::post, target, body);
        EXPECT_EQ(got, status) << target << " " << body << " -> " << text;
        const auto answer = json::parse(text, nullptr, false);
        return answer.is_object() ? answer.value("error", text) : text;
    }

    fs::path folder_;
    vta::licence::KeyPair keys_;
    std::unique_ptr<vta::licence_server::Store> store_;
    std::unique_ptr<vta::licence_server::LicenceServer> licences_;
    std::atomic<long long> now_{at("2026-03-01T09:00:00Z").time_since_epoch().count()};
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_ = net::make_work_guard(io_);
    std::unique_ptr<vta::web::HttpServer> http_;
    std::thread thread_;
    std::string url_;
};

TEST_F(LicenceServerTest, ActivationAnswersALicenceSignedForThatMachine) {
    const auto key = issue();
    auto text = vta::licence_client::activate(url_, key.key, machine('a'));
    ASSERT_TRUE(text.ok()) << text.error().message;
    const auto licence = verified(*text);
    EXPECT_EQ(licence.licensee, "Dojang Court 3");
    EXPECT_EQ(licence.key_id, key.key_id);
    EXPECT_EQ(licence.features, (std::vector<std::string>{"ivr", "overlays", "courts=4"}));
    EXPECT_EQ(licence.machine, machine('a'));
    EXPECT_EQ(licence.expires, at("2027-03-01T00:00:00Z"));
    EXPECT_EQ(licence.last_check, now());
    EXPECT_EQ(text->find(key.key), std::string::npos) << "the licence carries the key's id, never the key";
}

TEST_F(LicenceServerTest, ValidationSignsAgainWithTheServersTimeAsLastCheck) {
    const auto key = issue();
    const auto first = vta::licence_client::activate(url_, key.key, machine('a')).value();
    set_now(at("2026-03-04T12:00:00Z"));
    auto again = vta::licence_client::validate(url_, first);
    ASSERT_TRUE(again.ok()) << again.error().message;
    const auto licence = verified(*again);
    EXPECT_EQ(licence.last_check, at("2026-03-04T12:00:00Z"));
    EXPECT_EQ(licence.machine, machine('a'));

    // Installed on the host: the licence file, and the state (owner-only) taking the server's time.
    const auto state_file = folder_ / "host" / "licence-state.json";
    ASSERT_TRUE(vta::licence_client::install_licence(folder_ / "host" / "licence.json", *again, keys_.public_pem));
    ASSERT_TRUE(vta::licence_client::record_server_answer(state_file, licence));
    const auto state = vta::licence_client::read_state(state_file).value();
    EXPECT_EQ(state.last_check, at("2026-03-04T12:00:00Z"));
    EXPECT_EQ(state.high_water, at("2026-03-04T12:00:00Z"));
    struct stat st {};
    ASSERT_EQ(::stat(state_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    // By key and machine instead of the file; a machine never activated is refused.
    auto by_key = vta::licence_client::info(url_, key.key);
    ASSERT_TRUE(by_key.ok());
    const auto [status, body] = raw(http::verb::post, "/api/validate",
                                    json{{"key", key.key}, {"machine", vta::licence::to_json(machine('a'))}}.dump());
    EXPECT_EQ(status, 200) << body;
    EXPECT_NE(
        refusal("/api/validate", json{{"key", key.key}, {"machine", vta::licence::to_json(machine('5'))}}.dump(), 404)
            .find("not activated"),
        std::string::npos);
}

TEST_F(LicenceServerTest, ARevokedKeyIsRefusedOnValidateAndActivate) {
    const auto key = issue();
    const auto licence = vta::licence_client::activate(url_, key.key, machine('a')).value();
    ASSERT_TRUE(store_->revoke(key.key));
    auto refused = vta::licence_client::validate(url_, licence);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::request_failed);
    EXPECT_EQ(refused.error().status_code, 403);
    EXPECT_EQ(refused.error().comment, "auth_failed");
    EXPECT_NE(refused.error().message.find("revoked"), std::string::npos) << refused.error().message;
    auto again = vta::licence_client::activate(url_, key.key, machine('a'));
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("revoked"), std::string::npos);
    EXPECT_EQ(vta::licence_client::info(url_, key.key).value()["revoked"], true);
    EXPECT_EQ(store_->revoke("VTA-NOT-ISSUED").error().code, Errc::not_found);
}

TEST_F(LicenceServerTest, ASecondMachineBeyondTheSeatsIsRefusedAndTheSameMachineKeepsItsSeat) {
    const auto key = issue(1);
    ASSERT_TRUE(vta::licence_client::activate(url_, key.key, machine('a')).ok());
    auto second = vta::licence_client::activate(url_, key.key, machine('c'));
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().status_code, 409);
    EXPECT_NE(second.error().message.find("1 seat"), std::string::npos) << second.error().message;

    // The same machine again, and with a new network card (one component changed): its own seat.
    ASSERT_TRUE(vta::licence_client::activate(url_, key.key, machine('a')).ok());
    auto new_nic = machine('a');
    new_nic.mac = std::string(64, 'f');
    auto moved = vta::licence_client::activate(url_, key.key, new_nic);
    ASSERT_TRUE(moved.ok()) << moved.error().message;
    EXPECT_EQ(verified(*moved).machine, new_nic);
    auto info = vta::licence_client::info(url_, key.key).value();
    EXPECT_EQ(info["seats"]["used"], 1);
    EXPECT_EQ(info["seats"]["total"], 1);

    // Two components changed is another machine.
    auto other = machine('a');
    other.machine_id = std::string(64, '9');
    other.mac = std::string(64, '8');
    EXPECT_FALSE(vta::licence_client::activate(url_, key.key, other).ok());

    const auto three = issue(3);
    for (char m : {'a', 'c', 'e'}) EXPECT_TRUE(vta::licence_client::activate(url_, three.key, machine(m)).ok());
    auto fourth = vta::licence_client::activate(url_, three.key, machine('7'));
    ASSERT_FALSE(fourth.ok());
    EXPECT_NE(fourth.error().message.find("3 seats"), std::string::npos) << fourth.error().message;
}

TEST_F(LicenceServerTest, AnExpiredKeyIsRefused) {
    const auto key = issue(1, at("2026-03-03T09:00:00Z"));
    const auto licence = vta::licence_client::activate(url_, key.key, machine('a')).value();
    set_now(at("2026-03-03T09:00:01Z"));
    auto refused = vta::licence_client::validate(url_, licence);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status_code, 403);
    EXPECT_NE(refused.error().message.find("expired on 2026-03-03T09:00:00Z"), std::string::npos)
        << refused.error().message;
    EXPECT_FALSE(vta::licence_client::activate(url_, key.key, machine('a')).ok());
    EXPECT_EQ(vta::licence_client::info(url_, key.key).value()["expired"], true);
}

TEST_F(LicenceServerTest, AnUnknownKeyIsRefused) {
    auto refused = vta::licence_client::activate(url_, "VTA-AAAAA-BBBBB-CCCCC-DDDDD", machine('a'));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().status_code, 404);
    EXPECT_NE(refused.error().message.find("unknown key"), std::string::npos);
    EXPECT_EQ(vta::licence_client::info(url_, "VTA-NOPE").error().status_code, 404);

    // A licence this server did not sign, and one it signed for a key id it does not hold.
    const auto other = vta::licence::generate_key_pair().value();
    vta::licence::Licence forged;
    forged.licensee = "Elsewhere";
    forged.key_id = "K-000001";
    forged.features = {"ivr"};
    forged.issued = at("2026-01-01T00:00:00Z");
    forged.expires = at("2027-01-01T00:00:00Z");
    forged.machine = machine('a');
    auto refusal_of = [&](const std::string& text) {
        auto r = vta::licence_client::validate(url_, text);
        return r ? std::string("accepted") : r.error().message;
    };
    EXPECT_NE(refusal_of(vta::licence::sign_licence(forged, other.private_pem).value()).find("signed by another key"),
              std::string::npos);
    forged.key_id = "K-000777";
    EXPECT_NE(refusal_of(vta::licence::sign_licence(forged, keys_.private_pem).value()).find("unknown key"),
              std::string::npos);
}

TEST_F(LicenceServerTest, BadRequestBodiesAreRefusedWithTheirReason) {
    const auto key = issue();
    const auto m = vta::licence::to_json(machine('a'));
    auto reason = [&](const std::string& target, const std::string& body) { return refusal(target, body); };
    EXPECT_EQ(reason("/api/activate", "{not json"), "the request body is not JSON\n");
    EXPECT_NE(reason("/api/activate", "").find("expected {\"key\""), std::string::npos);
    EXPECT_NE(reason("/api/activate", "[1,2]").find("expected {\"key\""), std::string::npos);
    EXPECT_EQ(reason("/api/activate", json{{"machine", m}}.dump()), "key is missing");
    EXPECT_EQ(reason("/api/activate", json{{"key", 42}, {"machine", m}}.dump()), "key must be a non-empty string");
    EXPECT_EQ(reason("/api/activate", json{{"key", key.key}}.dump()), "machine is missing (the fingerprint JSON)");
    EXPECT_EQ(reason("/api/activate", json{{"key", key.key}, {"machine", "abc"}}.dump()),
              "machine must be an object (the fingerprint JSON)");
    EXPECT_NE(
        reason("/api/activate", json{{"key", key.key}, {"machine", {{"machine_id", "x"}}}}.dump()).find("machine."),
        std::string::npos);
    EXPECT_EQ(reason("/api/activate",
                     json{{"key", key.key},
                          {"machine", {{"machine_id", nullptr}, {"product_uuid", nullptr}, {"mac", nullptr}}}}
                         .dump()),
              "machine has no component: nothing to bind a licence to");
    EXPECT_EQ(reason("/api/validate", "{}"), "key is missing (or give licence)");
    EXPECT_EQ(reason("/api/validate", json{{"licence", 5}}.dump()),
              "licence must be the licence file's text (or its JSON object)");
    EXPECT_NE(reason("/api/validate", json{{"licence", "garbage"}}.dump()).find("the licence was refused: "),
              std::string::npos);
    EXPECT_EQ(reason("/api/license-info", "{}"), "key is missing");
    EXPECT_EQ(raw(http::verb::get, "/api/activate", "").first, 405);

    // None of these took a seat; every answer is in the audit with its outcome.
    EXPECT_EQ(store_->activations(key.key).value().size(), 0u);
    const auto audit = store_->audit().value();
    ASSERT_GE(audit.size(), 11u);
    EXPECT_EQ(audit.front().endpoint, "activate");
    EXPECT_EQ(audit.front().outcome, "invalid_argument");
    EXPECT_EQ(audit.front().remote, "127.0.0.1");
}

TEST_F(LicenceServerTest, LicenseInfoByQueryOrBody) {
    const auto key = issue(2);
    ASSERT_TRUE(vta::licence_client::activate(url_, key.key, machine('a')).ok());
    const auto [status, text] = raw(http::verb::get, "/api/license-info?key=" + key.key, "");
    ASSERT_EQ(status, 200) << text;
    const auto info = json::parse(text);
    EXPECT_EQ(info["licensee"], "Dojang Court 3");
    EXPECT_EQ(info["key_id"], key.key_id);
    EXPECT_EQ(info["features"], json({"ivr", "overlays", "courts=4"}));
    EXPECT_EQ(info["seats"], json({{"used", 1}, {"total", 2}}));
    EXPECT_EQ(info["expires"], "2027-03-01T00:00:00Z");
    EXPECT_EQ(info["revoked"], false);
    EXPECT_EQ(vta::licence_client::info(url_, key.key).value(), info);
    EXPECT_EQ(raw(http::verb::get, "/api/license-info", "").first, 400);
}

TEST_F(LicenceServerTest, IssuingChecksWhatItSigns) {
    using vta::licence_server::NewKey;
    EXPECT_EQ(store_->issue({"", {"ivr"}, 1, at("2027-01-01T00:00:00Z")}, now()).error().code, Errc::invalid_argument);
    EXPECT_NE(store_->issue({"X", {"courts=x"}, 1, at("2027-01-01T00:00:00Z")}, now()).error().message.find("courts=x"),
              std::string::npos);
    EXPECT_EQ(store_->issue({"X", {"ivr"}, 0, at("2027-01-01T00:00:00Z")}, now()).error().message,
              "seats must be 1 or more");
    EXPECT_EQ(store_->issue({"X", {"ivr"}, 1, now()}, now()).error().message, "the expiry must be in the future");
    const auto a = issue();
    const auto b = issue();
    EXPECT_NE(a.key, b.key);
    EXPECT_NE(a.key_id, b.key_id);
    EXPECT_EQ(store_->find_key_id(b.key_id).value().key, b.key);
    EXPECT_EQ(vta::licence_server::LicenceServer::create(*store_, {keys_.public_pem, {}}).error().code,
              Errc::invalid_argument);
}

TEST_F(LicenceServerTest, HttpsToAPlainHttpServerSaysTheHandshakeFailed) {
    const std::string tls_url = "https://" + url_.substr(std::string_view("http://").size());
    auto refused = vta::licence_client::info(tls_url, issue().key);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::unavailable);
    EXPECT_NE(refused.error().message.find("TLS handshake"), std::string::npos) << refused.error().message;
}

TEST(LicenceClientTest, SaysWhatFailed) {
    // A port nobody listens on.
    net::io_context io;
    net::ip::tcp::acceptor closed(io, {net::ip::make_address("127.0.0.1"), 0});
    const auto closed_port = closed.local_endpoint().port();
    closed.close();
    auto refused = vta::licence_client::info("http://127.0.0.1:" + std::to_string(closed_port), "K");
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, Errc::unavailable);
    EXPECT_NE(refused.error().message.find("Connection refused"), std::string::npos) << refused.error().message;

    // A server that accepts and never answers.
    net::ip::tcp::acceptor silent(io, {net::ip::make_address("127.0.0.1"), 0});
    const auto started = std::chrono::steady_clock::now();
    auto late = vta::licence_client::info("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()), "K",
                                          {std::chrono::milliseconds(300)});
    ASSERT_FALSE(late.ok());
    EXPECT_EQ(late.error().code, Errc::timeout) << late.error().message;
    EXPECT_NE(late.error().message.find("did not answer within 300 ms"), std::string::npos) << late.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

    // The same silent server spoken to over HTTPS: the handshake has the same deadline.
    auto late_tls = vta::licence_client::info("https://127.0.0.1:" + std::to_string(silent.local_endpoint().port()),
                                              "K", {std::chrono::milliseconds(300)});
    ASSERT_FALSE(late_tls.ok());
    EXPECT_EQ(late_tls.error().code, Errc::timeout) << late_tls.error().message;
    EXPECT_NE(late_tls.error().message.find("TLS handshake"), std::string::npos) << late_tls.error().message;

    EXPECT_EQ(vta::licence_client::info("ftp://licences.example", "K").error().code, Errc::invalid_argument);
    EXPECT_EQ(vta::licence_client::info("http://:80", "K").error().code, Errc::invalid_argument);
    EXPECT_EQ(vta::licence_client::info("http://host:x", "K").error().code, Errc::invalid_argument);
}

// The same server over HTTPS, its certificate for 127.0.0.1 signed by a CA made for the test.
class LicenceServerTlsTest : public LicenceServerTest {
protected:
    void configure(vta::web::HttpServerOptions& web) override {
        certificates_ = vta::test::make_test_certificates(folder_ / "tls", "licence test CA");
        web.tls = vta::web::TlsFiles{certificates_.server_chain, certificates_.server_key};
    }
    vta::licence_client::ClientOptions trusting(const fs::path& ca) const {
        vta::licence_client::ClientOptions options;
        options.ca_file = ca;
        return options;
    }

    vta::test::TestCertificates certificates_;
};

TEST_F(LicenceServerTlsTest, ActivatesAndValidatesOverHttpsWithTheCaFile) {
    ASSERT_TRUE(url_.starts_with("https://")) << url_;
    const auto key = issue();
    auto text = vta::licence_client::activate(url_, key.key, machine('a'), trusting(certificates_.ca));
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(verified(*text).machine, machine('a'));
    set_now(at("2026-03-04T12:00:00Z"));
    auto again = vta::licence_client::validate(url_, *text, machine('a'), trusting(certificates_.ca));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(verified(*again).last_check, at("2026-03-04T12:00:00Z"));
    auto info = vta::licence_client::info(url_, key.key, trusting(certificates_.ca));
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ((*info)["seats"]["used"], 1);
}

TEST_F(LicenceServerTlsTest, ACertificateThatDoesNotVerifyIsRefusedWithTheReason) {
    const auto key = issue();
    const auto refused_by = [&](const vta::licence_client::ClientOptions& options, const std::string& url) {
        auto text = vta::licence_client::activate(url, key.key, machine('a'), options);
        EXPECT_FALSE(text.ok());
        if (text.ok()) return std::string();
        EXPECT_EQ(text.error().code, Errc::unavailable) << text.error().message;
        EXPECT_NE(text.error().message.find("certificate was refused"), std::string::npos) << text.error().message;
        return text.error().message;
    };
    // The system's CAs never signed the test CA.
    EXPECT_NE(refused_by({}, url_).find("self-signed certificate"), std::string::npos);
    // Nor did another CA.
    const auto other = vta::test::make_test_certificates(folder_ / "other", "another CA");
    EXPECT_NE(refused_by(trusting(other.ca), url_).find("self-signed certificate"), std::string::npos);
    // A CA the client trusts, but a certificate for another host.
    const auto elsewhere =
        vta::test::make_test_certificates(folder_ / "elsewhere", "a third CA", "DNS:licences.example");
    vta::web::HttpServerOptions web;
    web.port = 0;
    web.tls = vta::web::TlsFiles{elsewhere.server_chain, elsewhere.server_key};
    auto misnamed = vta::web::HttpServer::open(io_, web).value();
    on_io([&] { misnamed->start(); });
    const std::string misnamed_url = "https://127.0.0.1:" + std::to_string(misnamed->local_endpoint().port());
    EXPECT_NE(refused_by(trusting(elsewhere.ca), misnamed_url).find("IP address mismatch"), std::string::npos);
    on_io([&] { misnamed->stop(); });
    EXPECT_EQ(store_->activations(key.key).value().size(), 0u) << "no refused client reached the API";

    // The server goes on answering a client that trusts it.
    EXPECT_TRUE(vta::licence_client::activate(url_, key.key, machine('a'), trusting(certificates_.ca)).ok());
    auto unreadable = vta::licence_client::activate(url_, key.key, machine('a'), trusting(folder_ / "none.pem"));
    ASSERT_FALSE(unreadable.ok());
    EXPECT_EQ(unreadable.error().code, Errc::io);
    EXPECT_NE(unreadable.error().message.find((folder_ / "none.pem").string()), std::string::npos)
        << unreadable.error().message;
}

TEST_F(LicenceServerTlsTest, PlainHttpToTheHttpsServerIsRefused) {
    const auto key = issue();
    const std::string plain = "http://" + url_.substr(std::string_view("https://").size());
    auto text = vta::licence_client::activate(plain, key.key, machine('a'));
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().code, Errc::unavailable) << text.error().message;
    EXPECT_TRUE(vta::licence_client::activate(url_, key.key, machine('a'), trusting(certificates_.ca)).ok());
}

}  // namespace
