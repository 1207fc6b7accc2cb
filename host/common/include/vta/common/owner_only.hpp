#pragma once
// Files that hold the operator's settings, secrets or record are created readable by their owner only
// (0600, folders 0700), whatever the umask: open() and mkdir() only ever narrow the mode by the umask,
// so each creation is followed by an explicit chmod.

#include <filesystem>
#include <string_view>

#include "vta/common/result.hpp"

namespace vta {

// Creates the missing folders of `folder` with mode 0700; folders that exist are left as they are.
VoidResult create_owner_only_folders(const std::filesystem::path& folder);

// Creates `file` empty with mode 0600 (and its missing folders 0700) when it does not exist yet.
VoidResult create_owner_only_file(const std::filesystem::path& file);

// Replaces `file` with `content`, mode 0600: written beside it, synced, then renamed over it, so a failed
// write leaves the old file whole.
VoidResult write_owner_only_file(const std::filesystem::path& file, std::string_view content);

}  // namespace vta
