// Internal: stream codes and the per-stream group parsers used by decode().
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "vta/pss/codec.hpp"

namespace vta::pss::detail {

struct Token {
    std::string_view text;
    std::size_t begin = 0;  // offset in the datagram
};

enum class Code : std::uint8_t {
    none,
    pre,
    at1,
    at2,
    mch,
    ref,
    rdy,
    clk,
    rnd,
    pt1,
    pt2,
    hl1,
    hl2,
    wg1,
    wg2,
    s11,
    s21,
    s12,
    s22,
    s13,
    s23,
    sc1,
    sc2,
    ij0,
    ij1,
    ij2,
    ch0,
    ch1,
    ch2,
    brk,
    wrd,
    win,
    wmh,
    sup,
    rst,
    rsr,
    avt,
};

Code code_of(std::string_view token);

// Whether a code token belongs to the group headed by `head` (at2 in at1, wg2 in wg1, the six scores, sc2 in sc1)
// instead of starting a new group.
bool continues(Code head, Code c);

// Fills g.status, g.reason, g.fields and g.payload for a group with a known head code; args follow the head token.
void parse_group(Code head, std::string_view head_text, std::span<const Token> args, Group& g);

}  // namespace vta::pss::detail
