// RunManager: long-running, multi-interval analyses (runs), as Kayenta's standalone canary
// analysis does them. A run judges one window per interval on a schedule (warm-up, interval,
// lifetime; growing or sliding windows), applies its stop rules, and ends PROMOTE or ABORT;
// until then its verdict is HOLD. Every judged interval is stored with the run's new state in
// one transaction before anyone hears of it, so after kill -9 a restarted server resumes each
// run from its last stored interval: nothing is lost, nothing judged twice.
//
// Schedule: with begin = start_time + warmup, interval k (1-based) ends at begin + k * interval
// and is judged at that end + delay; there are floor(lifetime / interval) intervals. A growing
// window is [begin, end_k]; a sliding one [end_k - lookback, end_k].
// Ending: ABORT once `abort_after_failing_intervals` intervals in a row are ABORT (default 1);
// PROMOTE once the last `promote_after_passing_intervals` are PROMOTE (0: never early); after
// the last interval its verdict, except that HOLD becomes ABORT (a run that can collect no more
// data never promotes without evidence). An interval that could not run (backend down) is
// recorded with its error and counts as HOLD; if the last one cannot run the run FAILS, ABORT.
#ifndef AUGUR_SERVICE_RUN_MANAGER_H_
#define AUGUR_SERVICE_RUN_MANAGER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "augur/v1/analysis.pb.h"
#include "core/clock.h"
#include "service/analyzer.h"
#include "service/json_log.h"
#include "service/run_store.h"
#include "service/service_metrics.h"
#include "service/template_registry.h"

namespace augur::service {

struct RunManagerOptions {
  int workers = 4;  // intervals judged at once, across runs
};

class RunManager {
 public:
  RunManager(RunStore& store, Analyzer& analyzer, ServiceMetrics& metrics, JsonLog& log,
             Clock& clock = Clock::Real(), RunManagerOptions options = {});
  ~RunManager();  // Shutdown()
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  // Loads the store's RUNNING runs and schedules their next intervals; starts the workers.
  absl::Status Start();

  // Validates and stores a new run, then schedules it. `t` is the resolved template; the run
  // keeps its YAML. InvalidArgument naming the field; AlreadyExists for a reused run_id with a
  // different request (the same request returns the existing run).
  absl::StatusOr<v1::Run> StartRun(const v1::StartRunRequest& request,
                                   std::shared_ptr<const LoadedTemplate> t);

  // NotFound for an unknown run. GetRun includes the intervals.
  absl::StatusOr<v1::Run> GetRun(const std::string& name);
  absl::StatusOr<RunPage> ListRuns(const RunFilter& filter);
  // Ends a RUNNING run as CANCELLED (verdict HOLD); an interval being judged is abandoned.
  // FailedPrecondition if the run has already ended (with its state).
  absl::StatusOr<v1::Run> CancelRun(const std::string& name);

  // Sends every stored interval, then each new one, then the final run; returns when the run
  // has ended (OK), when `send` returns false or `cancelled` turns true (Cancelled), or when the
  // manager shuts down (Unavailable: watch again after the restart).
  absl::Status WatchRun(const std::string& name,
                        const std::function<bool(const v1::RunEvent&)>& send,
                        const std::function<bool()>& cancelled);

  // Stops scheduling; intervals being judged get until `deadline` to finish and be stored, then
  // are cancelled (not stored: a restart judges them again). Runs stay RUNNING in the store.
  void Shutdown(absl::Time deadline = absl::InfinitePast());

  int64_t active_runs();

 private:
  struct Active;
  struct Due {
    absl::Time when;
    std::string run_id;
    bool operator>(const Due& o) const { return when > o.when; }
  };

  void Schedule(Active& run) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Worker();
  void JudgeInterval(const std::string& run_id);
  absl::StatusOr<std::string> RunId(const std::string& name) const;

  RunStore& store_;
  Analyzer& analyzer_;
  ServiceMetrics& metrics_;
  JsonLog& log_;
  Clock& clock_;
  const RunManagerOptions options_;

  absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<Active>> active_ ABSL_GUARDED_BY(mu_);
  std::vector<Due> queue_ ABSL_GUARDED_BY(mu_);  // a min-heap on `when`
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time abandon_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;  // bumps on every change watchers care about
  std::vector<std::thread> workers_;
};

// The schedule, checked and with defaults applied (start_time set): InvalidArgument naming the
// field ("schedule.interval: required").
absl::Status NormalizeSchedule(v1::StartRunRequest& request, absl::Time now);

}  // namespace augur::service

#endif  // AUGUR_SERVICE_RUN_MANAGER_H_
