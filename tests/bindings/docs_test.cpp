// docs/scripting.md and docs/vta.lua must match what the sources' doc comments generate.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "docgen.hpp"

namespace {

const std::filesystem::path source = VTA_SOURCE_DIR;

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(Docs, GeneratedFilesAreUpToDate) {
    auto docs = vta::bindings::docgen::generate(source / "bindings/src");
    EXPECT_EQ(read(source / "docs/scripting.md"), docs.markdown) << "run: cmake --build <build> --target bindings_docs";
    EXPECT_EQ(read(source / "docs/vta.lua"), docs.lua) << "run: cmake --build <build> --target bindings_docs";
}

TEST(Docs, EveryModuleFunctionIsDocumented) {
    auto docs = vta::bindings::docgen::generate(source / "bindings/src");
    for (const char* signature :
         {"### `on(kind, fn) -> id`", "### `timer.after(seconds, fn) -> id`", "### `conn:save_replay() -> {path}`",
          "### `store.tag(tag) -> true | nil, string, string`",
          "### `playback.open(path, options?) -> true | nil, string, string`", "### `util.sleep(seconds) -> true`",
          "### `overlay.show(page, data?) -> true | nil, string, string`", "### `config() -> table`",
          "### `log.info(...)`", "### `require(name) -> any`"})
        EXPECT_NE(docs.markdown.find(signature), std::string::npos) << signature;
    EXPECT_NE(docs.lua.find("function timer.after(seconds, fn) end"), std::string::npos);
    EXPECT_NE(docs.lua.find("function Connection:set_scene(scene) end"), std::string::npos);
    EXPECT_NE(docs.lua.find("---@field rec vta.Connection"), std::string::npos);
}

}  // namespace
