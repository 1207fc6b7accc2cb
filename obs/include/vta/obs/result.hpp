#pragma once
// Outcome of every vta::obs operation: a value or an Error. No exceptions cross the public API.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace vta::obs {

enum class ErrorCode {
    not_connected,   // the connection is not in state `connected`
    timeout,         // no answer within the deadline
    request_failed,  // OBS answered with requestStatus.result == false (status_code + comment kept)
    protocol,        // malformed or unexpected message from the peer
    auth_failed,     // wrong password (close 4009) or authentication required but no password
    unsupported,     // RPC version refused (4010) or the feature is missing in this OBS
    closed,          // the connection dropped while the operation was pending
    cancelled,       // the client was stopped/destroyed or the caller cancelled
    invalid_state,   // refused before sending, e.g. changing the record folder while recording
    invalid_config,  // a ConnectionConfig entry is malformed
};

std::string_view to_string(ErrorCode code);

struct Error {
    Error() = default;
    Error(ErrorCode code, std::string message, int status_code = 0, std::string comment = {})
        : code(code), message(std::move(message)), status_code(status_code), comment(std::move(comment)) {}

    ErrorCode code = ErrorCode::protocol;
    std::string message;
    int status_code = 0;  // OBS requestStatus.code for request_failed, close code for auth/closed
    std::string comment;  // OBS requestStatus.comment for request_failed
};

template <class T>
class Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)) {}

    bool ok() const { return !error_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *error_; }

private:
    std::optional<Error> error_;
};

using VoidResult = Result<void>;

}  // namespace vta::obs
