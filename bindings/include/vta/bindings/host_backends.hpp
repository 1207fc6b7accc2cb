#pragma once
// The real backends the host gives the runtime: its OBS connections, its SQLite store, mpv.

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/bindings/backends.hpp"
#include "vta/obs/connections.hpp"
#include "vta/store/reader.hpp"
#include "vta/store/writer.hpp"

namespace vta::bindings {

// Targets are connection names, or the roles "rec" / "str" (the first connection serving it).
// `connections` must outlive the backend.
std::shared_ptr<ObsBackend> make_obs_backend(obs::Connections& connections);

// Reads through `reader` (its thread); rows, tags and the packages' key/value data go through `writer`
// (may be null: the writes then fail with "unavailable"). Both must outlive the backend, and `reader`
// must be closed before `writer` goes: a pending store.stream_session_opened completes through it.
std::shared_ptr<StoreBackend> make_store_backend(store::Reader& reader, store::Writer* writer);
// The same with a Reader of its own on `database` (which must exist, migrated); when it cannot be
// opened, every read fails with the reason.
std::shared_ptr<StoreBackend> make_store_backend(const std::filesystem::path& database, store::Writer* writer);

struct MpvOptions {
    std::string mpv_path = "mpv";
    std::vector<std::string> extra_args;            // e.g. {"--fs"}, or {"--vo=null", "--ao=null"} in tests
    std::filesystem::path socket_dir = "/tmp";      // where the IPC socket is created
    std::chrono::milliseconds start_timeout{5000};  // for mpv to open its IPC socket
};

// Plays clips in mpv over its JSON IPC (--input-ipc-server, --start=). One viewer at a time: open
// replaces the current clip; closing the window reports playback.closed {by = "viewer"}.
std::shared_ptr<PlaybackBackend> make_mpv_playback(boost::asio::io_context& io, MpvOptions options);

}  // namespace vta::bindings
