#include "service/run_manager.h"

#include <algorithm>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "config/template_render.h"
#include "core/time_parse.h"
#include "service/convert.h"

namespace augur::service {
namespace {

constexpr int kMaxIntervals = 10000;
constexpr absl::Duration kStoreRetry = absl::Seconds(5);

bool ValidRunId(const std::string& id) {
  if (id.empty() || id.size() > 63) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string NewRunId() {
  thread_local absl::BitGen gen;
  return absl::StrFormat("r-%016x", absl::Uniform<uint64_t>(gen));
}

int IntervalsTotal(const v1::Schedule& s) {
  return static_cast<int>(FromProto(s.lifetime()) / FromProto(s.interval()));
}

absl::Time IntervalEnd(const v1::Schedule& s, int k) {
  return FromProto(s.start_time()) + FromProto(s.warmup()) + k * FromProto(s.interval());
}

absl::Time IntervalDue(const v1::Schedule& s, int k) {
  return IntervalEnd(s, k) + FromProto(s.delay());
}

// The window interval k judges.
std::pair<absl::Time, absl::Time> IntervalWindow(const v1::Schedule& s, int k) {
  const absl::Time end = IntervalEnd(s, k);
  if (s.window_mode() == v1::WINDOW_MODE_SLIDING) return {end - FromProto(s.lookback()), end};
  return {FromProto(s.start_time()) + FromProto(s.warmup()), end};
}

analysis::AnalysisRequest IntervalRequest(const v1::StartRunRequest& r, int k) {
  analysis::AnalysisRequest request;
  request.args.insert(r.args().begin(), r.args().end());
  request.control_scope = r.control();
  request.experiment_scope = r.experiment();
  request.strategy = FromProto(r.strategy());
  if (r.has_step()) request.step = FromProto(r.step());
  std::tie(request.start, request.end) = IntervalWindow(r.schedule(), k);
  return request;
}

}  // namespace

struct RunManager::Active {
  v1::Run run;  // with its intervals
  std::shared_ptr<const LoadedTemplate> tmpl;
  bool judging = false;
};

absl::Status NormalizeSchedule(v1::StartRunRequest& request, absl::Time now) {
  v1::Schedule& s = *request.mutable_schedule();
  if (!request.has_schedule() || !s.has_interval()) {
    return absl::InvalidArgumentError("schedule.interval: required (e.g. 5 minutes)");
  }
  absl::Duration interval, lifetime, warmup, lookback, delay;
  {
    auto v = DurationField(s.interval(), "schedule.interval");
    if (!v.ok()) return v.status();
    interval = *v;
  }
  if (interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("schedule.interval: must be at least 1s");
  }
  if (!s.has_lifetime()) {
    return absl::InvalidArgumentError("schedule.lifetime: required (e.g. 1 hour)");
  }
  for (auto [field, proto, out] : {std::tuple{"schedule.lifetime", &s.lifetime(), &lifetime},
                                   std::tuple{"schedule.warmup", &s.warmup(), &warmup},
                                   std::tuple{"schedule.lookback", &s.lookback(), &lookback},
                                   std::tuple{"schedule.delay", &s.delay(), &delay}}) {
    auto v = DurationField(*proto, field);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  if (lifetime < interval) {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.lifetime: ", FormatPromDuration(lifetime),
                     " is shorter than one interval (", FormatPromDuration(interval), ")"));
  }
  if (lifetime / interval > kMaxIntervals) {
    return absl::InvalidArgumentError(absl::StrCat("schedule: lifetime / interval is ",
                                                   static_cast<int64_t>(lifetime / interval),
                                                   " intervals; at most ", kMaxIntervals));
  }
  if (s.window_mode() == v1::WINDOW_MODE_UNSPECIFIED) {
    s.set_window_mode(lookback > absl::ZeroDuration() ? v1::WINDOW_MODE_SLIDING
                                                      : v1::WINDOW_MODE_GROWING);
  }
  if (s.window_mode() == v1::WINDOW_MODE_SLIDING) {
    if (lookback == absl::ZeroDuration()) ToProto(interval, s.mutable_lookback());
  } else if (s.window_mode() == v1::WINDOW_MODE_GROWING) {
    if (lookback > absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          "schedule.lookback: only for window_mode SLIDING (a growing window starts after the "
          "warm-up)");
    }
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("schedule.window_mode: unknown value ", s.window_mode()));
  }
  if (s.has_start_time()) {
    auto v = TimeField(s.start_time(), "schedule.start_time");
    if (!v.ok()) return v.status();
  } else {
    ToProto(now, s.mutable_start_time());
  }
  v1::StopRules& stop = *request.mutable_stop();
  if (stop.abort_after_failing_intervals() < 0 || stop.promote_after_passing_intervals() < 0) {
    return absl::InvalidArgumentError("stop: counts of intervals must not be negative");
  }
  if (stop.abort_after_failing_intervals() == 0) stop.set_abort_after_failing_intervals(1);
  const int total = static_cast<int>(lifetime / interval);
  if (stop.promote_after_passing_intervals() > total) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stop.promote_after_passing_intervals: ", stop.promote_after_passing_intervals(),
        " is more than the run's ", total, " intervals"));
  }
  return absl::OkStatus();
}

