#include "vta/tournament/store.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include <pqxx/pqxx>

namespace vta::tournament {

namespace {

using nlohmann::json;

// Migration N takes the schema from version N-1 to N; index 0 makes version 1.
const char* const migrations[] = {
    R"sql(
CREATE TABLE courts (
    tournament  text    NOT NULL,
    court       integer NOT NULL,
    online      boolean,
    since_ms    bigint  NOT NULL DEFAULT 0,
    host        text    NOT NULL DEFAULT '',
    state       jsonb,
    state_seq   bigint  NOT NULL DEFAULT 0,
    state_at_ms bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (tournament, court)
);
CREATE TABLE events (
    tournament   text    NOT NULL,
    court        integer NOT NULL,
    seq          bigint  NOT NULL,
    event_id     bigint  NOT NULL,
    code         text    NOT NULL,
    raw          text    NOT NULL,
    at_us        bigint  NOT NULL,
    match_id     bigint,
    match_number text    NOT NULL,
    round        integer NOT NULL,
    fields       jsonb   NOT NULL,
    manual       boolean NOT NULL,
    day_number   integer NOT NULL,
    day_date     text    NOT NULL,
    stored_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tournament, court, seq)
);
CREATE INDEX events_by_match ON events (tournament, court, match_id, seq);
CREATE TABLE matches (
    tournament    text    NOT NULL,
    court         integer NOT NULL,
    match_id      bigint  NOT NULL,
    day_number    integer NOT NULL DEFAULT 0,
    day_date      text    NOT NULL DEFAULT '',
    number        text    NOT NULL DEFAULT '',
    category      text    NOT NULL DEFAULT '',
    weight        text    NOT NULL DEFAULT '',
    blue_name     text    NOT NULL DEFAULT '',
    blue_noc      text    NOT NULL DEFAULT '',
    red_name      text    NOT NULL DEFAULT '',
    red_noc       text    NOT NULL DEFAULT '',
    blue_score    integer NOT NULL DEFAULT 0,
    red_score     integer NOT NULL DEFAULT 0,
    winner        text    NOT NULL DEFAULT '',
    winner_name   text    NOT NULL DEFAULT '',
    decision      text    NOT NULL DEFAULT '',
    decided       boolean NOT NULL DEFAULT false,
    decided_at_ms bigint  NOT NULL DEFAULT 0,
    state         jsonb,
    state_seq     bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (tournament, court, match_id)
);
CREATE INDEX matches_by_day ON matches (tournament, day_date);
)sql",
};
constexpr int migration_count = int(sizeof(migrations) / sizeof(migrations[0]));
static_assert(migration_count == schema_version);

// Any number: two `vta tournament run` starting together migrate one after the other.
constexpr long migration_lock = 0x767461746f75726eL;

vta::Error database_error(const std::string& what, const std::exception& e) {
    return vta::Error(vta::Errc::unavailable, what + ": " + e.what());
}

std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : std::string(f.c_str()); }
template <class T>
T number(const pqxx::field& f) {
    return f.is_null() ? T{} : f.as<T>();
}
json json_of(const pqxx::field& f) { return f.is_null() ? json() : json::parse(f.c_str(), nullptr, false); }

