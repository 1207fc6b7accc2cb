#include "vta/courts/court_bus.hpp"

#include <chrono>
#include <regex>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "mqtt_client.hpp"

namespace vta::courts {

namespace {

// Rows published and not yet acknowledged at most: the library keeps them in memory until their PUBACK.
constexpr std::size_t window = 200;
constexpr auto state_interval = std::chrono::milliseconds(250);

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
    return name;
}

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

}  // namespace

CourtTopics CourtTopics::of(const std::string& tournament, int court) {
    const std::string base = "vta/" + tournament + "/court/" + std::to_string(court) + "/";
    return {base + "status",
            base + "state",
            base + "events",
            "vta/" + tournament + "/stored/" + std::to_string(court),
            "vta/" + tournament + "/tournament/status",
            "vta/" + tournament + "/lua/"};
}

bool valid_lua_suffix(const std::string& suffix) {
    static const std::regex pattern("^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$");
    return suffix.size() <= 200 && std::regex_match(suffix, pattern);
}

// The Writer's sink, with every event queued for the bus in the event's own batch. The payload is made on the
// writer thread from what is copied here.
class CourtBus::Sink final : public store::IngestSink {
public:
    explicit Sink(CourtBus& bus) : bus_(bus) {}

    std::int64_t add_datagram(store::DatagramRow row) override {
        last_arrival_us_ = row.received_us;
        last_manual_ = row.sender == "manual";
        return bus_.writer_.add_datagram(std::move(row));
    }

    std::int64_t add_event(store::EventRow row) override {
        store::OutboxRow message;
        message.topic = bus_.topics_.events;
        message.make_payload = [court = bus_.config_.court, code = row.code, raw = row.raw, fields = row.fields_json,
                                match_id = row.match_id, round = row.round, at_us = last_arrival_us_,
                                manual = last_manual_,
                                match_number = bus_.match_number_ ? bus_.match_number_() : std::string(),
                                day = bus_.day_](std::int64_t seq, std::int64_t event_id) {
            nlohmann::json event = {{"id", event_id},
                                    {"code", code},
                                    {"raw", raw},
                                    {"at_us", at_us},
                                    {"match_id", match_id ? nlohmann::json(*match_id) : nlohmann::json()},
                                    {"match_number", match_number},
                                    {"round", round},
                                    {"fields", nlohmann::json::parse(fields, nullptr, false)},
                                    {"manual", manual}};
            if (event["fields"].is_discarded()) event["fields"] = nlohmann::json::object();
            return dump({{"court", court}, {"seq", seq}, {"event", std::move(event)}, {"day", *day}});
        };
        return bus_.writer_.add_event(std::move(row), std::move(message));
    }

    std::int64_t add_unknown(store::UnknownRow row) override { return bus_.writer_.add_unknown(std::move(row)); }
    std::int64_t add_match(store::MatchRow row) override { return bus_.writer_.add_match(std::move(row)); }
    void update_match(std::int64_t id, std::function<store::MatchRow()> make_row) override {
        bus_.writer_.update_match(id, std::move(make_row));
    }
    void update_event_fields(std::int64_t id, std::string fields_json) override {
        bus_.writer_.update_event_fields(id, std::move(fields_json));
    }
    void hold_batch() override { bus_.writer_.hold_batch(); }
    void release_batch() override { bus_.writer_.release_batch(); }

private:
    CourtBus& bus_;
    std::int64_t last_arrival_us_ = 0;
    bool last_manual_ = false;
};

CourtBus::CourtBus(boost::asio::io_context& io, const CourtsConfig& config, store::Writer& writer)
    : io_(io),
      config_(config),
      topics_(CourtTopics::of(config.tournament, config.court)),
      writer_(writer),
      sink_(std::make_unique<Sink>(*this)),
      state_timer_(io),
      day_(std::make_shared<const nlohmann::json>(nlohmann::json::object())) {}

CourtBus::~CourtBus() { stop(); }

store::IngestSink& CourtBus::sink() { return *sink_; }

Result<std::shared_ptr<CourtBus>> CourtBus::open(boost::asio::io_context& io, const CourtsConfig& config,
                                                 const std::filesystem::path& database, store::Writer& writer) {
    std::shared_ptr<CourtBus> bus(new CourtBus(io, config, writer));
    auto outbox = store::Outbox::open(database);
    if (!outbox) return Error{outbox.error().code, "courts: cannot open the outbox: " + outbox.error().message};
    bus->outbox_ = std::move(outbox.value());

    std::weak_ptr<CourtBus> weak = bus;
    MqttClient::Callbacks callbacks;
    callbacks.on_connect = [weak](int rc, std::string reason) {
        if (auto self = weak.lock()) self->post([self, rc, reason] { self->on_connect(rc, reason); });
    };
    callbacks.on_disconnect = [weak](int rc) {
        if (auto self = weak.lock()) self->post([self, rc] { self->on_disconnect(rc); });
    };
    callbacks.on_puback = [weak](int mid) {
        if (auto self = weak.lock()) self->post([self, mid] { self->on_puback(mid); });
    };
    callbacks.on_message = [weak](std::string topic, std::string payload) {
        if (auto self = weak.lock())
            self->post(
                [self, topic = std::move(topic), payload = std::move(payload)] { self->on_message(topic, payload); });
    };
    const std::string client_id = "vta-" + config.tournament + "-court-" + std::to_string(config.court);
    auto mqtt =
        MqttClient::create(client_id, config, {bus->topics_.status, bus->status_payload(false)}, std::move(callbacks));
    if (!mqtt) return Error{mqtt.error().code, "courts: " + mqtt.error().message};
    bus->mqtt_ = std::move(mqtt.value());
    return bus;
}

