#include "vta_chromium_peer.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <FL/Fl_PNG_Image.H>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

#include "process.hpp"

extern char** environ;

namespace vta::test_peers {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

// Starts one asynchronous operation and runs `ioc` until it completes; the stream's expiry (set
// by the caller) bounds it. The handler takes any completion signature that starts with an
// error code.
template <class Start>
beast::error_code run_op(asio::io_context& ioc, Start start) {
    beast::error_code result;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

// One request to the DevTools HTTP endpoint; the response body. Throws PeerError.
std::string devtools_http(std::uint16_t port, http::verb verb, const std::string& target,
                          std::chrono::milliseconds timeout) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    http::request<http::empty_body> request{verb, target, 11};
    // Chromium answers only when Host is an IP address or localhost.
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
    auto ec = run_op(ioc, [&](auto done) { stream.async_connect(endpoint, done); });
    if (!ec) ec = run_op(ioc, [&](auto done) { http::async_write(stream, request, done); });
    if (!ec) ec = run_op(ioc, [&](auto done) { http::async_read(stream, buffer, response, done); });
    const std::string what = std::string(http::to_string(verb)) + " http://127.0.0.1:" + std::to_string(port) + target;
    if (ec) throw PeerError(what + ": " + ec.message());
    if (response.result() != http::status::ok) {
        throw PeerError(what + ": HTTP " + std::to_string(response.result_int()) + " " + response.body());
    }
    return response.body();
}

// The port Chromium chose (--remote-debugging-port=0 avoids racing anyone for a free port): the
// first line of DevToolsActivePort, trusted only once the second line shows the file complete.
std::uint16_t read_devtools_port(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string port_line, path_line;
    if (!std::getline(in, port_line) || !std::getline(in, path_line)) return 0;
    if (path_line.rfind("/devtools/browser/", 0) != 0) return 0;
    const long port = std::strtol(port_line.c_str(), nullptr, 10);
    return port > 0 && port < 65536 ? static_cast<std::uint16_t>(port) : 0;
}

std::string exit_text(int status) {
    if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

// Runs argv[0] with its arguments under a small reaper process, the leader of a new process
// group, with stdout and stderr into `log`; returns the reaper's pid (= the group's id). Chromium's
// processes orphaned when the browser ends become the reaper's children instead of init's, so
// none lingers as a zombie: the reaper exits, with the browser's status, once all are reaped.
// The reaper also ends when this thread does (PR_SET_PDEATHSIG), and the browser with it.
pid_t spawn_group(std::vector<std::string> args, std::vector<std::string> env, const std::filesystem::path& log) {
    std::vector<char*> argv, envp;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    for (auto& var : env) envp.push_back(var.data());
    envp.push_back(nullptr);
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd < 0 || null_fd < 0) {
        const std::string error = std::strerror(errno);
        if (log_fd >= 0) ::close(log_fd);
        if (null_fd >= 0) ::close(null_fd);
        throw PeerError("cannot open " + log.string() + " or /dev/null: " + error);
    }
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        // The child of a threaded process: only async-signal-safe calls from here on.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(null_fd, 0);
        ::dup2(log_fd, 1);
        ::dup2(log_fd, 2);
        ::close_range(3, ~0U, 0);
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        const pid_t reaper = ::getpid();
        const pid_t browser = ::fork();
        if (browser == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != reaper) ::_exit(127);
            ::execve(argv[0], argv.data(), envp.data());
            const char message[] = "vta_test_peers: exec failed\n";
            [[maybe_unused]] auto ignored = ::write(2, message, sizeof message - 1);
            ::_exit(127);
        }
        ::signal(SIGTERM, SIG_IGN);  // stop() sends SIGTERM to the whole group
        int browser_status = browser < 0 ? 127 << 8 : 0;
        for (;;) {
            int status = 0;
            const pid_t done = ::waitpid(-1, &status, 0);
            if (done == browser) browser_status = status;
            if (done < 0 && errno != EINTR) break;  // ECHILD: every one reaped
        }
        ::_exit(WIFEXITED(browser_status) ? WEXITSTATUS(browser_status) : 128 + WTERMSIG(browser_status));
    }
    const std::string fork_error = pid < 0 ? std::strerror(errno) : "";
    ::close(log_fd);
    ::close(null_fd);
    if (pid < 0) throw PeerError("fork: " + fork_error);
    ::setpgid(pid, pid);  // as in the child: whichever runs first, the group exists before we signal it
    return pid;
}

// Processes whose command line mentions `dir`: Chromium's crash handlers, which run in sessions
// of their own (outside the group) with their database under the scratch HOME.
std::vector<pid_t> processes_mentioning(const std::filesystem::path& dir) {
    std::vector<pid_t> pids;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
        const pid_t pid = static_cast<pid_t>(std::strtol(entry.path().filename().c_str(), nullptr, 10));
        if (pid <= 0) continue;
        std::ifstream in(entry.path() / "cmdline");
        const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(dir.string()) != std::string::npos) pids.push_back(pid);
    }
    return pids;
}

