// The licence server's records, in one SQLite file: the keys it issued, the machines each key activated (its
// seats), and an audit of every answer it gave. Safe to call from several threads; another process (`vta
// license issue` while `vta license serve` runs) may write the same file.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vta/common/result.hpp"
#include "vta/licence/fingerprint.hpp"
#include "vta/licence/licence.hpp"

namespace vta::licence_server {

using licence::Time;

struct KeyRecord {
    std::string key;     // what the customer types: VTA-XXXXX-XXXXX-XXXXX-XXXXX
    std::string key_id;  // what licences carry instead of the key (K-000001)
    std::string licensee;
    std::vector<std::string> features;  // as licences list them ("ivr", "courts=4")
    int seats = 1;                      // how many machines the key activates
    Time created{};
    Time expires{};
    bool revoked = false;
};

struct NewKey {
    std::string licensee;
    std::vector<std::string> features;
    int seats = 1;
    Time expires{};
};

struct Activation {
    licence::Fingerprint machine;  // as last seen: a component that changed is updated
    Time first_seen{};
    Time last_seen{};
};

struct AuditEntry {
    Time at{};
    std::string endpoint;  // "activate", "validate", "license-info"
    std::string key_id;    // empty when no key was identified
    std::string remote;
    std::string outcome;  // "ok", or the refusal's code
    std::string reason;   // the refusal's message; empty when ok
};

class Store {
public:
    // Creates the file and its tables when missing.
    static Result<std::unique_ptr<Store>> open(const std::filesystem::path& file);
    ~Store();

    // A new random key. Errc::invalid_argument for an empty licensee, a malformed feature, seats below 1 or
    // an expiry not after `now`.
    Result<KeyRecord> issue(const NewKey& request, Time now);
    // Errc::not_found for a key never issued.
    VoidResult revoke(const std::string& key);

    Result<KeyRecord> find_key(const std::string& key);
    Result<KeyRecord> find_key_id(const std::string& key_id);
    Result<std::vector<Activation>> activations(const std::string& key);

    // The seat of the machine `machine` matches (at most one component differs), updated to `machine` and
    // `now`; otherwise a new seat when the key has one free. Errc::invalid_state naming the seat count when
    // all are taken by other machines.
    Result<Activation> claim_seat(const KeyRecord& key, const licence::Fingerprint& machine, Time now);
    // Like claim_seat but never takes a new seat: Errc::not_found when this machine holds none.
    Result<Activation> touch_seat(const KeyRecord& key, const licence::Fingerprint& machine, Time now);

    VoidResult record(const AuditEntry& entry);
    Result<std::vector<AuditEntry>> audit();

    struct Impl;

private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace vta::licence_server
