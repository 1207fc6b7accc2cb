#include "vta/pss/codec.hpp"

#include <vector>

#include "streams.hpp"
#include "text.hpp"

namespace vta::pss {
namespace {

using detail::Code;
using detail::Token;

bool is_trailing_noise(char c) { return c == '\r' || c == '\n' || c == '\0' || c == ' ' || c == '\t'; }

// A token that could be a stream code someone invented: short and plain ASCII. Anything else is not reported as
// a code (junk bytes would otherwise become "codes").
bool is_plausible_code(std::string_view t) {
    if (t.empty() || t.size() > 16) return false;
    for (char c : t) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

// "Udp Port 6000 connected" / "Udp Port 6000 disconnected" (body without the trailing ';').
bool decode_connection(std::string_view datagram, std::string_view body, std::vector<Group>& out) {
    constexpr std::string_view prefix = "Udp Port ";
    if (body.substr(0, prefix.size()) != prefix) return false;
    Group& g = out.emplace_back();
    g.code = "connection";
    g.raw = std::string(datagram);
    std::string_view rest = body.substr(prefix.size());
    if (!rest.empty() && rest.back() == ';') rest.remove_suffix(1);
    const std::size_t space = rest.find(' ');
    const std::string_view port_text = rest.substr(0, space);
    const std::string_view state = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    Connection c;
    const bool port_ok = text::parse_int(port_text, c.port) == text::IntParse::ok && c.port >= 0 && c.port <= 65535;
    if (!port_ok) {
        g.status = Status::invalid;
        g.reason = "connection port " + text::quote(port_text) + " is not 0..65535";
    } else if (state != "connected" && state != "disconnected") {
        g.status = Status::invalid;
        g.reason = "connection state " + text::quote(state) + " is not connected or disconnected";
    } else {
        c.connected = state == "connected";
        g.status = Status::recognised;
        g.fields["port"] = c.port;
        g.fields["connected"] = c.connected;
        g.payload = c;
    }
    return true;
}

void tokenize(std::string_view body, std::vector<Token>& tokens) {
    tokens.clear();
    std::size_t start = 0;
    while (true) {
        const std::size_t semi = body.find(';', start);
        if (semi == std::string_view::npos) {
            tokens.push_back({body.substr(start), start});
            return;
        }
        tokens.push_back({body.substr(start, semi - start), start});
        start = semi + 1;
    }
}

void decode_unknown(std::string_view head, bool empty_datagram, Group& g) {
    g.status = Status::unknown;
    if (is_plausible_code(head)) {
        g.code = std::string(head);
        g.reason = "unknown stream code " + text::quote(head);
    } else {
        g.reason = empty_datagram ? "empty datagram" : "no stream code";
    }
}

}  // namespace

std::string_view status_name(Status s) {
    switch (s) {
        case Status::recognised:
            return "recognised";
        case Status::unknown:
            return "unknown";
        case Status::invalid:
            return "invalid";
    }
    return "invalid";
}

std::string_view challenge_stage_name(ChallengeStage s) {
    switch (s) {
        case ChallengeStage::none:
            return "none";
        case ChallengeStage::requested:
            return "requested";
        case ChallengeStage::accepted:
            return "accepted";
        case ChallengeStage::rejected:
            return "rejected";
        case ChallengeStage::cancelled:
            return "cancelled";
        case ChallengeStage::won:
            return "won";
        case ChallengeStage::lost:
            return "lost";
    }
    return "none";
}

std::string format_clock(int seconds) {
    if (seconds < 0) seconds = 0;
    const int m = seconds / 60, s = seconds % 60;
    std::string out = std::to_string(m);
    out += ':';
    out += static_cast<char>('0' + s / 10);
    out += static_cast<char>('0' + s % 10);
    return out;
}

std::vector<Group> decode(std::string_view datagram) {
    std::vector<Group> out;
    try {
        std::string_view body = datagram;
        while (!body.empty() && is_trailing_noise(body.back())) body.remove_suffix(1);
        if (decode_connection(datagram, body, out)) return out;
        if (!body.empty() && body.back() == ';') body.remove_suffix(1);  // the last field's terminator

        thread_local std::vector<Token> tokens;
        tokenize(body, tokens);

        // Group boundaries: a known code token starts a new group unless it continues the current one.
        std::size_t first = 0;
        while (first < tokens.size()) {
            const Code head = detail::code_of(tokens[first].text);
            std::size_t end = first + 1;
            while (end < tokens.size()) {
                const Code c = detail::code_of(tokens[end].text);
                if (c != Code::none && !detail::continues(head, c)) break;
                ++end;
            }
            const std::size_t raw_begin = first == 0 ? 0 : tokens[first].begin;
            const std::size_t raw_end = end < tokens.size() ? tokens[end].begin : datagram.size();
            Group& g = out.emplace_back();
            g.raw = std::string(datagram.substr(raw_begin, raw_end - raw_begin));
            const std::span<const Token> args(tokens.data() + first + 1, end - first - 1);
            if (head == Code::none) {
                decode_unknown(tokens[first].text, datagram.empty(), g);
            } else {
                g.code = std::string(tokens[first].text);
                detail::parse_group(head, tokens[first].text, args, g);
            }
            if (g.status != Status::recognised) {
                g.fields = nlohmann::json::object();
                g.payload = std::monostate{};
            }
            first = end;
        }
    } catch (const std::exception& e) {
        // Only allocation failure can get here; report the datagram rather than lose it.
        out.clear();
        Group& g = out.emplace_back();
        g.raw = std::string(datagram);
        g.status = Status::invalid;
        g.reason = std::string("decoder failure: ") + e.what();
    }
    if (out.empty()) {
        Group& g = out.emplace_back();
        g.raw = std::string(datagram);
        decode_unknown({}, datagram.empty(), g);
    }
    return out;
}

}  // namespace vta::pss
