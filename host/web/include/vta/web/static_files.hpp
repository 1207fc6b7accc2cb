// Which file a GET for a request target serves: only a regular file inside one of the served folders, never
// anything reached through "..", an encoded separator, a NUL or a symlink that leads out of its folder.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vta/common/result.hpp"

namespace vta::web {

// The path part of a request target, percent-decoded once; nullopt for a malformed escape.
std::optional<std::string> decoded_path(std::string_view target);

// The file for `target` from the first of `roots` that has it ("/" is "/index.html"). Errc::invalid_argument
// (answered 400) for a target that tries to leave the folders, Errc::not_found (404) for a missing file.
vta::Result<std::filesystem::path> resolve_static(const std::vector<std::filesystem::path>& roots,
                                                  std::string_view target);

// "text/html; charset=utf-8", "image/svg+xml", ... by extension; "application/octet-stream" otherwise.
std::string_view content_type_of(const std::filesystem::path& file);

}  // namespace vta::web
