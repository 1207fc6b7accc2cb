#include "court.hpp"

#include "test_licence.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>

namespace vta::e2e {

using namespace std::chrono_literals;

namespace {

const std::string vta_binary = VTA_BINARY;

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
    return count;
}

obs_live::Session watch(boost::asio::io_context& io, const test_peers::ObsPeer& peer, const std::string& name) {
    obs::ConnectionConfig config;
    config.name = name;
    config.port = peer.port();
    config.password = peer.password();
    // Scene items too: whether the IVR overlay was shown is OBS's own report.
    config.event_subscriptions = obs::subscription::default_set | obs::subscription::scene_items;
    auto session = obs_live::record(std::make_shared<obs::Client>(io, config));
    session.client->start();
    if (!session.wait_state(obs::State::connected, 15s))
        throw std::runtime_error("the test's own client could not connect to " + name);
    return session;
}

}  // namespace

Court::Court(CourtOptions options) {
    test::install_test_licence(folder_.xdg_env().at("XDG_DATA_HOME"));  // ivr and both OBS
    recordings_root_ = folder_.path() / "recordings";
    std::filesystem::create_directories(recordings_root_);  // the operator's recordings root on the OBS machine
    udp_port_ = test::free_udp_port();
    rtmp_ = std::make_unique<test_peers::RtmpPeer>();
    test_peers::ObsPeerOptions rec_options;
    rec_options.record_dir = folder_.path() / "rec-default";
    rec_ = std::make_unique<test_peers::ObsPeer>(rec_options);
    test_peers::ObsPeerOptions str_options;
    str_options.rtmp_url = rtmp_->url();
    str_options.record_dir = folder_.path() / "str-default";
    str_options.fps = options.str_fps;
    str_ = std::make_unique<test_peers::ObsPeer>(str_options);
    rec_watch_ = watch(loop_.io(), *rec_, "watch OBS_REC");
    str_watch_ = watch(loop_.io(), *str_, "watch OBS_STR");
    write_config(options);
    start_host();
}

Court::~Court() {
    if (host_) stop_host();
    loop_.stop();  // the watching clients go after their loop stopped
}

void Court::write_config(const CourtOptions& options) {
    const auto wrapper = folder_.path() / "mpv-wrapper.sh";
    std::ofstream(wrapper) << "#!/bin/sh\n"
                           << "echo \"$*\" >> '" << mpv_log().string() << "'\n"
                           << "exec mpv \"$@\"\n";
    ::chmod(wrapper.c_str(), 0755);

    nlohmann::json packages = {
        {"new-match", {{"config", {{"recordings_root", recordings_root_.string()}}}}},
        {"ivr", {{"config", {{"overlay_source", "IVR_OVERLAY"}}}}},
        {"scenes", {{"enabled", false}}},
    };
    packages.merge_patch(options.packages);
    const nlohmann::json config = {
        {"udp", {{"bind", "127.0.0.1"}, {"port", udp_port_}}},
        {"overlays", {{"port", test_peers::free_tcp_port()}}},
        {"log", {{"level", options.log_level}}},
        {"obs",
         {{{"name", "OBS_REC"}, {"role", "rec"}, {"port", rec_->port()}, {"password", rec_->password()}},
          {{"name", "OBS_STR"}, {"role", "str"}, {"port", str_->port()}, {"password", str_->password()}}}},
        {"workflows", {{"packages", packages}, {"hot_reload", false}}},
        {"playback", {{"mpv", wrapper.string()}, {"args", {"--vo=null", "--ao=null"}}}},
    };
    config_ = folder_.path() / "config.json";
    std::ofstream(config_) << config.dump(2);
}

void Court::start_host() {
    ++host_runs_;
    host_ = std::make_unique<test::ChildProcess>(
        vta_binary, std::vector<std::string>{"run", "--config", config_.string()}, folder_.xdg_env(),
        folder_.path() / ("host-" + std::to_string(host_runs_) + ".log"));
    if (!wait_log("OBS_REC: connected", 20s) || !wait_log("OBS_STR: connected", 20s) || !wait_log("workflows:", 20s))
        throw std::runtime_error("the host did not connect both OBS within 20 s:\n" + host_log());
}

int Court::stop_host() {
    host_->signal(SIGTERM);
    auto status = host_->wait(20s);
    last_log_ = host_->output();
    host_.reset();
    if (!status) ADD_FAILURE() << "the host did not stop within 20 s of SIGTERM:\n" << last_log_;
    return status.value_or(-1);
}

std::string Court::host_log() const { return host_ ? host_->output() : last_log_; }

bool Court::wait_log(const std::string& text, std::chrono::milliseconds timeout, std::size_t count) const {
    return test::wait_until([&] { return occurrences(host_log(), text) >= count; }, timeout);
}

std::size_t Court::log_count(const std::string& text) const { return occurrences(host_log(), text); }

std::pair<int, std::string> Court::vta(const std::vector<std::string>& args, std::chrono::milliseconds timeout) const {
    return test::run_to_end(vta_binary, args, folder_.xdg_env(), timeout);
}

std::unique_ptr<test::ChildProcess> Court::vta_started(const std::vector<std::string>& args,
                                                       const std::string& log_name) const {
    return std::make_unique<test::ChildProcess>(vta_binary, args, folder_.xdg_env(), folder_.path() / log_name);
}

nlohmann::json Court::vta_json(const std::vector<std::string>& args) const {
    auto [status, output] = vta(args);
    auto parsed = nlohmann::json::parse(output, nullptr, false);
    EXPECT_EQ(status, 0) << output;
    EXPECT_FALSE(parsed.is_discarded()) << output;
    return parsed;
}

std::filesystem::path accelerated_capture(const std::filesystem::path& capture, const std::filesystem::path& out,
                                          double speed, std::chrono::milliseconds challenge_hold) {
    std::ifstream in(capture);
    std::ofstream result(out);
    std::string line;
    double previous_t = -1, t_out = 0;
    bool hold = false;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto record = nlohmann::json::parse(line);
        const double t = record["t"].get<double>();
        if (previous_t >= 0) {
            double gap = (t - previous_t) / speed;
            if (hold) gap = std::max(gap, double(challenge_hold.count()));
            t_out += gap;
        }
        previous_t = t;
        const std::string text = record["d"].get<std::string>();
        hold = text.size() > 2 && text[0] == 'c' && text[1] == 'h' && text[2] >= '0' && text[2] <= '2';
        record["t"] = std::llround(t_out);
        result << record.dump() << "\n";
    }
    return out;
}

double probe_video_seconds(const std::filesystem::path& file) {
    auto [status, output] =
        test::run_to_end("/usr/bin/ffprobe",
                         {"-v", "error", "-select_streams", "v:0", "-show_entries", "format=duration:stream=codec_type",
                          "-of", "default=noprint_wrappers=1", file.string()},
                         {}, 30s);
    if (status != 0 || output.find("codec_type=video") == std::string::npos) return -1;
    auto at = output.find("duration=");
    if (at == std::string::npos) return -1;
    return std::atof(output.c_str() + at + 9);
}

}  // namespace vta::e2e
