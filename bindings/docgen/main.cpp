// vta_docgen SOURCE_DIR OUT_DIR: writes OUT_DIR/scripting.md and OUT_DIR/vta.lua.

#include <fstream>
#include <iostream>

#include "docgen.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: vta_docgen SOURCE_DIR OUT_DIR\n";
        return 2;
    }
    auto docs = vta::bindings::docgen::generate(argv[1]);
    std::filesystem::create_directories(argv[2]);
    std::ofstream(std::filesystem::path(argv[2]) / "scripting.md", std::ios::trunc) << docs.markdown;
    std::ofstream(std::filesystem::path(argv[2]) / "vta.lua", std::ios::trunc) << docs.lua;
    return 0;
}
