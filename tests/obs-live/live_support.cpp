#include "live_support.hpp"

#include <iostream>

namespace vta::obs_live {

Loop::Loop() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}

Loop::~Loop() { stop(); }

void Loop::stop() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

ObsLiveTest::~ObsLiveTest() {
    loop_.stop();
    kept_.clear();
}

obs::ConnectionConfig ObsLiveTest::config_for(const test_peers::ObsPeer& peer, std::string name, obs::Role role) {
    obs::ConnectionConfig config;
    config.name = std::move(name);
    config.role = role;
    config.port = peer.port();
    config.password = peer.password();
    return config;
}

Session ObsLiveTest::watch(std::shared_ptr<obs::Client> client) {
    keep(client);
    return record(std::move(client));
}

Session record(std::shared_ptr<obs::Client> client) {
    Session session;
    session.client = std::move(client);
    auto states = session.states;
    auto events = session.events;
    session.subscriptions.push_back(
        session.client->on_state_change([states](const obs::ConnectionState& s) { states->add(s); }));
    session.subscriptions.push_back(session.client->subscribe_all([events](const obs::Event& e) { events->add(e); }));
    return session;
}

Session ObsLiveTest::open(obs::ConnectionConfig config, obs::ClientOptions options) {
    auto session = watch(std::make_shared<obs::Client>(loop_.io(), std::move(config), std::move(options)));
    session.client->start();
    return session;
}

Session ObsLiveTest::connect(const test_peers::ObsPeer& peer, obs::ClientOptions options) {
    auto session = open(config_for(peer), std::move(options));
    if (!session.wait_state(obs::State::connected, 10s)) {
        auto status = session.client->status();
        throw std::runtime_error("client did not connect to OBS on port " + std::to_string(peer.port()) +
                                 " within 10 s; state " + std::string(obs::to_string(status.connection.state)) +
                                 ", reason: " + status.connection.reason);
    }
    return session;
}

bool eventually(const std::function<bool()>& condition, Millis deadline, Millis interval) {
    auto until = Clock::now() + deadline;
    while (!condition()) {
        if (Clock::now() >= until) return false;
        std::this_thread::sleep_for(interval);
    }
    return true;
}

std::string describe(const vta::Error& error) {
    std::string text = std::string(vta::to_string(error.code)) + ": " + error.message;
    if (error.status_code != 0) text += " (code " + std::to_string(error.status_code) + ")";
    if (!error.comment.empty()) text += " " + error.comment;
    return text;
}

Figures summarize(std::vector<Clock::duration> samples) {
    Figures figures;
    if (samples.empty()) return figures;
    std::sort(samples.begin(), samples.end());
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    figures.samples = samples.size();
    figures.median_ms = ms(samples[samples.size() / 2]);
    figures.max_ms = ms(samples.back());
    return figures;
}

void report(const std::string& name, const std::string& value) {
    std::cout << "[ FIGURE   ] " << name << ": " << value << std::endl;
    ::testing::Test::RecordProperty(name, value);
}

}  // namespace vta::obs_live
