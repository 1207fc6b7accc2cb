// `vta tournament run` without its web side: the subscriber hands every court message to the database thread,
// which stores it in batches (one transaction each) and rebuilds the board at most every `board_interval`. The
// store is the tournament's memory across restarts: the board is built from it at start, then the broker's
// retained messages and the session's kept messages bring it up to date.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::tournament {

struct ServiceOptions {
    std::string database_url;  // libpq connection string or URI
    std::string broker_host = "127.0.0.1";
    int broker_port = 1883;
    std::string tournament;  // the slug of the topics, vta/<t>/court/...
    std::string client_id;   // the MQTT session; "vta-tournament-<t>" when empty
    int courts = 0;          // the board shows courts 1..courts even before they said anything
    std::string broker_username;  // empty: anonymous
    std::string broker_password;  // never logged
    std::string broker_ca_file;   // set: TLS to the broker
    std::chrono::milliseconds board_interval{100};
};

// The board (GET /api/board and the page's feed):
// {"tournament", "day": "YYYY-MM-DD" (the latest day the courts reported), "updated_ms",
//  "broker": {"connected", "since_ms", "reason"},
//  "courts": [{"court", "online": bool|null, "since_ms", "host", "has_match", "state_at_ms", "events", "highest_seq",
//              "match": {"number", "category", "weight", "round", "clock", "decided", "winner", "winner_name",
//                        "decision", "blue": {"name", "noc", "score"}, "red": {...}}}],
//  "results": [the day's decided matches, newest first, as `vta tournament results --json`]}
class Service {
public:
    using OnBoard = std::function<void(const nlohmann::json& board)>;  // called on the database thread

    // Opens (and migrates) the store and builds the first board on the database thread, then subscribes.
    static vta::Result<std::unique_ptr<Service>> start(ServiceOptions options, OnBoard on_board);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // Unsubscribes, stores what was received, joins the database thread. Safe to call twice.
    void stop();

    nlohmann::json board() const;  // the latest board; any thread

    struct State;

private:
    explicit Service(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

}  // namespace vta::tournament
