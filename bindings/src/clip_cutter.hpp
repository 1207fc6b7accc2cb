#pragma once
// Cuts a stretch of a media file into a file of its own with ffmpeg (stream copy, no re-encoding):
// the review clip of last resort, taken from the running recording when the replay buffer has none.
// ffmpeg runs as a child process; the io thread never waits for it: its exit is noticed when its
// stderr pipe closes, and `done` then runs on the io_context with {path} or the error and ffmpeg's
// last words.

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>

#include "vta/bindings/backends.hpp"

namespace vta::bindings {

struct ClipCut {
    std::string source;  // a recording, possibly still being written
    std::string target;  // the clip to write (replaced when it exists)
    double from_seconds = 0;
    double seconds = 0;
    std::string ffmpeg = "ffmpeg";
    std::chrono::milliseconds timeout{30000};
};

void cut_clip(boost::asio::io_context& io, ClipCut cut, ActionDone done);

}  // namespace vta::bindings
