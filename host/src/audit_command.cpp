// `vta audit [--since TIME] [--json]`: the audit trail, read-only, while the host runs (like `vta matches`).
#include <chrono>
#include <ctime>
#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "vta/host/commands.hpp"
#include "vta/host/ingest.hpp"
#include "vta/host/options.hpp"
#include "vta/host/report.hpp"
#include "vta/host/setup.hpp"
#include "vta/store/database.hpp"

namespace vta::host {

namespace {

int usage(const std::string& message) {
    std::cerr << "vta audit: " << message << "\n(see `vta --help`)\n";
    return 2;
}


}  // namespace

vta::Result<std::int64_t> parse_audit_since(const std::string& text, std::int64_t now) {
    std::smatch m;
    // A span back from now: 90s, 30m, 2h, 1d.
    if (std::regex_match(text, m, std::regex(R"((\d{1,7})([smhd]))"))) {
        const std::int64_t unit = m[2] == "s" ? 1 : m[2] == "m" ? 60 : m[2] == "h" ? 3600 : 86400;
        return now - std::stoll(m[1]) * unit * 1'000'000;
    }
    // UTC: YYYY-MM-DD, or with THH:MM[:SS] and an optional Z.
    if (std::regex_match(text, m, std::regex(R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?Z?)?)"))) {
        std::tm t{};
        t.tm_year = std::stoi(m[1]) - 1900;
        t.tm_mon = std::stoi(m[2]) - 1;
        t.tm_mday = std::stoi(m[3]);
        if (m[4].matched) {
            t.tm_hour = std::stoi(m[4]);
            t.tm_min = std::stoi(m[5]);
            if (m[6].matched) t.tm_sec = std::stoi(m[6]);
        }
        if (t.tm_mon > 11 || t.tm_mday < 1 || t.tm_mday > 31 || t.tm_hour > 23 || t.tm_min > 59 || t.tm_sec > 60)
            return vta::Error(vta::Errc::invalid_argument, "--since: no such date or time: " + text);
        return std::int64_t(timegm(&t)) * 1'000'000;
    }
    return vta::Error(vta::Errc::invalid_argument,
                      "--since: expected a UTC time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z) or a span back from now "
                      "(90s, 30m, 2h, 1d), got '" +
                          text + "'");
}

std::string format_audit(const std::vector<store::AuditEntry>& entries) {
    if (entries.empty()) return "no audit rows";
    std::string out = fmt::format("{:<24} {:<16} {:<18} {}\n", "at (UTC)", "source", "action", "subject / change");
    for (const auto& e : entries) {
        const nlohmann::json row = e;
        std::string detail = e.subject;
        if (e.before || e.after) {
            if (!detail.empty()) detail += "  ";
            detail += (e.before ? e.before->dump() : "-") + " -> " + (e.after ? e.after->dump() : "-");
        }
        out += fmt::format("{:<24} {:<16} {:<18} {}\n", row["at"].get<std::string>(), e.source.to_string(),
                           store::to_string(e.action), detail);
    }
    out.pop_back();
    return out;
}

int audit_command(const Arguments& args) {
    const auto o = parse_options(args, {"config", "db", "since"}, {"json"});
    if (!o.error.empty()) return usage(o.error);
    if (!o.positional.empty()) return usage("unexpected argument '" + o.positional.front() + "'");
    store::AuditFilter filter;
    if (const auto since = o.value("since")) {
        const auto parsed = parse_audit_since(*since, now_us());
        if (!parsed) return usage(parsed.error().message);
        filter.since_us = *parsed;
    }
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return usage(setup.error().message);
    auto database = store::Database::open_read_only(setup->database);
    if (!database) {
        std::cerr << "vta audit: cannot read " << setup->database.string() << ": " << database.error().message
                  << "\n(has `vta run` been started with this XDG_DATA_HOME / config?)\n";
        return 1;
    }
    auto entries = database->list_audit(filter);
    if (!entries) {
        std::cerr << "vta audit: " << entries.error().message << "\n";
        return 1;
    }
    std::cout << (o.has("json") ? nlohmann::json(entries.value()).dump(2) : format_audit(entries.value())) << "\n";
    return 0;
}

}  // namespace vta::host
