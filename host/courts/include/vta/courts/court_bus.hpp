#pragma once
// The court on the courts' bus (docs/courts-bus.md is the contract): every stored event and the state snapshots go
// through the outbox table of the court's store, written by the Writer in the transaction of the event, and are
// published from there in seq order with QoS 1. An event row is deleted once the tournament side says it stored it
// (or, with delivery "broker", at the broker's PUBACK, like the other rows); the rest of the outbox is published
// again on every reconnect and whenever the tournament side comes back online. The status topic
// carries online/offline, offline also as the MQTT will. Lua packages publish and subscribe under vta/<t>/lua/.
//
// libmosquitto runs its own network thread and the outbox its own SQLite thread; every completion is posted to
// the io_context, where all of this class's state lives. Nothing here waits on the network or on SQLite.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/courts/config.hpp"
#include "vta/store/ingest_sink.hpp"
#include "vta/store/outbox.hpp"
#include "vta/store/writer.hpp"

namespace vta::courts {

class MqttClient;

// The topics of one court.
struct CourtTopics {
    std::string status, state, events;
    std::string stored;             // "vta/<t>/stored/<n>": the seqs the tournament side has stored
    std::string tournament_status;  // "vta/<t>/tournament/status": the tournament side online since when
    std::string lua_prefix;         // "vta/<t>/lua/"
    static CourtTopics of(const std::string& tournament, int court);
};

// True for a Lua topic suffix: one or more levels of letters, digits, '-' and '_', separated by '/'.
bool valid_lua_suffix(const std::string& suffix);

// What the court says about itself, for `state` (without court, seq and at_ms, which the bus adds).
using StateSource = std::function<nlohmann::json()>;

class CourtBus : public std::enable_shared_from_this<CourtBus> {
public:
    // Opens the outbox on `database` (the store the Writer writes). `writer` must outlive the bus.
    static Result<std::shared_ptr<CourtBus>> open(boost::asio::io_context& io, const CourtsConfig& config,
                                                  const std::filesystem::path& database, store::Writer& writer);
    ~CourtBus();

    // The ingest path's sink: the Writer's, with each event queued for the bus in the same batch.
    store::IngestSink& sink();
    // Read at most every 250 ms while it changes; call before start().
    void set_state_source(StateSource source) { state_source_ = std::move(source); }
    // The active tournament day, sent with each event and state: {"tournament", "day_number", "date"}.
    void set_day(nlohmann::json day);
    // For the events' match_number (the ingest's current match).
    void set_match_number_source(std::function<std::string()> source) { match_number_ = std::move(source); }

    // Connects (and keeps reconnecting) and starts draining the outbox.
    void start();
    // Says offline, disconnects and stops the threads; the outbox keeps what is not acknowledged.
    void stop();

    // Rows were committed (any thread): there may be something new in the outbox.
    void on_committed();

    // Lua: queues {"court", "package", "data"} on vta/<t>/lua/<suffix>.
    Result<void> publish_lua(const std::string& package, const std::string& suffix, const nlohmann::json& data);
    // Lua: `handler(data, from_court)` for each message on vta/<t>/lua/<suffix> (io thread). Returns an id for
    // unsubscribe_lua.
    using LuaHandler = std::function<void(const nlohmann::json& data, int from_court)>;
    std::uint64_t subscribe_lua(const std::string& suffix, LuaHandler handler);
    void unsubscribe_lua(std::uint64_t id);

    bool connected() const { return connected_; }
    const CourtTopics& topics() const { return topics_; }
    int court() const { return config_.court; }

private:
    class Sink;
    CourtBus(boost::asio::io_context& io, const CourtsConfig& config, store::Writer& writer);
    void on_connect(int rc, const std::string& reason);
    void on_disconnect(int rc);
    void on_puback(int mid);
    void on_message(const std::string& topic, const std::string& payload);
    void on_stored(const nlohmann::json& message);
    void on_tournament_status(const nlohmann::json& message);
    void publish_again();
    void pump();
    void publish_rows(std::uint64_t generation, std::size_t asked, Result<std::vector<store::OutboxMessage>> rows);
    void remove_acknowledged();
    void tick_state();
    std::string status_payload(bool online) const;
    template <class F>
    void post(F&& f);

    boost::asio::io_context& io_;
    const CourtsConfig config_;
    const CourtTopics topics_;
    store::Writer& writer_;
    std::unique_ptr<Sink> sink_;
    std::unique_ptr<store::Outbox> outbox_;
    std::unique_ptr<MqttClient> mqtt_;
    boost::asio::steady_timer state_timer_;
    StateSource state_source_;
    std::function<std::string()> match_number_;
    std::shared_ptr<const nlohmann::json> day_;                 // shared with the payload makers on the writer thread
    std::string last_state_;                                    // the last state queued, without at_ms and seq
    std::optional<store::OutboxMessage> last_state_published_;  // sent again on reconnect

    bool started_ = false;
    bool stopped_ = false;
    bool connected_ = false;
    std::uint64_t generation_ = 0;  // connections so far: a read made for an earlier one is dropped
    bool reading_ = false;
    bool more_ = false;                    // rows were committed while a read ran
    std::int64_t published_through_ = 0;  // the highest seq handed to the broker in this connection
    // Up to here only events go again: the other rows were acknowledged by the broker (publish_again()).
    std::int64_t again_through_ = 0;
    struct InFlight {
        std::int64_t seq = 0;
        bool event = false;
    };
    std::map<int, InFlight> unacked_;  // mid -> row
    std::int64_t tournament_since_ms_ = 0;  // of the tournament side's last online status seen
    std::vector<std::int64_t> acknowledged_;
    bool removing_ = false;
    std::int64_t since_ms_ = 0;
    std::map<std::uint64_t, std::pair<std::string, LuaHandler>> lua_handlers_;  // id -> (topic, handler)
    std::uint64_t next_lua_id_ = 1;
};

}  // namespace vta::courts