RunManager::RunManager(RunStore& store, Analyzer& analyzer, ServiceMetrics& metrics, JsonLog& log,
                       Clock& clock, RunManagerOptions options)
    : store_(store),
      analyzer_(analyzer),
      metrics_(metrics),
      log_(log),
      clock_(clock),
      options_(options) {}

RunManager::~RunManager() { Shutdown(); }

absl::Status RunManager::Start() {
  auto runs = store_.ActiveRuns();
  if (!runs.ok()) return runs.status();
  {
    absl::MutexLock lock(&mu_);
    for (v1::Run& run : *runs) {
      const std::string id = run.run_id();
      auto tmpl = ParseInlineTemplate(run.request().template_().yaml());
      if (!tmpl.ok()) {
        // The template no longer loads (a newer schema): the run cannot go on.
        run.set_state(v1::RUN_STATE_FAILED);
        run.set_verdict(v1::VERDICT_ABORT);
        run.set_reason(
            absl::StrCat("the run's template no longer loads: ", tmpl.status().message()));
        ToProto(clock_.Now(), run.mutable_update_time());
        run.clear_next_interval_time();
        v1::Run record = run;
        record.clear_intervals();
        (void)store_.UpdateRun(record);
        log_.Error("run failed on resume", {{"run_id", id}, {"reason", run.reason()}});
        continue;
      }
      auto active = std::make_unique<Active>();
      active->run = std::move(run);
      active->tmpl = *std::move(tmpl);
      Active& a = *active;
      active_[id] = std::move(active);
      Schedule(a);
      log_.Info("run resumed", {{"run_id", id},
                                {"template", a.run.template_name()},
                                {"intervals_done", a.run.intervals_size()},
                                {"intervals_total", a.run.intervals_total()}});
    }
    metrics_.SetActiveRuns(static_cast<int64_t>(active_.size()));
  }
  for (int i = 0; i < std::max(1, options_.workers); ++i)
    workers_.emplace_back([this] { Worker(); });
  return absl::OkStatus();
}

void RunManager::Schedule(Active& a) {
  const v1::Schedule& s = a.run.request().schedule();
  const int k = a.run.intervals_size() + 1;
  const absl::Time due = IntervalDue(s, k);
  ToProto(due, a.run.mutable_next_interval_time());
  queue_.push_back(Due{due, a.run.run_id()});
  std::push_heap(queue_.begin(), queue_.end(), std::greater<>());
}

