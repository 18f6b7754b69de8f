#include "service/service_metrics.h"

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace augur::service {
namespace {

// Judging and RPCs run from about 100 µs (a cached verdict) to tens of seconds (a slow
// provider behind an RPC); fetches are network-bound, so they start at a millisecond and end
// at the provider timeouts' order of a minute.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const auto* const buckets = new prometheus::Histogram::BucketBoundaries{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};
  return *buckets;
}

const prometheus::Histogram::BucketBoundaries& FetchBuckets() {
  static const auto* const buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  return *buckets;
}

// The children of one labelled family, by label values. prometheus-cpp's Family::Add finds an
// existing child, but only after building a Labels map and a new metric under the family's
// lock; this cache makes a repeated combination a lookup by string_view: a shared lock and no
// allocation.
template <typename Metric, size_t N>
class LabelledChildren {
 public:
  using Values = std::array<absl::string_view, N>;

  // `args` are the extra constructor arguments of a child (a histogram's buckets).
  template <typename... Args>
  LabelledChildren(prometheus::Family<Metric>& family, std::array<std::string, N> names,
                   Args... args)
      : family_(family), names_(std::move(names)), make_([this, args...](const Values& values) {
          prometheus::Labels labels;
          for (size_t i = 0; i < N; ++i) labels.emplace(names_[i], std::string(values[i]));
          return &family_.Add(labels, args...);
        }) {}

  Metric& Get(const Values& values) {
    {
      absl::ReaderMutexLock lock(&mu_);
      const auto it = children_.find(values);
      if (it != children_.end()) return *it->second;
    }
    absl::MutexLock lock(&mu_);
    const auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
    Key key;
    for (size_t i = 0; i < N; ++i) key[i] = std::string(values[i]);
    Metric* const metric = make_(values);
    children_.emplace(std::move(key), metric);
    return *metric;
  }

 private:
  using Key = std::array<std::string, N>;

  // Orders owned keys and borrowed values alike, so find() takes a Values.
  struct Less {
    using is_transparent = void;
    static Values View(const Key& key) {
      Values view;
      for (size_t i = 0; i < N; ++i) view[i] = key[i];
      return view;
    }
    static const Values& View(const Values& values) { return values; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) < View(b);
    }
  };

  prometheus::Family<Metric>& family_;
  const std::array<std::string, N> names_;
  const std::function<Metric*(const Values&)> make_;
  absl::Mutex mu_;
  std::map<Key, Metric*, Less> children_ ABSL_GUARDED_BY(mu_);  // owned by family_
};

}  // namespace

