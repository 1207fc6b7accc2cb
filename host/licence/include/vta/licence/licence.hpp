// What a licence says: who holds it, what it turns on, how long it lasts and the machine it is bound to.
// Signing and verifying the file that carries it are in licence_file.hpp; what the host does with it in
// evaluation.hpp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vta/common/result.hpp"
#include "vta/licence/fingerprint.hpp"

namespace vta::licence {

// Licence times are whole seconds, UTC; in JSON they are written 2026-01-31T12:00:00Z.
using Time = std::chrono::sys_seconds;

std::string format_time(Time time);
// Only the exact form YYYY-MM-DDTHH:MM:SSZ (years 1970-9999): a licence has one spelling for each time.
std::optional<Time> parse_time(std::string_view text);

struct Licence {
    std::string licensee;  // who it is sold to, as the panel shows it
    std::string key_id;    // the licence key's id on the licence server (never the key itself)
    // Feature names ("ivr", "overlays", "multi_obs") and counted ones written name=N ("courts=12"): lowercase
    // letters, digits, '_' and '-', at most 64 of them; N from 1 to 999999999 without leading zeros; each name once.
    std::vector<std::string> features;
    Time issued{};
    Time expires{};
    Fingerprint machine;             // the machine it is bound to (component hashes only)
    std::optional<Time> last_check;  // the last successful online check; none when issued offline

    // True when `feature` is listed, plain or counted (has("courts") for "courts=12").
    bool has(std::string_view feature) const;
    // N of "name=N"; 1 for a plain listed name; 0 when not listed.
    int count(std::string_view name) const;
};

// The licence object as the file carries it:
// {"licensee": "...", "key_id": "...", "features": ["ivr", "courts=12"], "issued": "2026-01-31T12:00:00Z",
//  "expires": "...", "machine": {"machine_id": "<hex>", "product_uuid": null, "mac": "<hex>"},
//  "last_check": "..." or null}
nlohmann::json to_json(const Licence& licence);
// Every field is required (last_check and a machine component may be null); unknown fields are ignored, so
// an older host reads a newer server's licences. Errc::licence_refused names the field and what is wrong:
// "licence.expires is missing", "licence.features[2] \"courts=x\" is not a feature name or name=N".
Result<Licence> licence_from_json(const nlohmann::json& object);

}  // namespace vta::licence
