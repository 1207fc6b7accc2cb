#include "process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>

#include "vta_test_peers.hpp"

extern char** environ;

namespace vta::test_peers {

namespace {

class FileActions {
public:
    FileActions() { posix_spawn_file_actions_init(&actions_); }
    ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
    FileActions(const FileActions&) = delete;
    FileActions& operator=(const FileActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }

private:
    posix_spawn_file_actions_t actions_;
};

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

std::uint16_t free_tcp_port() {
    // Ports handed out earlier in this process stay reserved: a peer may not have bound
    // its port yet when the next one is asked for.
    static std::mutex mutex;
    static std::set<std::uint16_t> handed_out;
    std::lock_guard lock(mutex);
    for (int attempt = 0; attempt < 100; ++attempt) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw PeerError(errno_text("socket"));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_ANY);
        socklen_t length = sizeof address;
        bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
        ::close(fd);
        if (!bound) throw PeerError(errno_text("bind to a free port"));
        std::uint16_t port = ntohs(address.sin_port);
        if (handed_out.insert(port).second) return port;
    }
    throw PeerError("no free TCP port found");
}

std::filesystem::path make_scratch_dir(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw PeerError(errno_text(("mkdtemp " + pattern).c_str()));
    return pattern;
}

ScriptRun run_peer_script(const std::string& script, const std::vector<std::string>& args) {
    ScriptRun run;
    auto started = std::chrono::steady_clock::now();
    const std::string path = (std::filesystem::path(VTA_TEST_PEERS_SCRIPTS) / script).string();
    // Through bash, so a checkout that lost the scripts' executable bits still works.
    std::vector<std::string> argv_storage{"/bin/bash", path};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_storage) argv.push_back(arg.data());
    argv.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        run.output = errno_text("pipe2");
        return run;
    }
    FileActions actions;
    posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 2);
    // The peers outlive the script: they must not inherit the test's sockets, or a socket
    // the test closes would stay open inside OBS.
    posix_spawn_file_actions_addclosefrom_np(actions.get(), 3);
    pid_t pid = 0;
    int spawn_error = ::posix_spawn(&pid, "/bin/bash", actions.get(), nullptr, argv.data(), environ);
    ::close(pipe_fds[1]);
    if (spawn_error != 0) {
        ::close(pipe_fds[0]);
        run.output = "cannot run " + path + ": " + std::strerror(spawn_error);
        return run;
    }
    std::array<char, 4096> buffer;
    for (;;) {
        ssize_t n = ::read(pipe_fds[0], buffer.data(), buffer.size());
        if (n > 0) {
            run.output.append(buffer.data(), static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return run;
}

bool process_alive(pid_t pid) {
    if (pid <= 0) return false;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto after_name = line.rfind(") ");
    if (after_name == std::string::npos || after_name + 2 >= line.size()) return false;
    char state = line[after_name + 2];
    return state != 'Z' && state != 'X';
}

bool wait_process_gone(pid_t pid, std::chrono::milliseconds deadline) {
    // Not our child (the script that started it has exited), so waitpid cannot see it; a
    // pidfd becomes readable when the process terminates, child or not.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) return !process_alive(pid);
    pollfd ready{pidfd, POLLIN, 0};
    int polled = 0;
    auto until = std::chrono::steady_clock::now() + deadline;
    do {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        polled = ::poll(&ready, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
    } while (polled < 0 && errno == EINTR);
    ::close(pidfd);
    return polled > 0 || !process_alive(pid);
}

pid_t read_pid_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) return 0;
    return static_cast<pid_t>(pid);
}

void remove_scratch_dir(const std::filesystem::path& dir) {
    const char* keep = std::getenv("VTA_KEEP_PEERS");
    if (keep && std::string(keep) == "1") {
        std::cerr << "vta_test_peers: keeping " << dir << '\n';
        return;
    }
    std::error_code error;
    std::filesystem::remove_all(dir, error);
    if (error) std::cerr << "vta_test_peers: cannot remove " << dir << ": " << error.message() << '\n';
}

}  // namespace vta::test_peers
