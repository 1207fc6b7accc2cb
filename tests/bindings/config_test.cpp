// manifest.json's config schema: parsing and its errors, the operator's values checked against it,
// and what config() returns.

#include "support.hpp"
#include "vta/bindings/tools.hpp"

namespace vta::bindings::testing {
namespace {

const nlohmann::json rules_schema = nlohmann::json::parse(R"({
  "type": "object",
  "default": {"intro": {"on": "match_loaded", "source": "Intro"}},
  "properties": {
    "break": {"type": "object", "default": {"on": "break_started"}, "doc": "break rule",
              "properties": {"scene": {"type": "string", "default": "BREAK", "label": "Break scene",
                                       "doc": "scene of a break"}}}
  },
  "doc": "rule table"
})");

nlohmann::json schema() {
    return {{"scene", {{"type", "string"}, {"default", "LIVE"}, {"doc", "live scene"}, {"label", "Live scene"}}},
            {"seconds", {{"type", "number"}, {"default", 20}, {"min", 1}, {"max", 60}, {"doc", "clip length"}}},
            {"tries", {{"type", "integer"}, {"default", 3}, {"min", 0}, {"doc", "attempts"}}},
            {"close", {{"type", "boolean"}, {"default", true}, {"doc", "close the viewer"}}},
            {"field",
             {{"type", "string"}, {"default", "long_name"}, {"enum", {"long_name", "short_name"}}, {"doc", "name"}}},
            {"args", {{"type", "array"}, {"default", {"--fs"}}, {"doc", "arguments"}}},
            {"rules", rules_schema}};
}

class Config : public RuntimeTest {
protected:
    Manifest manifest_with(const nlohmann::json& config, std::string& error) {
        auto folder = package("schema", "", {{"config", config}});
        auto m = read_manifest(folder);
        error = m ? "" : m.error().message;
        return m ? *m : Manifest{};
    }
};

TEST_F(Config, SchemaKeepsTheManifestsOrderTypesAndDefaults) {
    auto folder = root / "ordered";
    write_file(folder / "manifest.json", R"({"name": "ordered", "version": "1", "config": {
      "zeta": {"type": "string", "default": "z", "doc": "last by name, first here"},
      "alpha": {"type": "number", "default": 0.5, "min": 0, "doc": "a"}}})");
    auto read = read_manifest(folder);
    ASSERT_TRUE(read) << read.error().message;
    Manifest m = *read;
    std::string error;
    ASSERT_EQ(m.config.size(), 2u);
    EXPECT_EQ(m.config[0].key, "zeta");
    EXPECT_EQ(m.config[1].key, "alpha");
    EXPECT_EQ(m.config[1].type, ConfigType::number);
    EXPECT_EQ(m.config[1].min, 0.0);
    EXPECT_FALSE(m.config[1].max);

    m = manifest_with(schema(), error);
    ASSERT_TRUE(error.empty()) << error;
    ASSERT_EQ(m.config.size(), 7u);
    EXPECT_EQ(m.config[1].key, "close");  // nlohmann::json sorted this schema's keys
    const auto& r = m.config[3];
    EXPECT_EQ(r.key, "rules");
    ASSERT_EQ(r.properties.size(), 1u);
    EXPECT_EQ(r.properties[0].key, "rules.break");
    ASSERT_EQ(r.properties[0].properties.size(), 1u);
    EXPECT_EQ(r.properties[0].properties[0].key, "rules.break.scene");
    EXPECT_EQ(r.properties[0].properties[0].label, "Break scene");
    EXPECT_EQ(r.default_value, nlohmann::json::parse(R"({"intro": {"on": "match_loaded", "source": "Intro"},
                                                         "break": {"on": "break_started", "scene": "BREAK"}})"));
    EXPECT_EQ(m.config[2].choices, (std::vector<nlohmann::json>{"long_name", "short_name"}));
    EXPECT_EQ(config_defaults(m.config)["seconds"], 20);
}

