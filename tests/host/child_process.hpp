// Starts `vta` sub-commands as real child processes for the integration tests: their own XDG
// folders, output captured to files, waits on conditions with deadlines (never fixed sleeps).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vta::test {

class ChildProcess {
public:
    // Runs `program args...` with `env` added to the environment; stdout and stderr go to `output`.
    ChildProcess(const std::string& program, const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, const std::filesystem::path& output);
    ~ChildProcess();  // SIGKILLs a child still running

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // Waits for the exit; returns the exit status (again on later calls), or nothing if still running at the
    // deadline.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    std::string output() const;

private:
    pid_t pid_ = -1;
    std::filesystem::path output_;
    std::optional<int> status_;  // once reaped
};

// Runs to completion and returns {exit status, stdout+stderr}.
std::pair<int, std::string> run_to_end(const std::string& program, const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& env,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Waits until the child's output matches `pattern` and returns its first group ("listening on (http://[^ ]+)"
// gives the URL), or nothing at the deadline.
std::optional<std::string> wait_for_output(const ChildProcess& child, const std::string& pattern,
                                           std::chrono::milliseconds timeout);

// Timing targets hold for the plain build; under sanitizers (tests/sanitizers/run.sh) the same code runs a few times
// slower, so tests that assert a time multiply it by this.
#ifdef VTA_SANITIZED
inline constexpr int sanitizer_slowdown = 3;
#else
inline constexpr int sanitizer_slowdown = 1;
#endif

// Polls `condition` every few milliseconds until it holds or the deadline passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

std::uint16_t free_udp_port();

// A fresh folder under the build's temp area, removed at destruction (kept when VTA_KEEP_PEERS=1).
class TempFolder {
public:
    TempFolder();
    ~TempFolder();
    const std::filesystem::path& path() const { return path_; }
    std::map<std::string, std::string> xdg_env() const;  // XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME inside it

private:
    std::filesystem::path path_;
};

}  // namespace vta::test
