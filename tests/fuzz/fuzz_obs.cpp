// obs-websocket: messages from the server, one per line, into a Client whose session never connects (no
// socket; see Client::open_unconnected_session). Once a message made it `connected`, the typed requests are
// sent, so the responses that follow reach their parsers; events reach a subscriber and a waiter.
#include <boost/asio/io_context.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "fuzz_target.hpp"
#include "vta/obs/client.hpp"

namespace vta::fuzz {

namespace {

void run_ready(boost::asio::io_context& io) {
    io.restart();
    io.poll();
}

template <class T>
obs::Handler<T> ignore() {
    return [](Result<T>) {};
}

void send_typed_requests(obs::Client& client) {
    client.request("GetVersion", {}, ignore<obs::Json>());
    client.request_batch({{"GetRecordStatus", {}}, {"GetStreamStatus", {}}}, {}, ignore<obs::BatchResults>());
    client.get_scene_list(ignore<obs::SceneList>());
    client.get_current_program_scene(ignore<std::string>());
    client.get_record_status(ignore<obs::RecordStatus>());
    client.get_record_directory(ignore<std::string>());
    client.get_replay_buffer_status(ignore<bool>());
    client.get_stream_status(ignore<obs::StreamStatus>());
    client.stop_record(ignore<std::string>());
    client.save_replay_buffer(ignore<std::string>());
}

}  // namespace

int obs_one_input(const std::uint8_t* data, std::size_t size) {
    static const auto quiet = std::make_shared<spdlog::logger>("fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
    boost::asio::io_context io;
    obs::ClientOptions options;
    options.logger = quiet;
    options.reconnect = false;
    obs::ConnectionConfig config;
    config.name = "OBS_FUZZ";
    config.password = "fuzz";  // so a Hello with authentication is answered
    obs::Client client(io, config, options);
    const auto all = client.subscribe_all(
        [](const obs::Event& event) { event.data.dump(-1, ' ', false, obs::Json::error_handler_t::replace); });
    client.wait_event(
        "RecordStateChanged", [](const obs::Event& event) { return event.data.at("outputActive").get<bool>(); },
        std::chrono::seconds(1), ignore<obs::Event>());
    client.open_unconnected_session();
    run_ready(io);

    const std::string_view input = text_of(data, size);
    bool requested = false;
    for (std::size_t begin = 0; begin < input.size();) {
        const std::size_t end = std::min(input.find('\n', begin), input.size());
        client.receive(std::string(input.substr(begin, end - begin)));
        begin = end + 1;
        run_ready(io);
        if (!requested && client.state() == obs::State::connected) {
            requested = true;
            send_typed_requests(client);
            run_ready(io);
        }
    }
    client.status();
    client.stop();
    run_ready(io);
    return 0;
}

}  // namespace vta::fuzz

VTA_FUZZ_ENTRY(vta::fuzz::obs_one_input)
