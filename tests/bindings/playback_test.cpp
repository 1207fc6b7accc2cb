// playback over a real mpv (headless: --vo=null --ao=null) through its JSON IPC socket.

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "support.hpp"
#include "vta/bindings/host_backends.hpp"

namespace vta::bindings::testing {
namespace {

// Sends one IPC command on a connection of our own and returns mpv's answer line.
std::string ipc(const std::filesystem::path& socket_path, const std::string& command) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket_path.c_str());
    std::string answer;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        std::string line = command + "\n";
        if (::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
            timeval tv{2, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            char c;
            while (::read(fd, &c, 1) == 1 && c != '\n') answer += c;
        }
    }
    ::close(fd);
    return answer;
}

std::filesystem::path only_socket(const std::filesystem::path& dir) {
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".sock") return e.path();
    return {};
}

using Playback = RuntimeTest;

TEST_F(Playback, OpensAtTheStartSecondAndReportsWhoClosed) {
    ASSERT_TRUE(std::filesystem::exists("/usr/bin/mpv")) << "mpv is not installed: ./setup.sh installs it";
    auto sockets = make_temp_dir("mpv");
    package("viewer", R"lua(
        playback.on_closed(function(ev) log.info("closed by", ev.data.by) end)
        on("open", function() log.info("open", playback.open("av://lavfi:testsrc=duration=120", { start = 30 })) end)
        on("close", function() log.info("close", playback.close()) end)
    )lua");
    auto o = options();
    o.clock = nullptr;
    MpvOptions mpv;
    mpv.mpv_path = "/usr/bin/mpv";
    mpv.extra_args = {"--vo=null", "--ao=null", "--no-terminal"};
    mpv.socket_dir = sockets;
    o.playback = make_mpv_playback(io, mpv);
    start(o);

    fire("open");
    ASSERT_TRUE(run_until(io, [&] { return logged("open true", "viewer"); })) << dump();
    auto socket = only_socket(sockets);
    ASSERT_FALSE(socket.empty());
    auto answer = nlohmann::json::parse(ipc(socket, R"({"command": ["get_property", "time-pos"]})"), nullptr, false);
    ASSERT_TRUE(answer.is_object() && answer.contains("data")) << answer.dump();
    EXPECT_GE(answer["data"].get<double>(), 29.0);

    fire("close");
    ASSERT_TRUE(run_until(io, [&] { return logged("close true", "viewer"); })) << dump();
    ASSERT_TRUE(run_until(io, [&] { return logged("closed by host", "viewer"); })) << dump();

    logs.clear();
    fire("open");
    ASSERT_TRUE(run_until(io, [&] { return logged("open true", "viewer"); })) << dump();
    ipc(only_socket(sockets), R"({"command": ["quit"]})");  // the operator closes the window
    ASSERT_TRUE(run_until(io, [&] { return logged("closed by viewer", "viewer"); })) << dump();
    EXPECT_EQ(status("viewer").failures, 0u);
    std::filesystem::remove_all(sockets);
}

}  // namespace
}  // namespace vta::bindings::testing
