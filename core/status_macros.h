// Helpers for absl::Status-returning code. Debian's Abseil ships no RETURN_IF_ERROR or
// ASSIGN_OR_RETURN, so augur defines its own, prefixed to avoid clashes.
#ifndef AUGUR_CORE_STATUS_MACROS_H_
#define AUGUR_CORE_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define AUGUR_STATUS_CONCAT_INNER_(a, b) a##b
#define AUGUR_STATUS_CONCAT_(a, b) AUGUR_STATUS_CONCAT_INNER_(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing function if not OK.
// Nests: `expr` may hold a lambda that uses the macro itself.
#define AUGUR_RETURN_IF_ERROR(expr) \
  AUGUR_RETURN_IF_ERROR_IMPL_(AUGUR_STATUS_CONCAT_(augur_status_, __COUNTER__), expr)
#define AUGUR_RETURN_IF_ERROR_IMPL_(status, expr) \
  do {                                            \
    ::absl::Status status = (expr);               \
    if (!status.ok()) return status;              \
  } while (false)

// `AUGUR_ASSIGN_OR_RETURN(lhs, rexpr);` evaluates `rexpr` (an absl::StatusOr<T>); on error returns
// its status, otherwise move-assigns the value to `lhs` (which may be a declaration).
#define AUGUR_ASSIGN_OR_RETURN(lhs, rexpr) \
  AUGUR_ASSIGN_OR_RETURN_IMPL_(AUGUR_STATUS_CONCAT_(augur_statusor_, __LINE__), lhs, rexpr)

#define AUGUR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                 \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // AUGUR_CORE_STATUS_MACROS_H_
