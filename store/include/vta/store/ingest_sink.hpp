#pragma once
// Where the ingest path puts what it hears. The Writer stores it; a DiscardingSink (dry runs, `vta check`) only
// numbers the rows, so a dry run's events carry ids and match ids exactly as a live host's do.

#include <cstdint>
#include <functional>
#include <string>

#include "vta/store/rows.hpp"

namespace vta::store {

class IngestSink {
public:
    virtual ~IngestSink() = default;
    // Each returns the id the row has (or will have once committed); never blocks.
    virtual std::int64_t add_datagram(DatagramRow row) = 0;
    virtual std::int64_t add_event(EventRow row) = 0;
    virtual std::int64_t add_unknown(UnknownRow row) = 0;
    virtual std::int64_t add_match(MatchRow row) = 0;
    // The match row, made when it is written (see Writer::update_match).
    virtual void update_match(std::int64_t match_id, std::function<MatchRow()> make_row) = 0;
    virtual void update_event_fields(std::int64_t event_id, std::string fields_json) = 0;
    // Rows added between hold_batch() and release_batch() are committed in one transaction: a datagram is
    // never committed (and reported committed) without its events. Use SameBatch.
    virtual void hold_batch() = 0;
    virtual void release_batch() = 0;
};

// Holds the sink's batch for its scope (one datagram's rows).
class SameBatch {
public:
    explicit SameBatch(IngestSink& sink) : sink_(sink) { sink_.hold_batch(); }
    ~SameBatch() { sink_.release_batch(); }
    SameBatch(const SameBatch&) = delete;
    SameBatch& operator=(const SameBatch&) = delete;

private:
    IngestSink& sink_;
};

class DiscardingSink final : public IngestSink {
public:
    std::int64_t add_datagram(DatagramRow) override { return ++datagrams_; }
    std::int64_t add_event(EventRow) override { return ++events_; }
    std::int64_t add_unknown(UnknownRow) override { return ++unknown_; }
    std::int64_t add_match(MatchRow) override { return ++matches_; }
    void update_match(std::int64_t, std::function<MatchRow()>) override {}
    void update_event_fields(std::int64_t, std::string) override {}
    void hold_batch() override {}
    void release_batch() override {}

private:
    std::int64_t datagrams_ = 0, events_ = 0, unknown_ = 0, matches_ = 0;
};

}  // namespace vta::store
