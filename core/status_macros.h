// Helpers for absl::Status-returning code. Debian's Abseil ships no RETURN_IF_ERROR or
// ASSIGN_OR_RETURN, so augur defines its own, prefixed to avoid clashes.
#ifndef AUGUR_CORE_STATUS_MACROS_H_
#define AUGUR_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function if not OK.
#define AUGUR_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::absl::Status augur_status_ = (expr);         \
    if (!augur_status_.ok()) return augur_status_; \
  } while (false)

#define AUGUR_STATUS_CONCAT_INNER_(a, b) a##b
#define AUGUR_STATUS_CONCAT_(a, b) AUGUR_STATUS_CONCAT_INNER_(a, b)

// `AUGUR_ASSIGN_OR_RETURN(lhs, rexpr);` evaluates `rexpr` (an absl::StatusOr<T>); on error returns
// its status, otherwise move-assigns the value to `lhs` (which may be a declaration).
#define AUGUR_ASSIGN_OR_RETURN(lhs, rexpr) \
  AUGUR_ASSIGN_OR_RETURN_IMPL_(AUGUR_STATUS_CONCAT_(augur_statusor_, __LINE__), lhs, rexpr)

#define AUGUR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // AUGUR_CORE_STATUS_MACROS_H_
