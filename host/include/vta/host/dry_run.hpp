// `vta run --dry-run CAPTURE`: a capture replayed through the host's own ingest path (decoder, match tracker,
// match ids) into the workflows on a virtual clock, with a sink that stores nothing and recorders standing in for
// OBS, mpv and the store. Events carry the same match ids as a live host's.
#pragma once

#include <filesystem>
#include <ostream>

#include "vta/bindings/tools.hpp"

namespace vta::host {

// Prints each action to `out` as it happens; a capture that cannot be read is an error naming file and line.
bindings::DryRunReport dry_run(const std::filesystem::path& capture, const bindings::DryRunOptions& options,
                               std::ostream& out);

}  // namespace vta::host
