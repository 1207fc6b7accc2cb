// StoreBackend over the host's SQLite file: queries through vta::store::Database, tags through
// the host's Writer, per-package key/value data in a table of our own (bindings_kv).

#include <chrono>

#include <SQLiteCpp/SQLiteCpp.h>

#include "vta/bindings/host_backends.hpp"
#include "vta/store/database.hpp"

namespace vta::bindings {

namespace {

class SqliteStore : public StoreBackend {
public:
    SqliteStore(std::filesystem::path path, store::Writer* writer) : path_(std::move(path)), writer_(writer) {}

    JsonResult events_of_match(std::int64_t match_id) override {
        return with_database([&](store::Database& db) -> JsonResult {
            auto events = db.list_events(match_id);
            if (!events) return failure(events.error());
            nlohmann::json out = nlohmann::json::array();
            for (const auto& e : events.value()) out.push_back(event_json(e));
            return JsonResult(out);
        });
    }

    JsonResult events_between(std::int64_t since_us, std::int64_t until_us) override {
        return guarded_sql([&](SQLite::Database& db) {
            SQLite::Statement q(db,
                                "SELECT e.id, d.received_us, e.code, e.fields, e.match_id, e.round, e.clip_path,"
                                " e.rec_offset_ms, e.str_offset_ms, e.clip_offset_ms FROM event e JOIN datagram d ON "
                                "d.id = e.datagram_id"
                                " WHERE d.received_us BETWEEN ? AND ? ORDER BY e.id LIMIT 10000");
            q.bind(1, static_cast<int64_t>(since_us));
            q.bind(2, static_cast<int64_t>(until_us));
            nlohmann::json out = nlohmann::json::array();
            while (q.executeStep()) {
                nlohmann::json e = {{"id", q.getColumn(0).getInt64()},
                                    {"at_us", q.getColumn(1).getInt64()},
                                    {"code", q.getColumn(2).getString()},
                                    {"fields", nlohmann::json::parse(q.getColumn(3).getString(), nullptr, false)},
                                    {"round", q.getColumn(5).getInt()}};
                if (!q.getColumn(4).isNull()) e["match_id"] = q.getColumn(4).getInt64();
                if (!q.getColumn(6).isNull()) e["clip_path"] = q.getColumn(6).getString();
                if (!q.getColumn(7).isNull()) e["rec_offset_ms"] = q.getColumn(7).getInt64();
                if (!q.getColumn(8).isNull()) e["str_offset_ms"] = q.getColumn(8).getInt64();
                if (!q.getColumn(9).isNull()) e["clip_offset_ms"] = q.getColumn(9).getInt64();
                out.push_back(std::move(e));
            }
            return JsonResult(out);
        });
    }

    JsonResult tag_events(const std::string&, const nlohmann::json& tag) override {
        if (!writer_) return no_writer();
        store::EventTag t;
        t.since_us = tag.value("since_us", std::int64_t{0});
        t.until_us = tag.value("until_us", t.until_us);
        if (tag.contains("clip_path")) t.clip_path = tag["clip_path"].get<std::string>();
        if (tag.contains("recording_started_us"))
            t.recording_started_us = tag["recording_started_us"].get<std::int64_t>();
        if (tag.contains("stream_started_us")) t.stream_started_us = tag["stream_started_us"].get<std::int64_t>();
        t.stream_timeline_start_ms = tag.value("stream_timeline_start_ms", std::int64_t{0});
        if (tag.contains("clip_started_us")) t.clip_started_us = tag["clip_started_us"].get<std::int64_t>();
        writer_->tag_events(std::move(t));
        return JsonResult(true);
    }

    JsonResult recording_started(const std::string&, const nlohmann::json& r) override {
        if (!writer_) return no_writer();
        store::RecordingRow row;
        row.match_id = field_or_none<std::int64_t>(r, "match_id");
        row.connection = r.value("connection", "");
        row.path = field_or_none<std::string>(r, "path");
        row.folder = r.value("folder", "");
        row.file = r.value("file", "");
        row.started_us = r.value("started_us", std::int64_t{0});
        return JsonResult(writer_->add_recording(std::move(row)));
    }

    JsonResult recording_stopped(const std::string&, std::int64_t id, const nlohmann::json& end) override {
        if (!writer_) return no_writer();
        writer_->end_recording(id, {end.value("ended_us", std::int64_t{0}), field_or_none<std::string>(end, "path"),
                                    end.value("stopped_by", "")});
        return JsonResult(true);
    }

    JsonResult add_clip(const std::string&, const nlohmann::json& c) override {
        if (!writer_) return no_writer();
        store::ClipRow row;
        row.match_id = field_or_none<std::int64_t>(c, "match_id");
        row.path = field_or_none<std::string>(c, "path");
        row.since_us = c.value("since_us", std::int64_t{0});
        row.until_us = c.value("until_us", std::int64_t{0});
        row.requested_us = c.value("requested_us", std::int64_t{0});
        row.reason = c.value("reason", "");
        row.side = field_or_none<int>(c, "side");
        row.error = field_or_none<std::string>(c, "error");
        return JsonResult(writer_->add_clip(std::move(row)));
    }