// The text of a Runtime.RemoteObject, as console.log would print it.
std::string remote_object_text(const json& object) {
    if (object.contains("value")) {
        const json& value = object["value"];
        return value.is_string() ? value.get<std::string>() : value.dump();
    }
    if (object.contains("unserializableValue")) return object["unserializableValue"].get<std::string>();
    if (object.contains("description")) return object["description"].get<std::string>();
    return object.value("type", "?");
}

// A Runtime.ExceptionDetails as text: the exception's description (message and stack) if any.
std::string exception_text(const json& details) {
    if (details.contains("exception")) return remote_object_text(details["exception"]);
    return details.value("text", "unknown exception");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ChromiumPeer

ChromiumPeer::ChromiumPeer(ChromiumPeerOptions options)
    : options_(std::move(options)), dir_(make_scratch_dir("vta-chromium")) {
    try {
        start();
    } catch (...) {
        stop();
        remove_scratch_dir(dir_);
        throw;
    }
}

ChromiumPeer::~ChromiumPeer() {
    stop();
    remove_scratch_dir(dir_);
}

ChromiumPeer& ChromiumPeer::shared() {
    static ChromiumPeer peer;
    return peer;
}

void ChromiumPeer::start() {
    const auto started = Clock::now();
    const auto home = dir_ / "home";
    std::filesystem::create_directories(home);
    std::vector<std::string> args{
        options_.binary.string(),
        "--headless=new",
        "--no-sandbox",  // tests run as root in containers, without user namespaces
        "--disable-gpu",
        "--disable-dev-shm-usage",    // containers often have a tiny /dev/shm
        "--remote-debugging-port=0",  // Chromium picks a free port and writes it to DevToolsActivePort
        "--user-data-dir=" + (dir_ / "profile").string(),
        "--hide-scrollbars",
        "--mute-audio",
        "--no-first-run",
        "--no-default-browser-check",
        "--password-store=basic",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Tabs that are not in front keep their timers and rendering at full speed.
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
        "--disable-renderer-backgrounding",
        "--force-device-scale-factor=1",
    };
    args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
    args.push_back("about:blank");

    // HOME and the XDG folders point into the scratch folder: nothing is written to the user's.
    std::vector<std::string> env{"HOME=" + home.string(), "XDG_CONFIG_HOME=" + (home / ".config").string(),
                                 "XDG_CACHE_HOME=" + (home / ".cache").string()};
    for (char** var = environ; *var != nullptr; ++var) {
        const std::string entry = *var;
        const std::string name = entry.substr(0, entry.find('='));
        if (name != "HOME" && name != "XDG_CONFIG_HOME" && name != "XDG_CACHE_HOME") env.push_back(entry);
    }

    pid_ = spawn_group(std::move(args), std::move(env), dir_ / "chromium.log");
    const auto deadline = started + options_.ready_timeout;
    std::string last_error = "no DevToolsActivePort yet";
    for (;;) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = 0;
            throw PeerError("chromium ended (" + exit_text(status) + ") before its DevTools endpoint answered:\n" +
                            output());
        }
        if (const auto port = read_devtools_port(dir_ / "profile" / "DevToolsActivePort"); port != 0) {
            try {
                devtools_http(port, http::verb::get, "/json/version", 2s);
                port_ = port;
                break;
            } catch (const PeerError& error) {
                last_error = error.what();
            }
        }
        if (Clock::now() >= deadline) {
            throw PeerError("chromium's DevTools endpoint did not answer within " +
                            std::to_string(options_.ready_timeout.count()) + " s (" + last_error + "):\n" + output());
        }
        std::this_thread::sleep_for(50ms);
    }
    ready_time_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
}

