// Realistic canary metrics for the demo and the integration tests of `augur analyze`: a
// deterministic simulation of a stable (control) and a canary (experiment) deployment of a small
// HTTP service, written as OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`.
//
// Each scenario is one value of the `service` label; the canary differs from the stable version in
// one way (or none), and the catalogue says which verdict a sensible template should reach.
//
// What is written, for every selected scenario S, version V in {stable, canary} and pod
// P = "S-V-i" (i = 0 .. pods_per_version-1), all labelled namespace="<kubernetes_namespace>",
// service="S", version="V", pod="P" (in that order):
//   http_requests_total{...,code="200"|"500"}        counter (family `http_requests`)
//   http_request_duration_seconds_bucket{...,le}     histogram, 27 buckets from 5 ms to +Inf,
//   http_request_duration_seconds_count/_sum{...}      with _count and _sum
//   container_cpu_usage_seconds_total{...,container="app"}  counter (family
//                                                      `container_cpu_usage_seconds`)
//   app_cache_hit_ratio{...}                         gauge
//   app_queue_wait_seconds{...}                      gauge (spread grows in spread-regression)
// Families appear in that order, each once with its TYPE and HELP lines; within a family the
// series appear in scenario (catalogue) order, then version, then pod, each with all its samples
// in increasing time (a histogram's bucket, count and sum lines for one scrape are together).
// Samples are taken every `scrape_interval`: at end - N x interval, ..., end - interval, end, for
// the largest N with N x interval <= duration (241 samples per series for 1h at 15s). Counters
// start at 0 on the first sample and never decrease. Timestamps are Unix seconds, with up to
// three decimals when the interval is not a whole second.
//
// The model, per scrape of every pod: requests ~ Poisson(20/s x interval x load), where load is a
// slowly varying AR(1) process (log-normal, about ±15%, correlation time 10 minutes) shared by
// the two versions of a scenario, as real traffic is; each request's latency is log-normal, median
// 120 ms (rising a little with load, and with a fixed per-pod offset of up to ±2%), sigma 0.35;
// errors ~ Binomial(requests, 0.5%); CPU is 0.05 cores idle plus 0.35 cores at 20 requests/s
// (about 0.4 cores), with 5% noise; the cache hit ratio is 0.93 ± 0.01.
//
// Determinism: the same options give byte-identical output. Randomness comes from
// std::mt19937_64 (whose sequence the standard fixes) with hand-written transforms (Box-Muller,
// inversion or a normal approximation for Poisson and binomial counts), and every number is
// written from integers (microseconds for _sum and CPU seconds), so standard libraries cannot
// change the output; only a libm whose log/exp/cos/sin differ in the last bit from glibc's could,
// and then rarely. Each scenario's data depends on the seed and the scenario's name only, not on
// which other scenarios are selected.
#ifndef AUGUR_TOOLS_SCENARIOS_H_
#define AUGUR_TOOLS_SCENARIOS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace augur::scenarios {

struct ScenarioOptions {
  // Time of the last sample, Unix seconds; required, > 0.
  int64_t end_unix_seconds = 0;
  // History before `end`: positive, at least one scrape interval.
  absl::Duration duration = absl::Hours(1);
  // Positive and a whole number of milliseconds.
  absl::Duration scrape_interval = absl::Seconds(15);
  // 1 to 100.
  int pods_per_version = 3;
  uint64_t seed = 1;
  // Names from Scenarios(); empty selects all. Written in catalogue order whatever the order
  // here; a name given twice is written once.
  std::vector<std::string> scenarios;
  // The `namespace` label's value: non-empty (escaped as OpenMetrics requires).
  std::string kubernetes_namespace = "demo";
};

struct ScenarioInfo {
  std::string name;         // the `service` label value, e.g. "latency-regression"
  std::string description;  // what differs in the canary, one or two sentences
  std::string expected;     // the verdict word first, then why: "ABORT (p99 latency)"
};

// The catalogue, in a fixed order: healthy, latency-regression, spread-regression, error-spike,
// no-canary-traffic, all-nan, missing-one-side, cpu-regression.
std::vector<ScenarioInfo> Scenarios();

// The OpenMetrics text described above, ending with "# EOF\n". InvalidArgument for options out of
// range and for an unknown scenario name (the message lists the valid names). Thread-safe: it
// touches no shared state. All scenarios over 1h at 15s with 3 pods per version make 57 MB
// (381021 samples in 1581 series) in about 0.2 s of processor time (optimised build); the size
// grows linearly with scenarios x pods x duration / interval. More than 100000 points per
// series is refused as a likely mistake.
absl::StatusOr<std::string> GenerateOpenMetrics(const ScenarioOptions& options);

}  // namespace augur::scenarios

#endif  // AUGUR_TOOLS_SCENARIOS_H_
