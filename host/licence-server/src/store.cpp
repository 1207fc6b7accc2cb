#include "vta/licence_server/store.hpp"

#include <array>
#include <cstdio>
#include <mutex>

#include <openssl/rand.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

namespace vta::licence_server {

namespace {

constexpr const char* schema = R"(
CREATE TABLE IF NOT EXISTS keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  licensee TEXT NOT NULL,
  features TEXT NOT NULL,
  seats INTEGER NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS activations (
  key_rowid INTEGER NOT NULL REFERENCES keys(id),
  machine_id TEXT,
  product_uuid TEXT,
  mac TEXT,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS activations_by_key ON activations(key_rowid);
CREATE TABLE IF NOT EXISTS answers (
  at INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  key_id TEXT NOT NULL,
  remote TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL
);
)";

Error sqlite_error(const SQLite::Exception& e) {
    return Error(Errc::sqlite, std::string("licence store: ") + e.what(), e.getExtendedErrorCode());
}

std::int64_t seconds(Time t) { return t.time_since_epoch().count(); }
Time time_of(std::int64_t s) { return Time(std::chrono::seconds(s)); }

// 20 characters from 32 that cannot be mistaken for one another when read out over the phone.
std::string random_key() {
    static constexpr char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::array<unsigned char, 20> bytes{};
    if (RAND_bytes(bytes.data(), int(bytes.size())) != 1) return {};
    std::string key = "VTA";
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i % 5 == 0) key += '-';
        key += alphabet[bytes[i] % 32];
    }
    return key;
}

std::string key_id_of(std::int64_t rowid) {
    char text[32];
    std::snprintf(text, sizeof text, "K-%06lld", static_cast<long long>(rowid));
    return text;
}

void bind_component(SQLite::Statement& s, int index, const std::optional<std::string>& value) {
    if (value)
        s.bind(index, *value);
    else
        s.bind(index);
}

std::optional<std::string> component(SQLite::Statement& s, int column) {
    if (s.getColumn(column).isNull()) return std::nullopt;
    return s.getColumn(column).getString();
}

}  // namespace

struct Store::Impl {
    explicit Impl(const std::filesystem::path& file)
        : db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {}

    SQLite::Database db;
    std::mutex mutex;  // one SQLite connection, used by one thread at a time

    Result<KeyRecord> key_where(const char* column, const std::string& value) {
        SQLite::Statement s(db, std::string("SELECT id, key, licensee, features, seats, created, expires, revoked "
                                            "FROM keys WHERE ") +
                                    column + " = ?");
        s.bind(1, value);
        if (!s.executeStep()) return Error(Errc::not_found, "unknown key");
        KeyRecord k;
        k.key_id = key_id_of(s.getColumn(0).getInt64());
        k.key = s.getColumn(1).getString();
        k.licensee = s.getColumn(2).getString();
        const auto features = nlohmann::json::parse(s.getColumn(3).getString(), nullptr, false);
        if (features.is_array())
            for (const auto& f : features)
                if (f.is_string()) k.features.push_back(f.get<std::string>());
        k.seats = s.getColumn(4).getInt();
        k.created = time_of(s.getColumn(5).getInt64());
        k.expires = time_of(s.getColumn(6).getInt64());
        k.revoked = s.getColumn(7).getInt() != 0;
        return k;
    }

    std::int64_t rowid_of(const KeyRecord& key) {
        SQLite::Statement s(db, "SELECT id FROM keys WHERE key = ?");
        s.bind(1, key.key);
        return s.executeStep() ? s.getColumn(0).getInt64() : -1;
    }

    struct Seat {
        std::int64_t rowid;
        Activation activation;
    };

