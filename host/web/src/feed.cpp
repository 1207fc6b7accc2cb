#include "vta/web/feed.hpp"

#include <chrono>
#include <vector>

namespace vta::web {

namespace {

Frame serialise(const nlohmann::json& message) {
    return std::make_shared<const std::string>(message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void Feed::publish(nlohmann::json state) {
    if (state == state_) return;
    nlohmann::json patch = nlohmann::json::diff(state_, state);
    state_ = std::move(state);
    ++seq_;
    if (followers_.empty()) return;
    const Frame frame =
        serialise({{"type", "patch"}, {"seq", seq_}, {"sent_ms", now_ms()}, {"patch", std::move(patch)}});
    // A follower may unfollow from its callback: iterate over a copy of the ids.
    std::vector<int> ids;
    ids.reserve(followers_.size());
    for (const auto& [id, f] : followers_) ids.push_back(id);
    for (int id : ids)
        if (auto it = followers_.find(id); it != followers_.end()) it->second(frame);
}

Frame Feed::snapshot_frame() {
    return serialise({{"type", "snapshot"}, {"seq", seq_}, {"sent_ms", now_ms()}, {"state", state_}});
}

int Feed::follow(std::function<void(const Frame&)> on_patch) {
    followers_.emplace(next_id_, std::move(on_patch));
    return next_id_++;
}

void Feed::unfollow(int id) { followers_.erase(id); }

}  // namespace vta::web
