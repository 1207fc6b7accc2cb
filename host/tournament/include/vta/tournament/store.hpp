// The tournament store in PostgreSQL: every court's status and state, every event keyed by (tournament, court,
// seq), and the matches derived from them per court and day. Not thread-safe: one thread owns a Store (the
// service's database thread, or a command's main thread).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/tournament/bus_messages.hpp"

namespace vta::tournament {

inline constexpr int schema_version = 1;

// What the store knows of a court.
struct CourtRow {
    int court = 0;
    std::optional<bool> online;  // unknown until its status came
    std::int64_t since_ms = 0;   // online or offline since (see Store::apply)
    std::string host;
    nlohmann::json state;  // the latest state message (highest seq), null before the first
    std::int64_t state_seq = 0;
    std::int64_t events = 0;       // events stored
    std::int64_t highest_seq = 0;  // of the stored events
};

// A match of a court, derived from its events and the states that named it.
struct MatchRow {
    std::string tournament;
    int court = 0;
    std::int64_t match_id = 0;  // the court's own match id
    int day_number = 0;
    std::string date;
    std::string number;
    std::string category;
    std::string weight;
    std::string blue_name, blue_noc, red_name, red_noc;
    int blue_score = 0;
    int red_score = 0;
    std::string winner;  // "BLUE", "RED", "TIE" or "" while undecided
    std::string winner_name;
    std::string decision;
    bool decided = false;
    std::int64_t decided_at_ms = 0;
};

void to_json(nlohmann::json& j, const MatchRow& m);

// Which matches `results` lists.
struct ResultsQuery {
    std::optional<std::string> tournament;  // every tournament of the store when unset
    std::optional<std::string> day;         // a date YYYY-MM-DD or a day number; every day when unset
    std::optional<std::string> athlete;     // part of a name (either side), case-insensitive
    bool decided_only = true;
};

class Store {
public:
    enum class Mode {
        migrate,  // create or migrate the schema (the service)
        read,     // refuse a store that is missing or needs migrating (the readers)
    };
    // `url` is a libpq connection string or URI (postgresql://user@host:port/db). Errc::unavailable when the server
    // cannot be reached, schema_too_new / schema_too_old when the schema does not fit `mode`.
    static vta::Result<std::unique_ptr<Store>> open(const std::string& url, Mode mode);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Stores a batch in one transaction. Events: a (court, seq) already stored is a no-op. States: kept when their
    // seq is higher than the court's. Statuses: an unchanged status keeps its time; an offline status delivered
    // live (not retained) is dated by `received_ms`, since the court's will was written when it connected. Then the
    // matches the batch touched are derived again from all their events and their latest state.
    vta::VoidResult apply(const std::string& tournament, const std::vector<ReceivedMessage>& batch);

    vta::Result<std::vector<CourtRow>> courts(const std::string& tournament);
    vta::Result<std::vector<MatchRow>> matches(const ResultsQuery& query);
    // The latest day date among the tournament's stored events and states; empty when none.
    vta::Result<std::string> latest_day(const std::string& tournament);

private:
    struct Connection;
    explicit Store(std::unique_ptr<Connection> connection);
    std::unique_ptr<Connection> connection_;
};

}  // namespace vta::tournament
