// A MetricProvider answering range queries from a map keyed by the query text, for the
// benchmarks that time an analysis without I/O. Unknown queries are NotFound. Fill it before
// use: concurrent reads are safe, writes during reads are not.
#ifndef AUGUR_BENCH_IN_MEMORY_PROVIDER_H_
#define AUGUR_BENCH_IN_MEMORY_PROVIDER_H_

#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "providers/metric_provider.h"

namespace augur::bench {

class InMemoryProvider : public providers::MetricProvider {
 public:
  void Set(const std::string& query, QueryResult result) {
    answers_.insert_or_assign(query, std::move(result));
  }

  absl::StatusOr<QueryResult> QueryRange(const providers::RangeQuery& query) override {
    auto it = answers_.find(query.query);
    if (it == answers_.end()) {
      return absl::NotFoundError(absl::StrCat("no answer for ", query.query));
    }
    return it->second;
  }
  absl::StatusOr<QueryResult> QueryInstant(const providers::InstantQuery& query) override {
    return absl::UnimplementedError(absl::StrCat("no instant answers: ", query.query));
  }
  std::string Describe() const override { return "memory"; }

 private:
  std::map<std::string, QueryResult> answers_;
};

}  // namespace augur::bench

#endif  // AUGUR_BENCH_IN_MEMORY_PROVIDER_H_
