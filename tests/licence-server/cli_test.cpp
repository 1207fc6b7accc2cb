// `vta license …` end to end, every step a real child process: the vendor makes a key pair, issues a key
// and serves it; the court activates, reads its status, writes an air-gapped request and installs the answer.
// Then the same over HTTPS, with certificates made at test time.
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "test_certificates.hpp"
#include "vta/licence/licence_file.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;
using vta::test::ChildProcess;
using vta::test::run_to_end;

std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned mode_of(const fs::path& file) {
    struct stat st {};
    return ::stat(file.c_str(), &st) == 0 ? st.st_mode & 0777 : 0;
}

TEST(LicenceCli, KeygenIssueServeActivateStatusRequestInstall) {
    vta::test::TempFolder temp;
    const auto env = temp.xdg_env();
    const auto vendor = temp.path() / "vendor";
    const auto db = (vendor / "licences.sqlite3").string();
    const auto data = fs::path(env.at("XDG_DATA_HOME")) / "restrike-vta";

    auto [keygen_status, keygen_out] = run_to_end(VTA_BINARY, {"license", "keygen", "--out", vendor.string()}, env);
    ASSERT_EQ(keygen_status, 0) << keygen_out;
    EXPECT_EQ(mode_of(vendor / "private.pem"), 0600u);
    EXPECT_NE(read(vendor / "public.pem").find("BEGIN PUBLIC KEY"), std::string::npos);
    const auto public_key = (vendor / "public.pem").string();
    // A second keygen never overwrites the pair.
    EXPECT_NE(run_to_end(VTA_BINARY, {"license", "keygen", "--out", vendor.string()}, env).first, 0);

    auto [issue_status, issue_out] = run_to_end(VTA_BINARY,
                                                {"license", "issue", "--db", db, "--licensee", "Dojang Court 3",
                                                 "--features", "ivr,overlays,courts=2", "--days", "30"},
                                                env);
    ASSERT_EQ(issue_status, 0) << issue_out;
    std::smatch found;
    ASSERT_TRUE(std::regex_search(issue_out, found, std::regex("VTA(-[A-Z0-9]{5}){4}"))) << issue_out;
    const std::string key = found.str();

    ChildProcess server(VTA_BINARY,
                        {"license", "serve", "--db", db, "--key", (vendor / "private.pem").string(), "--bind",
                         "127.0.0.1", "--port", "0"},
                        env, temp.path() / "serve.log");
    const auto served = vta::test::wait_for_output(server, "listening on (http://127\\.0\\.0\\.1:[0-9]+)", 10s);
    ASSERT_TRUE(served) << server.output();
    const std::string url = *served;

    // Without a licence: evaluation mode.
    auto [before_status, before] =
        run_to_end(VTA_BINARY, {"license", "status", "--json", "--public-key", public_key}, env);
    ASSERT_EQ(before_status, 0) << before;
    EXPECT_EQ(json::parse(before)["state"], "evaluation");

    auto [activate_status, activate_out] =
        run_to_end(VTA_BINARY, {"license", "activate", key, "--server", url, "--public-key", public_key}, env);
    ASSERT_EQ(activate_status, 0) << activate_out;
    ASSERT_TRUE(vta::licence::verify_licence(read(data / "licence.json"), read(public_key)).ok());
    EXPECT_EQ(mode_of(data / "licence-state.json"), 0600u);

    auto [status_status, status_out] =
        run_to_end(VTA_BINARY, {"license", "status", "--json", "--public-key", public_key}, env);
    ASSERT_EQ(status_status, 0) << status_out;
    const auto status = json::parse(status_out);
    EXPECT_EQ(status["state"], "valid") << status_out;
    EXPECT_EQ(status["licensee"], "Dojang Court 3");
    EXPECT_EQ(status["features"], json({"ivr", "overlays", "courts=2"}));
    EXPECT_EQ(status["days_since_check"], 0);
    EXPECT_EQ(status["machine_match"], true);
    EXPECT_EQ(status["features_on"], true);
    // The compiled-in key did not sign it: refused, with the reason.
    const auto with_vendor_key = json::parse(run_to_end(VTA_BINARY, {"license", "status", "--json"}, env).second);
    EXPECT_EQ(with_vendor_key["state"], "invalid");
    EXPECT_NE(with_vendor_key["reason"].get<std::string>().find("another key"), std::string::npos) << with_vendor_key;

    // Air-gapped: the request is the body of /api/activate; the vendor posts it, the court installs the answer.
    const auto request_file = temp.path() / "request.json";
    auto [request_status, request_out] =
        run_to_end(VTA_BINARY, {"license", "request", key, "--out", request_file.string()}, env);
    ASSERT_EQ(request_status, 0) << request_out;
    const auto request = json::parse(read(request_file));
    EXPECT_EQ(request["key"], key);
    ASSERT_TRUE(request["machine"].is_object());

    fs::remove(data / "licence.json");
    const auto answer = temp.path() / "answer.json";
    auto [post_status, post_out] = run_to_end(
        "/usr/bin/curl",
        {"-sf", "-o", answer.string(), "--data-binary", "@" + request_file.string(), url + "/api/activate"}, {});
    ASSERT_EQ(post_status, 0) << post_out;
    auto [install_status, install_out] =
        run_to_end(VTA_BINARY, {"license", "install", answer.string(), "--public-key", public_key}, env);
    ASSERT_EQ(install_status, 0) << install_out;
    EXPECT_EQ(
        json::parse(
            run_to_end(VTA_BINARY, {"license", "status", "--json", "--public-key", public_key}, env).second)["state"],
        "valid");

    // A forged answer is refused with its reason, and the installed licence stays.
    std::string forged = read(answer);
    forged.replace(forged.find("Dojang"), 6, "DOJANG");
    std::ofstream(temp.path() / "forged.json") << forged;
    auto [forged_status, forged_out] = run_to_end(
        VTA_BINARY, {"license", "install", (temp.path() / "forged.json").string(), "--public-key", public_key}, env);
    EXPECT_EQ(forged_status, 1);
    EXPECT_NE(forged_out.find("the licence was refused"), std::string::npos) << forged_out;

    // Revoked: activation is refused with the server's reason.
    ASSERT_EQ(run_to_end(VTA_BINARY, {"license", "revoke", "--db", db, key}, env).first, 0);
    auto [revoked_status, revoked_out] =
        run_to_end(VTA_BINARY, {"license", "activate", key, "--server", url, "--public-key", public_key}, env);
    EXPECT_EQ(revoked_status, 1);
    EXPECT_NE(revoked_out.find("the licence server refused: revoked"), std::string::npos) << revoked_out;

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(10s), 0) << server.output();

    // The server gone: the client says so.
    auto [down_status, down_out] =
        run_to_end(VTA_BINARY, {"license", "activate", key, "--server", url, "--public-key", public_key}, env);
    EXPECT_EQ(down_status, 1);
    EXPECT_NE(down_out.find("Connection refused"), std::string::npos) << down_out;
}