absl::StatusOr<v1::Run> RunManager::StartRun(const v1::StartRunRequest& given,
                                             std::shared_ptr<const LoadedTemplate> t) {
  v1::StartRunRequest request = given;
  if (request.control().empty()) return absl::InvalidArgumentError("control: required");
  if (request.experiment().empty()) return absl::InvalidArgumentError("experiment: required");
  if (request.control() == request.experiment()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "control and experiment are both '", request.control(), "'; a run compares two scopes"));
  }
  if (!v1::Strategy_IsValid(request.strategy())) {
    return absl::InvalidArgumentError(absl::StrCat("strategy: unknown value ", request.strategy()));
  }
  if (request.has_step()) {
    auto step = DurationField(request.step(), "step");
    if (!step.ok()) return step.status();
    if (*step <= absl::ZeroDuration()) return absl::InvalidArgumentError("step: must be positive");
  }
  if (absl::Status s = analyzer_.CheckProvider(request.provider(), t->spec); !s.ok()) return s;
  const bool start_given = request.schedule().has_start_time();
  if (absl::Status s = NormalizeSchedule(request, clock_.Now()); !s.ok()) return s;
  // The arguments and scopes must render now, not fail at the first interval.
  {
    config::RenderRequest render;
    render.args.insert(request.args().begin(), request.args().end());
    render.control_scope = request.control();
    render.experiment_scope = request.experiment();
    render.window = FromProto(request.schedule().interval());
    auto rendered = config::RenderTemplate(t->spec, render);
    if (!rendered.ok()) return rendered.status();
  }
  request.mutable_template_()->set_yaml(t->yaml);
  std::string id = request.run_id();
  if (id.empty()) {
    id = NewRunId();
  } else if (!ValidRunId(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("run_id: '", id, "' must be 1-63 characters of a-z, 0-9 and '-'"));
  }
  request.set_run_id(id);

  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("the server is shutting down");
  auto existing = store_.GetRun(id, /*with_intervals=*/false);
  if (existing.ok()) {
    v1::StartRunRequest same = request;
    if (!start_given)
      *same.mutable_schedule()->mutable_start_time() = existing->request().schedule().start_time();
    if (same.SerializeAsString() != existing->request().SerializeAsString()) {
      return absl::AlreadyExistsError(
          absl::StrCat("run_id: run '", id, "' exists with a different request"));
    }
    auto it = active_.find(id);
    if (it != active_.end()) return it->second->run;
    return store_.GetRun(id, /*with_intervals=*/true);
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();

  auto active = std::make_unique<Active>();
  active->tmpl = std::move(t);
  v1::Run& run = active->run;
  run.set_name(absl::StrCat("runs/", id));
  run.set_run_id(id);
  run.set_template_name(active->tmpl->spec.name);
  run.set_state(v1::RUN_STATE_RUNNING);
  run.set_verdict(v1::VERDICT_HOLD);
  run.set_intervals_total(IntervalsTotal(request.schedule()));
  const absl::Time now = clock_.Now();
  ToProto(now, run.mutable_create_time());
  ToProto(now, run.mutable_update_time());
  *run.mutable_request() = std::move(request);
  run.set_reason(absl::StrCat("waiting for interval 1 of ", run.intervals_total(), " (ends ",
                              FormatRfc3339(IntervalEnd(run.request().schedule(), 1)), ")"));
  Active& a = *active;
  Schedule(a);
  if (absl::Status s = store_.CreateRun(a.run); !s.ok()) {
    queue_.erase(
        std::remove_if(queue_.begin(), queue_.end(), [&](const Due& d) { return d.run_id == id; }),
        queue_.end());
    std::make_heap(queue_.begin(), queue_.end(), std::greater<>());
    return s;
  }
  active_[id] = std::move(active);
  ++version_;
  metrics_.SetActiveRuns(static_cast<int64_t>(active_.size()));
  log_.Info("run started", {{"run_id", id},
                            {"template", a.run.template_name()},
                            {"intervals_total", a.run.intervals_total()}});
  return a.run;
}

absl::StatusOr<std::string> RunManager::RunId(const std::string& name) const {
  std::string id = name;
  if (absl::StartsWith(id, "runs/")) id = id.substr(5);
  if (!ValidRunId(id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("name: '", name, "' is not a run name (runs/{run_id})"));
  }
  return id;
}

absl::StatusOr<v1::Run> RunManager::GetRun(const std::string& name) {
  auto id = RunId(name);
  if (!id.ok()) return id.status();
  {
    absl::MutexLock lock(&mu_);
    auto it = active_.find(*id);
    if (it != active_.end()) return it->second->run;
  }
  auto run = store_.GetRun(*id, /*with_intervals=*/true);
  if (absl::IsNotFound(run.status())) {
    return absl::NotFoundError(absl::StrCat("run '", *id, "' not found"));
  }
  return run;
}

absl::StatusOr<RunPage> RunManager::ListRuns(const RunFilter& filter) {
  return store_.ListRuns(filter);
}

absl::StatusOr<v1::Run> RunManager::CancelRun(const std::string& name) {
  auto id = RunId(name);
  if (!id.ok()) return id.status();
  absl::MutexLock lock(&mu_);
  auto it = active_.find(*id);
  if (it == active_.end()) {
    auto run = store_.GetRun(*id, /*with_intervals=*/true);
    if (absl::IsNotFound(run.status())) {
      return absl::NotFoundError(absl::StrCat("run '", *id, "' not found"));
    }
    if (!run.ok()) return run.status();
    return absl::FailedPreconditionError(
        absl::StrCat("run '", *id, "' has already ended: ", RunStateName(run->state()), ", ",
                     VerdictName(run->verdict())));
  }
  v1::Run run = it->second->run;
  run.set_state(v1::RUN_STATE_CANCELLED);
  run.set_verdict(v1::VERDICT_HOLD);
  run.set_reason(absl::StrCat("cancelled after ", run.intervals_size(), " of ",
                              run.intervals_total(), " intervals"));
  ToProto(clock_.Now(), run.mutable_update_time());
  run.clear_next_interval_time();
  v1::Run record = run;
  record.clear_intervals();
  if (absl::Status s = store_.UpdateRun(record); !s.ok()) return s;
  active_.erase(it);  // a worker judging it finds it gone and drops its result
  ++version_;
  metrics_.SetActiveRuns(static_cast<int64_t>(active_.size()));
  log_.Info("run cancelled", {{"run_id", *id}, {"template", run.template_name()}});
  return run;
}

