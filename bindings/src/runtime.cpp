#include "vta/bindings/runtime.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "hot_reload.hpp"
#include "runtime_impl.hpp"

namespace vta::bindings {

RuntimeImpl::RuntimeImpl(boost::asio::io_context& io, RuntimeOptions options) : io_(io), options_(std::move(options)) {
    if (!options_.clock) options_.clock = make_steady_clock(io_);
    logger_ = options_.logger ? options_.logger : spdlog::default_logger();
}

RuntimeImpl::~RuntimeImpl() {
    hot_reload_.reset();
    packages_.clear();
}

void RuntimeImpl::start_watching() {
    std::weak_ptr<RuntimeImpl> weak = weak_from_this();
    HostEventSink sink = [weak](const std::string& kind, const nlohmann::json& data) {
        auto self = weak.lock();
        if (!self) return;
        boost::asio::post(self->io(), [weak, kind, data] {
            if (auto rt = weak.lock()) rt->host_event(kind, data);
        });
    };
    if (options_.obs) options_.obs->set_event_sink(sink);
    if (options_.playback) options_.playback->set_event_sink(sink);
    if (options_.courts) options_.courts->set_event_sink(sink);
    if (options_.hot_reload && !hot_reload_) {
        hot_reload_ = std::make_unique<HotReload>(io_, weak, options_.reload_debounce);
        if (!hot_reload_->ok()) logger_->warn("[lua] hot reload unavailable: inotify_init1 failed");
    }
}

int RuntimeImpl::load_all() {
    std::vector<std::filesystem::path> folders;
    for (const auto& root : options_.package_roots) {
        std::error_code ec;
        if (!std::filesystem::is_directory(root, ec)) continue;
        for (const auto& entry : std::filesystem::directory_iterator(root, ec))
            if (entry.is_directory() && std::filesystem::exists(entry.path() / "manifest.json"))
                folders.push_back(entry.path());
    }
    std::sort(folders.begin(), folders.end());
    int loaded = 0;
    for (const auto& folder : folders) {
        // The operator may switch a package off in the config: {"<name>": {"enabled": false}}.
        if (const auto manifest = read_manifest(folder)) {
            const auto entry = options_.packages.find(manifest->name);
            if (entry != options_.packages.end() && entry->is_object() && entry->value("enabled", true) == false) {
                logger().info("workflow {}: disabled in the config, not loaded", manifest->name);
                continue;
            }
        }
        loaded += load(folder) ? 1 : 0;
    }
    return loaded;
}

bool RuntimeImpl::load(const std::filesystem::path& folder) {
    std::uint64_t reloads = 0;
    for (auto it = folders_.begin(); it != folders_.end(); ++it) {
        if (it->second != folder) continue;
        if (auto old = packages_.find(it->first); old != packages_.end()) {
            reloads = old->second->status().reloads + 1;
            packages_.erase(old);  // releases timers, subscriptions and waits, closes the state
        }
        folders_.erase(it);
        break;
    }
    auto package = std::make_unique<Package>(*this, next_package_id_++, folder);
    Package* p = package.get();
    // Register before running the main chunk so callbacks started at load time find the package.
    std::string provisional = "\x01loading";
    packages_[provisional] = std::move(package);
    bool ok = p->load();
    auto node = packages_.extract(provisional);
    std::string name = p->name();
    if (auto clash = packages_.find(name); clash != packages_.end()) {
        logger_->error("[lua:{}] {} is already loaded from {}: not loading it again", name, folder.string(),
                       folders_[name].string());
        return false;
    }
    p->set_reloads(reloads);
    node.key() = name;
    packages_.insert(std::move(node));
    folders_[name] = folder;
    if (hot_reload_) hot_reload_->watch(name, folder);
    if (ok) logger_->info("[lua:{}] loaded {} {}", name, p->manifest().version, folder.string());
    notify(*p);
    return ok;
}

bool RuntimeImpl::reload(const std::string& name) {
    auto it = folders_.find(name);
    if (it == folders_.end()) return false;
    std::filesystem::path folder = it->second;
    return load(folder);
}

void RuntimeImpl::unload(const std::string& name) {
    packages_.erase(name);
    folders_.erase(name);
}

void RuntimeImpl::dispatch(const Event& event) {
    // Kept only for a host that does not say what the current match is: the copy is on every event's path.
    if (!options_.current_match && !event.match.empty()) last_match_ = event.match;
    if (event.match_id) last_match_id_ = event.match_id;
    for (auto& [name, package] : packages_) package->dispatch(event);
}

bool RuntimeImpl::wants(const std::string& kind) const {
    for (const auto& [name, package] : packages_)
        if (package->handles(kind)) return true;
    return false;
}

void RuntimeImpl::host_event(const std::string& kind, const nlohmann::json& data) {
    Event event;
    event.kind = kind;
    event.data = data;
    event.at_us = clock().epoch_us();
    event.match = last_match();
    event.match_id = last_match_id();
    dispatch(event);
}

std::vector<PackageStatus> RuntimeImpl::status() {
    std::vector<PackageStatus> out;
    for (auto& [name, package] : packages_) out.push_back(package->status());
    return out;
}

std::optional<PackageStatus> RuntimeImpl::status(const std::string& name) {
    if (Package* p = find(name)) return p->status();
    return std::nullopt;
}

Package* RuntimeImpl::find(std::uint64_t id) {
    for (auto& [name, package] : packages_)
        if (package->id() == id) return package.get();
    return nullptr;
}

Package* RuntimeImpl::find(const std::string& name) {
    auto it = packages_.find(name);
    return it == packages_.end() ? nullptr : it->second.get();
}

void RuntimeImpl::notify(Package& package) {
    if (options_.on_status) options_.on_status(package.status());
}

std::vector<std::string> RuntimeImpl::package_names() const {
    std::vector<std::string> names;
    for (const auto& [name, package] : packages_) names.push_back(name);
    return names;
}

bool RuntimeImpl::past_deadline() {
    return deadline_reached_ || (options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline);
}

void RuntimeImpl::reach_deadline(DeadlineReached where) {
    if (!deadline_reached_) deadline_reached_ = std::move(where);
}

void RuntimeImpl::note_running(DeadlineReached where) {
    std::lock_guard lock(running_mutex_);
    running_ = std::move(where);
}

DeadlineReached RuntimeImpl::running() const {
    std::lock_guard lock(running_mutex_);
    return running_;
}

Runtime::Runtime(boost::asio::io_context& io, RuntimeOptions options)
    : impl_(std::make_shared<RuntimeImpl>(io, std::move(options))) {
    impl_->start_watching();
}

Runtime::~Runtime() = default;

int Runtime::load_all() { return impl_->load_all(); }
bool Runtime::load(const std::filesystem::path& folder) { return impl_->load(folder); }
bool Runtime::reload(const std::string& name) { return impl_->reload(name); }
void Runtime::unload(const std::string& name) { impl_->unload(name); }
void Runtime::dispatch(const Event& event) { impl_->dispatch(event); }
bool Runtime::wants(const std::string& kind) const { return impl_->wants(kind); }
std::vector<PackageStatus> Runtime::status() const { return impl_->status(); }
std::optional<PackageStatus> Runtime::status(const std::string& name) const { return impl_->status(name); }

}  // namespace vta::bindings
