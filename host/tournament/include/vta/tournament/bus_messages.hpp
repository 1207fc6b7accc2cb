// The courts' messages as docs/courts-bus.md defines them, read from a topic and its JSON payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"

namespace vta::tournament {

// The tournament day a court had active when it sent the message.
struct DayInfo {
    std::string tournament;
    int day_number = 0;
    std::string date;  // YYYY-MM-DD, as the court sent it
};

// vta/<t>/court/<n>/status (retained; the court's MQTT will sets online false).
struct CourtStatus {
    int court = 0;
    bool online = false;
    std::int64_t since_ms = 0;
    std::string host;
};

// vta/<t>/court/<n>/state (retained): the court now.
struct CourtState {
    int court = 0;
    std::int64_t seq = 0;
    std::int64_t at_ms = 0;
    std::optional<std::int64_t> match_id;
    bool has_match = false;
    nlohmann::json match = nlohmann::json::object();  // the MatchState JSON
    nlohmann::json obs = nlohmann::json::array();
    DayInfo day;
    nlohmann::json payload;  // the whole message, kept as received
};

// vta/<t>/court/<n>/events: one event the court stored.
struct CourtEvent {
    int court = 0;
    std::int64_t seq = 0;
    std::int64_t event_id = 0;
    std::string code;
    std::string raw;
    std::int64_t at_us = 0;
    std::optional<std::int64_t> match_id;
    std::string match_number;
    int round = 0;
    nlohmann::json fields = nlohmann::json::object();
    bool manual = false;
    DayInfo day;
};

using CourtMessage = std::variant<CourtStatus, CourtState, CourtEvent>;

// A message as the subscriber got it.
struct ReceivedMessage {
    CourtMessage message;
    bool retained = false;         // delivered from the broker's retained store (not live)
    std::int64_t received_ms = 0;  // this side's clock
};

// Lower-case letters, digits and '-', as config courts.tournament.
bool valid_tournament_slug(std::string_view slug);

// "vta/<t>/court/+/#": every court of tournament `t`.
std::string court_topic_filter(std::string_view tournament);

// "vta/<t>/stored/<n>": {"seqs": [...]}, the event seqs of court n this side has committed to its store; the court
// deletes them from its outbox.
std::string stored_topic(std::string_view tournament, int court);

// "vta/<t>/tournament/status" (retained): {"online", "since_ms"} of this side.
std::string tournament_status_topic(std::string_view tournament);

// Reads a message of tournament `tournament`. Errc::not_found for a topic this side does not keep (another
// tournament, a court's sub-topic it does not know); Errc::protocol, naming the topic and the field, for a payload
// that does not follow the contract.
vta::Result<CourtMessage> parse_court_message(std::string_view tournament, std::string_view topic,
                                              std::string_view payload);

}  // namespace vta::tournament
