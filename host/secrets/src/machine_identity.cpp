#include <algorithm>
#include <cctype>
#include <fstream>

#include "vta/secrets/secrets_file.hpp"

namespace vta::secrets {

namespace {

// The file's first line, trimmed and lower-cased; nothing when it cannot be read or is empty.
std::optional<std::string> first_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    std::erase_if(line, [](unsigned char c) { return std::isspace(c); });
    std::transform(line.begin(), line.end(), line.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (line.empty()) return std::nullopt;
    return line;
}

}  // namespace

MachineIdentity read_machine_identity() {
    MachineIdentity identity;
    identity.machine_id =
        first_line("/etc/machine-id").value_or(first_line("/var/lib/dbus/machine-id").value_or(std::string()));
    identity.product_uuid = first_line("/sys/class/dmi/id/product_uuid");
    return identity;
}

}  // namespace vta::secrets
