// The clock: the one way augur code reads the time or waits, so tests can inject time.
#ifndef AUGUR_CORE_CLOCK_H_
#define AUGUR_CORE_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace augur {

// Thread-safe in every implementation.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
  // Blocks the calling thread for `duration` (no-op when it is not positive).
  virtual void SleepFor(absl::Duration duration) = 0;

  // The system clock. Never destroyed.
  static Clock& Real();
};

}  // namespace augur

#endif  // AUGUR_CORE_CLOCK_H_