    JsonResult stream_session_opened(const std::string&, const nlohmann::json& session) override {
        if (!writer_) return no_writer();
        store::StreamSessionRow row;
        row.day_id = field_or_none<std::int64_t>(session, "day_id");
        if (!row.day_id) {
            JsonResult day = active_day();
            if (!day.ok()) return day;
            if (day.value().is_object()) row.day_id = day.value().value("day_id", std::int64_t{0});
        }
        row.connection = session.value("connection", "");
        row.started_us = session.value("started_us", std::int64_t{0});
        const store::OpenedStreamSession opened = writer_->open_stream_session(std::move(row));
        return JsonResult(nlohmann::json{{"id", opened.id}, {"timeline_start_ms", opened.timeline_start_ms}});
    }

    JsonResult stream_session_closed(const std::string&, std::int64_t id, const nlohmann::json& end) override {
        if (!writer_) return no_writer();
        writer_->close_stream_session(id, {end.value("ended_us", std::int64_t{0}), end.value("reason", "")});
        return JsonResult(true);
    }

    JsonResult match_info(std::optional<std::int64_t> match_id) override {
        return with_database([&](store::Database& db) -> JsonResult {
            if (match_id) {
                auto m = db.get_match(*match_id);
                if (!m) return failure(m.error());
                return JsonResult(m.value() ? nlohmann::json(*m.value()) : nlohmann::json());
            }
            store::MatchFilter newest;
            newest.limit = 1;
            auto list = db.list_matches(newest);
            if (!list) return failure(list.error());
            return JsonResult(list.value().empty() ? nlohmann::json() : nlohmann::json(list.value().back()));
        });
    }

    JsonResult active_day() override {
        return with_database([&](store::Database& db) -> JsonResult {
            auto day = db.active_day();
            if (!day) return failure(day.error());
            return JsonResult(day.value() ? nlohmann::json(*day.value()) : nlohmann::json());
        });
    }

    JsonResult kv_get(const std::string& package, const std::string& key) override {
        return guarded_sql([&](SQLite::Database& db) {
            SQLite::Statement q(db, "SELECT value FROM bindings_kv WHERE package = ? AND key = ?");
            q.bind(1, package);
            q.bind(2, key);
            if (!q.executeStep()) return JsonResult(nullptr);
            return JsonResult(nlohmann::json::parse(q.getColumn(0).getString(), nullptr, false));
        });
    }

    JsonResult kv_set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        return guarded_sql([&](SQLite::Database& db) {
            if (value.is_null()) {
                SQLite::Statement q(db, "DELETE FROM bindings_kv WHERE package = ? AND key = ?");
                q.bind(1, package);
                q.bind(2, key);
                q.exec();
            } else {
                SQLite::Statement q(db,
                                    "INSERT INTO bindings_kv(package, key, value) VALUES(?, ?, ?)"
                                    " ON CONFLICT(package, key) DO UPDATE SET value = excluded.value");
                q.bind(1, package);
                q.bind(2, key);
                q.bind(3, value.dump());
                q.exec();
            }
            return JsonResult(true);
        });
    }

private:
    static JsonResult failure(const vta::Error& e) { return e; }
    static JsonResult no_writer() { return vta::Error(vta::Errc::unavailable, "the store writer is not running"); }

    template <class T>
    static std::optional<T> field_or_none(const nlohmann::json& object, const char* key) {
        auto it = object.find(key);
        if (it == object.end() || it->is_null()) return std::nullopt;
        return it->get<T>();
    }

    static nlohmann::json event_json(const store::EventInfo& e) {
        nlohmann::json j = {{"id", e.id},
                            {"at_us", e.received_us},
                            {"code", e.code},
                            {"round", e.round},
                            {"fields", nlohmann::json::parse(e.fields_json, nullptr, false)}};
        if (e.match_id) j["match_id"] = *e.match_id;
        if (e.clip_path) j["clip_path"] = *e.clip_path;
        if (e.rec_offset_ms) j["rec_offset_ms"] = *e.rec_offset_ms;
        if (e.str_offset_ms) j["str_offset_ms"] = *e.str_offset_ms;
        if (e.clip_offset_ms) j["clip_offset_ms"] = *e.clip_offset_ms;
        return j;
    }

    template <class Fn>
    JsonResult with_database(Fn fn) {
        if (!database_) {
            auto db = store::Database::open_read_only(path_);
            if (!db) return failure(db.error());
            database_ = std::make_unique<store::Database>(std::move(db.value()));
        }
        return fn(*database_);
    }

    template <class Fn>
    JsonResult guarded_sql(Fn fn) {
        try {
            if (!sql_) {
                sql_ = std::make_unique<SQLite::Database>(path_.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
                sql_->setBusyTimeout(2000);
                sql_->exec(
                    "CREATE TABLE IF NOT EXISTS bindings_kv (package TEXT NOT NULL, key TEXT NOT NULL,"
                    " value TEXT NOT NULL, PRIMARY KEY(package, key))");
            }
            return fn(*sql_);
        } catch (const std::exception& e) {
            return vta::Error(vta::Errc::sqlite, e.what());
        }
    }

    std::filesystem::path path_;
    store::Writer* writer_;
    std::unique_ptr<store::Database> database_;
    std::unique_ptr<SQLite::Database> sql_;
};

}  // namespace

std::shared_ptr<StoreBackend> make_store_backend(const std::filesystem::path& database, store::Writer* writer) {
    return std::make_shared<SqliteStore>(database, writer);
}

}  // namespace vta::bindings
