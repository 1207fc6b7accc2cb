#pragma once
// A real headless Chromium for tests, driven over the Chrome DevTools Protocol (CDP). One
// ChromiumPeer (a browser with a fresh profile in its own scratch folder) is meant to serve
// every test of a test binary: ChromiumPeer::shared(). Each test opens its own ChromiumPage (a
// tab). Like the other peers, a browser that cannot start throws PeerError with its output, and
// the scratch folder is removed on destruction unless VTA_KEEP_PEERS=1.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta_test_peers.hpp"

namespace vta::test_peers {

struct ChromiumPeerOptions {
    std::filesystem::path binary = "/usr/bin/chromium";
    std::vector<std::string> extra_args;     // appended to the peer's own flags
    std::chrono::seconds ready_timeout{30};  // launch -> the DevTools HTTP endpoint answers
};

// `chromium --headless=new` in its own process group, with a new profile under dir().
class ChromiumPeer {
public:
    explicit ChromiumPeer(ChromiumPeerOptions options = {});  // starts and waits until ready
    ~ChromiumPeer();                                          // stops the whole process group
    ChromiumPeer(const ChromiumPeer&) = delete;
    ChromiumPeer& operator=(const ChromiumPeer&) = delete;

    // The browser of this test binary: started on first use (after a failed start, the next use
    // tries again), stopped at exit.
    static ChromiumPeer& shared();

    std::uint16_t port() const { return port_; }  // DevTools HTTP and WebSocket endpoint, 127.0.0.1
    // The process group's leader: a reaper whose child is the browser (it reaps every process the
    // browser leaves behind, so none stays a zombie).
    pid_t pid() const { return pid_; }
    bool running() const;
    const std::filesystem::path& dir() const { return dir_; }
    std::string output() const;  // the tail of chromium's stdout and stderr, for failure messages
    std::chrono::milliseconds ready_time() const { return ready_time_; }

private:
    void start();
    void stop();

    ChromiumPeerOptions options_;
    std::filesystem::path dir_;
    pid_t pid_ = 0;
    std::uint16_t port_ = 0;
    std::chrono::milliseconds ready_time_{0};
};

// A JavaScript exception from ChromiumPage::evaluate; what() carries the exception's text.
class JsError : public PeerError {
public:
    using PeerError::PeerError;
};

// One tab and a synchronous CDP client for it, over a WebSocket with its own io_context. Each
// step waits at most `call_timeout` (navigate: for the reply, then again for the load event),
// then throws PeerError and closes the connection: the page is unusable afterwards. Opens on
// about:blank with a transparent default background, so screenshots keep the page's own
// transparency. Not thread-safe: one thread drives a page.
class ChromiumPage {
public:
    explicit ChromiumPage(ChromiumPeer& peer, std::chrono::milliseconds call_timeout = std::chrono::seconds(15));
    ~ChromiumPage();  // closes the tab
    ChromiumPage(const ChromiumPage&) = delete;
    ChromiumPage& operator=(const ChromiumPage&) = delete;

    // Loads `url` and waits for its load event; throws PeerError when loading fails.
    void navigate(const std::string& url);
    // Emulates a width x height viewport at device scale factor 1 (screenshots get that size).
    void set_viewport(int width, int height);
    // The value of `js` (promises awaited), as JSON; null for undefined. Throws JsError.
    nlohmann::json evaluate(const std::string& js);
    // Evaluates `js_condition` every 50 ms until it is truthy (true) or `timeout` passes (false).
    bool wait_for(const std::string& js_condition, std::chrono::milliseconds timeout);
    // The viewport as PNG bytes.
    std::string screenshot_png();

    // Console messages ("console.log: ...") and uncaught exceptions ("exception: ...") of the
    // page, in order, as far as they arrived before the last call returned. Exceptions in
    // evaluate() are thrown as JsError instead.
    const std::vector<std::string>& log() const { return log_; }
    std::string log_text() const;  // the log, one entry a line

    // Any CDP command on this tab: its `result`; throws PeerError on a protocol error.
    nlohmann::json call(const std::string& method, const nlohmann::json& params = nlohmann::json::object());
    const std::string& target_id() const { return target_id_; }

private:
    struct Connection;

    void close_target();
    nlohmann::json read_message(std::chrono::steady_clock::time_point deadline, const std::string& what);
    void handle(nlohmann::json message);  // a reply or an event
    template <class Done>
    void pump_until(Done done, std::chrono::steady_clock::time_point deadline, const std::string& what);

    ChromiumPeer& peer_;  // must outlive the page
    std::chrono::milliseconds call_timeout_;
    std::string target_id_;
    std::unique_ptr<Connection> connection_;
    std::vector<std::string> log_;
    std::int64_t next_id_ = 0;
    std::int64_t awaited_id_ = 0;
    nlohmann::json reply_;
    std::set<std::string> loaded_;  // loaderIds of documents that fired `load`
};

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 0;
    bool operator==(const Rgba&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Rgba& pixel);

struct PngImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> rgba;  // row by row, 4 bytes a pixel, alpha not premultiplied

    Rgba rgba_at(int x, int y) const;  // throws std::out_of_range outside the image
    std::uint8_t alpha_at(int x, int y) const { return rgba_at(x, y).a; }
};

// Decodes PNG bytes (any PNG colour type) to RGBA; throws PeerError when they are no PNG.
PngImage decode_png(const std::string& bytes);

}  // namespace vta::test_peers
