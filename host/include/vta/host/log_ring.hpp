// An spdlog sink that keeps the last lines in memory for the panel's live log.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>

namespace vta::host {

struct LogLine {
    std::uint64_t sequence = 0;  // 1 for the first line ever kept
    std::chrono::system_clock::time_point at;
    std::string level;  // spdlog's short names: "info", "warning", "error"...
    std::string text;
};

class LogRing : public spdlog::sinks::base_sink<std::mutex> {
public:
    explicit LogRing(std::size_t capacity) : capacity_(capacity) {}

    std::vector<LogLine> lines() const;
    std::uint64_t last_sequence() const;

protected:
    void sink_it_(const spdlog::details::log_msg& message) override;
    void flush_() override {}

private:
    const std::size_t capacity_;
    mutable std::mutex lines_mutex_;  // lines() is called without the sink's own lock
    std::deque<LogLine> lines_;
    std::uint64_t sequence_ = 0;
};

// Adds a ring of `capacity` lines to the default logger (set up by setup_logging) and returns it.
std::shared_ptr<LogRing> attach_log_ring(std::size_t capacity);

}  // namespace vta::host
