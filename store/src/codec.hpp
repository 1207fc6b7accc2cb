#pragma once
// Text forms of the structured match columns, shared by the writer (encode) and the queries (decode).

#include <string>
#include <string_view>
#include <vector>

#include "vta/store/rows.hpp"

namespace vta::store::detail {

// round_scores: [{"blue":3,"red":1},...]; round_winners: [1,2,...] (Side values, like match.winner).
std::string encode_round_scores(const std::vector<RoundScore>& scores);
std::string encode_round_winners(const std::vector<Side>& winners);
// Malformed text decodes to an empty list: these columns are only ever written by encode_*.
std::vector<RoundScore> decode_round_scores(std::string_view text);
std::vector<Side> decode_round_winners(std::string_view text);

Side side_from_int(int value);
std::string_view side_name(Side side);             // "none" | "blue" | "red" | "tie"
std::string_view status_name(GroupStatus status);  // "unknown" | "invalid"

}  // namespace vta::store::detail
