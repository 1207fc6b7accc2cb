// A live JSON document that pages follow over a WebSocket: the full state with a sequence number when they
// connect (or ask again), then one RFC 6902 patch per change. Lives on the io thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace vta::web {

using Frame = std::shared_ptr<const std::string>;  // serialised once, shared by every connection

class Feed {
public:
    // The document becomes `state`; followers get the patch from the previous one. Nothing is sent when the
    // state did not change.
    void publish(nlohmann::json state);

    const nlohmann::json& state() const { return state_; }
    std::uint64_t seq() const { return seq_; }

    // {"type":"snapshot","seq","sent_ms","state"} for the current state.
    Frame snapshot_frame();

    // `on_patch` gets every patch frame ({"type":"patch","seq","sent_ms","patch"}) until unfollow(id).
    int follow(std::function<void(const Frame&)> on_patch);
    void unfollow(int id);
    std::size_t followers() const { return followers_.size(); }

private:
    nlohmann::json state_ = nlohmann::json::object();
    std::uint64_t seq_ = 1;
    std::map<int, std::function<void(const Frame&)>> followers_;
    int next_id_ = 1;
};

// Wall clock in milliseconds since the epoch, as pages read Date.now().
std::int64_t now_ms();

}  // namespace vta::web