TEST_F(Config, BadSchemasNameTheFileAndTheKey) {
    const std::vector<std::pair<nlohmann::json, std::string>> cases = {
        {{{"scene", "LIVE"}},
         "manifest.json: config.scene: expected a setting {\"type\", \"default\", \"doc\"}, got \"LIVE\""},
        {{{"scene", {{"default", "x"}, {"doc", "d"}}}}, "config.scene: \"type\" must be one of string, number"},
        {{{"scene", {{"type", "text"}, {"default", "x"}, {"doc", "d"}}}}, "config.scene: \"type\" must be one of"},
        {{{"scene", {{"type", "string"}, {"default", "x"}}}}, "config.scene: \"doc\" is required"},
        {{{"scene", {{"type", "string"}, {"doc", "d"}}}}, "config.scene: \"default\" is required"},
        {{{"n", {{"type", "number"}, {"default", "ten"}, {"doc", "d"}}}},
         "config.n: \"default\" does not fit: expected a number, got \"ten\""},
        {{{"n", {{"type", "integer"}, {"default", 2.5}, {"doc", "d"}}}}, "expected a whole number, got 2.5"},
        {{{"n", {{"type", "number"}, {"default", 0}, {"min", 1}, {"doc", "d"}}}},
         "expected a number of at least 1, got 0"},
        {{{"s", {{"type", "string"}, {"default", "a"}, {"min", 1}, {"doc", "d"}}}},
         "config.s: \"min\" must be a number"},
        {{{"b", {{"type", "boolean"}, {"default", true}, {"enum", {true}}, {"doc", "d"}}}},
         "config.b: \"enum\" must be"},
        {{{"s", {{"type", "string"}, {"default", "c"}, {"enum", {"a", "b"}}, {"doc", "d"}}}},
         "expected one of \"a\", \"b\", got \"c\""},
        {{{"s", {{"type", "string"}, {"default", "a"}, {"deflt", "b"}, {"doc", "d"}}}},
         "config.s: unknown attribute \"deflt\""},
        {{{"a.b", {{"type", "string"}, {"default", "a"}, {"doc", "d"}}}}, "config.a.b: a setting's name"},
        {{{"rules",
           {{"type", "object"},
            {"doc", "d"},
            {"properties",
             {{"break", {{"type", "object"}, {"doc", "d"}, {"properties", {{"scene", {{"type", "str"}}}}}}}}}}}},
         "manifest.json: config.rules.break.scene: \"type\" must be one of"},
        {{{"s", {{"type", "string"}, {"default", "a"}, {"properties", nlohmann::json::object()}, {"doc", "d"}}}},
         "config.s: \"properties\" must be an object of settings, on an object setting"},
    };
    for (const auto& [config, message] : cases) {
        std::string error;
        manifest_with(config, error);
        EXPECT_NE(error.find(message), std::string::npos) << "got: " << error << "\nwanted: " << message;
        EXPECT_EQ(error.rfind("manifest.json: config.", 0), 0u) << error;
    }
    // A bad schema keeps the package from loading, with the manifest as the place of the error.
    package("bad", "log.info('never')", {{"config", {{"scene", "LIVE"}}}});
    start();
    ASSERT_EQ(status("bad").state, PackageState::error);
    EXPECT_EQ(status("bad").last_error->file, "manifest.json");
    EXPECT_NE(status("bad").last_error->message.find("config.scene"), std::string::npos);
}

