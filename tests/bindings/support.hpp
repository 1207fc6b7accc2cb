#pragma once
// Shared test rig: packages written into a temporary folder, a Runtime on a virtual clock with
// the recorder standing in for OBS, mpv and the store, and the log lines packages produced.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "recorder.hpp"
#include "vta/bindings/runtime.hpp"

namespace vta::bindings::testing {

struct LogLine {
    std::string package, level, message;
};

inline std::filesystem::path make_temp_dir(const std::string& tag) {
    std::random_device rd;
    auto dir =
        std::filesystem::temp_directory_path() / ("vta-lua-" + tag + "-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    return dir;
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

class RuntimeTest : public ::testing::Test {
protected:
    RuntimeTest() : root(make_temp_dir("pkg")), clock(std::make_shared<VirtualClock>(io)), recorder(io, clock) {}
    ~RuntimeTest() override {
        runtime.reset();
        std::error_code ec;
        std::filesystem::remove_all(root, ec);
    }

    std::filesystem::path package(const std::string& name, const std::string& main_lua,
                                  nlohmann::json manifest = nlohmann::json::object()) {
        auto folder = root / name;
        manifest["name"] = name;
        if (!manifest.contains("version")) manifest["version"] = "1.0.0";
        write_file(folder / "manifest.json", manifest.dump(2));
        write_file(folder / "main.lua", main_lua);
        return folder;
    }

    RuntimeOptions options() {
        RuntimeOptions o;
        o.package_roots = {root};
        o.clock = clock;
        o.obs = recorder.obs();
        o.playback = recorder.playback();
        o.store = recorder.store();
        o.overlay = recorder.overlay();
        o.licence = recorder.licence();
        o.logger = std::make_shared<spdlog::logger>("lua-test");
        o.on_log = [this](const std::string& p, const std::string& l, const std::string& m) {
            logs.push_back({p, l, m});
        };
        return o;
    }

    Runtime& start(RuntimeOptions o) {
        runtime = std::make_unique<Runtime>(io, std::move(o));
        runtime->load_all();
        return *runtime;
    }
    Runtime& start() { return start(options()); }

    void fire(const std::string& kind, nlohmann::json data = nlohmann::json::object(),
              nlohmann::json match = nlohmann::json::object()) {
        Event e;
        e.kind = kind;
        e.data = std::move(data);
        e.match = std::move(match);
        e.at_us = 1'700'000'000'000'000;
        runtime->dispatch(e);
        settle();
    }

    // Runs ready handlers (coroutine resumptions, recorder answers) without moving the clock.
    void settle() {
        io.restart();
        io.poll();
    }

    bool logged(const std::string& text, const std::string& package = {}) const {
        for (const auto& l : logs)
            if (l.message.find(text) != std::string::npos && (package.empty() || l.package == package)) return true;
        return false;
    }

    std::vector<std::string> messages(const std::string& package, const std::string& level = "info") const {
        std::vector<std::string> out;
        for (const auto& l : logs)
            if (l.package == package && l.level == level) out.push_back(l.message);
        return out;
    }

    // Every log line, for failure messages.
    std::string dump() const {
        std::string out;
        for (const auto& l : logs) out += "\n  [" + l.package + " " + l.level + "] " + l.message;
        return out;
    }

    PackageStatus status(const std::string& name) {
        auto s = runtime->status(name);
        EXPECT_TRUE(s.has_value()) << name;
        return s.value_or(PackageStatus{});
    }

    std::filesystem::path root;
    boost::asio::io_context io;
    std::shared_ptr<VirtualClock> clock;
    Recorder recorder;
    std::vector<LogLine> logs;
    std::unique_ptr<Runtime> runtime;
};

// Runs the io_context until `done()` or `limit` passes (real time).
inline bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        io.restart();
        io.run_one_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace vta::bindings::testing
