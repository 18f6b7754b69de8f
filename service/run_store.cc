// The in-memory RunStore, and the page-token format both stores share.
#include "service/run_store.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace augur::service {

// Shared with sqlite_run_store.cc, which declares them itself: they are an implementation detail
// of the two stores, not part of the RunStore contract, so they have no header.
namespace run_store_internal {

int64_t CreateTimeMicros(const v1::Run& run) {
  return run.create_time().seconds() * 1'000'000 + run.create_time().nanos() / 1'000;
}

// The token is the sort key of the last run on the page, "create_time_us:run_id", base64'd so
// callers treat it as opaque rather than build their own.
std::string EncodePageToken(int64_t create_time_us, absl::string_view run_id) {
  return absl::WebSafeBase64Escape(absl::StrCat(create_time_us, ":", run_id));
}

absl::StatusOr<std::pair<int64_t, std::string>> DecodePageToken(absl::string_view token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return absl::InvalidArgumentError("page_token: not a token from a previous page");
  }
  size_t colon = raw.find(':');
  int64_t create_time_us = 0;
  if (colon == std::string::npos || colon + 1 == raw.size() ||
      !absl::SimpleAtoi(absl::string_view(raw).substr(0, colon), &create_time_us)) {
    return absl::InvalidArgumentError("page_token: not a token from a previous page");
  }
  return std::make_pair(create_time_us, raw.substr(colon + 1));
}

}  // namespace run_store_internal

namespace {

using run_store_internal::CreateTimeMicros;

class MemoryRunStore final : public RunStore {
 public:
  absl::Status CreateRun(const v1::Run& run) override {
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = runs_.try_emplace(run.run_id());
    if (!inserted) return absl::AlreadyExistsError(absl::StrCat("run ", run.run_id(), " exists"));
    it->second.run = WithoutIntervals(run);
    return absl::OkStatus();
  }

  absl::Status UpdateRun(const v1::Run& run) override {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(run.run_id());
    if (it == runs_.end()) return NotFound(run.run_id());
    it->second.run = WithoutIntervals(run);
    return absl::OkStatus();
  }

  absl::Status AddInterval(const v1::Run& run, const v1::IntervalResult& interval) override {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(run.run_id());
    if (it == runs_.end()) return NotFound(run.run_id());
    std::vector<v1::IntervalResult>& intervals = it->second.intervals;
    int next = static_cast<int>(intervals.size()) + 1;
    if (interval.index() < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("run ", run.run_id(), ": interval index ", interval.index(), " < 1"));
    }
    if (interval.index() < next) {
      return absl::AlreadyExistsError(
          absl::StrCat("run ", run.run_id(), ": interval ", interval.index(), " already judged"));
    }
    if (interval.index() > next) {
      return absl::FailedPreconditionError(
          absl::StrCat("run ", run.run_id(), ": interval ", interval.index(), " skips ", next));
    }
    intervals.push_back(interval);
    it->second.run = WithoutIntervals(run);
    return absl::OkStatus();
  }

  absl::StatusOr<v1::Run> GetRun(const std::string& run_id, bool with_intervals) override {
    absl::MutexLock lock(&mu_);
    auto it = runs_.find(run_id);
    if (it == runs_.end()) return NotFound(run_id);
    return Assemble(it->second, with_intervals);
  }

  absl::StatusOr<RunPage> ListRuns(const RunFilter& filter) override {
    if (filter.page_size < 1) return absl::InvalidArgumentError("page_size: must be positive");
    // The page's key: runs strictly older than the previous page's last one.
    std::tuple<int64_t, std::string> after;
    bool has_after = false;
    if (!filter.page_token.empty()) {
      auto decoded = run_store_internal::DecodePageToken(filter.page_token);
      if (!decoded.ok()) return decoded.status();
      after = {decoded->first, std::move(decoded->second)};
      has_after = true;
    }
    absl::MutexLock lock(&mu_);
    std::vector<std::pair<std::tuple<int64_t, std::string>, const v1::Run*>> matches;
    for (const auto& [run_id, stored] : runs_) {
      const v1::Run& run = stored.run;
      if (filter.state != v1::RUN_STATE_UNSPECIFIED && run.state() != filter.state) continue;
      if (!filter.template_name.empty() && run.template_name() != filter.template_name) continue;
      std::tuple<int64_t, std::string> key{CreateTimeMicros(run), run_id};
      if (has_after && !(key < after)) continue;
      matches.emplace_back(std::move(key), &run);
    }
    std::sort(matches.begin(), matches.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    RunPage page;
    size_t n = std::min(matches.size(), static_cast<size_t>(filter.page_size));
    for (size_t i = 0; i < n; ++i) page.runs.push_back(*matches[i].second);
    if (n < matches.size()) {
      page.next_page_token = run_store_internal::EncodePageToken(std::get<0>(matches[n - 1].first),
                                                                 std::get<1>(matches[n - 1].first));
    }
    return page;
  }

  absl::StatusOr<std::vector<v1::Run>> ActiveRuns() override {
    absl::MutexLock lock(&mu_);
    std::vector<v1::Run> active;
    for (const auto& [run_id, stored] : runs_) {
      if (stored.run.state() == v1::RUN_STATE_RUNNING) active.push_back(Assemble(stored, true));
    }
    // Oldest first, as the SQLite store returns them: the order a restarted server resumes in.
    std::sort(active.begin(), active.end(), [](const v1::Run& a, const v1::Run& b) {
      return std::make_tuple(CreateTimeMicros(a), a.run_id()) <
             std::make_tuple(CreateTimeMicros(b), b.run_id());
    });
    return active;
  }

  std::string Describe() const override { return "memory"; }

 private:
  struct StoredRun {
    v1::Run run;  // without intervals
    std::vector<v1::IntervalResult> intervals;
  };

  static v1::Run WithoutIntervals(const v1::Run& run) {
    v1::Run copy = run;
    copy.clear_intervals();
    return copy;
  }

  static v1::Run Assemble(const StoredRun& stored, bool with_intervals) {
    v1::Run run = stored.run;
    if (with_intervals) {
      for (const v1::IntervalResult& interval : stored.intervals) *run.add_intervals() = interval;
    }
    return run;
  }

  static absl::Status NotFound(absl::string_view run_id) {
    return absl::NotFoundError(absl::StrCat("run ", run_id, " not found"));
  }

  absl::Mutex mu_;
  std::map<std::string, StoredRun> runs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<RunStore> NewMemoryRunStore() { return std::make_unique<MemoryRunStore>(); }

}  // namespace augur::service
