#include "service/analyzer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "config/diagnostics.h"
#include "judges/judgement.h"
#include "providers/prometheus/options_from_settings.h"
#include "providers/prometheus/prometheus_provider.h"

namespace augur::service {
namespace {

// Times the fetch: RunAnalysis fetches every query through one QueryRangeAll call.
class TimedProvider final : public providers::MetricProvider {
 public:
  TimedProvider(providers::MetricProvider& inner, Clock& clock) : inner_(inner), clock_(clock) {}
  absl::StatusOr<QueryResult> QueryRange(const providers::RangeQuery& query) override {
    return inner_.QueryRange(query);
  }
  absl::StatusOr<QueryResult> QueryInstant(const providers::InstantQuery& query) override {
    return inner_.QueryInstant(query);
  }
  std::vector<absl::StatusOr<QueryResult>> QueryRangeAll(
      absl::Span<const providers::RangeQuery> queries) override {
    const absl::Time start = clock_.Now();
    auto out = inner_.QueryRangeAll(queries);
    fetch_ += clock_.Now() - start;
    fetched_ = true;
    return out;
  }
  std::string Describe() const override { return inner_.Describe(); }
  absl::Duration fetch() const { return fetch_; }
  bool fetched() const { return fetched_; }

 private:
  providers::MetricProvider& inner_;
  Clock& clock_;
  absl::Duration fetch_;
  bool fetched_ = false;
};

}  // namespace

const char* ProviderErrorKind(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return "unavailable";
    case absl::StatusCode::kDeadlineExceeded:
      return "deadline_exceeded";
    case absl::StatusCode::kInvalidArgument:
      return "invalid_query";
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      return "permission_denied";
    case absl::StatusCode::kCancelled:
      return "cancelled";
    default:
      return "other";
  }
}

PrometheusProviderFactory::PrometheusProviderFactory(
    std::vector<config::ProviderSettings> providers, std::string default_provider,
    std::string default_url, Clock& clock)
    : providers_(std::move(providers)),
      default_provider_(std::move(default_provider)),
      default_url_(std::move(default_url)),
      clock_(clock) {}

absl::StatusOr<std::unique_ptr<providers::MetricProvider>> PrometheusProviderFactory::Make(
    const std::string& name, const config::AnalysisTemplate& t, const CallLimits& limits) {
  providers::PrometheusOptions options;
  std::string wanted = name;
  if (wanted.empty() && t.provider.inline_prometheus) {
    const config::InlinePrometheus& p = *t.provider.inline_prometheus;
    options.url = p.address;
    for (const auto& [header, value] : p.headers) options.headers.emplace_back(header, value);
    options.bearer_token_file = p.bearer_token_file;
  } else {
    if (wanted.empty()) wanted = t.provider.name;
    // --prometheus, a flag, overrides the configuration's default provider.
    if (wanted.empty() && default_url_.empty()) wanted = default_provider_;
    if (wanted.empty() && !default_url_.empty()) {
      options.url = default_url_;
    } else {
      std::vector<std::string> names;
      const config::ProviderSettings* found = nullptr;
      for (const config::ProviderSettings& p : providers_) {
        names.push_back(p.name);
        if (p.name == wanted) found = &p;
      }
      if (found == nullptr) {
        if (wanted.empty()) {
          return absl::InvalidArgumentError(
              "provider: none given, the template names none and the server has no default "
              "(start it with --prometheus URL or a default provider in its configuration)");
        }
        const std::string suggestion = config::DidYouMean(wanted, names);
        return absl::InvalidArgumentError(absl::StrCat(
            "provider: the server has no provider '", wanted, "'",
            suggestion.empty()
                ? absl::StrCat(" (known: ", names.empty() ? "none" : absl::StrJoin(names, ", "),
                               ")")
                : absl::StrCat("; did you mean '", suggestion, "'?")));
      }
      options = providers::OptionsFromSettings(*found);
    }
  }
  options.deadline = limits.deadline;
  options.cancelled = limits.cancelled;
  auto provider = providers::PrometheusProvider::Create(std::move(options), clock_);
  if (!provider.ok()) return provider.status();
  return std::unique_ptr<providers::MetricProvider>(*std::move(provider));
}

