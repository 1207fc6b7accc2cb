#pragma once
// The scripting reference and the LuaLS annotation file, both generated from the doc comments of
// the bindings sources, so the two never drift from the code. Comment format:
//   //! @module NAME              starts a module; the following //! lines describe it
//   //! @field PATH TYPE          a field of a module (e.g. obs.rec conn)
//   //! @lua SIGNATURE            a function, e.g. `timer.after(seconds, fn) -> id`,
//                                 `conn:set_scene(scene) -> true`, `load(chunk, name?) -> function | nil, string`
//   //! text...                   describes the item above it

#include <filesystem>
#include <string>
#include <vector>

namespace vta::bindings::docgen {

struct Docs {
    std::string markdown;  // docs/scripting.md
    std::string lua;       // docs/vta.lua
};

// Reads every *.cpp in `source_dir` (in name order) and renders both files.
Docs generate(const std::filesystem::path& source_dir);

}  // namespace vta::bindings::docgen
