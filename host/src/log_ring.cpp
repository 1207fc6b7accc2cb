#include "vta/host/log_ring.hpp"

#include <spdlog/spdlog.h>

namespace vta::host {

void LogRing::sink_it_(const spdlog::details::log_msg& message) {
    const auto level = spdlog::level::to_string_view(message.level);
    LogLine line{0, message.time, std::string(level.data(), level.size()),
                 std::string(message.payload.data(), message.payload.size())};
    std::lock_guard lock(lines_mutex_);
    line.sequence = ++sequence_;
    lines_.push_back(std::move(line));
    if (lines_.size() > capacity_) lines_.pop_front();
}

std::vector<LogLine> LogRing::lines() const {
    std::lock_guard lock(lines_mutex_);
    return {lines_.begin(), lines_.end()};
}

std::uint64_t LogRing::last_sequence() const {
    std::lock_guard lock(lines_mutex_);
    return sequence_;
}

std::shared_ptr<LogRing> attach_log_ring(std::size_t capacity) {
    auto ring = std::make_shared<LogRing>(capacity);
    spdlog::default_logger()->sinks().push_back(ring);
    return ring;
}

}  // namespace vta::host
