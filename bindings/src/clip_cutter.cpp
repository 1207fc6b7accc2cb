#include "clip_cutter.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

extern char** environ;

namespace vta::bindings {

namespace {

namespace net = boost::asio;

std::string seconds_text(double s) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", s);
    return text;
}

// The last line ffmpeg wrote, which says why it failed.
std::string last_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    const auto cut = text.find_last_of('\n');
    return cut == std::string::npos ? text : text.substr(cut + 1);
}

struct Cut : std::enable_shared_from_this<Cut> {
    Cut(net::io_context& io, int fd, pid_t pid, ClipCut request, ActionDone done)
        : output(io, fd), deadline(io), reap_timer(io), pid(pid), request(std::move(request)), done(std::move(done)) {}

    void start() {
        deadline.expires_after(request.timeout);
        deadline.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->finished) return;
            self->timed_out = true;
            ::kill(self->pid, SIGKILL);
        });
        read();
    }

    void read() {
        output.async_read_some(net::buffer(chunk),
                               [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                   self->said.append(self->chunk.data(), n);
                                   if (self->said.size() > 4096) self->said.erase(0, self->said.size() - 4096);
                                   if (!ec) return self->read();
                                   self->reap();  // EOF: ffmpeg is exiting
                               });
    }

    // ffmpeg closed its stderr on exit; its status follows within moments.
    void reap() {
        int status = 0;
        const pid_t got = ::waitpid(pid, &status, WNOHANG);
        if (got == 0) {
            reap_timer.expires_after(std::chrono::milliseconds(5));
            reap_timer.async_wait([self = shared_from_this()](const boost::system::error_code&) { self->reap(); });
            return;
        }
        finished = true;
        deadline.cancel();
        if (timed_out)
            return done(vta::Error(vta::Errc::timeout, "ffmpeg did not finish cutting the clip within " +
                                                           std::to_string(request.timeout.count() / 1000) + " s"));
        if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(request.target))
            return done(
                vta::Error(vta::Errc::cut_failed, "ffmpeg could not cut " + request.source + ": " + last_line(said)));
        done(JsonResult({{"path", request.target}, {"from", request.from_seconds}, {"seconds", request.seconds}}));
    }

    net::posix::stream_descriptor output;
    net::steady_timer deadline;
    net::steady_timer reap_timer;
    pid_t pid;
    ClipCut request;
    ActionDone done;
    std::array<char, 1024> chunk{};
    std::string said;
    bool finished = false;
    bool timed_out = false;
};

}  // namespace

void cut_clip(net::io_context& io, ClipCut cut, ActionDone done) {
    std::vector<std::string> args = {cut.ffmpeg, "-nostdin", "-hide_banner", "-loglevel",
                                     "error",    "-y",       "-ss",          seconds_text(cut.from_seconds),
                                     "-i",       cut.source, "-t",           seconds_text(cut.seconds),
                                     "-c",       "copy",     cut.target};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return done(vta::Error(vta::Errc::cut_failed, std::string("cannot create a pipe: ") + std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    // Nothing else of the host's (Asio's sockets are not close-on-exec).
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, cut.ffmpeg.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (rc != 0) {
        ::close(pipe_fds[0]);
        return done(vta::Error(vta::Errc::spawn_failed, "cannot start " + cut.ffmpeg + ": " + std::strerror(rc)));
    }
    std::make_shared<Cut>(io, pipe_fds[0], pid, std::move(cut), std::move(done))->start();
}

}  // namespace vta::bindings