std::vector<std::string> split_group(const std::string& raw) {
    std::vector<std::string> tokens;
    std::size_t start = 0;
    while (start < raw.size()) {
        const auto end = raw.find(';', start);
        tokens.push_back(raw.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return tokens;
}

int to_int(const std::string& text) {
    try {
        return std::stoi(text);
    } catch (const std::exception&) {
        return 0;
    }
}

std::string string_at(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The athlete's name as the board and the results print it: the long name, else the short one.
std::string athlete_name(const json& athlete) {
    const std::string name = string_at(athlete, "long_name");
    return name.empty() ? string_at(athlete, "short_name") : name;
}

// Reads what a PSS group says of the match (the raw group is the protocol, so it needs no more of the contract).
void apply_event(MatchRow& m, const std::string& code, const std::string& raw, std::int64_t at_us) {
    const auto t = split_group(raw);
    const auto at = [&t](std::size_t i) { return i < t.size() ? t[i] : std::string(); };
    if (code == "at1") {
        // at1;short;long;NOC;at2;short;long;NOC;
        m.blue_name = at(2).empty() ? at(1) : at(2);
        m.blue_noc = at(3);
        m.red_name = at(6).empty() ? at(5) : at(6);
        m.red_noc = at(7);
    } else if (code == "sc1") {
        m.blue_score = to_int(at(1));
        m.red_score = to_int(at(3));
    } else if (code == "win") {
        m.winner = at(1);
        m.decided = true;
        m.decided_at_ms = at_us / 1000;
    } else if (code == "pre" || code == "rst") {
        m.winner.clear();
        m.decided = false;
    }
}

// The latest state that named the match wins over the events it has seen (its seq is higher than theirs).
void apply_state(MatchRow& m, const json& state, bool newer_than_events) {
    const json match = state.value("match", json::object());
    if (!match.is_object()) return;
    if (const auto c = string_at(match, "category"); !c.empty()) m.category = c;
    if (const auto w = string_at(match, "weight"); !w.empty()) m.weight = w;
    if (const auto d = string_at(match, "decision"); !d.empty()) m.decision = d;
    if (const auto n = string_at(match, "winner_name"); !n.empty()) m.winner_name = n;
    if (!newer_than_events) return;
    if (const auto n = string_at(match, "number"); !n.empty()) m.number = n;
    const json day = state.value("day", json::object());
    if (day.is_object()) {
        if (const auto d = string_at(day, "date"); !d.empty()) m.date = d;
        if (day.contains("day_number") && day["day_number"].is_number_integer()) m.day_number = day["day_number"];
    }
    const json athletes = match.value("athletes", json::array());
    if (athletes.is_array() && athletes.size() == 2) {
        m.blue_name = athlete_name(athletes[0]);
        m.blue_noc = string_at(athletes[0], "noc");
        m.red_name = athlete_name(athletes[1]);
        m.red_noc = string_at(athletes[1], "noc");
    }
    const json scores = match.value("scores", json::array());
    if (scores.is_array() && scores.size() == 2 && scores[0].is_number_integer() && scores[1].is_number_integer()) {
        m.blue_score = scores[0];
        m.red_score = scores[1];
    }
    const bool decided = match.value("decided", false);
    const std::string winner = string_at(match, "winner");
    if (decided && !winner.empty()) {
        if (!m.decided) m.decided_at_ms = state.value("at_ms", std::int64_t(0));
        m.decided = true;
        m.winner = winner;
    } else if (!decided) {
        m.decided = false;
        m.winner.clear();
    }
}

void derive_match(pqxx::work& w, const std::string& tournament, int court, std::int64_t match_id) {
    MatchRow m;
    m.tournament = tournament;
    m.court = court;
    m.match_id = match_id;
    std::int64_t highest_event_seq = 0;
    const auto events = w.exec_params(
        "SELECT seq, code, raw, at_us, match_number, day_number, day_date FROM events "
        "WHERE tournament = $1 AND court = $2 AND match_id = $3 ORDER BY seq",
        tournament, court, match_id);
    for (const auto& row : events) {
        highest_event_seq = number<std::int64_t>(row[0]);
        if (const auto n = text(row[4]); !n.empty()) m.number = n;
        if (m.date.empty() && !text(row[6]).empty()) {
            m.day_number = number<int>(row[5]);
            m.date = text(row[6]);
        }
        apply_event(m, text(row[1]), text(row[2]), number<std::int64_t>(row[3]));
    }
    const auto state =
        w.exec_params("SELECT state, state_seq FROM matches WHERE tournament = $1 AND court = $2 AND match_id = $3",
                      tournament, court, match_id);
    if (!state.empty() && !state[0][0].is_null())
        apply_state(m, json_of(state[0][0]), number<std::int64_t>(state[0][1]) > highest_event_seq);
    if (m.decided && m.winner_name.empty())
        m.winner_name = m.winner == "BLUE" ? m.blue_name : m.winner == "RED" ? m.red_name : "";
    w.exec_params(
        "INSERT INTO matches (tournament, court, match_id, day_number, day_date, number, category, weight, blue_name, "
        "blue_noc, red_name, red_noc, blue_score, red_score, winner, winner_name, decision, decided, decided_at_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) "
        "ON CONFLICT (tournament, court, match_id) DO UPDATE SET day_number = EXCLUDED.day_number, "
        "day_date = EXCLUDED.day_date, number = EXCLUDED.number, category = EXCLUDED.category, "
        "weight = EXCLUDED.weight, blue_name = EXCLUDED.blue_name, blue_noc = EXCLUDED.blue_noc, "
        "red_name = EXCLUDED.red_name, red_noc = EXCLUDED.red_noc, blue_score = EXCLUDED.blue_score, "
        "red_score = EXCLUDED.red_score, winner = EXCLUDED.winner, winner_name = EXCLUDED.winner_name, "
        "decision = EXCLUDED.decision, decided = EXCLUDED.decided, decided_at_ms = EXCLUDED.decided_at_ms",
        tournament, court, match_id, m.day_number, m.date, m.number, m.category, m.weight, m.blue_name, m.blue_noc,
        m.red_name, m.red_noc, m.blue_score, m.red_score, m.winner, m.winner_name, m.decision, m.decided,
        m.decided_at_ms);
}

int stored_version(pqxx::work& w) {
    if (w.exec("SELECT to_regclass('schema_version')")[0][0].is_null()) return 0;
    const auto version = w.exec("SELECT max(version) FROM schema_version");
    return version.empty() ? 0 : number<int>(version[0][0]);
}

}  // namespace

void to_json(json& j, const MatchRow& m) {
    j = {{"tournament", m.tournament},
         {"court", m.court},
         {"match_id", m.match_id},
         {"day_number", m.day_number},
         {"date", m.date},
         {"number", m.number},
         {"category", m.category},
         {"weight", m.weight},
         {"blue", {{"name", m.blue_name}, {"noc", m.blue_noc}, {"score", m.blue_score}}},
         {"red", {{"name", m.red_name}, {"noc", m.red_noc}, {"score", m.red_score}}},
         {"winner", m.winner},
         {"winner_name", m.winner_name},
         {"decision", m.decision},
         {"decided", m.decided},
         {"decided_at_ms", m.decided_at_ms}};
}

struct Store::Connection {
    explicit Connection(const std::string& url) : db(url) {}
    pqxx::connection db;
};

Store::Store(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}
Store::~Store() = default;

vta::Result<std::unique_ptr<Store>> Store::open(const std::string& url, Mode mode) {
    std::unique_ptr<Connection> connection;
    try {
        connection = std::make_unique<Connection>(url);
    } catch (const std::exception& e) {
        return database_error("cannot connect to the tournament database", e);
    }
    try {
        pqxx::work w(connection->db);
        if (mode == Mode::migrate) w.exec("SELECT pg_advisory_xact_lock(" + std::to_string(migration_lock) + ")");
        const int version = stored_version(w);
        if (version > schema_version)
            return vta::Error(vta::Errc::schema_too_new, "the tournament store has schema version " +
                                                             std::to_string(version) + ", this vta knows up to " +
                                                             std::to_string(schema_version) + ": not touched");
        if (mode == Mode::read && version < schema_version)
            return vta::Error(vta::Errc::schema_too_old,
                              version == 0 ? "no tournament store in this database (start `vta tournament run` first)"
                                           : "the tournament store needs migrating (start `vta tournament run`)");
        if (version < schema_version) {
            w.exec("CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
            for (int next = version; next < schema_version; ++next) w.exec(migrations[next]);
            w.exec("DELETE FROM schema_version");
            w.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(schema_version) + ")");
        }
        w.commit();
    } catch (const std::exception& e) {
        return database_error("cannot prepare the tournament store", e);
    }
    return std::unique_ptr<Store>(new Store(std::move(connection)));
}

vta::VoidResult Store::apply(const std::string& tournament, const std::vector<ReceivedMessage>& batch) {
    try {
        pqxx::work w(connection_->db);
        std::set<std::pair<int, std::int64_t>> touched;
        for (const ReceivedMessage& received : batch) {
            if (const auto* s = std::get_if<CourtStatus>(&received.message)) {
                const std::int64_t since = !s->online && !received.retained ? received.received_ms : s->since_ms;
                w.exec_params(
                    "INSERT INTO courts (tournament, court, online, since_ms, host) VALUES ($1, $2, $3, $4, $5) "
                    "ON CONFLICT (tournament, court) DO UPDATE SET host = EXCLUDED.host, online = EXCLUDED.online, "
                    "since_ms = CASE WHEN courts.online IS NOT DISTINCT FROM EXCLUDED.online AND "
                    "courts.since_ms >= $6 THEN courts.since_ms ELSE EXCLUDED.since_ms END",
                    tournament, s->court, s->online, since, s->host, s->since_ms);
            } else if (const auto* s = std::get_if<CourtState>(&received.message)) {
                w.exec_params(
                    "INSERT INTO courts (tournament, court, state, state_seq, state_at_ms) "
                    "VALUES ($1, $2, $3::jsonb, $4, $5) ON CONFLICT (tournament, court) DO UPDATE SET "
                    "state = EXCLUDED.state, state_seq = EXCLUDED.state_seq, state_at_ms = EXCLUDED.state_at_ms "
                    "WHERE courts.state_seq < EXCLUDED.state_seq",
                    tournament, s->court, s->payload.dump(), s->seq, s->at_ms);
                if (s->match_id) {
                    w.exec_params(
                        "INSERT INTO matches (tournament, court, match_id, state, state_seq) "
                        "VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (tournament, court, match_id) DO UPDATE SET "
                        "state = EXCLUDED.state, state_seq = EXCLUDED.state_seq "
                        "WHERE matches.state_seq < EXCLUDED.state_seq",
                        tournament, s->court, *s->match_id, s->payload.dump(), s->seq);
                    touched.emplace(s->court, *s->match_id);
                }
            } else if (const auto* e = std::get_if<CourtEvent>(&received.message)) {
                w.exec_params("INSERT INTO courts (tournament, court) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                              tournament, e->court);
                const auto inserted = w.exec_params(
                    "INSERT INTO events (tournament, court, seq, event_id, code, raw, at_us, match_id, match_number, "
                    "round, fields, manual, day_number, day_date) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                    "CASE WHEN $8 THEN $9::bigint END, $10, $11, $12::jsonb, $13, $14, $15) ON CONFLICT DO NOTHING",
                    tournament, e->court, e->seq, e->event_id, e->code, e->raw, e->at_us, e->match_id.has_value(),
                    e->match_id.value_or(0), e->match_number, e->round, e->fields.dump(), e->manual, e->day.day_number,
                    e->day.date);
                if (inserted.affected_rows() == 1 && e->match_id) touched.emplace(e->court, *e->match_id);
            }
        }
        for (const auto& [court, match_id] : touched) derive_match(w, tournament, court, match_id);
        w.commit();
        return {};
    } catch (const std::exception& e) {
        return database_error("cannot store " + std::to_string(batch.size()) + " messages", e);
    }
}

vta::Result<std::vector<CourtRow>> Store::courts(const std::string& tournament) {
    try {
        pqxx::work w(connection_->db);
        const auto rows = w.exec_params(
            "SELECT c.court, c.online, c.since_ms, c.host, c.state, c.state_seq, COALESCE(e.n, 0), COALESCE(e.hi, 0) "
            "FROM courts c LEFT JOIN (SELECT court, count(*) AS n, max(seq) AS hi FROM events WHERE tournament = $1 "
            "GROUP BY court) e ON e.court = c.court WHERE c.tournament = $1 ORDER BY c.court",
            tournament);
        std::vector<CourtRow> courts;
        for (const auto& row : rows) {
            CourtRow c;
            c.court = number<int>(row[0]);
            if (!row[1].is_null()) c.online = row[1].as<bool>();
            c.since_ms = number<std::int64_t>(row[2]);
            c.host = text(row[3]);
            c.state = json_of(row[4]);
            c.state_seq = number<std::int64_t>(row[5]);
            c.events = number<std::int64_t>(row[6]);
            c.highest_seq = number<std::int64_t>(row[7]);
            courts.push_back(std::move(c));
        }
        return courts;
    } catch (const std::exception& e) {
        return database_error("cannot read the courts", e);
    }
}

vta::Result<std::vector<MatchRow>> Store::matches(const ResultsQuery& query) {
    try {
        pqxx::work w(connection_->db);
        std::string sql =
            "SELECT tournament, court, match_id, day_number, day_date, number, category, weight, blue_name, blue_noc, "
            "red_name, red_noc, blue_score, red_score, winner, winner_name, decision, decided, decided_at_ms "
            "FROM matches WHERE true";
        if (query.decided_only) sql += " AND decided";
        if (query.tournament) sql += " AND tournament = " + w.quote(*query.tournament);
        if (query.day) {
            const bool is_number = !query.day->empty() && std::all_of(query.day->begin(), query.day->end(),
                                                                      [](char c) { return c >= '0' && c <= '9'; });
            sql += is_number ? " AND day_number = " + w.quote(to_int(*query.day))
                             : " AND day_date = " + w.quote(*query.day);
        }
        if (query.athlete)
            sql += " AND (strpos(lower(blue_name), lower(" + w.quote(*query.athlete) +
                   ")) > 0 OR strpos(lower(red_name), lower(" + w.quote(*query.athlete) + ")) > 0)";
        sql += " ORDER BY tournament, day_date, court, CASE WHEN decided THEN decided_at_ms END, match_id";
        std::vector<MatchRow> matches;
        for (const auto& row : w.exec(sql)) {
            MatchRow m;
            m.tournament = text(row[0]);
            m.court = number<int>(row[1]);
            m.match_id = number<std::int64_t>(row[2]);
            m.day_number = number<int>(row[3]);
            m.date = text(row[4]);
            m.number = text(row[5]);
            m.category = text(row[6]);
            m.weight = text(row[7]);
            m.blue_name = text(row[8]);
            m.blue_noc = text(row[9]);
            m.red_name = text(row[10]);
            m.red_noc = text(row[11]);
            m.blue_score = number<int>(row[12]);
            m.red_score = number<int>(row[13]);
            m.winner = text(row[14]);
            m.winner_name = text(row[15]);
            m.decision = text(row[16]);
            m.decided = row[17].as<bool>();
            m.decided_at_ms = number<std::int64_t>(row[18]);
            matches.push_back(std::move(m));
        }
        return matches;
    } catch (const std::exception& e) {
        return database_error("cannot read the matches", e);
    }
}

vta::Result<std::string> Store::latest_day(const std::string& tournament) {
    try {
        pqxx::work w(connection_->db);
        const auto row =
            w.exec_params("SELECT max(day_date) FROM matches WHERE tournament = $1 AND day_date <> ''", tournament);
        return text(row[0][0]);
    } catch (const std::exception& e) {
        return database_error("cannot read the latest day", e);
    }
}

}  // namespace vta::tournament
