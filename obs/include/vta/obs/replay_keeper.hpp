#pragma once
// vta::obs::ReplayKeeper — the one owner of a connection's replay buffer. Armed, it (re)starts the
// buffer with the given length and clip names and keeps it running, driven by OBS's own
// ReplayBufferStateChanged events rather than by polling:
//   arm()      stops the buffer when it runs (OBS reads its length and names only at start), waits for
//              OBS to report it STOPPED, sets the profile, starts it and waits for STARTED;
//   confirmed  a start counts only once OBS reports OBS_WEBSOCKET_OUTPUT_STARTED. OBS 29 reports
//              STOPPED before its output has shut down (the encoder stop lags under load), answers a
//              StartReplayBuffer meanwhile with success and ignores it: so a start waits until the
//              output itself is idle (GetOutputStatus), and an unconfirmed start is sent again, with
//              back-off;
//   re-armed   whenever OBS reports the buffer stopped, or the connection comes back, while armed;
//   warned     once (spdlog warning naming the connection) when it cannot be started, and once more
//              when it runs again.
// Everything runs on the client's io_context; handlers run there too, exactly once, never inside
// the call. Destroy the keeper on that loop's thread or after the loop stopped, as the Client.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <spdlog/logger.h>

#include "vta/obs/client.hpp"

namespace vta::obs {

struct ReplaySettings {
    int seconds = 0;                    // the buffer's length (profile RecRBTime); 0 keeps the profile's
    std::optional<std::string> suffix;  // the clips' name suffix (RecRBSuffix, OBS date codes); unset keeps it
};

enum class ReplayState {
    disarmed,  // nobody asked for the buffer: the keeper leaves it alone
    stopping,  // stopping it to restart with new settings
    starting,  // start sent, waiting for OBS to report STARTED
    waiting,   // a start was not confirmed (or the connection is down): trying again after a pause
    running,   // OBS reported it STARTED
    failed,    // OBS cannot run it at all (disabled in the profile)
};

std::string_view to_string(ReplayState state);

struct ReplayKeeperOptions {
    std::chrono::milliseconds stop_timeout{5000};     // StopReplayBuffer -> STOPPED
    std::chrono::milliseconds confirm_timeout{2000};  // StartReplayBuffer -> STARTED
    std::chrono::milliseconds retry_initial{250};     // pause before the next start, doubled each time
    std::chrono::milliseconds retry_max{5000};
    // Not running this long after an arm (or after OBS stopped it): one warning, arm() fails, the
    // keeper keeps trying.
    std::chrono::milliseconds warn_after{4000};
    std::shared_ptr<spdlog::logger> logger;  // null = spdlog's default logger
};

class ReplayKeeper {
public:
    ReplayKeeper(boost::asio::io_context& io, std::shared_ptr<Client> client, ReplayKeeperOptions options = {});
    ~ReplayKeeper();
    ReplayKeeper(const ReplayKeeper&) = delete;
    ReplayKeeper& operator=(const ReplayKeeper&) = delete;

    // Restarts the buffer with `settings` and keeps it running; with default settings a running
    // buffer is kept as it is. `done` once OBS reported it started,
    // or with an error: invalid_state when it is not running within warn_after, unsupported when OBS
    // cannot run it, not_connected, or cancelled by disarm().
    void arm(ReplaySettings settings, Handler<void> done);
    // Stops the buffer and leaves it alone afterwards.
    void disarm(Handler<void> done);

    ReplayState state() const;

private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace vta::obs