struct ServiceMetrics::Impl {
  explicit Impl(absl::string_view version)
      : analyses(prometheus::BuildCounter()
                     .Name("augur_analyses_total")
                     .Help("Analyses finished, by kind, strategy and verdict (none: the analysis "
                           "could not run).")
                     .Register(registry),
                 {"kind", "strategy", "verdict"}),
        classifications(prometheus::BuildCounter()
                            .Name("augur_metric_classifications_total")
                            .Help("Metric classifications, by judge and classification.")
                            .Register(registry),
                        {"judge", "classification"}),
        judge_seconds(prometheus::BuildHistogram()
                          .Name("augur_judge_duration_seconds")
                          .Help("Time to judge and score one analysis, fetching excluded.")
                          .Register(registry)
                          .Add({}, DurationBuckets())),
        fetch_seconds(prometheus::BuildHistogram()
                          .Name("augur_fetch_duration_seconds")
                          .Help("Time to fetch the queries of one analysis.")
                          .Register(registry)
                          .Add({}, FetchBuckets())),
        provider_errors(prometheus::BuildCounter()
                            .Name("augur_provider_errors_total")
                            .Help("Metric provider errors, by kind.")
                            .Register(registry),
                        {"kind"}),
        rpcs(prometheus::BuildCounter()
                 .Name("augur_grpc_requests_total")
                 .Help("gRPC requests handled, by method and status code.")
                 .Register(registry),
             {"method", "code"}),
        rpc_seconds(prometheus::BuildHistogram()
                        .Name("augur_grpc_request_duration_seconds")
                        .Help("Time to handle one gRPC request, by method.")
                        .Register(registry),
                    {"method"}, DurationBuckets()),
        active_runs(prometheus::BuildGauge()
                        .Name("augur_active_runs")
                        .Help("Runs in progress.")
                        .Register(registry)
                        .Add({})),
        templates_loaded(prometheus::BuildGauge()
                             .Name("augur_templates_loaded")
                             .Help("Analysis templates currently loaded.")
                             .Register(registry)
                             .Add({})),
        template_reloads(prometheus::BuildCounter()
                             .Name("augur_template_reloads_total")
                             .Help("Template reloads, by result.")
                             .Register(registry),
                         {"result"}) {
    prometheus::BuildGauge()
        .Name("augur_build_info")
        .Help("The running augur's version; always 1.")
        .Register(registry)
        .Add({{"version", std::string(version)}})
        .Set(1);
    // Series that alerts watch exist from the start at zero, so rate() and absence checks work
    // before the first error.
    for (const absl::string_view kind :
         {"unavailable", "deadline_exceeded", "invalid_query", "permission_denied", "other"}) {
      provider_errors.Get({kind});
    }
    template_reloads.Get({"ok"});
    template_reloads.Get({"error"});
  }

  // Declared first: the families below live in it.
  prometheus::Registry registry;
  LabelledChildren<prometheus::Counter, 3> analyses;
  LabelledChildren<prometheus::Counter, 2> classifications;
  prometheus::Histogram& judge_seconds;
  prometheus::Histogram& fetch_seconds;
  LabelledChildren<prometheus::Counter, 1> provider_errors;
  LabelledChildren<prometheus::Counter, 2> rpcs;
  LabelledChildren<prometheus::Histogram, 1> rpc_seconds;
  prometheus::Gauge& active_runs;
  prometheus::Gauge& templates_loaded;
  LabelledChildren<prometheus::Counter, 1> template_reloads;
};

ServiceMetrics::ServiceMetrics(absl::string_view version)
    : impl_(std::make_unique<Impl>(version)) {}

ServiceMetrics::~ServiceMetrics() = default;

void ServiceMetrics::CountAnalysis(absl::string_view kind, absl::string_view strategy,
                                   absl::string_view verdict) {
  impl_->analyses.Get({kind, strategy, verdict}).Increment();
}

void ServiceMetrics::CountClassification(absl::string_view judge,
                                         absl::string_view classification) {
  impl_->classifications.Get({judge, classification}).Increment();
}

void ServiceMetrics::ObserveJudgeSeconds(double seconds) { impl_->judge_seconds.Observe(seconds); }

void ServiceMetrics::ObserveFetchSeconds(double seconds) { impl_->fetch_seconds.Observe(seconds); }

void ServiceMetrics::CountProviderError(absl::string_view kind) {
  impl_->provider_errors.Get({kind}).Increment();
}

void ServiceMetrics::CountRpc(absl::string_view method, absl::string_view code, double seconds) {
  impl_->rpcs.Get({method, code}).Increment();
  impl_->rpc_seconds.Get({method}).Observe(seconds);
}

void ServiceMetrics::SetActiveRuns(int64_t runs) {
  impl_->active_runs.Set(static_cast<double>(runs));
}

void ServiceMetrics::SetTemplatesLoaded(int64_t templates) {
  impl_->templates_loaded.Set(static_cast<double>(templates));
}

void ServiceMetrics::CountTemplateReload(bool ok) {
  impl_->template_reloads.Get({ok ? "ok" : "error"}).Increment();
}

std::string ServiceMetrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

prometheus::Registry& ServiceMetrics::registry() { return impl_->registry; }

}  // namespace augur::service
