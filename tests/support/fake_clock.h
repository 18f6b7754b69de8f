// FakeClock: a Clock that moves only when told to, or when code under test sleeps.
#ifndef AUGUR_TESTS_SUPPORT_FAKE_CLOCK_H_
#define AUGUR_TESTS_SUPPORT_FAKE_CLOCK_H_

#include <mutex>
#include <vector>

#include "core/clock.h"

namespace augur::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1795369440)) : now_(start) {}

  absl::Time Now() override;
  // Advances the time by `duration` at once and records the request.
  void SleepFor(absl::Duration duration) override;
  void Advance(absl::Duration duration);
  std::vector<absl::Duration> sleeps();

 private:
  std::mutex mu_;
  absl::Time now_;
  std::vector<absl::Duration> sleeps_;
};

}  // namespace augur::testing

#endif  // AUGUR_TESTS_SUPPORT_FAKE_CLOCK_H_
