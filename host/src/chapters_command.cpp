// `vta chapters --day D`: YouTube chapters for a day's stream, one line per match at the offset of
// its first event into the day's stream timeline (continuous across stream sessions).
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "vta/host/commands.hpp"
#include "vta/host/setup.hpp"
#include "vta/store/database.hpp"

namespace vta::host {

namespace {

int fail(const std::string& message, int code = 1) {
    std::cerr << "vta chapters: " << message << "\n";
    return code;
}

std::string timestamp(std::int64_t offset_ms) {
    const std::int64_t seconds = std::max<std::int64_t>(offset_ms, 0) / 1000;
    return fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
}

std::string athlete(const std::optional<store::AthleteRow>& a) {
    if (!a) return "?";
    return a->noc.empty() ? a->long_name : fmt::format("{} ({})", a->long_name, a->noc);
}

std::string title(const store::MatchInfo& m) {
    return fmt::format("Match {}: {} vs {}", m.number.empty() ? std::to_string(m.id) : m.number, athlete(m.blue),
                       athlete(m.red));
}

}  // namespace

vta::Result<std::string> chapters_text(store::Database& db, const std::string& day) {
    auto days = db.find_days(day);
    if (!days) return days.error();
    if (days.value().empty())
        return vta::Error(vta::Errc::not_found,
                          "no tournament day '" + day + "' in the store (give a day id or a date YYYY-MM-DD)");
    if (days.value().size() > 1)
        return vta::Error(vta::Errc::invalid_argument,
                          "several tournament days are dated " + day + ": give the day id instead");
    auto starts = db.match_stream_starts(days.value().front().day_id);
    if (!starts) return starts.error();
    std::string text;
    for (const auto& start : starts.value()) {
        if (!start.str_offset_ms) continue;
        // YouTube needs the first chapter at 00:00:00, whatever was streamed before the first match.
        text += (text.empty() ? timestamp(0) : timestamp(*start.str_offset_ms)) + " " + title(start.match) + "\n";
    }
    if (text.empty())
        return vta::Error(
            vta::Errc::not_found,
            "day " + day + " has no stream offsets (was OBS_STR streaming, with stream-recovery loaded?)");
    return text;
}

int chapters_command(const Arguments& args) {
    const auto o = parse_options(args, {"config", "db", "day", "out"}, {});
    if (!o.error.empty()) return fail(o.error + "\n(see `vta --help`)", 2);
    if (!o.value("day")) return fail("--day D is required (a day id or a date YYYY-MM-DD)", 2);
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return fail(setup.error().message, 2);
    auto database = store::Database::open_read_only(setup->database);
    if (!database) return fail("cannot read " + setup->database.string() + ": " + database.error().message);
    auto text = chapters_text(database.value(), *o.value("day"));
    if (!text) return fail(text.error().message);
    if (!o.value("out")) {
        std::cout << *text;
        return 0;
    }
    const std::filesystem::path out = *o.value("out");
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file << *text;
    file.close();
    if (!file) return fail("cannot write " + out.string());
    std::cout << "wrote " << out.string() << "\n";
    return 0;
}

}  // namespace vta::host
