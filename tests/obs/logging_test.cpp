// A password never reaches a log line or an error message.

#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "test_support.hpp"

namespace vta::obs::testing {
namespace {

constexpr const char* password = "Pa55-w0rd-that-must-not-leak";

TEST(ObsLogging, PasswordNeverAppearsInLogsOrErrors) {
    std::ostringstream captured;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
    auto logger = std::make_shared<spdlog::logger>("obs-capture", sink);
    logger->set_level(spdlog::level::trace);
    const auto previous_default = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    std::vector<std::string> messages;

    ClientOptions options = test_options();
    options.logger = logger;
    {
        // Right password, a drop and a reconnect, a failing request.
        Rig rig(FakeObsOptions{.password = password}, options, password);
        ASSERT_TRUE(rig.connect());
        auto failed = await<Json>(rig.io, [&](auto h) { rig.client->request("Nope", {{"x", 1}}, h); });
        messages.push_back(failed.error().message);
        auto dropped = await<Json>(rig.io, [&](auto h) { rig.client->request("Test.Close", {{"code", 1006}}, h); });
        messages.push_back(dropped.error().message);
        ASSERT_TRUE(run_until(rig.io, [&] { return rig.server.version_requests() == 2; }));
        messages.push_back(rig.client->status().connection.reason);
    }
    {
        // Wrong password: the server knows `password`, the client sends another secret.
        Rig rig(FakeObsOptions{.password = "other-secret"}, options, password);
        rig.client->start();
        ASSERT_TRUE(run_until(rig.io, [&] { return rig.client->state() == State::failed; }));
        messages.push_back(rig.client->status().connection.reason);
    }
    const std::string config =
        std::string(R"([{"name":"OBS_REC","role":"rec","port":"x","password":")") + password + R"("}])";
    auto parsed = parse_connections(std::string_view(config));
    ASSERT_FALSE(parsed);
    messages.push_back(parsed.error().message);

    spdlog::set_default_logger(previous_default);
    const std::string text = captured.str();
    EXPECT_NE(text.find("wrong password"), std::string::npos) << "the capture works";
    EXPECT_EQ(text.find(password), std::string::npos) << text;
    for (const auto& m : messages) EXPECT_EQ(m.find(password), std::string::npos) << m;
}

}  // namespace
}  // namespace vta::obs::testing
