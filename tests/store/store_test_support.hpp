#pragma once
// Shared helpers for the store tests: a private temporary folder per test and condition waits.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include "vta/store/rows.hpp"

namespace vta::store::testing {

// A fresh folder per test, removed afterwards.
class TempFolder {
public:
    TempFolder() {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ =
            std::filesystem::temp_directory_path() / ("vta-store-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter++) + "-" + (info ? info->name() : "x"));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path file(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// The first column of the first row of `sql` on `file`, opened read-only (what a test reads behind the store's back).
inline std::int64_t count(const std::filesystem::path& file, const std::string& sql) {
    SQLite::Database raw(file, SQLite::OPEN_READONLY);
    SQLite::Statement query(raw, sql);
    query.executeStep();
    return query.getColumn(0).getInt64();
}

// A value written by a callback thread that a test waits on with a deadline.
template <class T>
class Watched {
public:
    void update(const std::function<void(T&)>& change) {
        std::lock_guard lock(mutex_);
        change(value_);
        changed_.notify_all();
    }
    // True when `condition` held before the deadline.
    bool wait_for(const std::function<bool(const T&)>& condition,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return condition(value_); });
    }
    T get() const {
        std::lock_guard lock(mutex_);
        return value_;
    }

private:
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    T value_{};
};

inline DatagramRow datagram(std::int64_t received_us, std::string raw = "pt1;3;") {
    return DatagramRow{received_us, "192.168.1.10:6000", std::move(raw), 1};
}

inline EventRow event(std::int64_t datagram_id, std::optional<std::int64_t> match_id, std::string code = "pt1") {
    EventRow row;
    row.datagram_id = datagram_id;
    row.code = code;
    row.raw = code + ";3;";
    row.fields_json = R"({"points":3})";
    row.match_id = match_id;
    row.round = 1;
    row.clock_seconds = 95;
    row.clock_running = true;
    return row;
}

inline MatchRow match(std::string number, std::optional<std::int64_t> day_id = std::nullopt) {
    MatchRow row;
    row.day_id = day_id;
    row.number = std::move(number);
    row.category = "Senior";
    row.weight = "M-68";
    row.division = "A";
    row.match_code = "M68-101";
    row.rounds = 3;
    row.round_seconds = 120;
    row.blue = AthleteRow{"KIM", "KIM Minsu", "KOR"};
    row.red = AthleteRow{"GARCIA", "GARCIA Luis", "ESP"};
    return row;
}

}  // namespace vta::store::testing