template <class F>
void CourtBus::post(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
}

void CourtBus::set_day(nlohmann::json day) { day_ = std::make_shared<const nlohmann::json>(std::move(day)); }

std::string CourtBus::status_payload(bool online) const {
    return dump({{"court", config_.court}, {"online", online}, {"since_ms", now_ms()}, {"host", host_name()}});
}

void CourtBus::start() {
    if (started_) return;
    started_ = true;
    spdlog::info("courts: court {} of '{}' publishing to {}:{}{}", config_.court, config_.tournament,
                 config_.broker_host, config_.broker_port, config_.tls_ca_file.empty() ? "" : " (TLS)");
    if (auto started = mqtt_->start(); !started) spdlog::error("courts: {}", started.error().message);
    tick_state();
}

void CourtBus::stop() {
    if (stopped_) return;
    stopped_ = true;
    state_timer_.cancel();
    // Offline before leaving: a clean stop sends no will.
    if (connected_) (void)mqtt_->publish(topics_.status, status_payload(false), true);
    if (mqtt_) mqtt_->stop(connected_);
    if (outbox_) outbox_->close();
    connected_ = false;
}

void CourtBus::on_committed() {
    if (auto self = weak_from_this().lock()) post([self] { self->pump(); });
}

void CourtBus::on_connect(int rc, const std::string& reason) {
    if (stopped_) return;
    if (rc != 0) {
        spdlog::warn("courts: the broker {}:{} refused the connection: {}", config_.broker_host, config_.broker_port,
                     reason);
        return;
    }
    spdlog::info("courts: connected to {}:{}", config_.broker_host, config_.broker_port);
    connected_ = true;
    ++generation_;
    since_ms_ = now_ms();
    (void)mqtt_->publish(topics_.status, status_payload(true), true);
    // A restarted broker may have lost the retained state: the last one goes again (the outbox holds newer ones).
    if (last_state_published_) (void)mqtt_->publish(topics_.state, last_state_published_->payload, true);
    std::set<std::string> subscribed;
    for (const auto& [id, entry] : lua_handlers_)
        if (subscribed.insert(entry.first).second) (void)mqtt_->subscribe(entry.first);
    if (!config_.confirmed_by_tournament) return pump();
    (void)mqtt_->subscribe(topics_.stored);
    (void)mqtt_->subscribe(topics_.tournament_status);
    // The broker may have lost what it acknowledged (a crash loses its memory): every unconfirmed event goes again.
    publish_again();
}

void CourtBus::publish_again() {
    again_through_ = std::max(again_through_, published_through_);
    published_through_ = 0;
    ++generation_;  // a read under way started from the old position
    pump();
}

void CourtBus::on_disconnect(int rc) {
    if (!connected_) return;
    connected_ = false;
    if (!stopped_) spdlog::warn("courts: disconnected from the broker (code {}); the outbox keeps the events", rc);
    // What was not acknowledged is published again from the outbox after the reconnect (maybe twice: harmless).
    std::int64_t lowest = published_through_ + 1;
    for (const auto& [mid, row] : unacked_) lowest = std::min(lowest, row.seq);
    published_through_ = lowest - 1;
    again_through_ = std::min(again_through_, published_through_);
    unacked_.clear();
}

void CourtBus::pump() {
    if (stopped_ || !connected_) return;
    if (reading_) {
        more_ = true;
        return;
    }
    if (unacked_.size() >= window) return;
    reading_ = true;
    more_ = false;
    const std::size_t asked = window - unacked_.size();
    std::weak_ptr<CourtBus> weak = weak_from_this();
    outbox_->read_after(published_through_, asked,
                        [weak, generation = generation_, asked](Result<std::vector<store::OutboxMessage>> rows) {
                            if (auto self = weak.lock())
                                self->post([self, generation, asked, rows = std::move(rows)]() mutable {
                                    self->publish_rows(generation, asked, std::move(rows));
                                });
                        });
}

void CourtBus::publish_rows(std::uint64_t generation, std::size_t asked,
                            Result<std::vector<store::OutboxMessage>> rows) {
    reading_ = false;
    if (stopped_ || !connected_ || generation != generation_) return pump();
    if (!rows) {
        spdlog::error("courts: {}", rows.error().message);
        return;
    }
    for (const store::OutboxMessage& row : *rows) {
        const bool event = row.topic == topics_.events;
        if (!event && row.seq <= again_through_) {
            published_through_ = row.seq;  // acknowledged by the broker already, its deletion under way
            continue;
        }
        const bool retained = row.topic == topics_.state;
        auto mid = mqtt_->publish(row.topic, row.payload, retained);
        if (!mid) {
            spdlog::warn("courts: {}", mid.error().message);
            break;  // the disconnect callback follows; the rest goes after the reconnect
        }
        unacked_[*mid] = {row.seq, event};
        published_through_ = row.seq;
        if (retained) last_state_published_ = row;
    }
    if (rows->size() == asked || more_) pump();
}