TEST(LicenceCli, ServeAndActivateOverHttps) {
    vta::test::TempFolder temp;
    const auto env = temp.xdg_env();
    const auto vendor = temp.path() / "vendor";
    const auto db = (vendor / "licences.sqlite3").string();
    const auto tls = vta::test::make_test_certificates(temp.path() / "tls", "CLI test CA");
    ASSERT_EQ(run_to_end(VTA_BINARY, {"license", "keygen", "--out", vendor.string()}, env).first, 0);
    const auto public_key = (vendor / "public.pem").string();
    auto [issue_status, key_out] =
        run_to_end(VTA_BINARY,
                   {"license", "issue", "--db", db, "--licensee", "Court 1", "--features", "ivr", "--days", "30"}, env);
    ASSERT_EQ(issue_status, 0) << key_out;
    std::smatch found;
    ASSERT_TRUE(std::regex_search(key_out, found, std::regex("VTA(-[A-Z0-9]{5}){4}"))) << key_out;
    const std::string key = found.str();

    ChildProcess server(
        VTA_BINARY,
        {"license", "serve", "--db", db, "--key", (vendor / "private.pem").string(), "--bind", "127.0.0.1", "--port",
         "0", "--tls-cert", tls.server_chain.string(), "--tls-key", tls.server_key.string()},
        env, temp.path() / "serve.log");
    const auto served = vta::test::wait_for_output(server, "listening on (https://127\\.0\\.0\\.1:[0-9]+)", 10s);
    ASSERT_TRUE(served) << server.output();
    const std::string url = *served;

    // Without the CA the system's CAs are asked, and none of them signed the test CA.
    auto [untrusted_status, untrusted_out] =
        run_to_end(VTA_BINARY, {"license", "activate", key, "--server", url, "--public-key", public_key}, env);
    EXPECT_EQ(untrusted_status, 1);
    EXPECT_NE(untrusted_out.find("certificate was refused"), std::string::npos) << untrusted_out;

    auto [activate_status, activate_out] = run_to_end(
        VTA_BINARY, {"license", "activate", key, "--server", url, "--ca", tls.ca.string(), "--public-key", public_key},
        env);
    ASSERT_EQ(activate_status, 0) << activate_out;
    const auto status =
        json::parse(run_to_end(VTA_BINARY, {"license", "status", "--json", "--public-key", public_key}, env).second);
    EXPECT_EQ(status["state"], "valid") << status;
    EXPECT_EQ(status["licensee"], "Court 1");

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(10s), 0) << server.output();

    // A key file that is not the certificate's: the server says which file and does not start.
    const auto other = vta::test::make_test_certificates(temp.path() / "other", "another CA");
    auto [mismatch_status, mismatch_out] =
        run_to_end(VTA_BINARY,
                   {"license", "serve", "--db", db, "--key", (vendor / "private.pem").string(), "--port", "0",
                    "--tls-cert", tls.server_chain.string(), "--tls-key", other.server_key.string()},
                   env);
    EXPECT_EQ(mismatch_status, 1);
    EXPECT_NE(mismatch_out.find(other.server_key.string()), std::string::npos) << mismatch_out;
}

TEST(LicenceCli, UsageErrorsSayWhatIsMissing) {
    vta::test::TempFolder temp;
    const auto env = temp.xdg_env();
    EXPECT_EQ(run_to_end(VTA_BINARY, {"license"}, env).first, 2);
    auto [status, out] = run_to_end(VTA_BINARY, {"license", "serve", "--db", (temp.path() / "x").string()}, env);
    EXPECT_EQ(status, 2);
    EXPECT_NE(out.find("--key PRIVATE.pem is required"), std::string::npos) << out;
    auto [tls_status, tls_out] = run_to_end(VTA_BINARY,
                                            {"license", "serve", "--db", (temp.path() / "x").string(), "--key",
                                             (temp.path() / "k").string(), "--tls-cert", "chain.pem"},
                                            env);
    EXPECT_EQ(tls_status, 2);
    EXPECT_NE(tls_out.find("--tls-cert needs --tls-key"), std::string::npos) << tls_out;
    auto [issue_status, issue_out] = run_to_end(VTA_BINARY,
                                                {"license", "issue", "--db", (temp.path() / "x").string(), "--licensee",
                                                 "A", "--features", "bad=x", "--days", "3"},
                                                env);
    EXPECT_EQ(issue_status, 1);
    EXPECT_NE(issue_out.find("bad=x"), std::string::npos) << issue_out;
}

}  // namespace
