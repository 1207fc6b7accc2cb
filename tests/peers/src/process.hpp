#pragma once
// Process helpers shared by the peer classes.

#include <sys/types.h>

#include <chrono>
#include <filesystem>

namespace vta::test_peers {

// True while `pid` exists and is not a zombie (an orphaned peer may stay a zombie when
// nothing reaps it; it must not count as running).
bool process_alive(pid_t pid);

// Waits until process_alive(pid) is false; false when the deadline passed first.
bool wait_process_gone(pid_t pid, std::chrono::milliseconds deadline);

// The first line of a pid file as a pid; 0 when missing or malformed.
pid_t read_pid_file(const std::filesystem::path& file);

// Removes a peer's scratch folder unless VTA_KEEP_PEERS=1; reports failures on stderr.
void remove_scratch_dir(const std::filesystem::path& dir);

}  // namespace vta::test_peers