Analyzer::Analyzer(AnalyzerOptions options, ProviderFactory& providers, ServiceMetrics& metrics,
                   Clock& clock)
    : options_(options), providers_(providers), metrics_(metrics), clock_(clock) {}

absl::StatusOr<analysis::AnalysisResult> Analyzer::Analyze(const char* kind,
                                                           const LoadedTemplate& t,
                                                           const analysis::AnalysisRequest& request,
                                                           const std::string& provider_name,
                                                           const CallLimits& call) {
  CallLimits limits = call;
  limits.deadline = std::min(limits.deadline, clock_.Now() + options_.timeout);
  // A slot under the concurrency limit; waiting gives way to the deadline and to cancellation.
  {
    absl::MutexLock lock(&mu_);
    const auto free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return running_ < options_.max_concurrent;
    };
    while (!free()) {
      if (limits.cancelled && limits.cancelled()) {
        return absl::CancelledError("cancelled while waiting for a free analysis slot");
      }
      if (clock_.Now() >= limits.deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("deadline passed while waiting for one of ", options_.max_concurrent,
                         " analysis slots (limits.maxConcurrentAnalyses)"));
      }
      mu_.AwaitWithTimeout(absl::Condition(&free), absl::Milliseconds(50));
    }
    ++running_;
  }
  struct Release {
    Analyzer* self;
    ~Release() {
      absl::MutexLock lock(&self->mu_);
      --self->running_;
    }
  } release{this};

  auto provider = providers_.Make(provider_name, t.spec, limits);
  if (!provider.ok()) {
    metrics_.CountAnalysis(kind, analysis::StrategyName(request.strategy), "none");
    return provider.status();
  }
  TimedProvider timed(**provider, clock_);
  const absl::Time start = clock_.Now();
  auto result = analysis::RunAnalysis(t.spec, request, timed);
  const absl::Duration total = clock_.Now() - start;
  metrics_.ObserveFetchSeconds(absl::ToDoubleSeconds(timed.fetch()));
  if (!result.ok()) {
    // Errors before the fetch (a missing argument, ab without a KPI) are the request's.
    if (timed.fetched()) metrics_.CountProviderError(ProviderErrorKind(result.status()));
    metrics_.CountAnalysis(kind, analysis::StrategyName(request.strategy), "none");
    return result.status();
  }
  metrics_.ObserveJudgeSeconds(absl::ToDoubleSeconds(total - timed.fetch()));
  Record(kind, *result);
  return result;
}

absl::Status Analyzer::CheckProvider(const std::string& name, const config::AnalysisTemplate& t) {
  return providers_.Make(name, t, CallLimits{}).status();
}

absl::StatusOr<analysis::AnalysisResult> Analyzer::Judge(
    const LoadedTemplate& t, const analysis::AnalysisRequest& request,
    std::vector<analysis::MetricAnswers> data) {
  const absl::Time start = clock_.Now();
  auto result = analysis::JudgeAnswers(t.spec, request, std::move(data));
  if (!result.ok()) return result.status();
  metrics_.ObserveJudgeSeconds(absl::ToDoubleSeconds(clock_.Now() - start));
  Record("judge", *result);
  return result;
}

void Analyzer::Record(const char* kind, const analysis::AnalysisResult& result) {
  metrics_.CountAnalysis(kind, analysis::StrategyName(result.strategy),
                         analysis::VerdictName(result.verdict));
  for (const analysis::MetricResult& m : result.metrics) {
    metrics_.CountClassification(m.judge, judges::ClassificationName(m.judgement.classification));
  }
}

}  // namespace augur::service
