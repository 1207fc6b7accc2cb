#include "codec.hpp"

#include <nlohmann/json.hpp>

namespace vta::store::detail {

std::string encode_round_scores(const std::vector<RoundScore>& scores) {
    auto list = nlohmann::json::array();
    for (const RoundScore& score : scores) {
        list.push_back({{"blue", score.blue}, {"red", score.red}});
    }
    return list.dump();
}

std::string encode_round_winners(const std::vector<Side>& winners) {
    auto list = nlohmann::json::array();
    for (Side side : winners) {
        list.push_back(static_cast<int>(side));
    }
    return list.dump();
}

std::vector<RoundScore> decode_round_scores(std::string_view text) {
    const auto list = nlohmann::json::parse(text, nullptr, false);
    std::vector<RoundScore> scores;
    if (!list.is_array()) {
        return scores;
    }
    for (const auto& item : list) {
        if (item.is_object()) {
            scores.push_back({item.value("blue", 0), item.value("red", 0)});
        }
    }
    return scores;
}

std::vector<Side> decode_round_winners(std::string_view text) {
    const auto list = nlohmann::json::parse(text, nullptr, false);
    std::vector<Side> winners;
    if (!list.is_array()) {
        return winners;
    }
    for (const auto& item : list) {
        if (item.is_number_integer()) {
            winners.push_back(side_from_int(item.get<int>()));
        }
    }
    return winners;
}

Side side_from_int(int value) {
    switch (value) {
        case 1:
            return Side::blue;
        case 2:
            return Side::red;
        case 3:
            return Side::tie;
        default:
            return Side::none;
    }
}

std::string_view side_name(Side side) {
    switch (side) {
        case Side::blue:
            return "blue";
        case Side::red:
            return "red";
        case Side::tie:
            return "tie";
        case Side::none:
            break;
    }
    return "none";
}

std::string_view status_name(GroupStatus status) { return status == GroupStatus::invalid ? "invalid" : "unknown"; }

}  // namespace vta::store::detail
