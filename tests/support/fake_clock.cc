#include "tests/support/fake_clock.h"

namespace augur::testing {

absl::Time FakeClock::Now() {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void FakeClock::SleepFor(absl::Duration duration) {
  std::lock_guard<std::mutex> lock(mu_);
  sleeps_.push_back(duration);
  if (duration > absl::ZeroDuration()) now_ += duration;
}

void FakeClock::Advance(absl::Duration duration) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += duration;
}

std::vector<absl::Duration> FakeClock::sleeps() {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeps_;
}

}  // namespace augur::testing