absl::Status RunManager::WatchRun(const std::string& name,
                                  const std::function<bool(const v1::RunEvent&)>& send,
                                  const std::function<bool()>& cancelled) {
  auto id = RunId(name);
  if (!id.ok()) return id.status();
  int sent = 0;
  for (;;) {
    std::vector<v1::IntervalResult> fresh;
    std::optional<v1::Run> final_run;
    uint64_t seen;
    {
      absl::MutexLock lock(&mu_);
      seen = version_;
      auto it = active_.find(*id);
      if (it != active_.end()) {
        const v1::Run& run = it->second->run;
        for (int i = sent; i < run.intervals_size(); ++i) fresh.push_back(run.intervals(i));
      } else {
        auto run = store_.GetRun(*id, /*with_intervals=*/true);
        if (absl::IsNotFound(run.status())) {
          return absl::NotFoundError(absl::StrCat("run '", *id, "' not found"));
        }
        if (!run.ok()) return run.status();
        for (int i = sent; i < run->intervals_size(); ++i) fresh.push_back(run->intervals(i));
        final_run = *std::move(run);
      }
    }
    for (v1::IntervalResult& interval : fresh) {
      v1::RunEvent event;
      *event.mutable_interval() = std::move(interval);
      if (!send(event)) return absl::CancelledError("the watcher went away");
      ++sent;
    }
    if (final_run) {
      v1::RunEvent event;
      *event.mutable_run() = *std::move(final_run);
      if (!send(event)) return absl::CancelledError("the watcher went away");
      return absl::OkStatus();
    }
    absl::MutexLock lock(&mu_);
    const auto changed = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return version_ != seen || stopping_;
    };
    while (!changed()) {
      if (cancelled && cancelled()) return absl::CancelledError("the watcher cancelled");
      mu_.AwaitWithTimeout(absl::Condition(&changed), absl::Milliseconds(100));
    }
    if (stopping_) {
      return absl::UnavailableError("the server is shutting down; watch again after it restarts");
    }
  }
}

void RunManager::Worker() {
  for (;;) {
    std::string id;
    {
      absl::MutexLock lock(&mu_);
      for (;;) {
        if (stopping_) return;
        const absl::Time now = clock_.Now();
        if (!queue_.empty() && queue_.front().when <= now) break;
        const absl::Duration wait =
            queue_.empty() ? absl::Milliseconds(200)
                           : std::min(absl::Milliseconds(200), queue_.front().when - now);
        const auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
        mu_.AwaitWithTimeout(absl::Condition(&stop), wait);
      }
      std::pop_heap(queue_.begin(), queue_.end(), std::greater<>());
      id = queue_.back().run_id;
      queue_.pop_back();
      auto it = active_.find(id);
      if (it == active_.end() || it->second->judging) continue;
      it->second->judging = true;
    }
    JudgeInterval(id);
  }
}

