#pragma once
// The runtime's shared state. Completions of backends and timers hold a weak_ptr to it, so a
// completion arriving after the Runtime is gone does nothing.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "package.hpp"
#include "vta/bindings/runtime.hpp"

namespace vta::bindings {

class HotReload;

class RuntimeImpl : public std::enable_shared_from_this<RuntimeImpl> {
public:
    RuntimeImpl(boost::asio::io_context& io, RuntimeOptions options);
    ~RuntimeImpl();

    boost::asio::io_context& io() { return io_; }
    const RuntimeOptions& options() const { return options_; }
    Clock& clock() { return *options_.clock; }
    spdlog::logger& logger() { return *logger_; }

    void start_watching();
    int load_all();
    bool load(const std::filesystem::path& folder);
    bool reload(const std::string& name);
    void unload(const std::string& name);
    void dispatch(const Event& event);
    void host_event(const std::string& kind, const nlohmann::json& data);
    std::vector<PackageStatus> status();
    std::optional<PackageStatus> status(const std::string& name);
    Package* find(std::uint64_t id);
    Package* find(const std::string& name);
    void notify(Package& package);
    std::vector<std::string> package_names() const;

    bool wants(const std::string& kind) const;
    nlohmann::json last_match() const { return options_.current_match ? options_.current_match() : last_match_; }
    std::optional<std::int64_t> last_match_id() const {
        return options_.current_match_id ? options_.current_match_id() : last_match_id_;
    }

    // True once options().deadline has passed: no package code may start any more.
    bool past_deadline();
    // Keeps `where` as what was running when the deadline passed, unless something was kept already.
    void reach_deadline(DeadlineReached where);
    const std::optional<DeadlineReached>& deadline_reached() const { return deadline_reached_; }
    // The package code last started (with a deadline only): read by a watchdog thread, hence the lock.
    void note_running(DeadlineReached where);
    DeadlineReached running() const;

private:
    boost::asio::io_context& io_;
    RuntimeOptions options_;
    std::shared_ptr<spdlog::logger> logger_;
    std::uint64_t next_package_id_ = 1;
    std::map<std::string, std::unique_ptr<Package>> packages_;  // by name, load order = name order
    std::map<std::string, std::filesystem::path> folders_;      // every folder loaded, by package name
    std::unique_ptr<HotReload> hot_reload_;
    nlohmann::json last_match_ = nlohmann::json::object();
    std::optional<std::int64_t> last_match_id_;
    std::optional<DeadlineReached> deadline_reached_;
    mutable std::mutex running_mutex_;
    DeadlineReached running_;
};

}  // namespace vta::bindings
