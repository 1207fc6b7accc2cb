#include "vta/flags/noc_table.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace vta::flags {

namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return out;
}

// A flag name from the table becomes a file name: letters, digits and '_' only.
bool plain_name(std::string_view name) {
    return std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

}  // namespace

vta::Result<NocTable> NocTable::load(const std::filesystem::path& table, std::filesystem::path flags_folder) {
    std::ifstream in(table);
    if (!in) return vta::Error(vta::Errc::not_found, "cannot read the NOC table " + table.string());
    const auto document = nlohmann::json::parse(in, nullptr, false);
    if (!document.is_object())
        return vta::Error(vta::Errc::invalid_config, table.string() + ": expected a JSON object of NOC codes");
    NocTable result;
    result.flags_folder_ = std::move(flags_folder);
    for (const auto& [code, entry] : document.items()) {
        const auto where = table.string() + ": \"" + code + "\"";
        if (code.size() != 3 || upper(code) != code)
            return vta::Error(vta::Errc::invalid_config, where + " is not a 3-letter upper-case NOC code");
        if (!entry.is_object() || !entry.value("iso", nlohmann::json()).is_string() ||
            !entry.value("name", nlohmann::json()).is_string())
            return vta::Error(vta::Errc::invalid_config, where + " must be {\"iso\": string, \"name\": string}");
        Noc noc{entry["iso"].get<std::string>(), entry["name"].get<std::string>()};
        if (!plain_name(noc.iso))
            return vta::Error(vta::Errc::invalid_config, where + ": \"iso\" may hold letters, digits and _ only");
        result.nocs_.emplace(code, std::move(noc));
    }
    return result;
}

const Noc* NocTable::find(std::string_view code) const {
    const auto it = nocs_.find(upper(code));
    return it == nocs_.end() ? nullptr : &it->second;
}

std::filesystem::path NocTable::flag_file(std::string_view code) const {
    const Noc* noc = find(code);
    if (noc == nullptr) {
        std::lock_guard lock(warned_->mutex);
        if (warned_->codes.size() < 1000 && warned_->codes.emplace(code).second)
            spdlog::warn("flags: unknown NOC code \"{}\": showing the neutral flag", code);
        return neutral_flag();
    }
    if (noc->iso.empty()) return neutral_flag();
    std::filesystem::path file = flags_folder_ / (noc->iso + ".svg");
    std::error_code ec;
    return std::filesystem::is_regular_file(file, ec) ? file : neutral_flag();
}

}  // namespace vta::flags
