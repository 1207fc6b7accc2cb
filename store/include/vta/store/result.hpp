#pragma once
// Error values for the store's public API: nothing in vta::store throws to its caller.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vta::store {

// Error codes. SQLite failures carry their (extended) SQLite result code in `sqlite_code`.
namespace errc {
inline constexpr int sqlite = 1;          // an SQLite call failed (see Error::sqlite_code)
inline constexpr int io = 2;              // filesystem failure (creating the parent folder...)
inline constexpr int schema_too_new = 3;  // the file was written by a newer build: refuse to touch it
inline constexpr int schema_too_old = 4;  // read-only open of a file that still needs migrating
inline constexpr int not_found = 5;       // the file or row asked for does not exist
inline constexpr int invalid_argument = 6;
inline constexpr int timeout = 7;  // Writer::flush gave up waiting
inline constexpr int closed = 8;   // Writer used after close()
}  // namespace errc

struct Error {
    int code = 0;
    std::string message;
    int sqlite_code = 0;  // SQLite extended result code when code == errc::sqlite, else 0
};

template <class T>
class Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Precondition: ok().
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    // Precondition: !ok().
    const Error& error() const { return std::get<1>(state_); }

private:
    std::variant<T, Error> state_;
};

template <>
class Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const { return !error_.has_value(); }
    explicit operator bool() const { return ok(); }
    void value() const {}
    // Precondition: !ok().
    const Error& error() const { return *error_; }

private:
    std::optional<Error> error_;
};

}  // namespace vta::store
