#pragma once
// Stand-ins for OBS, mpv, the store and the overlays that answer at once and record what was asked
// (`vta check`, `vta run --dry-run`, tests).

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "vta/bindings/backends.hpp"
#include "vta/bindings/clock.hpp"
#include "vta/bindings/tools.hpp"

namespace vta::bindings {

class Recorder {
public:
    Recorder(boost::asio::io_context& io, std::shared_ptr<Clock> clock) : io_(io), clock_(std::move(clock)) {}

    std::shared_ptr<ObsBackend> obs();
    std::shared_ptr<PlaybackBackend> playback();
    std::shared_ptr<StoreBackend> store();
    std::shared_ptr<OverlayBackend> overlay();
    std::shared_ptr<CourtsBackend> courts();
    // A dry run answers as a licence with every feature: it shows what the packages would do when licensed.
    std::shared_ptr<LicenceBackend> licence();

    void record(const std::string& package, const std::string& action, const nlohmann::json& args);
    const std::vector<RecordedAction>& actions() const { return actions_; }
    // Called for each action as it is recorded.
    std::function<void(const RecordedAction&)> on_action;

    boost::asio::io_context& io() { return io_; }
    HostEventSink obs_sink, playback_sink;
    std::map<std::string, nlohmann::json> kv;
    int replays = 0, recordings = 0;
    std::set<std::string> active_outputs;  // "<target>:record" / "<target>:stream" started and not stopped
    // Row ids the recorded store hands out, and its stream timeline (one day): summed durations of
    // the closed sessions, and the start (us) of each open one.
    std::int64_t last_row_id = 0;
    std::int64_t closed_stream_ms = 0;
    std::map<std::int64_t, std::int64_t> open_streams;

private:
    boost::asio::io_context& io_;
    std::shared_ptr<Clock> clock_;
    std::vector<RecordedAction> actions_;
};

}  // namespace vta::bindings