TEST_F(Config, OperatorValuesAreCheckedAgainstTheSchema) {
    std::string error;
    const auto m = manifest_with(schema(), error);
    ASSERT_TRUE(error.empty()) << error;
    const auto check = check_config(
        m.config, nlohmann::json::parse(R"({"scene": 5, "seconds": 90, "tries": 2.0, "close": "yes", "field": "nick",
                                            "args": ["--ontop"], "colour": "red", "rules": {"break": {"scene": 7, "delay": 1},
                                            "intro": null}})"));
    const std::vector<std::string> expected = {
        "config 'close': expected true or false, got \"yes\" (the default true applies)",
        "config 'colour': not a setting of this package (settings: args, close, field, rules, scene, seconds, tries)",
        "config 'field': expected one of \"long_name\", \"short_name\", got \"nick\" (the default \"long_name\" "
        "applies)",
        "config 'rules.break.scene': expected a string, got 7 (the default \"BREAK\" applies)",
        "config 'scene': expected a string, got 5 (the default \"LIVE\" applies)",
        "config 'seconds': expected a number from 1 to 60, got 90 (the default 20 applies)",
    };
    EXPECT_EQ(check.problems, expected);
    EXPECT_EQ(check.values, nlohmann::json::parse(R"({"tries": 2.0, "args": ["--ontop"],
                                                      "rules": {"break": {"delay": 1}, "intro": null}})"));
    EXPECT_EQ(check_config_value(m.config[5], 0), "expected a number from 1 to 60, got 0");
    EXPECT_EQ(check_config_value(m.config[3], nlohmann::json::parse(R"({"break": {"scene": false}})")),
              "'rules.break.scene': expected a string, got false");
    EXPECT_EQ(check_config_value(m.config[6], 4), "");
    EXPECT_EQ(check_config(m.config, nlohmann::json::parse(R"({"scene": null})")).problems,
              std::vector<std::string>{"config 'scene': expected a string, got null (the default \"LIVE\" applies)"});
    EXPECT_EQ(check_config(m.config, "LIVE").problems,
              std::vector<std::string>{"config: expected an object of settings, got \"LIVE\" (the defaults apply)"});
}

TEST_F(Config, ConfigMergesOperatorValuesOverDefaultsAndBadOnesFallBack) {
    package("merge", R"lua(
        local cfg = config()
        local r = cfg.rules
        log.info(cfg.scene, cfg.seconds, cfg.tries, r.intro == nil, r["break"].on, r["break"].scene, r["break"].delay,
                 r.extra.on)
    )lua",
            {{"config", schema()}});
    auto o = options();
    o.packages = {{"merge", {{"config", nlohmann::json::parse(R"({"seconds": "ten", "tries": 7, "rules":
                                {"break": {"scene": "Court 1 break", "delay": 2}, "intro": null, "extra": {"on": "winner"}}})")}}}};
    start(o);
    ASSERT_EQ(status("merge").state, PackageState::running) << dump();
    EXPECT_EQ(messages("merge"), std::vector<std::string>{"LIVE 20 7 true break_started Court 1 break 2 winner"});
    const auto s = status("merge");
    ASSERT_EQ(s.config_problems.size(), 1u);
    EXPECT_EQ(s.config_problems[0],
              "config 'seconds': expected a number from 1 to 60, got \"ten\" (the default 20 applies)");
    EXPECT_TRUE(s.warnings.empty());
    EXPECT_EQ(messages("merge", "warn"), s.config_problems);
}

TEST_F(Config, CheckReportsEachBadOperatorValue) {
    auto folder = package("checked", "local cfg = config()\n", {{"config", schema()}});
    auto report = check_package(folder);
    EXPECT_TRUE(report.ok);
    EXPECT_TRUE(report.problems.empty());
    report = check_package(folder, {{"checked", {{"config", {{"seconds", 0}, {"scene", "Court 1"}, {"colour", 1}}}}}});
    EXPECT_FALSE(report.ok);
    EXPECT_EQ(report.problems,
              (std::vector<std::string>{
                  "config 'colour': not a setting of this package (settings: args, close, field, rules, "
                  "scene, seconds, tries)",
                  "config 'seconds': expected a number from 1 to 60, got 0 (the default 20 applies)"}));
}

}  // namespace
}  // namespace vta::bindings::testing
