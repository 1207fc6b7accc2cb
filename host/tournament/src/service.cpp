#include "vta/tournament/service.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "vta/tournament/store.hpp"
#include "vta/tournament/subscriber.hpp"

namespace vta::tournament {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t max_batch = 500;  // messages per transaction
constexpr std::size_t results_on_board = 60;
constexpr auto reconnect_delay = std::chrono::seconds(1);

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string string_at(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json side_of(const json& match, int side) {
    const json athletes = match.value("athletes", json::array());
    const json athlete = athletes.is_array() && int(athletes.size()) > side ? athletes[side] : json::object();
    const json scores = match.value("scores", json::array());
    const json score = scores.is_array() && int(scores.size()) > side ? scores[side] : json(0);
    std::string name = string_at(athlete, "long_name");
    if (name.empty()) name = string_at(athlete, "short_name");
    return {{"name", name}, {"noc", string_at(athlete, "noc")}, {"score", score}};
}

json court_on_board(const CourtRow* row, int court) {
    json c = {{"court", court},   {"online", nullptr}, {"since_ms", 0},    {"host", ""},      {"has_match", false},
              {"state_at_ms", 0}, {"events", 0},       {"highest_seq", 0}, {"match", nullptr}};
    if (!row) return c;
    if (row->online) c["online"] = *row->online;
    c["since_ms"] = row->since_ms;
    c["host"] = row->host;
    c["events"] = row->events;
    c["highest_seq"] = row->highest_seq;
    if (!row->state.is_object()) return c;
    c["state_at_ms"] = row->state.value("at_ms", std::int64_t(0));
    c["has_match"] = row->state.value("has_match", false);
    const json match = row->state.value("match", json::object());
    if (!match.is_object() || !c["has_match"].get<bool>()) return c;
    c["match"] = {{"number", match.value("number", json(""))},
                  {"category", string_at(match, "category")},
                  {"weight", string_at(match, "weight")},
                  {"round", match.value("round", json(0))},
                  {"clock", string_at(match, "clock")},
                  {"decided", match.value("decided", false)},
                  {"winner", string_at(match, "winner")},
                  {"winner_name", string_at(match, "winner_name")},
                  {"decision", string_at(match, "decision")},
                  {"blue", side_of(match, 0)},
                  {"red", side_of(match, 1)}};
    return c;
}

}  // namespace

struct Service::State {
    ServiceOptions options;
    OnBoard on_board;

    mutable std::mutex mutex;
    std::condition_variable wake;
    // Statuses and states go ahead of events: a court's events replayed after an outage may be thousands, and the
    // board must show the court back within 2 s all the same.
    std::deque<ReceivedMessage> live;
    std::deque<ReceivedMessage> events;
    bool stopping = false;
    bool dirty = true;
    json broker = {{"connected", false}, {"since_ms", now_ms()}, {"reason", "not connected yet"}};
    json board = json::object();

    std::unique_ptr<Subscriber> subscriber;
    std::atomic<Subscriber*> publisher{nullptr};  // the subscriber once it runs, for the stored seqs
    std::thread database_thread;