void RunManager::JudgeInterval(const std::string& id) {
  v1::StartRunRequest request;
  std::shared_ptr<const LoadedTemplate> tmpl;
  int k;
  {
    absl::MutexLock lock(&mu_);
    auto it = active_.find(id);
    if (it == active_.end()) return;
    request = it->second->run.request();
    tmpl = it->second->tmpl;
    k = it->second->run.intervals_size() + 1;
  }
  const analysis::AnalysisRequest analysis_request = IntervalRequest(request, k);
  CallLimits limits;
  limits.cancelled = [this, id] {
    absl::MutexLock lock(&mu_);
    return active_.count(id) == 0 || (stopping_ && clock_.Now() >= abandon_at_);
  };
  auto result =
      analyzer_.Analyze("run_interval", *tmpl, analysis_request, request.provider(), limits);

  absl::MutexLock lock(&mu_);
  auto it = active_.find(id);
  if (it == active_.end()) return;  // cancelled meanwhile: the result is dropped
  Active& a = *it->second;
  a.judging = false;
  if (!result.ok() && absl::IsCancelled(result.status())) {
    // Abandoned at shutdown: not stored, so the restarted server judges it again.
    return;
  }
  const absl::Time now = clock_.Now();
  v1::IntervalResult interval;
  interval.set_index(k);
  ToProto(analysis_request.start, interval.mutable_window()->mutable_start());
  ToProto(analysis_request.end, interval.mutable_window()->mutable_end());
  ToProto(now, interval.mutable_judged_at());
  if (result.ok()) {
    ToProto(*result, interval.mutable_result());
    interval.set_verdict(ToProto(result->verdict));
    interval.set_score(result->score.score);
    interval.set_reason(result->reason);
  } else {
    interval.set_verdict(v1::VERDICT_HOLD);
    interval.set_error(std::string(result.status().message()));
    interval.set_reason(absl::StrCat("the analysis could not run: ", result.status().message()));
  }

  v1::Run run = a.run;
  *run.add_intervals() = interval;
  run.set_intervals_done(run.intervals_size());
  ToProto(now, run.mutable_update_time());
  const int total = run.intervals_total();
  int abort_streak = 0, promote_streak = 0;
  for (int i = run.intervals_size() - 1; i >= 0 && run.intervals(i).verdict() == v1::VERDICT_ABORT;
       --i) {
    ++abort_streak;
  }
  for (int i = run.intervals_size() - 1;
       i >= 0 && run.intervals(i).verdict() == v1::VERDICT_PROMOTE; --i) {
    ++promote_streak;
  }
  const v1::StopRules& stop = run.request().stop();
  const std::string where = absl::StrCat("interval ", k, " of ", total);
  bool ended = true;
  if (abort_streak >= stop.abort_after_failing_intervals()) {
    run.set_verdict(v1::VERDICT_ABORT);
    run.set_reason(absl::StrCat(
        where, " ABORT", abort_streak > 1 ? absl::StrCat(" (", abort_streak, " in a row)") : "",
        ": ", interval.reason()));
  } else if (stop.promote_after_passing_intervals() > 0 &&
             promote_streak >= stop.promote_after_passing_intervals()) {
    run.set_verdict(v1::VERDICT_PROMOTE);
    run.set_reason(
        absl::StrCat(where, " PROMOTE (", promote_streak, " in a row): ", interval.reason()));
  } else if (k >= total) {
    if (interval.verdict() == v1::VERDICT_PROMOTE) {
      run.set_verdict(v1::VERDICT_PROMOTE);
      run.set_reason(absl::StrCat(where, " PROMOTE: ", interval.reason()));
    } else if (!interval.error().empty()) {
      run.set_state(v1::RUN_STATE_FAILED);
      run.set_verdict(v1::VERDICT_ABORT);
      run.set_reason(absl::StrCat("the last interval could not run: ", interval.error()));
    } else {
      run.set_verdict(v1::VERDICT_ABORT);
      run.set_reason(absl::StrCat("the run ended without the evidence to promote (", where, " ",
                                  VerdictName(interval.verdict()), "): ", interval.reason()));
    }
  } else {
    ended = false;
    run.set_reason(
        absl::StrCat(where, " ", VerdictName(interval.verdict()), ": ", interval.reason()));
  }
  if (ended) {
    if (run.state() == v1::RUN_STATE_RUNNING) run.set_state(v1::RUN_STATE_SUCCEEDED);
    run.clear_next_interval_time();
  } else {
    ToProto(IntervalDue(run.request().schedule(), k + 1), run.mutable_next_interval_time());
  }
  v1::Run record = run;
  record.clear_intervals();
  if (absl::Status s = store_.AddInterval(record, interval); !s.ok()) {
    log_.Error("could not store an interval; retrying",
               {{"run_id", id}, {"interval", k}, {"error", std::string(s.message())}});
    queue_.push_back(Due{now + kStoreRetry, id});
    std::push_heap(queue_.begin(), queue_.end(), std::greater<>());
    return;
  }
  a.run = std::move(run);
  ++version_;
  log_.Info("interval judged", {{"run_id", id},
                                {"template", a.run.template_name()},
                                {"interval", k},
                                {"verdict", VerdictName(interval.verdict())},
                                {"score", interval.score()}});
  if (ended) {
    log_.Info("run ended", {{"run_id", id},
                            {"template", a.run.template_name()},
                            {"state", RunStateName(a.run.state())},
                            {"verdict", VerdictName(a.run.verdict())},
                            {"reason", a.run.reason()}});
    active_.erase(it);
    metrics_.SetActiveRuns(static_cast<int64_t>(active_.size()));
  } else {
    Schedule(a);
  }
}

void RunManager::Shutdown(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      stopping_ = true;
      abandon_at_ = deadline;
    }
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

int64_t RunManager::active_runs() {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(active_.size());
}

}  // namespace augur::service