    std::vector<Seat> seats_of(std::int64_t key_rowid) {
        SQLite::Statement s(db,
                            "SELECT rowid, machine_id, product_uuid, mac, first_seen, last_seen FROM activations "
                            "WHERE key_rowid = ? ORDER BY first_seen, rowid");
        s.bind(1, key_rowid);
        std::vector<Seat> seats;
        while (s.executeStep()) {
            Seat seat{s.getColumn(0).getInt64(), {}};
            seat.activation.machine = {component(s, 1), component(s, 2), component(s, 3)};
            seat.activation.first_seen = time_of(s.getColumn(4).getInt64());
            seat.activation.last_seen = time_of(s.getColumn(5).getInt64());
            seats.push_back(std::move(seat));
        }
        return seats;
    }

    // Updates the seat this machine matches; nullopt when it holds none.
    std::optional<Activation> refresh(std::int64_t key_rowid, const licence::Fingerprint& machine, Time now) {
        for (auto& seat : seats_of(key_rowid)) {
            if (!licence::compare(seat.activation.machine, machine).same_machine()) continue;
            SQLite::Statement u(db,
                                "UPDATE activations SET machine_id = ?, product_uuid = ?, mac = ?, last_seen = ? "
                                "WHERE rowid = ?");
            bind_component(u, 1, machine.machine_id);
            bind_component(u, 2, machine.product_uuid);
            bind_component(u, 3, machine.mac);
            u.bind(4, seconds(now));
            u.bind(5, seat.rowid);
            u.exec();
            seat.activation.machine = machine;
            seat.activation.last_seen = now;
            return seat.activation;
        }
        return std::nullopt;
    }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& file) {
    try {
        auto impl = std::make_unique<Impl>(file);
        // `vta license issue` may write while the server runs: wait for each other rather than fail.
        impl->db.setBusyTimeout(5000);
        impl->db.exec("PRAGMA journal_mode = WAL");
        impl->db.exec(schema);
        return std::unique_ptr<Store>(new Store(std::move(impl)));
    } catch (const SQLite::Exception& e) {
        return Error(Errc::sqlite, "cannot open the licence store " + file.string() + ": " + e.what(),
                     e.getExtendedErrorCode());
    }
}

