// The shipped NOC table against Debian's iso-flags-svg: the codes that differ from ISO, neutral teams, every NOC
// of the captures, and what an unknown or malformed code gets.
#include <fstream>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "vta/flags/noc_table.hpp"

namespace vta::flags {
namespace {

namespace fs = std::filesystem;

NocTable shipped() { return NocTable::load(VTA_NOC_TABLE).value(); }

TEST(NocTable, TheCodesThatDifferFromIsoGetTheirCountrysFlag) {
    const NocTable table = shipped();
    EXPECT_GT(table.size(), 200u);
    for (const auto& [noc, iso] : std::vector<std::pair<std::string, std::string>>{{"IRI", "ir"},
                                                                                   {"GER", "de"},
                                                                                   {"SUI", "ch"},
                                                                                   {"NED", "nl"},
                                                                                   {"RSA", "za"},
                                                                                   {"KSA", "sa"},
                                                                                   {"PUR", "pr"},
                                                                                   {"TPE", "tw"},
                                                                                   {"KOR", "kr"},
                                                                                   {"GBR", "gb"},
                                                                                   {"CRO", "hr"},
                                                                                   {"DEN", "dk"}}) {
        ASSERT_NE(table.find(noc), nullptr) << noc;
        EXPECT_EQ(table.find(noc)->iso, iso) << noc;
        EXPECT_EQ(table.flag_file(noc), debian_flags_folder / (iso + ".svg")) << noc;
        EXPECT_TRUE(fs::is_regular_file(table.flag_file(noc))) << noc << ": is iso-flags-svg installed?";
    }
    EXPECT_EQ(table.find("TPE")->name, "Chinese Taipei");
    EXPECT_EQ(table.find("kor")->name, table.find("KOR")->name) << "codes are matched without case";
}

TEST(NocTable, NeutralTeamsAndUnknownCodesGetTheNeutralFlag) {
    const NocTable table = shipped();
    for (const char* neutral : {"AIN", "EOR"}) {
        ASSERT_NE(table.find(neutral), nullptr) << neutral;
        EXPECT_NE(table.flag_file(neutral), table.flag_file("KOR"));
        EXPECT_TRUE(fs::is_regular_file(table.flag_file(neutral))) << neutral;
    }
    EXPECT_EQ(table.flag_file("AIN"), table.neutral_flag());
    EXPECT_EQ(table.flag_file("ZZZ"), table.neutral_flag());
    EXPECT_EQ(table.flag_file("<script>alert(1)</script>"), table.neutral_flag());
    EXPECT_EQ(table.flag_file(""), table.neutral_flag());
    EXPECT_TRUE(fs::is_regular_file(table.neutral_flag()));
    ASSERT_NE(table.find("KOS"), nullptr);
    EXPECT_TRUE(fs::is_regular_file(table.flag_file("KOS")))
        << "Kosovo: its flag, or neutral where the package lacks it";
}

TEST(NocTable, EveryNocOfTheCapturesIsKnown) {
    const NocTable table = shipped();
    const std::regex athletes("at1;[^;]*;[^;]*;([^;]*);at2;[^;]*;[^;]*;([^;]*)");
    std::set<std::string> seen;
    for (const auto& name : {"day-3-matches.jsonl", "day-12-matches.jsonl"}) {
        std::ifstream in(fs::path(VTA_CAPTURES) / name);
        for (std::string line; std::getline(in, line);)
            if (std::smatch m; std::regex_search(line, m, athletes)) seen.insert({m[1].str(), m[2].str()});
    }
    EXPECT_GE(seen.size(), 10u);
    for (const auto& noc : seen) EXPECT_NE(table.find(noc), nullptr) << noc;
}

TEST(NocTable, AMalformedTableNamesTheEntry) {
    const fs::path file = fs::temp_directory_path() / ("vta-noc-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << R"({"KOR": {"iso": "kr", "name": "Korea"}, "germany": {"iso": "de", "name": "Germany"}})";
    auto bad = NocTable::load(file);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("\"germany\" is not a 3-letter upper-case NOC code"), std::string::npos)
        << bad.error().message;
    std::ofstream(file) << R"({"KOR": {"iso": "../../etc/passwd", "name": "Korea"}})";
    bad = NocTable::load(file);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("\"KOR\""), std::string::npos) << bad.error().message;
    std::ofstream(file) << "[1, 2]";
    EXPECT_FALSE(NocTable::load(file).ok());
    EXPECT_EQ(NocTable::load("/nonexistent/noc.json").error().code, Errc::not_found);
    fs::remove(file);
}

}  // namespace
}  // namespace vta::flags