void ChromiumPeer::stop() {
    if (pid_ <= 0) return;
    // The reaper ignores SIGTERM and exits once the browser and all its processes are gone. The
    // group's SIGKILL then ends whatever is left; the reaper is reaped only afterwards, so the
    // group's id cannot have been reused.
    ::kill(-pid_, SIGTERM);
    const bool clean = wait_process_gone(pid_, 5s);
    ::kill(-pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    if (!clean) std::cerr << "vta_test_peers: chromium (group " << pid_ << ") outlived SIGTERM by 5 s, killed\n";
    pid_ = 0;
    // The crash handlers end once the browser is gone; they must be gone before the folder is.
    for (const pid_t handler : processes_mentioning(dir_)) {
        if (wait_process_gone(handler, 2s)) continue;
        ::kill(handler, SIGKILL);
        wait_process_gone(handler, 2s);
    }
}

bool ChromiumPeer::running() const { return process_alive(pid_); }

std::string ChromiumPeer::output() const {
    std::ifstream in(dir_ / "chromium.log");
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    constexpr std::size_t tail = 8000;
    return all.size() > tail ? "...\n" + all.substr(all.size() - tail) : all;
}

// ---------------------------------------------------------------------------------------------
// ChromiumPage

struct ChromiumPage::Connection {
    asio::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
};

ChromiumPage::ChromiumPage(ChromiumPeer& peer, std::chrono::milliseconds call_timeout)
    : peer_(peer), call_timeout_(call_timeout), connection_(std::make_unique<Connection>()) {
    // PUT: Chromium refuses GET for /json/new.
    const auto target =
        json::parse(devtools_http(peer_.port(), http::verb::put, "/json/new?about:blank", call_timeout_));
    target_id_ = target.at("id").get<std::string>();
    try {
        const auto url = target.at("webSocketDebuggerUrl").get<std::string>();  // ws://127.0.0.1:P/devtools/page/ID
        const auto path = url.substr(url.find('/', std::strlen("ws://")));
        auto& ws = connection_->ws;
        auto& tcp = beast::get_lowest_layer(ws);
        tcp.expires_after(call_timeout_);
        const asio::ip::tcp::endpoint endpoint(asio::ip::address_v4::loopback(), peer_.port());
        auto ec = run_op(connection_->ioc, [&](auto done) { tcp.async_connect(endpoint, done); });
        const auto host = "127.0.0.1:" + std::to_string(peer_.port());
        if (!ec) ec = run_op(connection_->ioc, [&](auto done) { ws.async_handshake(host, path, done); });
        if (ec) throw PeerError("CDP connection to " + url + ": " + ec.message());
        ws.text(true);
        ws.read_message_max(256 * 1024 * 1024);  // screenshots are one message

        call("Page.enable");
        call("Page.setLifecycleEventsEnabled", {{"enabled", true}});
        call("Runtime.enable");
        call("Emulation.setDefaultBackgroundColorOverride", {{"color", {{"r", 0}, {"g", 0}, {"b", 0}, {"a", 0}}}});
    } catch (...) {
        close_target();
        throw;
    }
}

ChromiumPage::~ChromiumPage() { close_target(); }

void ChromiumPage::close_target() {
    beast::error_code ignored;
    beast::get_lowest_layer(connection_->ws).socket().close(ignored);
    if (!peer_.running()) return;
    try {
        devtools_http(peer_.port(), http::verb::get, "/json/close/" + target_id_, call_timeout_);
    } catch (const PeerError& error) {
        std::cerr << "vta_test_peers: cannot close tab " << target_id_ << ": " << error.what() << '\n';
    }
}

json ChromiumPage::read_message(Clock::time_point deadline, const std::string& what) {
    auto& c = *connection_;
    beast::get_lowest_layer(c.ws).expires_at(deadline);
    c.buffer.clear();
    if (auto ec = run_op(c.ioc, [&](auto done) { c.ws.async_read(c.buffer, done); })) {
        throw PeerError("CDP " + what + " on tab " + target_id_ + ": " + ec.message() + "\npage log:\n" + log_text());
    }
    return json::parse(beast::buffers_to_string(c.buffer.data()));
}

void ChromiumPage::handle(json message) {
    // Replies to calls that timed out cannot arrive: a timeout closes the connection.
    if (message.contains("id")) {
        if (message["id"] == awaited_id_) reply_ = std::move(message);
        return;
    }
    const std::string method = message.value("method", "");
    const json params = message.value("params", json::object());
    if (method == "Page.lifecycleEvent") {
        if (params.value("name", "") == "load") loaded_.insert(params.value("loaderId", ""));
    } else if (method == "Runtime.consoleAPICalled") {
        std::string line = "console." + params.value("type", "log") + ":";
        for (const auto& arg : params.value("args", json::array())) line += " " + remote_object_text(arg);
        log_.push_back(std::move(line));
    } else if (method == "Runtime.exceptionThrown") {
        log_.push_back("exception: " + exception_text(params.value("exceptionDetails", json::object())));
    } else if (method == "Inspector.targetCrashed") {
        log_.push_back("the tab crashed");
    }
}

template <class Done>
void ChromiumPage::pump_until(Done done, Clock::time_point deadline, const std::string& what) {
    while (!done()) handle(read_message(deadline, what));
}

json ChromiumPage::call(const std::string& method, const json& params) {
    const auto deadline = Clock::now() + call_timeout_;
    awaited_id_ = ++next_id_;
    reply_ = nullptr;
    const std::string text = json{{"id", awaited_id_}, {"method", method}, {"params", params}}.dump();
    auto& c = *connection_;
    beast::get_lowest_layer(c.ws).expires_at(deadline);
    if (auto ec = run_op(c.ioc, [&](auto done) { c.ws.async_write(asio::buffer(text), done); })) {
        throw PeerError("CDP " + method + " on tab " + target_id_ + ": " + ec.message());
    }
    pump_until([this] { return !reply_.is_null(); }, deadline, method);
    json reply = std::move(reply_);
    reply_ = nullptr;
    if (reply.contains("error")) throw PeerError("CDP " + method + " failed: " + reply["error"].dump());
    return reply.value("result", json::object());
}

void ChromiumPage::navigate(const std::string& url) {
    const json result = call("Page.navigate", {{"url", url}});
    if (const auto error = result.value("errorText", std::string()); !error.empty()) {
        throw PeerError("cannot load " + url + ": " + error);
    }
    // Only the fragment changed: same document, no new load event.
    if (!result.contains("loaderId")) return;
    const auto loader = result["loaderId"].get<std::string>();
    pump_until([&] { return loaded_.count(loader) > 0; }, Clock::now() + call_timeout_, "load of " + url);
}

void ChromiumPage::set_viewport(int width, int height) {
    call("Emulation.setDeviceMetricsOverride",
         {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}});
}

