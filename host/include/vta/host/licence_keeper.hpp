// The licence as the running host applies it. Evaluated from the installed files when the host starts, checked
// online with the licence server (config licence.server) at start-up and every day, and evaluated again every
// hour so offline days count on a host that never restarts. File and network work runs on a worker thread; the
// result is applied on the io thread.
//
// A court never loses a feature mid-match: a change that would stop the licensed features while a match is in
// progress waits (pending) until the next match load; every other change, back to valid included, applies at
// once. From day 5 without a successful check the log warns once a day; a licence the server refuses (revoked,
// or its key unknown) is set aside as licence.json.refused and the host goes on in evaluation mode.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "vta/bindings/backends.hpp"
#include "vta/licence/evaluation.hpp"
#include "vta/licence_client/client.hpp"
#include "vta/licence_client/local_files.hpp"

namespace vta::host {

struct LicenceKeeperOptions {
    std::filesystem::path folder;          // licence.json and licence-state.json (Paths::licence_folder)
    std::string public_key_pem;            // the key licences are verified with (compiled in)
    std::string server;                    // the licence server's URL; "" for no online check (air-gapped court)
    licence_client::ClientOptions client;  // https: the private CA (ca_file), and the timeout
    std::chrono::milliseconds check_every = std::chrono::hours(24);
    std::chrono::milliseconds evaluate_every = std::chrono::hours(1);
    std::function<licence::Time()> clock;           // null: the system clock (tests inject days)
    std::function<licence::Fingerprint()> machine;  // null: read_fingerprint()
    std::function<bool()> match_in_progress;        // null: never (io thread)
};

// What the panel shows of the licence: a copy taken on the io thread.
struct LicenceView {
    licence::Evaluation in_force;                // the evaluation whose features apply now
    std::optional<licence::Evaluation> pending;  // a change waiting for the next match load
    std::string server;                          // where checks and activations go, "" for none
    std::string last_check_error;                // why the last online check failed, "" after a success
    std::string activation;                      // the operator's last activation: "" none, or its outcome
    bool activating = false;                     // an activation is under way
};

class LicenceKeeper : public bindings::LicenceBackend {
public:
    // Evaluates the installed licence at once (two small files, read before the io thread runs).
    LicenceKeeper(boost::asio::io_context& io, LicenceKeeperOptions options);
    ~LicenceKeeper() override;

    // The online check now (when a server is set) and the daily checks and hourly evaluations.
    void start();
    // Cancels the timers and waits for the worker; results still under way are dropped.
    void stop();

    // A match was loaded: a pending change applies now (io thread).
    void on_match_loaded();
    // Activates `key` with `server` ("" for the configured one) on the worker; the outcome goes to the log and
    // view().activation, and the licence applies as any other change (io thread).
    void activate(std::string server, std::string key);
    // Checks online now (io thread); what start() and the daily timer do.
    void check_now();

    const licence::Evaluation& in_force() const { return view_.in_force; }
    const LicenceView& view() const { return view_; }
    // Runs on the io thread after the state in force, the pending change or the view changed.
    std::function<void()> on_change;

    // bindings::LicenceBackend (io thread)
    nlohmann::json status() override;
    bool has(const std::string& feature) override;

private:
    struct Worker;
    licence::Time now() const;
    licence::Fingerprint machine() const;
    void evaluate_later();
    void every(boost::asio::steady_timer& timer, std::chrono::milliseconds period, void (LicenceKeeper::*run)());
    void apply(licence::Evaluation evaluated);
    void log_change(const licence::Evaluation& before, const licence::Evaluation& after);
    void changed();

    boost::asio::io_context& io_;
    LicenceKeeperOptions options_;
    licence_client::LocalFiles files_;
    LicenceView view_;
    int warned_day_ = -1;  // the offline day last warned about
    boost::asio::steady_timer check_timer_;
    boost::asio::steady_timer evaluate_timer_;
    std::shared_ptr<Worker> worker_;
};

}  // namespace vta::host
