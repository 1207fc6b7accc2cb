// A small parser for `--name value` and `--flag` options after a sub-command.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vta/common/result.hpp"

namespace vta::host {

struct ParsedOptions {
    std::map<std::string, std::string> values;  // --name value
    std::set<std::string> flags;                // --flag
    std::vector<std::string> positional;
    std::string error;  // set when the arguments do not fit

    bool has(const std::string& flag) const { return flags.count(flag) > 0; }
    std::optional<std::string> value(const std::string& name) const;
};

// `valued` names options that take a value, `flags` those that do not; anything else is an error.
ParsedOptions parse_options(const std::vector<std::string>& args, const std::set<std::string>& valued,
                            const std::set<std::string>& flags);

// Reads an integer or a number option (`fallback` when it is not given); a bad value is an error naming the option.
vta::Result<long> integer_option(const ParsedOptions& o, const std::string& name, long min, long max, long fallback);
// A positive number, or "max" (0).
vta::Result<double> number_option(const ParsedOptions& o, const std::string& name, double fallback);

}  // namespace vta::host
