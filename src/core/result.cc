#include "core/result.h"

namespace s3snapshot::core {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kThrottled:
      return "throttled";
    case ErrorKind::kTransient:
      return "transient";
    case ErrorKind::kTransport:
      return "transport";
    case ErrorKind::kAmbiguous:
      return "ambiguous";
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kInvalidInput:
      return "invalid-input";
    case ErrorKind::kAuth:
      return "auth";
    case ErrorKind::kConflict:
      return "conflict";
    case ErrorKind::kLimit:
      return "limit";
    case ErrorKind::kMalformed:
      return "malformed";
    case ErrorKind::kCancelled:
      return "cancelled";
    case ErrorKind::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string s;
  if (!code.empty()) s += code + ": ";
  s += message;
  if (!request_id.empty()) s += " (request id " + request_id + ")";
  return s;
}

std::string WhatOf(std::exception_ptr e) noexcept {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

}  // namespace s3snapshot::core
