#include "vta/host/audit_log.hpp"

#include <chrono>
#include <set>

#include "vta/host/ingest.hpp"

namespace vta::host {

namespace {

constexpr const char* masked = "***";

bool secret_key(const std::string& key) {
    return key == "password" || key.ends_with("_password") || key == "passphrase" || key == "licence_key" ||
           key == "license_key" || key == "token";
}

void mask_in_place(nlohmann::json& j) {
    if (j.is_object()) {
        for (auto& [key, value] : j.items()) {
            if (secret_key(key) && value.is_string() && !value.get_ref<const std::string&>().empty())
                value = masked;
            else
                mask_in_place(value);
        }
    } else if (j.is_array()) {
        for (auto& item : j) mask_in_place(item);
    }
}

// The last token of a JSON pointer ("/obs/0/password" -> "password").
std::string last_token(const std::string& pointer) {
    const auto slash = pointer.rfind('/');
    return slash == std::string::npos ? pointer : pointer.substr(slash + 1);
}

}  // namespace

nlohmann::json mask_secrets(nlohmann::json document) {
    mask_in_place(document);
    return document;
}

std::pair<nlohmann::json, nlohmann::json> config_change(const nlohmann::json& before, const nlohmann::json& after) {
    // Flattened, a {"secret": NAME} reference is ".../password/secret": a name, kept as it is.
    const nlohmann::json old_flat = before.flatten(), new_flat = after.flatten();
    std::set<std::string> paths;
    for (const auto& [path, value] : old_flat.items())
        if (!new_flat.contains(path) || new_flat[path] != value) paths.insert(path);
    for (const auto& [path, value] : new_flat.items())
        if (!old_flat.contains(path)) paths.insert(path);
    nlohmann::json was = nlohmann::json::object(), now = nlohmann::json::object();
    for (const auto& path : paths) {
        const bool secret = secret_key(last_token(path));
        const auto side = [&](const nlohmann::json& flat) -> nlohmann::json {
            if (!flat.contains(path)) return nullptr;
            const auto& value = flat[path];
            return secret && value.is_string() && !value.get_ref<const std::string&>().empty() ? nlohmann::json(masked)
                                                                                               : value;
        };
        was[path] = side(old_flat);
        now[path] = side(new_flat);
    }
    return {was, now};
}

void AuditLog::record(store::AuditSource source, store::AuditAction action, std::string subject,
                      std::optional<nlohmann::json> before, std::optional<nlohmann::json> after) {
    store::AuditRow row;
    row.at_us = now_us();
    row.source = std::move(source);
    row.action = action;
    row.subject = std::move(subject);
    if (before) row.before = mask_secrets(std::move(*before));
    if (after) row.after = mask_secrets(std::move(*after));
    writer_.add_audit(std::move(row));
}

void AuditLog::record_control_room(store::AuditSource source, const std::string& operation, nlohmann::json request,
                                   nlohmann::json results) {
    // The subject names the connections too, so the trail's text filter finds a connection's actions.
    std::string subject = operation;
    if (request.contains("connections") && request["connections"].is_array()) {
        std::string names;
        for (const auto& name : request["connections"])
            if (name.is_string()) names += (names.empty() ? "" : ", ") + name.get<std::string>();
        subject += " on " + (names.empty() ? std::string("no connection") : names);
    }
    record(std::move(source), store::AuditAction::control_room, std::move(subject), std::move(request),
           std::move(results));
}

}  // namespace vta::host
