#include "text.hpp"

#include <cstdint>

namespace vta::pss::text {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t len = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        len = 2;
        min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        len = 3;
        min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    std::uint32_t cp = b0 & (0xFF >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

bool is_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = utf8_sequence_length(s, i);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string valid_utf8(std::string_view s) {
    if (is_valid_utf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t len = utf8_sequence_length(s, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.substr(i, len));
            i += len;
        }
    }
    return out;
}

std::string quote(std::string_view s) {
    constexpr std::size_t max_bytes = 40;
    std::string out = "'";
    std::size_t i = 0;
    while (i < s.size() && i < max_bytes) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b < 0x20 || b == 0x7F) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[b >> 4];
            out += hex[b & 0xF];
            ++i;
            continue;
        }
        const std::size_t len = utf8_sequence_length(s, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
        } else {
            out.append(s.substr(i, len));
            i += len;
        }
    }
    out += '\'';
    if (i < s.size()) out += "...";
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

IntParse parse_int(std::string_view s, int& out) {
    s = trim(s);
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return IntParse::malformed;
    std::int64_t value = 0;
    bool too_large = false;
    for (char c : s) {
        if (c < '0' || c > '9') return IntParse::malformed;
        if (!too_large) {
            value = value * 10 + (c - '0');
            too_large = value > 999'999'999;
        }
    }
    if (too_large) return IntParse::too_large;
    out = static_cast<int>(negative ? -value : value);
    return IntParse::ok;
}

ClockParse parse_clock(std::string_view s, bool allow_bare_seconds, int& seconds_out) {
    s = trim(s);
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    const std::size_t colon = s.find(':');
    if (colon == std::string_view::npos) {
        if (!allow_bare_seconds || s.empty() || s.size() > 2 || !digit(s[0]) || (s.size() == 2 && !digit(s[1])))
            return ClockParse::malformed;
        seconds_out = s.size() == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
        return ClockParse::ok;
    }
    const std::string_view minutes = s.substr(0, colon), seconds = s.substr(colon + 1);
    if (minutes.empty() || minutes.size() > 2 || seconds.size() != 2) return ClockParse::malformed;
    int m = 0;
    for (char c : minutes) {
        if (!digit(c)) return ClockParse::malformed;
        m = m * 10 + (c - '0');
    }
    if (!digit(seconds[0]) || !digit(seconds[1])) return ClockParse::malformed;
    const int sec = (seconds[0] - '0') * 10 + (seconds[1] - '0');
    if (sec >= 60) return ClockParse::bad_seconds;
    seconds_out = m * 60 + sec;
    return ClockParse::ok;
}

}  // namespace vta::pss::text
