// Small text helpers shared by the decoder: UTF-8 repair, bounded integer and clock parsing.
#pragma once

#include <string>
#include <string_view>

namespace vta::pss::text {

bool is_valid_utf8(std::string_view s);

// s with every invalid UTF-8 sequence replaced by U+FFFD (s itself when already valid).
std::string valid_utf8(std::string_view s);

// A short, valid-UTF-8 rendering of a value for reasons: quoted, control bytes escaped, cut after a few dozen bytes.
std::string quote(std::string_view s);

// Without ASCII blanks, CR and LF at both ends. NULs stay: only trailing NULs of a whole datagram are padding.
std::string_view trim(std::string_view s);

enum class IntParse { ok, malformed, too_large };
// Optional sign then decimal digits (blanks around allowed); values beyond +-999'999'999 are too_large.
IntParse parse_int(std::string_view s, int& out);

enum class ClockParse { ok, malformed, bad_seconds };
// "m:ss" or "mm:ss"; with allow_bare_seconds also "s" or "ss" (break countdowns). seconds_out is the total.
ClockParse parse_clock(std::string_view s, bool allow_bare_seconds, int& seconds_out);

}  // namespace vta::pss::text
