// PSS datagrams, one per line, through the codec and into one MatchTracker (so the state builds up over the
// input). Checked besides "no crash": the groups' raws concatenate to the datagram, decoded strings are UTF-8,
// and the match state survives its JSON round trip.
#include <algorithm>
#include <string>

#include "fuzz_target.hpp"
#include "vta/pss/codec.hpp"
#include "vta/pss/match_state.hpp"

namespace vta::fuzz {

int pss_one_input(const std::uint8_t* data, std::size_t size) {
    const std::string_view input = text_of(data, size);
    pss::MatchTracker tracker;
    std::int64_t received_us = 0;
    std::int64_t event_id = 0;
    for (std::size_t begin = 0; begin <= input.size();) {
        const std::size_t end = std::min(input.find('\n', begin), input.size());
        const std::string_view datagram = input.substr(begin, end - begin);
        begin = end + 1;
        const auto groups = pss::decode(datagram);
        VTA_FUZZ_CHECK(!groups.empty());
        std::string joined;
        for (const auto& group : groups) {
            joined += group.raw;
            // dump() throws on invalid UTF-8 (an uncaught exception is a crash to libFuzzer).
            group.fields.dump();
            nlohmann::json(group.reason).dump();
            received_us += 150'000;
            tracker.apply(group, received_us, ++event_id);
        }
        VTA_FUZZ_CHECK(joined == datagram);
    }
    const nlohmann::json state = tracker.state().to_json();
    state.dump();
    VTA_FUZZ_CHECK(pss::MatchState::from_json(state) == tracker.state());
    return 0;
}

}  // namespace vta::fuzz

VTA_FUZZ_ENTRY(vta::fuzz::pss_one_input)
