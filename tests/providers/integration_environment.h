// The servers shared by every case of providers_integration_test: one Prometheus over
// backfilled data, one VictoriaMetrics loaded with the same data, started once per binary.
#ifndef AUGUR_TESTS_PROVIDERS_INTEGRATION_ENVIRONMENT_H_
#define AUGUR_TESTS_PROVIDERS_INTEGRATION_ENVIRONMENT_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "tests/support/prometheus_server.h"

namespace augur::testing {

// The test data: every series and value the cases assert on, in one place.
struct TestData {
  absl::Time start;  // first sample, on a 15 s grid, about two hours ago
  static constexpr int kPoints = 40;
  static constexpr int kStepSeconds = 15;
  absl::Time end() const { return start + absl::Seconds(kStepSeconds * (kPoints - 1)); }
  // augur_test_latency{version="baseline"|"canary"} at point i: 0.10, 0.20, ... and 0.15, 0.25,
  // ... Each is the double nearest a short decimal, so every backend can store it exactly
  // (VictoriaMetrics keeps about 15 significant digits, not all 17).
  static double Latency(bool canary, int i) { return (10.0 * (i + 1) + (canary ? 5 : 0)) / 100; }

  // OpenMetrics text for promtool (seconds).
  std::string OpenMetrics() const;
  // Prometheus text exposition with millisecond timestamps, for VictoriaMetrics' import.
  std::string ExpositionMs() const;
};

const TestData& Data();
PrometheusServer& Prometheus();
VictoriaMetricsServer& VictoriaMetrics();

}  // namespace augur::testing

#endif  // AUGUR_TESTS_PROVIDERS_INTEGRATION_ENVIRONMENT_H_
