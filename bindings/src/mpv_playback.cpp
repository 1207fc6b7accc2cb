// PlaybackBackend over mpv's JSON IPC: mpv is started with --input-ipc-server=<socket> and
// --start=<seconds>; a running viewer gets `loadfile` instead. When mpv's socket closes (the
// operator closed the window, or we sent `quit`) the backend reports playback.closed.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <cstdio>

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "vta/bindings/host_backends.hpp"

extern char** environ;

namespace vta::bindings {

namespace {

using boost::asio::local::stream_protocol;

class MpvPlayback : public PlaybackBackend, public std::enable_shared_from_this<MpvPlayback> {
public:
    MpvPlayback(boost::asio::io_context& io, MpvOptions options) : io_(io), options_(std::move(options)) {}
    ~MpvPlayback() override {
        if (!viewer_ || viewer_->pid <= 0 || viewer_->gone) return;
        kill(viewer_->pid, SIGTERM);
        int status = 0;
        waitpid(viewer_->pid, &status, 0);
    }

    void open(const std::string&, const std::string& path, double start_seconds, ActionDone done) override {
        if (viewer_ && viewer_->connected) {
            char start[32];
            std::snprintf(start, sizeof start, "start=%.3f", start_seconds);
            viewer_->path = path;
            send(*viewer_, {{"command", {"loadfile", path, "replace", start}}});
            settle_open(*viewer_, vta::Error(vta::Errc::cancelled, "replaced by another clip"));
            viewer_->pending_open = std::move(done);
            return;
        }
        if (viewer_) stop_viewer(*viewer_);
        viewer_ = std::make_shared<Viewer>(io_);
        viewer_->path = path;
        static std::atomic<int> counter{0};
        viewer_->socket_path =
            (options_.socket_dir / ("vta-mpv-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".sock"))
                .string();
        char start[48];
        std::snprintf(start, sizeof start, "--start=%.3f", start_seconds);
        // The clip holds its last frame until the operator closes the viewer (a review is not over when the
        // clip ends); mpv's console output stays out of the host's log.
        std::vector<std::string> args = {options_.mpv_path,
                                         "--input-ipc-server=" + viewer_->socket_path,
                                         start,
                                         "--force-window=yes",
                                         "--keep-open=yes",
                                         "--terminal=no"};
        args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
        args.push_back("--");
        args.push_back(path);
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        // Only stdin/stdout/stderr go to mpv: Asio's sockets are not close-on-exec, and a viewer holding the UDP
        // port, the overlay server's or an OBS connection would outlive the host with them.
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addclosefrom_np(&actions, 3);
        int rc = posix_spawnp(&viewer_->pid, options_.mpv_path.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) {
            viewer_.reset();
            done(vta::Error(vta::Errc::spawn_failed, "cannot start " + options_.mpv_path + ": " + std::strerror(rc)));
            return;
        }
        viewer_->deadline = std::chrono::steady_clock::now() + options_.start_timeout;
        connect(viewer_, std::move(done));
    }

    void close(const std::string&, ActionDone done) override {
        if (!viewer_) {
            done(JsonResult(nullptr));
            return;
        }
        viewer_->closed_by_host = true;
        viewer_->on_exit = std::move(done);
        if (viewer_->connected)
            send(*viewer_, {{"command", {"quit"}}});
        else
            stop_viewer(*viewer_);
    }

    void set_event_sink(HostEventSink sink) override { sink_ = std::move(sink); }

private:
    struct Viewer {
        explicit Viewer(boost::asio::io_context& io) : socket(io), timer(io) {}
        pid_t pid = -1;
        std::string path, socket_path;
        stream_protocol::socket socket;
        boost::asio::steady_timer timer;
        boost::asio::streambuf input;
        std::chrono::steady_clock::time_point deadline;
        bool connected = false;
        bool closed_by_host = false;
        bool gone = false;
        ActionDone on_exit;
        ActionDone pending_open;  // open() waiting for playback-restart
    };

    void connect(std::shared_ptr<Viewer> viewer, ActionDone done) {
        std::weak_ptr<MpvPlayback> weak = weak_from_this();
        viewer->socket.async_connect(
            stream_protocol::endpoint(viewer->socket_path),
            [weak, viewer, done = std::move(done)](boost::system::error_code ec) mutable {
                auto self = weak.lock();
                if (!self || viewer->gone) return done(vta::Error(vta::Errc::closed, "the viewer went away"));
                if (!ec) {
                    viewer->connected = true;
                    viewer->pending_open = std::move(done);
                    self->read(viewer);
                    return;
                }
                int status = 0;
                if (std::chrono::steady_clock::now() > viewer->deadline ||
                    waitpid(viewer->pid, &status, WNOHANG) == viewer->pid) {
                    if (viewer->pid > 0 && waitpid(viewer->pid, &status, WNOHANG) == 0) kill(viewer->pid, SIGTERM);
                    viewer->gone = true;
                    if (self->viewer_ == viewer) self->viewer_.reset();
                    return done(vta::Error(vta::Errc::timeout, "mpv did not open its IPC socket"));
                }
                boost::system::error_code ignored;
                viewer->socket.close(ignored);
                viewer->timer.expires_after(std::chrono::milliseconds(50));
                viewer->timer.async_wait([weak, viewer, done = std::move(done)](boost::system::error_code) mutable {
                    if (auto s = weak.lock()) s->connect(viewer, std::move(done));
                });
            });
    }

    void read(std::shared_ptr<Viewer> viewer) {
        std::weak_ptr<MpvPlayback> weak = weak_from_this();
        boost::asio::async_read_until(viewer->socket, viewer->input, '\n',
                                      [weak, viewer](boost::system::error_code ec, std::size_t n) {
                                          auto self = weak.lock();
                                          if (!self) return;
                                          if (ec) return self->viewer_exited(viewer);
                                          std::string line(boost::asio::buffers_begin(viewer->input.data()),
                                                           boost::asio::buffers_begin(viewer->input.data()) + n);
                                          viewer->input.consume(n);
                                          self->on_message(*viewer, nlohmann::json::parse(line, nullptr, false));
                                          self->read(viewer);
                                      });
    }

    // The clip is playing once mpv reports playback-restart (after the initial seek to --start);
    // an end-file with an error before that means it could not be opened.
    void on_message(Viewer& viewer, const nlohmann::json& message) {
        if (!message.is_object() || !message.contains("event")) return;
        const std::string event = message.value("event", "");
        if (event == "playback-restart") settle_open(viewer, JsonResult(nullptr));
        if (event == "end-file" && message.value("reason", "") == "error")
            settle_open(viewer, vta::Error(vta::Errc::open_failed, "mpv could not play " + viewer.path + ": " +
                                                                       message.value("file_error", "error")));
    }

    static void settle_open(Viewer& viewer, JsonResult result) {
        if (!viewer.pending_open) return;
        auto done = std::move(viewer.pending_open);
        viewer.pending_open = nullptr;
        done(std::move(result));
    }

    void viewer_exited(const std::shared_ptr<Viewer>& viewer) {
        if (viewer->gone) return;
        viewer->gone = true;
        reap(viewer->pid);
        ::unlink(viewer->socket_path.c_str());
        if (viewer_ == viewer) viewer_.reset();
        if (sink_)
            sink_("playback.closed", {{"path", viewer->path}, {"by", viewer->closed_by_host ? "host" : "viewer"}});
        settle_open(*viewer, vta::Error(vta::Errc::closed, "the viewer closed before playing"));
        if (viewer->on_exit) viewer->on_exit(JsonResult(nullptr));
    }

    void send(Viewer& viewer, const nlohmann::json& command) {
        auto text = std::make_shared<std::string>(command.dump() + "\n");
        boost::asio::async_write(viewer.socket, boost::asio::buffer(*text),
                                 [text](boost::system::error_code, std::size_t) {});
    }

    void stop_viewer(Viewer& viewer) {
        if (viewer.pid > 0 && !viewer.gone) kill(viewer.pid, SIGTERM);
        boost::system::error_code ignored;
        viewer.socket.close(ignored);
        viewer.timer.cancel();
        if (!viewer.connected) {
            viewer.gone = true;
            reap(viewer.pid);
            if (viewer.on_exit) viewer.on_exit(JsonResult(nullptr));
        }
    }

    // mpv exits right after its socket closes: poll for its exit from the loop so no zombie stays
    // behind, and kill it if it lingers for two seconds.
    void reap(pid_t pid, int attempts = 100) {
        if (pid <= 0) return;
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) != 0) return;
        if (attempts == 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return;
        }
        auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(20));
        std::weak_ptr<MpvPlayback> weak = weak_from_this();
        timer->async_wait([weak, timer, pid, attempts](boost::system::error_code) {
            if (auto self = weak.lock()) {
                self->reap(pid, attempts - 1);
            } else {
                int status = 0;
                if (waitpid(pid, &status, WNOHANG) == 0) kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
        });
    }

    boost::asio::io_context& io_;
    MpvOptions options_;
    HostEventSink sink_;
    std::shared_ptr<Viewer> viewer_;
};

}  // namespace

std::shared_ptr<PlaybackBackend> make_mpv_playback(boost::asio::io_context& io, MpvOptions options) {
    return std::make_shared<MpvPlayback>(io, std::move(options));
}

}  // namespace vta::bindings