    void run(std::promise<vta::VoidResult> opened);
    vta::Result<json> build_board(Store& store);
    void received(const std::string& topic, const std::string& payload, bool retained);
    void connection_changed(bool connected, const std::string& reason);
    void confirm_stored(const std::vector<ReceivedMessage>& batch);
};

// Tells each court which of its events are now committed here (duplicates included: the court may not have heard
// the first confirmation), so it can empty its outbox. A confirmation lost on the way costs a replay, never an
// event: the court keeps what is not confirmed.
void Service::State::confirm_stored(const std::vector<ReceivedMessage>& batch) {
    Subscriber* to = publisher.load();
    if (!to) return;
    std::map<int, json> seqs;  // court -> [seq]
    for (const ReceivedMessage& received : batch)
        if (const auto* event = std::get_if<CourtEvent>(&received.message)) seqs[event->court].push_back(event->seq);
    for (const auto& [court, list] : seqs)
        (void)to->publish(stored_topic(options.tournament, court), json{{"seqs", list}}.dump(), false);
}

void Service::State::received(const std::string& topic, const std::string& payload, bool retained) {
    auto message = parse_court_message(options.tournament, topic, payload);
    if (!message) {
        if (message.error().code != vta::Errc::not_found) spdlog::warn("tournament: {}", message.error().message);
        return;
    }
    {
        std::lock_guard lock(mutex);
        const bool event = std::holds_alternative<CourtEvent>(message.value());
        (event ? events : live).push_back({std::move(message.value()), retained, now_ms()});
    }
    wake.notify_one();
}

void Service::State::connection_changed(bool connected, const std::string& reason) {
    {
        std::lock_guard lock(mutex);
        if (broker["connected"] == connected && broker["reason"] == reason) return;
        broker = {{"connected", connected}, {"since_ms", now_ms()}, {"reason", reason}};
        dirty = true;
    }
    spdlog::info("tournament: broker {}:{} {}", options.broker_host, options.broker_port, reason);
    wake.notify_one();
}

vta::Result<json> Service::State::build_board(Store& store) {
    auto courts = store.courts(options.tournament);
    if (!courts) return courts.error();
    auto day = store.latest_day(options.tournament);
    if (!day) return day.error();
    std::vector<MatchRow> results;
    if (!day->empty()) {
        ResultsQuery query;
        query.tournament = options.tournament;
        query.day = *day;
        auto matches = store.matches(query);
        if (!matches) return matches.error();
        results = std::move(matches.value());
        std::stable_sort(results.begin(), results.end(),
                         [](const MatchRow& a, const MatchRow& b) { return a.decided_at_ms > b.decided_at_ms; });
        if (results.size() > results_on_board) results.resize(results_on_board);
    }
    json board_courts = json::array();
    int next = 1;
    for (const CourtRow& row : *courts) {
        for (; next < row.court && next <= options.courts; ++next)
            board_courts.push_back(court_on_board(nullptr, next));
        board_courts.push_back(court_on_board(&row, row.court));
        next = std::max(next, row.court + 1);
    }
    for (; next <= options.courts; ++next) board_courts.push_back(court_on_board(nullptr, next));
    std::lock_guard lock(mutex);
    return json{{"tournament", options.tournament}, {"day", *day},       {"updated_ms", now_ms()}, {"broker", broker},
                {"courts", board_courts},           {"results", results}};
}

// The database thread: batches of messages in one transaction each, the board after them. A store that fails
// (PostgreSQL restarted) is opened again every second; the messages wait in memory meanwhile.
void Service::State::run(std::promise<vta::VoidResult> opened) {
    auto store = Store::open(options.database_url, Store::Mode::migrate);
    if (!store) return opened.set_value(store.error());
    std::unique_ptr<Store> db = std::move(store.value());
    opened.set_value({});

    std::vector<ReceivedMessage> batch;
    auto last_board = Clock::now() - options.board_interval;
    while (true) {
        bool stop_now = false;
        {
            std::unique_lock lock(mutex);
            const auto board_due = last_board + options.board_interval;
            wake.wait_until(lock, dirty ? board_due : Clock::now() + std::chrono::seconds(1),
                            [&] {
                                return stopping || !live.empty() || !events.empty() ||
                                       (dirty && Clock::now() >= board_due);
                            });
            for (auto* queue : {&live, &events})
                while (!queue->empty() && batch.size() < max_batch) {
                    batch.push_back(std::move(queue->front()));
                    queue->pop_front();
                }
            stop_now = stopping && live.empty() && events.empty();
        }
        if (!db) {
            auto reopened = Store::open(options.database_url, Store::Mode::migrate);
            if (!reopened) {
                spdlog::warn("tournament: {} (retrying)", reopened.error().message);
                if (stop_now) return;
                std::this_thread::sleep_for(reconnect_delay);
                continue;
            }
            db = std::move(reopened.value());
            spdlog::info("tournament: the store is back");
        }
        if (!batch.empty()) {
            if (auto stored = db->apply(options.tournament, batch); !stored) {
                spdlog::warn("tournament: {}; {} messages wait", stored.error().message, batch.size());
                db.reset();
                if (stop_now) return;
                continue;
            }
            confirm_stored(batch);
            batch.clear();
            std::lock_guard lock(mutex);
            dirty = true;
        }
        bool board_due = false;
        {
            std::lock_guard lock(mutex);
            board_due = dirty && (stop_now || Clock::now() >= last_board + options.board_interval);
        }
        if (board_due) {
            auto built = build_board(*db);
            if (!built) {
                spdlog::warn("tournament: {}", built.error().message);
                db.reset();
                continue;
            }
            last_board = Clock::now();
            {
                std::lock_guard lock(mutex);
                dirty = false;
                board = built.value();
            }
            on_board(built.value());
        }
        if (stop_now) return;
    }
}

Service::Service(std::shared_ptr<State> state) : state_(std::move(state)) {}

Service::~Service() { stop(); }

vta::Result<std::unique_ptr<Service>> Service::start(ServiceOptions options, OnBoard on_board) {
    if (!valid_tournament_slug(options.tournament))
        return vta::Error(vta::Errc::invalid_argument,
                          "tournament '" + options.tournament + "': expected lower-case letters, digits and '-'");
    if (options.client_id.empty()) options.client_id = "vta-tournament-" + options.tournament;
    auto state = std::make_shared<State>();
    state->options = std::move(options);
    state->on_board = std::move(on_board);
    std::promise<vta::VoidResult> opened;
    auto open_result = opened.get_future();
    state->database_thread = std::thread([s = state.get(), p = std::move(opened)]() mutable { s->run(std::move(p)); });
    if (auto ready = open_result.get(); !ready) {
        state->database_thread.join();
        return ready.error();
    }
    State* s = state.get();
    SubscriberOptions subscriber;
    subscriber.host = s->options.broker_host;
    subscriber.port = s->options.broker_port;
    subscriber.client_id = s->options.client_id;
    subscriber.topic_filter = court_topic_filter(s->options.tournament);
    subscriber.status_topic = tournament_status_topic(s->options.tournament);
    subscriber.username = s->options.broker_username;
    subscriber.password = s->options.broker_password;
    subscriber.ca_file = s->options.broker_ca_file;
    auto started = Subscriber::start(
        subscriber, [s](const std::string& t, const std::string& p, bool r) { s->received(t, p, r); },
        [s](bool connected, const std::string& reason) { s->connection_changed(connected, reason); });
    std::unique_ptr<Service> service(new Service(std::move(state)));
    if (!started) return started.error();
    s->subscriber = std::move(started.value());
    s->publisher = s->subscriber.get();
    return service;
}

void Service::stop() {
    if (!state_) return;
    if (state_->subscriber) state_->subscriber->stop();
    {
        std::lock_guard lock(state_->mutex);
        state_->stopping = true;
    }
    state_->wake.notify_one();
    if (state_->database_thread.joinable()) state_->database_thread.join();
}

json Service::board() const {
    std::lock_guard lock(state_->mutex);
    return state_->board;
}

}  // namespace vta::tournament