Result<KeyRecord> Store::issue(const NewKey& request, Time now) {
    if (request.seats < 1) return Error(Errc::invalid_argument, "seats must be 1 or more");
    if (request.expires <= now) return Error(Errc::invalid_argument, "the expiry must be in the future");
    // The licence this key will sign must pass the core's own checks (licensee, feature names).
    licence::Licence probe;
    probe.licensee = request.licensee;
    probe.key_id = "K-000000";
    probe.features = request.features;
    probe.issued = now;
    probe.expires = request.expires;
    if (auto checked = licence::licence_from_json(licence::to_json(probe)); !checked)
        return Error(Errc::invalid_argument, checked.error().message);
    const std::string key = random_key();
    if (key.empty()) return Error(Errc::io, "no random bytes for a new key");
    std::lock_guard lock(impl_->mutex);
    try {
        SQLite::Statement s(impl_->db,
                            "INSERT INTO keys (key, licensee, features, seats, created, expires) VALUES (?,?,?,?,?,?)");
        s.bind(1, key);
        s.bind(2, request.licensee);
        s.bind(3, nlohmann::json(request.features).dump());
        s.bind(4, request.seats);
        s.bind(5, seconds(now));
        s.bind(6, seconds(request.expires));
        s.exec();
        return impl_->key_where("key", key);
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

VoidResult Store::revoke(const std::string& key) {
    std::lock_guard lock(impl_->mutex);
    try {
        SQLite::Statement s(impl_->db, "UPDATE keys SET revoked = 1 WHERE key = ?");
        s.bind(1, key);
        if (s.exec() == 0) return Error(Errc::not_found, "unknown key " + key);
        return {};
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

Result<KeyRecord> Store::find_key(const std::string& key) {
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->key_where("key", key);
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

Result<KeyRecord> Store::find_key_id(const std::string& key_id) {
    long long rowid = 0;
    char rest = 0;
    if (std::sscanf(key_id.c_str(), "K-%lld%c", &rowid, &rest) != 1 || key_id_of(rowid) != key_id)
        return Error(Errc::not_found, "unknown key");
    std::lock_guard lock(impl_->mutex);
    try {
        return impl_->key_where("id", std::to_string(rowid));
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

Result<std::vector<Activation>> Store::activations(const std::string& key) {
    std::lock_guard lock(impl_->mutex);
    try {
        std::vector<Activation> result;
        SQLite::Statement s(impl_->db, "SELECT id FROM keys WHERE key = ?");
        s.bind(1, key);
        if (!s.executeStep()) return Error(Errc::not_found, "unknown key");
        for (auto& seat : impl_->seats_of(s.getColumn(0).getInt64())) result.push_back(std::move(seat.activation));
        return result;
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

Result<Activation> Store::claim_seat(const KeyRecord& key, const licence::Fingerprint& machine, Time now) {
    std::lock_guard lock(impl_->mutex);
    try {
        // One transaction, so two machines activating at once cannot both take the last seat.
        SQLite::Transaction transaction(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        const auto rowid = impl_->rowid_of(key);
        if (rowid < 0) return Error(Errc::not_found, "unknown key");
        if (auto seat = impl_->refresh(rowid, machine, now)) {
            transaction.commit();
            return *seat;
        }
        const auto taken = impl_->seats_of(rowid).size();
        if (taken >= std::size_t(key.seats))
            return Error(Errc::invalid_state,
                         "this key's " + std::to_string(key.seats) + (key.seats == 1 ? " seat is" : " seats are") +
                             " all taken by other machines: free one at the vendor, or use another key");
        SQLite::Statement s(impl_->db,
                            "INSERT INTO activations (key_rowid, machine_id, product_uuid, mac, first_seen, last_seen) "
                            "VALUES (?,?,?,?,?,?)");
        s.bind(1, rowid);
        bind_component(s, 2, machine.machine_id);
        bind_component(s, 3, machine.product_uuid);
        bind_component(s, 4, machine.mac);
        s.bind(5, seconds(now));
        s.bind(6, seconds(now));
        s.exec();
        transaction.commit();
        return Activation{machine, now, now};
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

Result<Activation> Store::touch_seat(const KeyRecord& key, const licence::Fingerprint& machine, Time now) {
    std::lock_guard lock(impl_->mutex);
    try {
        const auto rowid = impl_->rowid_of(key);
        if (rowid < 0) return Error(Errc::not_found, "unknown key");
        if (auto seat = impl_->refresh(rowid, machine, now)) return *seat;
        return Error(Errc::not_found, "this machine is not activated with this key: activate it first");
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

VoidResult Store::record(const AuditEntry& entry) {
    std::lock_guard lock(impl_->mutex);
    try {
        SQLite::Statement s(impl_->db,
                            "INSERT INTO answers (at, endpoint, key_id, remote, outcome, reason) VALUES (?,?,?,?,?,?)");
        s.bind(1, seconds(entry.at));
        s.bind(2, entry.endpoint);
        s.bind(3, entry.key_id);
        s.bind(4, entry.remote);
        s.bind(5, entry.outcome);
        s.bind(6, entry.reason);
        s.exec();
        return {};
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

Result<std::vector<AuditEntry>> Store::audit() {
    std::lock_guard lock(impl_->mutex);
    try {
        SQLite::Statement s(impl_->db,
                            "SELECT at, endpoint, key_id, remote, outcome, reason FROM answers ORDER BY rowid");
        std::vector<AuditEntry> entries;
        while (s.executeStep())
            entries.push_back({time_of(s.getColumn(0).getInt64()), s.getColumn(1).getString(),
                               s.getColumn(2).getString(), s.getColumn(3).getString(), s.getColumn(4).getString(),
                               s.getColumn(5).getString()});
        return entries;
    } catch (const SQLite::Exception& e) {
        return sqlite_error(e);
    }
}

}  // namespace vta::licence_server
