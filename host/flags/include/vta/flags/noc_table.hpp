// The NOC table: an athlete's NOC (IOC code, as tkStrike sends it) -> ISO 3166 code and name, kept as data
// (scripts/overlays/noc.json), and the SVG flag of each code from Debian's iso-flags-svg package. The overlays
// and the panel show the same flag through it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "vta/common/result.hpp"

namespace vta::flags {

// Where Debian's iso-flags-svg puts the 4:3 flags (<iso>.svg, lower case).
inline const std::filesystem::path debian_flags_folder = "/usr/share/iso-flags-svg/country-4x3";

struct Noc {
    std::string iso;   // "de" for GER; "" for neutral and refugee teams; may name a special flag ("_olympic")
    std::string name;  // "Germany"
};

class NocTable {
public:
    // Reads `table` ({"GER": {"iso": "de", "name": "Germany"}, ...}); a malformed entry names its code.
    static vta::Result<NocTable> load(const std::filesystem::path& table,
                                      std::filesystem::path flags_folder = debian_flags_folder);

    const Noc* find(std::string_view code) const;  // code as sent ("kor" finds KOR); null when unknown
    std::size_t size() const { return nocs_.size(); }

    // The SVG for `code`: its flag, or the neutral flag for a neutral team, an unknown code (logged once per
    // code) or a flag the package lacks. Thread-safe.
    std::filesystem::path flag_file(std::string_view code) const;
    std::filesystem::path neutral_flag() const { return flags_folder_ / "_generic.svg"; }

private:
    NocTable() = default;
    std::map<std::string, Noc, std::less<>> nocs_;
    std::filesystem::path flags_folder_;
    struct Warned {
        std::mutex mutex;
        std::set<std::string, std::less<>> codes;  // already logged as unknown
    };
    std::shared_ptr<Warned> warned_ = std::make_shared<Warned>();
};

}  // namespace vta::flags
