#include "vta/tournament/bus_messages.hpp"

#include <charconv>

namespace vta::tournament {

namespace {

using nlohmann::json;

class Reader {
public:
    Reader(std::string_view topic, const json& object) : topic_(topic), object_(object) {}

    // A field the contract requires; a missing or mistyped one is remembered and reported once.
    template <class T>
    T required(const char* key) {
        const auto it = object_.find(key);
        if (it == object_.end() || !fits<T>(*it)) {
            fail(key);
            return T{};
        }
        return it->template get<T>();
    }
    template <class T>
    T optional(const char* key, T fallback) {
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) return fallback;
        if (!fits<T>(*it)) {
            fail(key);
            return fallback;
        }
        return it->template get<T>();
    }
    std::optional<std::int64_t> nullable_integer(const char* key) {
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) return std::nullopt;
        if (!it->is_number_integer()) {
            fail(key);
            return std::nullopt;
        }
        return it->get<std::int64_t>();
    }
    json value(const char* key, json fallback) {
        const auto it = object_.find(key);
        return it == object_.end() || it->is_null() ? fallback : *it;
    }

    std::optional<vta::Error> error() const {
        if (bad_.empty()) return std::nullopt;
        return vta::Error(vta::Errc::protocol, std::string(topic_) + ": field '" + bad_ + "' is missing or mistyped");
    }

private:
    template <class T>
    static bool fits(const json& j) {
        if constexpr (std::is_same_v<T, bool>) return j.is_boolean();
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) return j.is_number_integer();
        if constexpr (std::is_same_v<T, std::string>) return j.is_string();
        return false;
    }
    void fail(const char* key) {
        if (bad_.empty()) bad_ = key;
    }

    std::string_view topic_;
    const json& object_;
    std::string bad_;
};

DayInfo read_day(const json& message) {
    DayInfo day;
    const auto it = message.find("day");
    if (it == message.end() || !it->is_object()) return day;
    if (auto t = it->find("tournament"); t != it->end() && t->is_string()) day.tournament = t->get<std::string>();
    if (auto n = it->find("day_number"); n != it->end() && n->is_number_integer()) day.day_number = n->get<int>();
    if (auto d = it->find("date"); d != it->end() && d->is_string()) day.date = d->get<std::string>();
    return day;
}

}  // namespace

bool valid_tournament_slug(std::string_view slug) {
    if (slug.empty()) return false;
    for (char c : slug)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

std::string court_topic_filter(std::string_view tournament) { return "vta/" + std::string(tournament) + "/court/+/#"; }

std::string stored_topic(std::string_view tournament, int court) {
    return "vta/" + std::string(tournament) + "/stored/" + std::to_string(court);
}

std::string tournament_status_topic(std::string_view tournament) {
    return "vta/" + std::string(tournament) + "/tournament/status";
}

vta::Result<CourtMessage> parse_court_message(std::string_view tournament, std::string_view topic,
                                              std::string_view payload) {
    const std::string prefix = "vta/" + std::string(tournament) + "/court/";
    if (!topic.starts_with(prefix)) return vta::Error(vta::Errc::not_found, std::string(topic) + ": not a court topic");
    const std::string_view rest = topic.substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return vta::Error(vta::Errc::not_found, std::string(topic) + ": no sub-topic");
    int court = 0;
    const std::string_view number = rest.substr(0, slash);
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), court);
    if (ec != std::errc() || end != number.data() + number.size() || court < 1 || court > 99)
        return vta::Error(vta::Errc::protocol, std::string(topic) + ": the court must be a number from 1 to 99");
    const std::string_view kind = rest.substr(slash + 1);
    if (kind != "status" && kind != "state" && kind != "events")
        return vta::Error(vta::Errc::not_found, std::string(topic) + ": not a topic the tournament keeps");

    const json message = json::parse(payload, nullptr, false);
    if (!message.is_object())
        return vta::Error(vta::Errc::protocol, std::string(topic) + ": the payload is not a JSON object");
    Reader r(topic, message);
    if (r.required<int>("court") != court && !r.error())
        return vta::Error(vta::Errc::protocol, std::string(topic) + ": field 'court' differs from the topic's court");

    CourtMessage parsed;
    if (kind == "status") {
        CourtStatus s;
        s.court = court;
        s.online = r.required<bool>("online");
        s.since_ms = r.required<std::int64_t>("since_ms");
        s.host = r.optional<std::string>("host", "");
        parsed = std::move(s);
    } else if (kind == "state") {
        CourtState s;
        s.court = court;
        s.seq = r.required<std::int64_t>("seq");
        s.at_ms = r.optional<std::int64_t>("at_ms", 0);
        s.match_id = r.nullable_integer("match_id");
        s.has_match = r.optional<bool>("has_match", false);
        s.match = r.value("match", json::object());
        s.obs = r.value("obs", json::array());
        s.day = read_day(message);
        s.payload = message;
        parsed = std::move(s);
    } else {
        CourtEvent e;
        e.court = court;
        e.seq = r.required<std::int64_t>("seq");
        if (auto error = r.error()) return *error;
        const auto event = message.find("event");
        if (event == message.end() || !event->is_object())
            return vta::Error(vta::Errc::protocol, std::string(topic) + ": field 'event' is missing or not an object");
        Reader er(topic, *event);
        e.event_id = er.required<std::int64_t>("id");
        e.code = er.required<std::string>("code");
        e.raw = er.optional<std::string>("raw", "");
        e.at_us = er.required<std::int64_t>("at_us");
        e.match_id = er.nullable_integer("match_id");
        const json number = er.value("match_number", "");
        e.match_number = number.is_string() ? number.get<std::string>() : number.dump();
        e.round = er.optional<int>("round", 0);
        e.fields = er.value("fields", json::object());
        e.manual = er.optional<bool>("manual", false);
        e.day = read_day(message);
        if (auto error = er.error()) return *error;
        parsed = std::move(e);
    }
    if (auto error = r.error()) return *error;
    if (const auto* s = std::get_if<CourtState>(&parsed); s && s->seq < 1)
        return vta::Error(vta::Errc::protocol, std::string(topic) + ": field 'seq' must be 1 or more");
    if (const auto* e = std::get_if<CourtEvent>(&parsed); e && e->seq < 1)
        return vta::Error(vta::Errc::protocol, std::string(topic) + ": field 'seq' must be 1 or more");
    return parsed;
}

}  // namespace vta::tournament
