#include "vta/host/options.hpp"

#include <charconv>

namespace vta::host {

std::optional<std::string> ParsedOptions::value(const std::string& name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
}

ParsedOptions parse_options(const std::vector<std::string>& args, const std::set<std::string>& valued,
                            const std::set<std::string>& flags) {
    ParsedOptions parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.rfind("--", 0) != 0 || arg == "--") {
            parsed.positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (valued.count(name)) {
            if (inline_value)
                parsed.values[name] = *inline_value;
            else if (i + 1 < args.size())
                parsed.values[name] = args[++i];
            else
                parsed.error = "--" + name + " needs a value";
        } else if (flags.count(name) && !inline_value) {
            parsed.flags.insert(name);
        } else {
            parsed.error = "unknown option --" + name;
        }
        if (!parsed.error.empty()) return parsed;
    }
    return parsed;
}

vta::Result<long> integer_option(const ParsedOptions& o, const std::string& name, long min, long max, long fallback) {
    auto text = o.value(name);
    if (!text) return fallback;
    long value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max)
        return vta::Error(vta::Errc::invalid_argument, "--" + name + ": expected an integer from " +
                                                           std::to_string(min) + " to " + std::to_string(max) +
                                                           ", got '" + *text + "'");
    return value;
}

vta::Result<double> number_option(const ParsedOptions& o, const std::string& name, double fallback) {
    auto text = o.value(name);
    if (!text) return fallback;
    if (*text == "max") return 0.0;
    double value = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (ec != std::errc() || end != text->data() + text->size() || value <= 0)
        return vta::Error(vta::Errc::invalid_argument,
                          "--" + name + ": expected a positive number or 'max', got '" + *text + "'");
    return value;
}

}  // namespace vta::host
