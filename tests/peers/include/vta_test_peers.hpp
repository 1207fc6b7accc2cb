#pragma once
// Real peers for integration tests: a headless OBS Studio and an nginx-rtmp ingest, started
// and stopped through the scripts in tests/peers/. A peer that cannot start throws PeerError
// carrying the script's output (with the tail of OBS's log): a test using it fails loudly and
// is never skipped. Each peer lives in its own scratch folder, removed on destruction unless
// the environment sets VTA_KEEP_PEERS=1.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace vta::test_peers {

class PeerError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t free_tcp_port();

// A fresh, empty folder under $TMPDIR (or /tmp) whose name starts with `prefix`.
std::filesystem::path make_scratch_dir(const std::string& prefix);

struct ScriptRun {
    int exit_code = -1;  // the script's exit status; -1 when it could not run or was killed
    std::string output;  // stdout and stderr, interleaved
    std::chrono::milliseconds elapsed{0};
};

// Runs one of the tests/peers scripts (by file name) with arguments; never throws.
ScriptRun run_peer_script(const std::string& script, const std::vector<std::string>& args);

// nginx with the RTMP module on 127.0.0.1, application `live`; OBS publishes with key `vta`.
class RtmpPeer {
public:
    explicit RtmpPeer(std::uint16_t port = 0);  // 0 = a free port; starts at once
    ~RtmpPeer();
    RtmpPeer(const RtmpPeer&) = delete;
    RtmpPeer& operator=(const RtmpPeer&) = delete;

    void start();  // again, on the same port; throws PeerError
    void stop();   // fast shutdown: the publisher's connection drops at once; throws PeerError
    bool running() const { return running_; }

    std::uint16_t port() const { return port_; }
    std::string url() const;  // rtmp://127.0.0.1:P/live
    static constexpr const char* stream_key = "vta";
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    bool running_ = false;
};

// A Mosquitto MQTT broker on 127.0.0.1 (start-mosquitto.sh): anonymous, or secured (TLS with a CA of its own,
// ca_file(), and only the users given); persistence kept by stop(), lost by kill().
class MosquittoPeer {
public:
    struct User {
        std::string name, password;
    };
    explicit MosquittoPeer(std::uint16_t port = 0);  // 0 = a free port; starts at once, throws PeerError
    explicit MosquittoPeer(std::vector<User> secured_users);  // TLS and these users only, on a free port
    ~MosquittoPeer();
    MosquittoPeer(const MosquittoPeer&) = delete;
    MosquittoPeer& operator=(const MosquittoPeer&) = delete;

    void start();  // again, on the same port; throws PeerError
    void stop();   // SIGTERM (retained messages and persistent sessions are saved); throws PeerError
    void kill();   // SIGKILL: a crashed broker
    bool running() const { return running_; }

    std::uint16_t port() const { return port_; }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }  // as config courts.broker takes it
    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path ca_file() const { return dir_ / "ca.pem"; }  // secured: the CA its certificate chains to

private:
    std::filesystem::path dir_;
    std::uint16_t port_;
    std::vector<User> secured_users_;
    bool running_ = false;
};

struct ObsPeerOptions {
    std::string password = "vta-test-password";
    std::uint16_t port = 0;                  // 0 = a free port
    std::string rtmp_url;                    // stream server; empty = rtmp://127.0.0.1:1935/live
    std::filesystem::path record_dir;        // profile's record folder; empty = <dir>/rec
    int fps = 30;                            // frames per second OBS renders (and applies scene switches at)
    std::chrono::seconds ready_timeout{20};  // launch -> authenticated Identify
};

// A headless OBS (private Xvfb, software GL, the tests/peers/obs-headless profile with scenes
// LIVE_SCENE and IVR_SCENE, source IVR_OVERLAY in IVR_SCENE, replay buffer on).
class ObsPeer {
public:
    explicit ObsPeer(ObsPeerOptions options = {});  // starts and waits until ready
    ~ObsPeer();
    ObsPeer(const ObsPeer&) = delete;
    ObsPeer& operator=(const ObsPeer&) = delete;

    // Starts (again) on the same port and HOME, as a restarted machine would; throws PeerError.
    void start();
    // SIGINT and wait: recordings are finalised. Throws PeerError if OBS had to be SIGKILLed.
    void stop();
    // SIGKILL now: a crash, for fault tests. start() afterwards cleans up its Xvfb.
    void kill();
    bool running() const;

    std::uint16_t port() const { return port_; }
    const std::string& password() const { return options_.password; }
    const std::filesystem::path& dir() const { return dir_; }
    std::filesystem::path home() const { return dir_ / "home"; }
    std::filesystem::path record_dir() const;
    std::filesystem::path log_dir() const;  // OBS's own logs, one file per run
    pid_t pid() const;
    // Launch -> first authenticated Identify, for the last start (as measured by start-obs.sh).
    std::chrono::milliseconds ready_time() const { return ready_time_; }

private:
    ObsPeerOptions options_;
    std::filesystem::path dir_;
    std::uint16_t port_;
    std::chrono::milliseconds ready_time_{0};
};

}  // namespace vta::test_peers
