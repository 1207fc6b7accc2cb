#pragma once
// Watches package folders with inotify and reloads a package shortly after one of its files is
// saved (several writes within the debounce delay make one reload).

#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace vta::bindings {

class RuntimeImpl;

class HotReload {
public:
    HotReload(boost::asio::io_context& io, std::weak_ptr<RuntimeImpl> runtime, std::chrono::milliseconds debounce);
    ~HotReload();
    bool ok() const { return fd_ >= 0; }
    void watch(const std::string& package, const std::filesystem::path& folder);

private:
    void read();
    void on_change(const std::string& package);

    std::weak_ptr<RuntimeImpl> runtime_;
    std::chrono::milliseconds debounce_;
    int fd_ = -1;
    boost::asio::posix::stream_descriptor stream_;
    boost::asio::steady_timer timer_;
    std::map<int, std::string> packages_by_watch_;
    std::set<std::string> pending_;
    alignas(8) std::array<char, 8192> buffer_{};
};

}  // namespace vta::bindings
