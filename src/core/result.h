// Errors as values between layers (leveldb's Status, aws-lambda-cpp's outcome).
#ifndef S3SNAPSHOT_CORE_RESULT_H_
#define S3SNAPSHOT_CORE_RESULT_H_

#include <cassert>
#include <exception>
#include <string>
#include <utility>
#include <variant>

namespace s3snapshot::core {

// What kind of failure an Error is. Retry logic and callers look at the kind,
// never at error-code strings; the aws/ layer maps AWS codes to a kind once.
enum class ErrorKind {
  kThrottled,     // RequestLimitExceeded, Throttling, ... : retry with backoff
  kTransient,     // 5xx, RequestTimeout, InternalError: retry
  kTransport,     // DNS/TLS/connection/timeout before a response: retry
  kAmbiguous,     // the request may have been applied (connection lost after send)
  kNotFound,      // InvalidInstanceID.NotFound, ...
  kInvalidInput,  // the user's input, or a 4xx validation error from AWS
  kAuth,          // AuthFailure, SignatureDoesNotMatch, AccessDenied, ...
  kConflict,      // IncorrectInstanceState, InvalidSnapshot.InUse, ...
  kLimit,         // ConcurrentSnapshotLimitExceeded, ResourceLimitExceeded (copies), ...
  kMalformed,     // a response we could not parse
  kCancelled,     // a signal or deadline asked the run to stop
  kInternal,      // a bug or an unexpected state
};

const char* ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;        // AWS error code, e.g. "RequestLimitExceeded"; may be empty
  std::string message;     // human readable, with context added on the way up
  std::string request_id;  // AWS request id, where the server sent one
  int http_status = 0;     // 0 when no response was received
  // No answer within the request's timeout: the endpoint took the whole
  // read timeout (the kind says whether the request may have been applied).
  bool timed_out = false;

  static Error Make(ErrorKind kind, std::string message, std::string code = {}) {
    Error e;
    e.kind = kind;
    e.message = std::move(message);
    e.code = std::move(code);
    return e;
  }
  // Returns a copy with "context: " prefixed to the message, as ninja does.
  Error WithContext(const std::string& context) const {
    Error e = *this;
    e.message = context + ": " + message;
    return e;
  }
  // "code: message (request id X)" -- the line shown to users.
  std::string ToString() const;
};

// Holds either a T or an Error. Cheap to move; check ok() before value().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

// What an exception says: its what(), or "an exception of unknown type".
std::string WhatOf(std::exception_ptr e) noexcept;

}  // namespace s3snapshot::core

#endif  // S3SNAPSHOT_CORE_RESULT_H_