void CourtBus::on_puback(int mid) {
    auto acked = unacked_.find(mid);
    if (acked == unacked_.end()) return;  // status, a republished state, or from before a reconnect
    // An event stays until the tournament side says it stored it (on_stored).
    if (!acked->second.event || !config_.confirmed_by_tournament) acknowledged_.push_back(acked->second.seq);
    unacked_.erase(acked);
    remove_acknowledged();
    pump();
}

void CourtBus::remove_acknowledged() {
    if (removing_ || acknowledged_.empty() || stopped_) return;
    removing_ = true;
    std::weak_ptr<CourtBus> weak = weak_from_this();
    outbox_->remove(std::exchange(acknowledged_, {}), [weak](Result<void> removed) {
        if (!removed) spdlog::error("courts: {}", removed.error().message);
        if (auto self = weak.lock())
            self->post([self] {
                self->removing_ = false;
                self->remove_acknowledged();
            });
    });
}

void CourtBus::tick_state() {
    if (stopped_) return;
    if (state_source_) {
        nlohmann::json state = state_source_();
        state["day"] = *day_;
        std::string text = dump(state);
        if (text != last_state_) {
            last_state_ = text;
            store::OutboxRow message;
            message.topic = topics_.state;
            message.supersedes = true;
            message.make_payload = [court = config_.court, state = std::move(state), at_ms = now_ms()](std::int64_t seq,
                                                                                                       std::int64_t) {
                nlohmann::json payload = {{"court", court}, {"seq", seq}, {"at_ms", at_ms}};
                payload.update(state);
                return dump(payload);
            };
            writer_.add_outbox(std::move(message));
        }
    }
    state_timer_.expires_after(state_interval);
    state_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
        if (auto self = weak.lock(); self && !ec) self->tick_state();
    });
}

Result<void> CourtBus::publish_lua(const std::string& package, const std::string& suffix, const nlohmann::json& data) {
    if (stopped_) return Error{Errc::closed, "courts: the bus is stopped"};
    store::OutboxRow message;
    message.topic = topics_.lua_prefix + suffix;
    message.make_payload = [text = dump({{"court", config_.court}, {"package", package}, {"data", data}})](
                               std::int64_t, std::int64_t) { return text; };
    writer_.add_outbox(std::move(message));
    return {};
}

std::uint64_t CourtBus::subscribe_lua(const std::string& suffix, LuaHandler handler) {
    const std::string topic = topics_.lua_prefix + suffix;
    const std::uint64_t id = next_lua_id_++;
    bool first = true;
    for (const auto& [other, entry] : lua_handlers_) first = first && entry.first != topic;
    lua_handlers_[id] = {topic, std::move(handler)};
    if (first && connected_) (void)mqtt_->subscribe(topic);
    return id;
}

void CourtBus::unsubscribe_lua(std::uint64_t id) { lua_handlers_.erase(id); }

void CourtBus::on_message(const std::string& topic, const std::string& payload) {
    const nlohmann::json message = nlohmann::json::parse(payload, nullptr, false);
    if (message.is_discarded() || !message.is_object()) {
        spdlog::warn("courts: a message on {} is not a JSON object; ignored", topic);
        return;
    }
    if (topic == topics_.stored) return on_stored(message);
    if (topic == topics_.tournament_status) return on_tournament_status(message);
    const int from_court = message.value("court", 0);
    const nlohmann::json data = message.contains("data") ? message["data"] : nlohmann::json();
    // Copied: a handler may unsubscribe.
    std::vector<LuaHandler> handlers;
    for (const auto& [id, entry] : lua_handlers_)
        if (entry.first == topic) handlers.push_back(entry.second);
    for (const auto& handler : handlers) handler(data, from_court);
}


void CourtBus::on_stored(const nlohmann::json& message) {
    const auto seqs = message.find("seqs");
    if (seqs == message.end() || !seqs->is_array()) {
        spdlog::warn("courts: a message on {} has no \"seqs\" array; ignored", topics_.stored);
        return;
    }
    for (const auto& seq : *seqs)
        if (seq.is_number_integer()) acknowledged_.push_back(seq.get<std::int64_t>());
    remove_acknowledged();
}

// The tournament side back online (restarted, or after a broker restart) may have missed what was sent while it
// was away: everything still unconfirmed goes again. Its first status after this host's own connect needs nothing,
// the connect already sent everything again.
void CourtBus::on_tournament_status(const nlohmann::json& message) {
    if (!message.value("online", false)) return;
    const std::int64_t since = message.value("since_ms", std::int64_t(0));
    if (since == tournament_since_ms_) return;
    const bool first = tournament_since_ms_ == 0;
    tournament_since_ms_ = since;
    if (!first) publish_again();
}

}  // namespace vta::courts
