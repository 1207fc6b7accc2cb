#include "child_process.hpp"

#include <regex>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

namespace vta::test {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env, const std::filesystem::path& output)
    : output_(output) {
    // Everything that allocates is done before fork(): the test is threaded, and a child that allocated could
    // hang on a lock another thread held at the fork (under ThreadSanitizer a `vta audit` child once never ended).
    std::vector<std::string> environment;
    for (char** entry = environ; *entry; ++entry) {
        const std::string_view variable(*entry);
        if (!env.count(std::string(variable.substr(0, variable.find('='))))) environment.emplace_back(variable);
    }
    for (const auto& [name, value] : env) environment.push_back(name + "=" + value);
    std::vector<char*> argv{const_cast<char*>(program.c_str())}, envp;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (auto& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = fork();
    if (pid_ == 0) {  // async-signal-safe calls only
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        // Only stdin/stdout/stderr: a socket of the test's (a TcpLink's, say) held by a child would outlive its close.
        close_range(3, ~0U, 0);
        execve(program.c_str(), argv.data(), envp.data());
        _exit(127);
    }
    close(fd);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
}

void ChildProcess::signal(int sig) const { kill(pid_, sig); }

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    wait_until(
        [&] {
            int raw = 0;
            if (waitpid(pid_, &raw, WNOHANG) != pid_) return false;
            status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
            return true;
        },
        timeout);
    return status_;
}

std::string ChildProcess::output() const {
    std::ifstream in(output_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::pair<int, std::string> run_to_end(const std::string& program, const std::vector<std::string>& args,
                                       const std::map<std::string, std::string>& env,
                                       std::chrono::milliseconds timeout) {
    char name[] = "/tmp/vta-test-output-XXXXXX";
    const int fd = mkstemp(name);
    close(fd);
    ChildProcess child(program, args, env, name);
    const auto status = child.wait(timeout);
    std::string output = child.output();
    std::filesystem::remove(name);
    return {status.value_or(-1), output};
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::optional<std::string> wait_for_output(const ChildProcess& child, const std::string& pattern,
                                           std::chrono::milliseconds timeout) {
    const std::regex expression(pattern);
    std::optional<std::string> found;
    wait_until(
        [&] {
            std::smatch match;
            const std::string output = child.output();
            if (!std::regex_search(output, match, expression)) return false;
            found = match[1].str();
            return true;
        },
        timeout);
    return found;
}

std::uint16_t free_udp_port() {
    boost::asio::io_context io;
    boost::asio::ip::udp::socket socket(io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v4(), 0));
    return socket.local_endpoint().port();
}

TempFolder::TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vta-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
}

TempFolder::~TempFolder() {
    // Same switch as the peers' folders: keep everything for a post-mortem.
    if (const char* keep = std::getenv("VTA_KEEP_PEERS"); keep && std::string(keep) == "1") {
        std::fprintf(stderr, "kept %s\n", path_.c_str());
        return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::map<std::string, std::string> TempFolder::xdg_env() const {
    return {{"XDG_CONFIG_HOME", (path_ / "config").string()},
            {"XDG_DATA_HOME", (path_ / "data").string()},
            {"XDG_STATE_HOME", (path_ / "state").string()}};
}

}  // namespace vta::test