json ChromiumPage::evaluate(const std::string& js) {
    const json result = call("Runtime.evaluate", {{"expression", js}, {"returnByValue", true}, {"awaitPromise", true}});
    if (result.contains("exceptionDetails")) {
        throw JsError("JavaScript exception in `" + js + "`: " + exception_text(result["exceptionDetails"]));
    }
    const json& value = result.value("result", json::object());
    if (value.contains("unserializableValue")) return value["unserializableValue"];  // NaN, Infinity, -0, 1n
    return value.value("value", json());
}

bool ChromiumPage::wait_for(const std::string& js_condition, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    // Newlines, so a condition ending in a // comment still parses.
    const std::string check = "!!(\n" + js_condition + "\n)";
    for (;;) {
        if (evaluate(check) == true) return true;
        const auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero()) return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(50ms, left));
    }
}

std::string ChromiumPage::screenshot_png() {
    const json result = call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", false}});
    const auto& data = result.at("data").get_ref<const std::string&>();
    namespace base64 = beast::detail::base64;
    std::string png(base64::decoded_size(data.size()), '\0');
    png.resize(base64::decode(png.data(), data.data(), data.size()).first);
    return png;
}

std::string ChromiumPage::log_text() const {
    std::string text;
    for (const auto& line : log_) text += line + '\n';
    return text;
}

// ---------------------------------------------------------------------------------------------
// PNG

std::ostream& operator<<(std::ostream& out, const Rgba& pixel) {
    return out << "rgba(" << int(pixel.r) << ", " << int(pixel.g) << ", " << int(pixel.b) << ", " << int(pixel.a)
               << ")";
}

Rgba PngImage::rgba_at(int x, int y) const {
    if (x < 0 || y < 0 || x >= width || y >= height) {
        throw std::out_of_range("pixel (" + std::to_string(x) + ", " + std::to_string(y) + ") outside a " +
                                std::to_string(width) + "x" + std::to_string(height) + " image");
    }
    const auto* p = &rgba[(static_cast<std::size_t>(y) * width + x) * 4];
    return {p[0], p[1], p[2], p[3]};
}

PngImage decode_png(const std::string& bytes) {
    // FLTK (already the panel's toolkit) decodes through libpng; no display is needed for that.
    Fl_PNG_Image image("png", reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    const int depth = image.d();
    if (image.fail() || image.w() <= 0 || image.h() <= 0 || depth < 1 || depth > 4 || image.data() == nullptr) {
        throw PeerError("not a PNG image (" + std::to_string(bytes.size()) + " bytes)");
    }
    PngImage png{image.w(), image.h(), {}};
    png.rgba.resize(static_cast<std::size_t>(png.width) * png.height * 4);
    // FLTK keeps 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA) bytes a pixel; ld() is the row
    // stride, 0 when rows are packed.
    const int stride = image.ld() != 0 ? image.ld() : png.width * depth;
    const auto* data = reinterpret_cast<const std::uint8_t*>(image.data()[0]);
    for (int y = 0; y < png.height; ++y) {
        for (int x = 0; x < png.width; ++x) {
            const std::uint8_t* in = data + static_cast<std::size_t>(y) * stride + x * depth;
            std::uint8_t* out = &png.rgba[(static_cast<std::size_t>(y) * png.width + x) * 4];
            const bool grey = depth < 3;
            out[0] = in[0];
            out[1] = grey ? in[0] : in[1];
            out[2] = grey ? in[0] : in[2];
            out[3] = depth == 2 ? in[1] : depth == 4 ? in[3] : 255;
        }
    }
    return png;
}

}  // namespace vta::test_peers
