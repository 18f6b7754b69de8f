// A ProviderFactory for the service tests: answers from memory, by what the rendered query asks.
//   latency{service="S",version="V"}: 240 points of 0.1 * exp(0.1 * N(0,1)) (a fixed seed per
//     side), 30% higher for the experiment when S is "slow";
//   errors / requests: 10 / 10000 for either side, 60 / 10000 for the experiment when S is
//     "erring";
// "quiet" has no series at all (missing data: HOLD, never PROMOTE); "broken" counts more
// experiment errors than requests (the rate judge's ERROR: the metric drops out of the score,
// which stays 100, and the verdict is HOLD);
// and by the service's name for failures: "down" is Unavailable, "hang" waits until the call's
// deadline (DeadlineExceeded) or cancellation (Cancelled), "slow-fetch" takes 1.5 s (its control
// latency query).
#ifndef AUGUR_TESTS_SERVICE_FAKE_PROVIDERS_H_
#define AUGUR_TESTS_SERVICE_FAKE_PROVIDERS_H_

#include <atomic>
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "service/analyzer.h"

namespace augur::service::fakes {

class FakeProvider final : public providers::MetricProvider {
 public:
  explicit FakeProvider(CallLimits limits, std::atomic<int>* fetches)
      : limits_(std::move(limits)), fetches_(fetches) {}

  absl::StatusOr<QueryResult> QueryRange(const providers::RangeQuery& q) override {
    ++*fetches_;
    if (absl::StrContains(q.query, "service=\"down\"")) {
      return absl::UnavailableError("connection refused (fake backend down)");
    }
    if (absl::StrContains(q.query, "service=\"hang\"")) {
      for (;;) {
        if (limits_.cancelled && limits_.cancelled()) {
          return absl::CancelledError("cancelled by the caller");
        }
        if (absl::Now() >= limits_.deadline) {
          return absl::DeadlineExceededError("deadline exceeded (fake backend)");
        }
        absl::SleepFor(absl::Milliseconds(5));
      }
    }
    if (absl::StrContains(q.query, "service=\"slow-fetch\"") &&
        absl::StartsWith(q.query, "latency") && absl::StrContains(q.query, "stable")) {
      absl::SleepFor(absl::Seconds(1.5));
    }
    if (absl::StrContains(q.query, "service=\"quiet\"")) return QueryResult{};
    const bool experiment = absl::StrContains(q.query, "version=\"canary\"");
    QueryResult out;
    Series& s = out.series.emplace_back();
    if (absl::StartsWith(q.query, "errors") || absl::StartsWith(q.query, "requests")) {
      double v = 10000;
      if (absl::StartsWith(q.query, "errors")) {
        v = experiment && absl::StrContains(q.query, "service=\"erring\"") ? 60 : 10;
        if (experiment && absl::StrContains(q.query, "service=\"broken\"")) v = 20000;
      }
      s.points.push_back(Point{absl::ToUnixMillis(q.end), v});
      return out;
    }
    std::mt19937_64 gen(experiment ? 2 : 1);
    std::normal_distribution<double> normal;
    const double scale = experiment && absl::StrContains(q.query, "service=\"slow\"") ? 1.3 : 1.0;
    for (int i = 0; i < 240; ++i) {
      s.points.push_back(Point{i * 15000, 0.1 * scale * std::exp(0.1 * normal(gen))});
    }
    return out;
  }
  absl::StatusOr<QueryResult> QueryInstant(const providers::InstantQuery& q) override {
    return absl::UnimplementedError(q.query);
  }
  std::string Describe() const override { return "fake"; }

 private:
  CallLimits limits_;
  std::atomic<int>* fetches_;
};

class FakeProviderFactory final : public ProviderFactory {
 public:
  explicit FakeProviderFactory(std::atomic<int>* fetches) : fetches_(fetches) {}
  absl::StatusOr<std::unique_ptr<providers::MetricProvider>> Make(
      const std::string& name, const config::AnalysisTemplate&, const CallLimits& limits) override {
    if (!name.empty() && name != "fake") {
      return absl::InvalidArgumentError(absl::StrCat("provider: no provider '", name, "'"));
    }
    return std::unique_ptr<providers::MetricProvider>(new FakeProvider(limits, fetches_));
  }

 private:
  std::atomic<int>* fetches_;
};

}  // namespace augur::service::fakes

#endif  // AUGUR_TESTS_SERVICE_FAKE_PROVIDERS_H_
