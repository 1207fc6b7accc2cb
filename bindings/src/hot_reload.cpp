#include "hot_reload.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <vector>

#include "runtime_impl.hpp"

namespace vta::bindings {

HotReload::HotReload(boost::asio::io_context& io, std::weak_ptr<RuntimeImpl> runtime,
                     std::chrono::milliseconds debounce)
    : runtime_(std::move(runtime)), debounce_(debounce), stream_(io), timer_(io) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) return;
    stream_.assign(fd_);
    read();
}

HotReload::~HotReload() {
    boost::system::error_code ignored;
    timer_.cancel();
    stream_.close(ignored);
}

void HotReload::watch(const std::string& package, const std::filesystem::path& folder) {
    if (fd_ < 0) return;
    // The package folder and its subfolders (modules loaded with require live there too).
    std::vector<std::filesystem::path> folders = {folder};
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(folder, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_directory(ec)) folders.push_back(it->path());
    for (const auto& f : folders) {
        int wd = inotify_add_watch(fd_, f.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE);
        if (wd >= 0) packages_by_watch_[wd] = package;
    }
}

void HotReload::read() {
    std::weak_ptr<RuntimeImpl> weak = runtime_;
    stream_.async_read_some(boost::asio::buffer(buffer_), [this, weak](boost::system::error_code ec, std::size_t n) {
        if (ec || !weak.lock()) return;
        for (std::size_t offset = 0; offset + sizeof(inotify_event) <= n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer_.data() + offset);
            std::string file = event->len > 0 ? std::string(event->name) : std::string();
            bool relevant = file == "manifest.json" || (file.size() > 4 && file.ends_with(".lua"));
            auto it = packages_by_watch_.find(event->wd);
            if (relevant && it != packages_by_watch_.end()) on_change(it->second);
            offset += sizeof(inotify_event) + event->len;
        }
        read();
    });
}

void HotReload::on_change(const std::string& package) {
    pending_.insert(package);
    timer_.expires_after(debounce_);
    std::weak_ptr<RuntimeImpl> weak = runtime_;
    timer_.async_wait([this, weak](boost::system::error_code ec) {
        if (ec) return;
        auto runtime = weak.lock();
        if (!runtime) return;
        auto names = std::move(pending_);
        pending_.clear();
        for (const auto& name : names) runtime->reload(name);
    });
}

}  // namespace vta::bindings
