#include "vta/licence/licence.hpp"

#include <charconv>
#include <cstdio>
#include <set>

#include "json_fields.hpp"

namespace vta::licence {

namespace {

constexpr std::size_t max_feature_name = 64;

struct FeatureParts {
    std::string_view name;
    int count = 1;  // a plain feature counts as one
};

// "courts=12" -> {courts, 12}, "ivr" -> {ivr, 1}; none when malformed.
std::optional<FeatureParts> split_feature(std::string_view feature) {
    const std::size_t equals = feature.find('=');
    FeatureParts parts{feature.substr(0, equals)};
    if (parts.name.empty() || parts.name.size() > max_feature_name) return std::nullopt;
    for (char c : parts.name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return std::nullopt;
    }
    if (equals == std::string_view::npos) return parts;
    const std::string_view digits = feature.substr(equals + 1);
    // Digits only, no sign and no leading zero, so each count has a single spelling.
    if (digits.empty() || digits.size() > 9 || digits.front() == '0') return std::nullopt;
    const auto [end, failure] = std::from_chars(digits.data(), digits.data() + digits.size(), parts.count);
    if (failure != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    if (parts.count < 1) return std::nullopt;
    return parts;
}

int two_digits(std::string_view text, std::size_t at) {
    const char high = text[at];
    const char low = text[at + 1];
    if (high < '0' || high > '9' || low < '0' || low > '9') return -1;
    return (high - '0') * 10 + (low - '0');
}

Result<Time> time_member(const nlohmann::json& object, const std::string& where, std::string_view key) {
    auto text = string_member(object, where, key);
    if (!text) return text.error();
    const auto time = parse_time(*text);
    if (!time) {
        return field_error(field_name(where, key), quoted_text(*text) + " is not a UTC time like 2026-01-31T12:00:00Z");
    }
    return *time;
}

}  // namespace

std::string format_time(Time time) {
    const auto day = std::chrono::floor<std::chrono::days>(time);
    const std::chrono::year_month_day date(day);
    const std::chrono::hh_mm_ss clock(time - day);
    char text[32];
    std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    return text;
}

std::optional<Time> parse_time(std::string_view text) {
    if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':' || text[19] != 'Z') {
        return std::nullopt;
    }
    const int century = two_digits(text, 0);
    const int year_in_century = two_digits(text, 2);
    const int month = two_digits(text, 5);
    const int day = two_digits(text, 8);
    const int hour = two_digits(text, 11);
    const int minute = two_digits(text, 14);
    const int second = two_digits(text, 17);
    if (century < 0 || year_in_century < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
        return std::nullopt;
    }
    const int year = century * 100 + year_in_century;
    if (year < 1970 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(day))};
    if (!date.ok()) return std::nullopt;
    return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second);
}

bool Licence::has(std::string_view feature) const { return count(feature) > 0; }

int Licence::count(std::string_view name) const {
    for (const std::string& feature : features) {
        const auto parts = split_feature(feature);
        if (parts && parts->name == name) return parts->count;
    }
    return 0;
}

nlohmann::json to_json(const Licence& licence) {
    nlohmann::json object = nlohmann::json::object();
    object["licensee"] = licence.licensee;
    object["key_id"] = licence.key_id;
    object["features"] = licence.features;
    object["issued"] = format_time(licence.issued);
    object["expires"] = format_time(licence.expires);
    object["machine"] = to_json(licence.machine);
    object["last_check"] = licence.last_check ? nlohmann::json(format_time(*licence.last_check)) : nlohmann::json();
    return object;
}

Result<Licence> licence_from_json(const nlohmann::json& object) {
    const std::string where = "licence";
    if (!object.is_object()) return type_error(where, object, "an object");
    Licence licence;

    auto licensee = string_member(object, where, "licensee");
    if (!licensee) return licensee.error();
    if (licensee->empty()) return field_error("licence.licensee", "is empty");
    licence.licensee = std::move(*licensee);

    auto key = string_member(object, where, "key_id");
    if (!key) return key.error();
    if (key->empty()) return field_error("licence.key_id", "is empty");
    licence.key_id = std::move(*key);

    auto features = member(object, where, "features");
    if (!features) return features.error();
    if (!(*features)->is_array()) return type_error("licence.features", **features, "an array of strings");
    std::set<std::string, std::less<>> names;
    for (std::size_t i = 0; i < (*features)->size(); ++i) {
        const nlohmann::json& feature = (**features)[i];
        const std::string field = "licence.features[" + std::to_string(i) + "]";
        if (!feature.is_string()) return type_error(field, feature, "a string");
        const auto& text = feature.get_ref<const std::string&>();
        const auto parts = split_feature(text);
        if (!parts) {
            return field_error(field,
                               quoted_text(text) + " is not a feature name (a-z, 0-9, _ and -) or name=N (N >= 1)");
        }
        if (!names.emplace(parts->name).second) {
            return field_error("licence.features", "lists " + std::string(parts->name) + " twice");
        }
        licence.features.push_back(text);
    }

    auto issued = time_member(object, where, "issued");
    if (!issued) return issued.error();
    licence.issued = *issued;
    auto expires = time_member(object, where, "expires");
    if (!expires) return expires.error();
    licence.expires = *expires;
    if (licence.expires < licence.issued) return field_error("licence.expires", "is before licence.issued");

    auto machine = member(object, where, "machine");
    if (!machine) return machine.error();
    auto fingerprint = fingerprint_from_json(**machine, "licence.machine");
    if (!fingerprint) return fingerprint.error();
    licence.machine = std::move(*fingerprint);

    auto last_check = member(object, where, "last_check");
    if (!last_check) return last_check.error();
    if (!(*last_check)->is_null()) {
        if (!(*last_check)->is_string()) return type_error("licence.last_check", **last_check, "a UTC time or null");
        auto checked = time_member(object, where, "last_check");
        if (!checked) return checked.error();
        licence.last_check = *checked;
    }
    return licence;
}

}  // namespace vta::licence
