// resolve_static: what a request target may reach. Only regular files inside the served folders; everything that
// tries to leave them is refused with the reason, whatever the encoding.
#include <fstream>

#include <gtest/gtest.h>

#include "vta/web/static_files.hpp"

namespace vta::web {
namespace {

namespace fs = std::filesystem;

class StaticFiles : public ::testing::Test {
protected:
    void SetUp() override {
        base_ = fs::temp_directory_path() / ("vta-static-" + std::to_string(::getpid()));
        fs::remove_all(base_);
        fs::create_directories(shipped() / "themes");
        fs::create_directories(mine());
        fs::create_directories(base_ / "secret");
        write(shipped() / "index.html", "shipped index");
        write(shipped() / "scoreboard.html", "shipped scoreboard");
        write(shipped() / "themes" / "dark.css", "dark");
        write(shipped() / "name with space.css", "spaced");
        write(mine() / "scoreboard.html", "my scoreboard");
        write(base_ / "secret" / "key.txt", "secret");
        fs::create_symlink(base_ / "secret" / "key.txt", shipped() / "leak.txt");
        fs::create_symlink(base_ / "secret", shipped() / "secret-dir");
        fs::create_symlink(shipped() / "themes" / "dark.css", shipped() / "inside.css");
    }
    void TearDown() override { fs::remove_all(base_); }

    static void write(const fs::path& file, const std::string& text) { std::ofstream(file) << text; }
    fs::path shipped() const { return base_ / "shipped"; }
    fs::path mine() const { return base_ / "mine"; }
    std::vector<fs::path> roots() const { return {mine(), shipped()}; }

    Errc refused(std::string_view target) {
        auto r = resolve_static(roots(), target);
        EXPECT_FALSE(r.ok()) << target << " served " << (r.ok() ? r->string() : "");
        return r.ok() ? Errc::io : r.error().code;
    }

    fs::path base_;
};

TEST_F(StaticFiles, TheOperatorsFolderWinsPerFile) {
    EXPECT_EQ(resolve_static(roots(), "/scoreboard.html").value(), fs::canonical(mine() / "scoreboard.html"));
    EXPECT_EQ(resolve_static(roots(), "/themes/dark.css?v=2#x").value(),
              fs::canonical(shipped() / "themes" / "dark.css"));
    EXPECT_EQ(resolve_static(roots(), "/").value(), fs::canonical(shipped() / "index.html"));
    EXPECT_EQ(resolve_static(roots(), "/name%20with%20space.css").value(),
              fs::canonical(shipped() / "name with space.css"));
    EXPECT_EQ(resolve_static(roots(), "/./themes//dark.css").value(), fs::canonical(shipped() / "themes/dark.css"));
    EXPECT_TRUE(resolve_static(roots(), "/inside.css").ok()) << "a symlink that stays inside is fine";
}

TEST_F(StaticFiles, MissingFilesAndFoldersAreNotFound) {
    EXPECT_EQ(refused("/nothing.html"), Errc::not_found);
    EXPECT_EQ(refused("/themes"), Errc::not_found) << "a folder is not a file";
    EXPECT_EQ(refused("/themes/"), Errc::not_found) << "no index.html there";
}

TEST_F(StaticFiles, EveryWayOutIsRefused) {
    for (const char* target :
         {"/../secret/key.txt", "/themes/../../secret/key.txt", "/%2e%2e/secret/key.txt", "/%2E%2E%2Fsecret%2Fkey.txt",
          "/..%2fsecret/key.txt", "/themes/%2e%2e/%2e%2e/secret/key.txt", "/..", "/themes/..", "/..\\secret\\key.txt",
          "/%5c..%5csecret", "/scoreboard.html%00.css", "/leak.txt", "/secret-dir/key.txt", "scoreboard.html", "",
          "/%zz", "/%2", "/%"})
        EXPECT_EQ(refused(target), Errc::invalid_argument) << target;
    EXPECT_EQ(refused("/%252e%252e/secret/key.txt"), Errc::not_found) << "decoded once: a literal %2e%2e folder";
}

TEST(ContentType, ByExtension) {
    EXPECT_EQ(content_type_of("a/scoreboard.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_of("de.svg"), "image/svg+xml");
    EXPECT_EQ(content_type_of("vta-feed.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_of("blob"), "application/octet-stream");
}

}  // namespace
}  // namespace vta::web
