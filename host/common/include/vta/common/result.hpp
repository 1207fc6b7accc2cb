#pragma once
// The outcome of every fallible operation in the host: a value or an Error. Modules return it across
// their public APIs instead of throwing; the Lua edge turns an Error into `nil, message, code`.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vta {

// What went wrong, as scripts and the CLI see it (to_string gives the Lua `code`). Add a code here only
// when a caller would act differently on it.
enum class Errc {
    invalid_argument,  // the caller passed something malformed (a bad date, an unknown option)
    invalid_config,    // a configuration entry is malformed
    invalid_state,     // refused before doing anything, e.g. changing the record folder while recording
    not_found,         // the file, row, connection or source asked for does not exist
    unavailable,       // the service is not configured in this host (no store, no player)
    timeout,           // no answer within the deadline
    closed,            // the connection or writer went away while the operation was pending
    cancelled,         // the owner was stopped or the caller cancelled
    not_connected,     // the OBS connection is not in state `connected`
    request_failed,    // OBS answered requestStatus.result == false (Error::status_code and comment kept)
    protocol,          // a malformed or unexpected message from a peer
    auth_failed,       // wrong password, or a password needed and none given
    unsupported,       // refused RPC version, or a feature this OBS lacks
    sqlite,            // an SQLite call failed (Error::status_code: its extended result code)
    io,                // a filesystem failure
    schema_too_new,    // the database was written by a newer build: it is not touched
    schema_too_old,    // a read-only open of a database that still needs migrating
    spawn_failed,      // a helper process (mpv, ffmpeg) could not be started
    open_failed,       // the player could not open the file
    cut_failed,        // ffmpeg could not cut the clip
    licence_refused,   // a licence file failed its checks: malformed, altered or signed by another key
};

std::string_view to_string(Errc code);

struct Error {
    Error() = default;
    Error(Errc code, std::string message, int status_code = 0, std::string comment = {})
        : code(code), message(std::move(message)), status_code(status_code), comment(std::move(comment)) {}

    Errc code = Errc::protocol;
    std::string message;
    int status_code = 0;  // the peer's own code: OBS requestStatus.code, a close code, an SQLite extended code
    std::string comment;  // OBS requestStatus.comment for request_failed

    // "code: message", for logs and the CLI.
    std::string text() const;
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

using VoidResult = Result<void>;

}  // namespace vta
