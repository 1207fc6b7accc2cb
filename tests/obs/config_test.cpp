// ConnectionConfig parsing and the Connections registry.

#include <gtest/gtest.h>

#include "vta/obs/connections.hpp"

namespace vta::obs {
namespace {

Error parse_error(const std::string& text) {
    auto r = parse_connections(std::string_view(text));
    EXPECT_FALSE(r) << text;
    return r ? Error{} : r.error();
}

TEST(ObsConfig, ParsesAList) {
    auto r = parse_connections(std::string_view(
        R"([{"name":"OBS_REC","role":"rec","host":"127.0.0.1","port":4455,"password":"pw"},
            {"name":"OBS_STR","role":"str","port":4456},
            {"name":"OBS_ALL","role":"both","port":4457,"event_subscriptions":65}])"));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r.value().size(), 3u);
    EXPECT_EQ(r.value()[0].name, "OBS_REC");
    EXPECT_EQ(r.value()[0].role, Role::rec);
    EXPECT_EQ(r.value()[0].password, "pw");
    EXPECT_EQ(r.value()[1].host, "127.0.0.1");
    EXPECT_EQ(r.value()[1].port, 4456);
    EXPECT_EQ(r.value()[1].event_subscriptions, 69u);
    EXPECT_EQ(r.value()[2].event_subscriptions, 65u);
}

TEST(ObsConfig, ErrorsNameTheConnectionAndTheKey) {
    struct Case {
        const char* text;
        std::vector<const char*> expected;
    };
    const Case cases[] = {
        {R"([{"name":"OBS_REC","role":"rec","port":99999}])", {"OBS_REC", "\"port\"", "1..65535"}},
        {R"([{"name":"OBS_REC","role":"recording","port":4455}])", {"OBS_REC", "\"role\"", "\"rec\""}},
        {R"([{"name":"OBS_REC","port":4455}])", {"OBS_REC", "\"role\"", "missing"}},
        {R"([{"name":"OBS_REC","role":"rec"}])", {"OBS_REC", "\"port\"", "missing"}},
        {R"([{"name":"OBS_REC","role":"rec","port":"4455"}])", {"OBS_REC", "\"port\"", "got string"}},
        {R"([{"name":"A","role":"rec","port":1},{"role":"str","port":2}])", {"#1", "\"name\"", "missing"}},
        {R"([{"name":"OBS_REC","role":"rec","port":4455,"pasword":"x"}])", {"OBS_REC", "\"pasword\"", "no such key"}},
        {R"([{"name":"OBS_REC","role":"rec","port":4455,"password":12}])", {"OBS_REC", "\"password\"", "a string"}},
        {R"([{"name":"OBS_REC","role":"rec","port":4455,"password":{"secret":""}}])", {"OBS_REC", "{\"secret\""}},
        {R"([{"name":"OBS_REC","role":"rec","port":4455,"password":{"name":"x"}}])", {"OBS_REC", "{\"secret\""}},
        {R"([{"name":"A","role":"rec","port":1},{"name":"A","role":"str","port":2}])", {"\"A\"", "\"name\"", "unique"}},
        {R"({"name":"A"})", {"array"}},
        {R"([{"name":)", {"not valid JSON"}},
    };
    for (const auto& c : cases) {
        const Error e = parse_error(c.text);
        EXPECT_EQ(e.code, Errc::invalid_config);
        for (const char* part : c.expected) EXPECT_NE(e.message.find(part), std::string::npos) << e.message;
    }
}

TEST(ObsConfig, APasswordMayNameAStoredSecret) {
    auto r = parse_connections(
        std::string_view(R"([{"name":"OBS_REC","role":"rec","port":4455,"password":{"secret":"obs_rec"}}])"));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r.value()[0].password_secret, "obs_rec");
    EXPECT_EQ(r.value()[0].password, "");
}

TEST(ObsConfig, ErrorsNeverEchoValues) {
    const Error e = parse_error(R"([{"name":"OBS_REC","role":"rec","port":4455,"host":"","pw":"hunter2-secret"}])");
    EXPECT_EQ(e.message.find("hunter2-secret"), std::string::npos) << e.message;
    const Error role = parse_error(R"([{"name":"OBS_REC","role":"hunter2-secret","port":4455}])");
    EXPECT_EQ(role.message.find("hunter2-secret"), std::string::npos) << role.message;
}

TEST(ObsConfig, ConnectionsLookupByNameAndRole) {
    boost::asio::io_context io;
    auto configs = parse_connections(std::string_view(
        R"([{"name":"REC","role":"rec","port":4455},{"name":"STR","role":"str","port":4456},
            {"name":"BOTH","role":"both","port":4457}])"));
    ASSERT_TRUE(configs);
    Connections connections(io, configs.value());
    ASSERT_NE(connections.by_name("STR"), nullptr);
    EXPECT_EQ(connections.by_name("STR")->config().port, 4456);
    EXPECT_EQ(connections.by_name("NOPE"), nullptr);
    const auto rec = connections.by_role(Role::rec);
    ASSERT_EQ(rec.size(), 2u);
    EXPECT_EQ(rec[0]->name(), "REC");
    EXPECT_EQ(rec[1]->name(), "BOTH");
    EXPECT_EQ(connections.by_role(Role::both).size(), 1u);
    EXPECT_EQ(connections.all().size(), 3u);
}

}  // namespace
}  // namespace vta::obs
