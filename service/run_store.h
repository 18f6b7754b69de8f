// RunStore: where long-running analyses (runs) and their interval history live, so that a run
// survives a restart (even kill -9) and resumes from its last completed interval. The embedded
// default is SQLite in the server's data directory; the interface leaves room for a shared store
// serving several replicas.
//
// Records are augur.v1 messages: a Run without its intervals, and one IntervalResult per judged
// interval. Every write is durable when the call returns (SQLite: WAL, synchronous=FULL), and an
// interval is written together with the run's new state, in one transaction: after a crash either
// both are there or neither is.
#ifndef AUGUR_SERVICE_RUN_STORE_H_
#define AUGUR_SERVICE_RUN_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "augur/v1/analysis.pb.h"

namespace augur::service {

struct RunFilter {
  v1::RunState state = v1::RUN_STATE_UNSPECIFIED;  // UNSPECIFIED: any
  std::string template_name;                       // empty: any
  int page_size = 50;                              // 1..1000 (the caller clamps)
  std::string page_token;                          // from a previous page; empty: the first
};

struct RunPage {
  std::vector<v1::Run> runs;    // newest first (create_time, then run_id, descending); no intervals
  std::string next_page_token;  // empty on the last page
};

class RunStore {
 public:
  virtual ~RunStore() = default;

  // Stores a new run (its `intervals` field is ignored). AlreadyExists if run_id is taken.
  virtual absl::Status CreateRun(const v1::Run& run) = 0;

  // Replaces the stored run's record (state, verdict, reason, times...; `intervals` ignored).
  // NotFound if there is no such run.
  virtual absl::Status UpdateRun(const v1::Run& run) = 0;

  // Appends one judged interval and stores `run` (the run's state after it) in one transaction.
  // The interval's index must be the run's next one (1 + the number stored): AlreadyExists if
  // that index is already stored (nothing is judged twice), FailedPrecondition if it skips one,
  // NotFound if the run does not exist.
  virtual absl::Status AddInterval(const v1::Run& run, const v1::IntervalResult& interval) = 0;

  // The run, with its intervals in index order when with_intervals. NotFound if absent.
  virtual absl::StatusOr<v1::Run> GetRun(const std::string& run_id, bool with_intervals) = 0;

  // A page of runs matching the filter. InvalidArgument for a page token this store did not make.
  virtual absl::StatusOr<RunPage> ListRuns(const RunFilter& filter) = 0;

  // Every run in state RUNNING, with its intervals: what a restarted server resumes.
  virtual absl::StatusOr<std::vector<v1::Run>> ActiveRuns() = 0;

  // Where the runs live, for logs: "memory" or the database file's path.
  virtual std::string Describe() const = 0;
};

// Runs in memory only: lost when the process ends (the default without a data directory).
std::unique_ptr<RunStore> NewMemoryRunStore();

// SQLite in `data_dir`/runs.db, created (with the directory) if absent. Errors name the path:
// FailedPrecondition if the directory cannot be created or the file is not an augur run store
// (or was written by a newer schema), Unavailable if another process holds it locked.
absl::StatusOr<std::unique_ptr<RunStore>> OpenSqliteRunStore(const std::string& data_dir);

}  // namespace augur::service

#endif  // AUGUR_SERVICE_RUN_STORE_H_
