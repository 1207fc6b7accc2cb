// StoreBackend over the host's SQLite file: reads through a store::Reader (its thread, never the
// runtime's), rows and package values through the host's Writer.

#include <map>
#include <utility>

#include "vta/bindings/host_backends.hpp"
#include "vta/store/database.hpp"
#include "vta/store/reader.hpp"

namespace vta::bindings {

namespace {

class SqliteStore : public StoreBackend {
public:
    SqliteStore(store::Reader* reader, std::unique_ptr<store::Reader> owned, vta::Error open_error,
                store::Writer* writer)
        : reader_(reader), owned_reader_(std::move(owned)), open_error_(std::move(open_error)), writer_(writer) {}

    // Pending reads complete before the writer (which their stream sessions may use) can go.
    ~SqliteStore() override {
        if (owned_reader_) owned_reader_->close();
    }

    void events_of_match(std::int64_t match_id, ActionDone done) override {
        read<std::vector<store::EventInfo>>([match_id](store::Database& db) { return db.list_events(match_id); },
                                            events_json, std::move(done));
    }

    void events_between(std::int64_t since_us, std::int64_t until_us, ActionDone done) override {
        read<std::vector<store::EventInfo>>(
            [since_us, until_us](store::Database& db) { return db.events_between(since_us, until_us); }, events_json,
            std::move(done));
    }

    void match_info(std::optional<std::int64_t> match_id, ActionDone done) override {
        read<std::optional<store::MatchInfo>>(
            [match_id](store::Database& db) -> vta::Result<std::optional<store::MatchInfo>> {
                if (match_id) return db.get_match(*match_id);
                store::MatchFilter newest;
                newest.limit = 1;
                auto list = db.list_matches(newest);
                if (!list) return list.error();
                if (list.value().empty()) return std::optional<store::MatchInfo>();
                return std::optional<store::MatchInfo>(std::move(list.value().back()));
            },
            [](const std::optional<store::MatchInfo>& m) { return m ? nlohmann::json(*m) : nlohmann::json(); },
            std::move(done));
    }

    void active_day(ActionDone done) override {
        read<std::optional<store::ActiveDay>>([](store::Database& db) { return db.active_day(); }, day_json,
                                              std::move(done));
    }

    void kv_get(const std::string& package, const std::string& key, ActionDone done) override {
        forget_committed_values();
        if (auto it = uncommitted_.find({package, key}); it != uncommitted_.end())
            return done(JsonResult(it->second.value));
        read<std::optional<std::string>>([package, key](store::Database& db) { return db.package_value(package, key); },
                                         [](const std::optional<std::string>& text) {
                                             return text ? nlohmann::json::parse(*text, nullptr, false)
                                                         : nlohmann::json();
                                         },
                                         std::move(done));
    }

    JsonResult kv_set(const std::string& package, const std::string& key, const nlohmann::json& value) override {
        if (!writer_) return no_writer();
        writer_->set_package_value(
            {package, key, value.is_null() ? std::nullopt : std::optional<std::string>(value.dump())});
        uncommitted_[{package, key}] = {value, writer_->status().submitted_changes};
        return JsonResult(true);
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

    void stream_session_opened(const std::string&, const nlohmann::json& session, ActionDone done) override {
        if (!writer_) return done(no_writer());
        store::StreamSessionRow row;
        row.day_id = field_or_none<std::int64_t>(session, "day_id");
        row.connection = session.value("connection", "");
        row.started_us = session.value("started_us", std::int64_t{0});
        if (row.day_id) return done(open_session(*writer_, std::move(row)));
        // The active day is read on the reader thread, and the session opened there: the Writer takes
        // rows from any thread.
        store::Writer* writer = writer_;
        read<std::optional<store::ActiveDay>>(
            [](store::Database& db) { return db.active_day(); },
            [writer, row = std::move(row)](const std::optional<store::ActiveDay>& day) mutable {
                if (day) row.day_id = day->day_id;
                return open_session(*writer, std::move(row));
            },
            std::move(done));
    }

    JsonResult stream_session_closed(const std::string&, std::int64_t id, const nlohmann::json& end) override {
        if (!writer_) return no_writer();
        writer_->close_stream_session(id, {end.value("ended_us", std::int64_t{0}), end.value("reason", "")});
        return JsonResult(true);
    }

private:
    // A value set through the Writer and maybe not yet committed, with the Writer's change count after it.
    struct Uncommitted {
        nlohmann::json value;
        std::uint64_t change = 0;
    };

    static JsonResult no_writer() { return vta::Error(vta::Errc::unavailable, "the store writer is not running"); }

    static nlohmann::json open_session(store::Writer& writer, store::StreamSessionRow row) {
        const store::OpenedStreamSession opened = writer.open_stream_session(std::move(row));
        return {{"id", opened.id}, {"timeline_start_ms", opened.timeline_start_ms}};
    }

    template <class T>
    static std::optional<T> field_or_none(const nlohmann::json& object, const char* key) {
        auto it = object.find(key);
        if (it == object.end() || it->is_null()) return std::nullopt;
        return it->get<T>();
    }

    static nlohmann::json events_json(const std::vector<store::EventInfo>& events) {
        nlohmann::json out = nlohmann::json::array();
        for (const store::EventInfo& e : events) {
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
            out.push_back(std::move(j));
        }
        return out;
    }

    static nlohmann::json day_json(const std::optional<store::ActiveDay>& day) {
        return day ? nlohmann::json(*day) : nlohmann::json();
    }

    // Runs `query` on the reader thread and completes `done` there with `to_json` of its value.
    template <class T, class Query, class ToJson>
    void read(Query query, ToJson to_json, ActionDone done) {
        if (!reader_) return done(open_error_);
        reader_->read<T>(std::move(query),
                         [to_json = std::move(to_json), done = std::move(done)](vta::Result<T> result) mutable {
                             if (!result) return done(result.error());
                             done(JsonResult(to_json(result.value())));
                         });
    }

    // Values the Reader's connection may not see yet are answered from here.
    void forget_committed_values() {
        if (uncommitted_.empty() || !writer_) return;
        const std::uint64_t committed = writer_->status().committed_changes;
        std::erase_if(uncommitted_, [committed](const auto& entry) { return entry.second.change <= committed; });
    }

    store::Reader* reader_;
    std::unique_ptr<store::Reader> owned_reader_;
    vta::Error open_error_;  // why there is no reader
    store::Writer* writer_;
    std::map<std::pair<std::string, std::string>, Uncommitted> uncommitted_;  // (package, key)
};

}  // namespace

std::shared_ptr<StoreBackend> make_store_backend(const std::filesystem::path& database, store::Writer* writer) {
    auto reader = store::Reader::open(database);
    if (!reader) return std::make_shared<SqliteStore>(nullptr, nullptr, reader.error(), writer);
    store::Reader* shared = reader.value().get();
    return std::make_shared<SqliteStore>(shared, std::move(reader).value(), vta::Error(), writer);
}

std::shared_ptr<StoreBackend> make_store_backend(store::Reader& reader, store::Writer* writer) {
    return std::make_shared<SqliteStore>(&reader, nullptr, vta::Error(), writer);
}

}  // namespace vta::bindings
