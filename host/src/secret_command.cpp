// `vta secret set|list|delete`: the secrets file beside the config. A value is read from standard input,
// never from the command line, where `ps` and the shell's history would show it.
#include <iostream>
#include <iterator>

#include "vta/host/commands.hpp"
#include "vta/host/ingest.hpp"
#include "vta/host/options.hpp"
#include "vta/host/paths.hpp"
#include "vta/host/setup.hpp"
#include "vta/secrets/secrets_file.hpp"
#include "vta/store/database.hpp"

namespace vta::host {

namespace {

int fail(const std::string& message, int code = 1) {
    std::cerr << "vta secret: " << message << "\n";
    return code;
}

// Standard input without the line break a terminal or `echo` ends it with.
std::string value_from_stdin() {
    std::string value((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
}

// The audit row of a change (its name, never its value) in the store the config names; the secret is changed
// whatever happens here, so a store that cannot be written is only reported.
void record_change(const ParsedOptions& o, store::AuditAction action, const std::string& name) {
    std::filesystem::path config_file;
    auto setup = resolve_setup(o, config_file);
    if (!setup) return;  // the config does not parse: its own commands say why
    auto database = store::Database::open(setup->database);
    const auto added = database ? database->add_audit({now_us(), store::AuditSource::cli(), action, name,
                                                       std::nullopt, std::nullopt})
                                : vta::Result<std::int64_t>(database.error());
    if (!added)
        std::cerr << "vta secret: no audit row in " << setup->database.string() << ": " << added.error().message
                  << "\n";
}

}  // namespace

int secret_command(const Arguments& args) {
    const auto o = parse_options(args, {"config", "db"}, {});
    if (!o.error.empty()) return fail(o.error + " (see `vta --help`)", 2);
    if (o.positional.empty()) return fail("expected set NAME, list or delete NAME (see `vta --help`)", 2);
    const std::string& action = o.positional.front();
    const std::filesystem::path config_file = o.value("config").value_or(default_paths().config_file.string());
    const std::filesystem::path file = secrets::secrets_file_beside(config_file);
    const auto machine = secrets::read_machine_identity();

    if (action == "list") {
        if (o.positional.size() != 1) return fail("list takes no name", 2);
        auto stored = secrets::read_secrets(file, machine);
        if (!stored) return fail(stored.error().message);
        for (const auto& [name, value] : *stored) std::cout << name << "\n";
        return 0;
    }
    if ((action != "set" && action != "delete") || o.positional.size() != 2)
        return fail("expected set NAME, list or delete NAME (see `vta --help`)", 2);
    const std::string& name = o.positional[1];
    if (!secrets::valid_secret_name(name))
        return fail("NAME: expected 1 to 64 of a-z, 0-9, '_', '-' and '.', got \"" + name + "\"", 2);
    auto stored = secrets::read_secrets(file, machine);
    // A file that cannot be read is replaced only by `set`, which then keeps just the new secret.
    if (!stored && action == "delete") return fail(stored.error().message);
    secrets::Secrets updated = stored ? *stored : secrets::Secrets{};
    if (action == "set") {
        if (!stored) std::cerr << "vta secret: " << stored.error().message << "\nvta secret: starting a new file\n";
        const std::string value = value_from_stdin();
        if (value.empty()) return fail("no value on standard input (e.g. `vta secret set " + name + " < file`)");
        updated[name] = value;
    } else if (updated.erase(name) == 0) {
        return fail("no secret \"" + name + "\" in " + file.string());
    }
    if (auto written = secrets::write_secrets(file, updated, machine); !written) return fail(written.error().message);
    record_change(o, action == "set" ? store::AuditAction::secret_set : store::AuditAction::secret_deleted, name);
    std::cout << (action == "set" ? "stored " : "deleted ") << name << " in " << file.string() << "\n";
    return 0;
}

}  // namespace vta::host
