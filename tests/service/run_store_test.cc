// The RunStore contract, run against both stores (memory and SQLite), and what only the SQLite
// store promises: its data outlives the store object and a SIGKILLed process, and it refuses
// files and directories it cannot use.
#include "service/run_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/support/process.h"

namespace augur::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

MATCHER_P(EqualsProto, expected, expected.ShortDebugString()) {
  if (google::protobuf::util::MessageDifferencer::Equals(arg, expected)) return true;
  *result_listener << "is " << arg.ShortDebugString();
  return false;
}

MATCHER_P(HasCode, code, absl::StatusCodeToString(code)) {
  if (arg.code() == code) return true;
  *result_listener << "is " << arg;
  return false;
}

// create_seconds orders runs; `micros` separates runs within one second.
v1::Run MakeRun(const std::string& run_id, v1::RunState state = v1::RUN_STATE_RUNNING,
                const std::string& template_name = "latency",
                int64_t create_seconds = 1'700'000'000, int32_t micros = 0) {
  v1::Run run;
  run.set_name(absl::StrCat("runs/", run_id));
  run.set_run_id(run_id);
  run.set_template_name(template_name);
  run.set_state(state);
  run.set_verdict(v1::VERDICT_HOLD);
  run.set_intervals_total(6);
  run.mutable_request()->mutable_template_()->set_yaml("metrics: []\n");
  run.mutable_request()->set_control("baseline");
  run.mutable_request()->set_experiment("canary");
  run.mutable_create_time()->set_seconds(create_seconds);
  run.mutable_create_time()->set_nanos(micros * 1000);
  run.mutable_update_time()->set_seconds(create_seconds);
  return run;
}

v1::IntervalResult MakeInterval(int32_t index, v1::Verdict verdict = v1::VERDICT_PROMOTE) {
  v1::IntervalResult interval;
  interval.set_index(index);
  interval.set_verdict(verdict);
  interval.set_score(90.5 + index);
  interval.set_reason(absl::StrCat("interval ", index));
  interval.mutable_window()->mutable_start()->set_seconds(1'700'000'000 + 60 * (index - 1));
  interval.mutable_window()->mutable_end()->set_seconds(1'700'000'000 + 60 * index);
  interval.mutable_judged_at()->set_seconds(1'700'000'000 + 60 * index + 5);
  interval.mutable_result()->set_verdict(verdict);
  interval.mutable_result()->set_score(90.5 + index);
  return interval;
}

// The run as the store should hold it after `done` intervals were added.
v1::Run Advanced(v1::Run run, int32_t done) {
  run.set_intervals_done(done);
  run.mutable_update_time()->set_seconds(run.create_time().seconds() + 60 * done);
  run.mutable_next_interval_time()->set_seconds(run.create_time().seconds() + 60 * (done + 1));
  return run;
}

std::vector<std::string> Ids(const std::vector<v1::Run>& runs) {
  std::vector<std::string> ids;
  for (const v1::Run& run : runs) ids.push_back(run.run_id());
  return ids;
}

// A fresh directory per test, removed after it.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = ::augur::testing::MakeTempDir("augur-run-store-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { ::augur::testing::RemoveTree(dir_); }

  std::string dir_;
};

struct StoreKind {
  std::string name;
  std::function<absl::StatusOr<std::unique_ptr<RunStore>>(const std::string& dir)> open;
};

// So that failures name the store instead of dumping the struct's bytes.
void PrintTo(const StoreKind& kind, std::ostream* os) { *os << kind.name; }

class RunStoreContractTest : public TempDirTest, public ::testing::WithParamInterface<StoreKind> {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    if (HasFatalFailure()) return;
    absl::StatusOr<std::unique_ptr<RunStore>> store = GetParam().open(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }
  void TearDown() override {
    store_.reset();  // closes the database before its directory goes
    TempDirTest::TearDown();
  }

  // Adds intervals 1..n, each with the run as it stands after it.
  void AddIntervals(const v1::Run& run, int32_t n) {
    for (int32_t i = 1; i <= n; ++i) {
      ASSERT_TRUE(store_->AddInterval(Advanced(run, i), MakeInterval(i)).ok()) << i;
    }
  }

  std::unique_ptr<RunStore> store_;
};

TEST_P(RunStoreContractTest, CreateThenGetReturnsTheRunWithoutIntervals) {
  v1::Run run = MakeRun("r1");
  v1::Run with_intervals = run;
  *with_intervals.add_intervals() = MakeInterval(1);  // CreateRun ignores them

  ASSERT_TRUE(store_->CreateRun(with_intervals).ok());

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", /*with_intervals=*/false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(run));
  got = store_->GetRun("r1", /*with_intervals=*/true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(run));
}

TEST_P(RunStoreContractTest, GetUnknownRunIsNotFound) {
  ASSERT_TRUE(store_->CreateRun(MakeRun("r1")).ok());
  EXPECT_THAT(store_->GetRun("r2", false).status(), HasCode(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->GetRun("r2", true).status(), HasCode(absl::StatusCode::kNotFound));
}

TEST_P(RunStoreContractTest, CreateWithTakenIdIsAlreadyExistsAndKeepsTheFirst) {
  v1::Run first = MakeRun("r1", v1::RUN_STATE_RUNNING, "latency");
  ASSERT_TRUE(store_->CreateRun(first).ok());

  EXPECT_THAT(store_->CreateRun(MakeRun("r1", v1::RUN_STATE_FAILED, "errors")),
              HasCode(absl::StatusCode::kAlreadyExists));

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(first));
}

TEST_P(RunStoreContractTest, UpdateReplacesTheRecord) {
  ASSERT_TRUE(store_->CreateRun(MakeRun("r1")).ok());
  v1::Run cancelled = MakeRun("r1", v1::RUN_STATE_CANCELLED);
  cancelled.set_reason("cancelled by the caller");
  cancelled.mutable_update_time()->set_seconds(1'700'000'123);

  ASSERT_TRUE(store_->UpdateRun(cancelled).ok());

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(cancelled));
}

TEST_P(RunStoreContractTest, UpdateUnknownRunIsNotFound) {
  EXPECT_THAT(store_->UpdateRun(MakeRun("nope")), HasCode(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->GetRun("nope", false).status(), HasCode(absl::StatusCode::kNotFound));
}

TEST_P(RunStoreContractTest, AddIntervalAppendsInOrderAndStoresTheRun) {
  v1::Run run = MakeRun("r1");
  ASSERT_TRUE(store_->CreateRun(run).ok());

  AddIntervals(run, 3);

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", /*with_intervals=*/true);
  ASSERT_TRUE(got.ok()) << got.status();
  v1::Run expected = Advanced(run, 3);
  for (int32_t i = 1; i <= 3; ++i) *expected.add_intervals() = MakeInterval(i);
  EXPECT_THAT(*got, EqualsProto(expected));

  got = store_->GetRun("r1", /*with_intervals=*/false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(Advanced(run, 3)));
}

TEST_P(RunStoreContractTest, AddIntervalStoresTheFinalState) {
  v1::Run run = MakeRun("r1");
  ASSERT_TRUE(store_->CreateRun(run).ok());
  v1::Run ended = Advanced(run, 1);
  ended.set_state(v1::RUN_STATE_SUCCEEDED);
  ended.set_verdict(v1::VERDICT_ABORT);
  ended.set_reason("interval 1 aborted");

  ASSERT_TRUE(store_->AddInterval(ended, MakeInterval(1, v1::VERDICT_ABORT)).ok());

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", false);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(ended));
}

TEST_P(RunStoreContractTest, AddIntervalTwiceIsAlreadyExistsAndChangesNothing) {
  v1::Run run = MakeRun("r1");
  ASSERT_TRUE(store_->CreateRun(run).ok());
  AddIntervals(run, 2);

  v1::Run rejudged = Advanced(run, 3);
  rejudged.set_state(v1::RUN_STATE_FAILED);
  EXPECT_THAT(store_->AddInterval(rejudged, MakeInterval(2, v1::VERDICT_ABORT)),
              HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(store_->AddInterval(rejudged, MakeInterval(1, v1::VERDICT_ABORT)),
              HasCode(absl::StatusCode::kAlreadyExists));

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", true);
  ASSERT_TRUE(got.ok()) << got.status();
  v1::Run expected = Advanced(run, 2);
  *expected.add_intervals() = MakeInterval(1);
  *expected.add_intervals() = MakeInterval(2);
  EXPECT_THAT(*got, EqualsProto(expected));
}

TEST_P(RunStoreContractTest, AddIntervalSkippingOneIsFailedPreconditionAndChangesNothing) {
  v1::Run run = MakeRun("r1");
  ASSERT_TRUE(store_->CreateRun(run).ok());

  EXPECT_THAT(store_->AddInterval(Advanced(run, 2), MakeInterval(2)),
              HasCode(absl::StatusCode::kFailedPrecondition));
  AddIntervals(run, 1);
  EXPECT_THAT(store_->AddInterval(Advanced(run, 3), MakeInterval(3)),
              HasCode(absl::StatusCode::kFailedPrecondition));

  absl::StatusOr<v1::Run> got = store_->GetRun("r1", true);
  ASSERT_TRUE(got.ok()) << got.status();
  v1::Run expected = Advanced(run, 1);
  *expected.add_intervals() = MakeInterval(1);
  EXPECT_THAT(*got, EqualsProto(expected));
}

TEST_P(RunStoreContractTest, AddIntervalToUnknownRunIsNotFound) {
  ASSERT_TRUE(store_->CreateRun(MakeRun("r1")).ok());
  EXPECT_THAT(store_->AddInterval(MakeRun("r2"), MakeInterval(1)),
              HasCode(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->GetRun("r2", true).status(), HasCode(absl::StatusCode::kNotFound));
}

TEST_P(RunStoreContractTest, IntervalsBelongToTheirRun) {
  v1::Run a = MakeRun("a");
  v1::Run b = MakeRun("b");
  ASSERT_TRUE(store_->CreateRun(a).ok());
  ASSERT_TRUE(store_->CreateRun(b).ok());
  AddIntervals(a, 2);

  // b's first interval is 1, whatever a has.
  ASSERT_TRUE(store_->AddInterval(Advanced(b, 1), MakeInterval(1)).ok());

  absl::StatusOr<v1::Run> got = store_->GetRun("b", true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->intervals(), SizeIs(1));
  got = store_->GetRun("a", true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->intervals(), SizeIs(2));
}

TEST_P(RunStoreContractTest, ListRunsIsNewestFirstWithoutIntervals) {
  // Ties on create_time go to the larger run_id; one microsecond is enough to order.
  ASSERT_TRUE(store_->CreateRun(MakeRun("old", v1::RUN_STATE_RUNNING, "t", 100)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("tie-a", v1::RUN_STATE_RUNNING, "t", 200)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("tie-b", v1::RUN_STATE_RUNNING, "t", 200)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("new", v1::RUN_STATE_RUNNING, "t", 200, 1)).ok());
  AddIntervals(MakeRun("old", v1::RUN_STATE_RUNNING, "t", 100), 2);

  absl::StatusOr<RunPage> page = store_->ListRuns(RunFilter{});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Ids(page->runs), ElementsAre("new", "tie-b", "tie-a", "old"));
  EXPECT_THAT(page->next_page_token, IsEmpty());
  ASSERT_THAT(page->runs, SizeIs(4));
  EXPECT_THAT(page->runs[3],
              EqualsProto(Advanced(MakeRun("old", v1::RUN_STATE_RUNNING, "t", 100), 2)));
  for (const v1::Run& run : page->runs) EXPECT_THAT(run.intervals(), IsEmpty()) << run.run_id();
}

TEST_P(RunStoreContractTest, ListRunsFiltersByStateAndTemplate) {
  ASSERT_TRUE(store_->CreateRun(MakeRun("1", v1::RUN_STATE_RUNNING, "latency", 1)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("2", v1::RUN_STATE_SUCCEEDED, "latency", 2)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("3", v1::RUN_STATE_RUNNING, "errors", 3)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("4", v1::RUN_STATE_CANCELLED, "errors", 4)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("5", v1::RUN_STATE_RUNNING, "latency", 5)).ok());

  struct Case {
    v1::RunState state;
    std::string template_name;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {v1::RUN_STATE_UNSPECIFIED, "", {"5", "4", "3", "2", "1"}},
      {v1::RUN_STATE_RUNNING, "", {"5", "3", "1"}},
      {v1::RUN_STATE_UNSPECIFIED, "errors", {"4", "3"}},
      {v1::RUN_STATE_RUNNING, "latency", {"5", "1"}},
      {v1::RUN_STATE_FAILED, "", {}},
      {v1::RUN_STATE_UNSPECIFIED, "unknown", {}},
  };
  for (const Case& c : cases) {
    RunFilter filter;
    filter.state = c.state;
    filter.template_name = c.template_name;
    absl::StatusOr<RunPage> page = store_->ListRuns(filter);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_EQ(Ids(page->runs), c.want) << v1::RunState_Name(c.state) << " " << c.template_name;
    EXPECT_THAT(page->next_page_token, IsEmpty());
  }
}

TEST_P(RunStoreContractTest, ListRunsPagesThroughEveryRunOnce) {
  // Seven runs, two pairs sharing a create_time, so that page boundaries fall inside ties.
  const int64_t seconds[] = {10, 20, 20, 30, 40, 40, 50};
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        store_->CreateRun(MakeRun(absl::StrCat("run-", i), v1::RUN_STATE_RUNNING, "t", seconds[i]))
            .ok());
  }

  RunFilter filter;
  filter.page_size = 3;
  std::vector<std::vector<std::string>> pages;
  for (int guard = 0; guard < 10; ++guard) {
    absl::StatusOr<RunPage> page = store_->ListRuns(filter);
    ASSERT_TRUE(page.ok()) << page.status();
    pages.push_back(Ids(page->runs));
    if (page->next_page_token.empty()) break;
    filter.page_token = page->next_page_token;
  }

  EXPECT_THAT(pages, ElementsAre(ElementsAre("run-6", "run-5", "run-4"),
                                 ElementsAre("run-3", "run-2", "run-1"), ElementsAre("run-0")));
}

TEST_P(RunStoreContractTest, ListRunsPagesWithAFilter) {
  for (int i = 0; i < 6; ++i) {
    v1::RunState state = i % 2 == 0 ? v1::RUN_STATE_RUNNING : v1::RUN_STATE_SUCCEEDED;
    ASSERT_TRUE(store_->CreateRun(MakeRun(absl::StrCat("run-", i), state, "t", 100 + i)).ok());
  }
  RunFilter filter;
  filter.state = v1::RUN_STATE_SUCCEEDED;
  filter.page_size = 2;

  absl::StatusOr<RunPage> first = store_->ListRuns(filter);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Ids(first->runs), ElementsAre("run-5", "run-3"));
  ASSERT_FALSE(first->next_page_token.empty());
  filter.page_token = first->next_page_token;
  absl::StatusOr<RunPage> second = store_->ListRuns(filter);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Ids(second->runs), ElementsAre("run-1"));
  EXPECT_THAT(second->next_page_token, IsEmpty());
}

TEST_P(RunStoreContractTest, ListRunsExactlyOnePageHasNoNextToken) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        store_->CreateRun(MakeRun(absl::StrCat("run-", i), v1::RUN_STATE_RUNNING, "t", i)).ok());
  }
  RunFilter filter;
  filter.page_size = 3;
  absl::StatusOr<RunPage> page = store_->ListRuns(filter);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->runs, SizeIs(3));
  EXPECT_THAT(page->next_page_token, IsEmpty());
}

TEST_P(RunStoreContractTest, ListRunsRejectsTokensItDidNotMake) {
  ASSERT_TRUE(store_->CreateRun(MakeRun("r1")).ok());
  for (const std::string& token :
       {std::string("!!not base64!!"), absl::WebSafeBase64Escape("no colon"),
        absl::WebSafeBase64Escape("abc:r1"), absl::WebSafeBase64Escape("123:")}) {
    RunFilter filter;
    filter.page_token = token;
    absl::StatusOr<RunPage> page = store_->ListRuns(filter);
    EXPECT_THAT(page.status(), HasCode(absl::StatusCode::kInvalidArgument)) << token;
    EXPECT_THAT(page.status().message(), HasSubstr("page_token")) << token;
  }
}

TEST_P(RunStoreContractTest, ActiveRunsAreTheRunningOnesWithTheirIntervals) {
  v1::Run running = MakeRun("running", v1::RUN_STATE_RUNNING, "t", 10);
  v1::Run fresh = MakeRun("fresh", v1::RUN_STATE_RUNNING, "t", 20);
  ASSERT_TRUE(store_->CreateRun(running).ok());
  ASSERT_TRUE(store_->CreateRun(fresh).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("done", v1::RUN_STATE_SUCCEEDED, "t", 30)).ok());
  ASSERT_TRUE(store_->CreateRun(MakeRun("cancelled", v1::RUN_STATE_CANCELLED, "t", 40)).ok());
  AddIntervals(running, 2);
  // A run that ends with its last interval is no longer active.
  v1::Run ending = MakeRun("ending", v1::RUN_STATE_RUNNING, "t", 50);
  ASSERT_TRUE(store_->CreateRun(ending).ok());
  v1::Run ended = Advanced(ending, 1);
  ended.set_state(v1::RUN_STATE_SUCCEEDED);
  ASSERT_TRUE(store_->AddInterval(ended, MakeInterval(1)).ok());

  absl::StatusOr<std::vector<v1::Run>> active = store_->ActiveRuns();
  ASSERT_TRUE(active.ok()) << active.status();

  v1::Run want_running = Advanced(running, 2);
  *want_running.add_intervals() = MakeInterval(1);
  *want_running.add_intervals() = MakeInterval(2);
  EXPECT_THAT(*active, UnorderedElementsAre(EqualsProto(want_running), EqualsProto(fresh)));
}

TEST_P(RunStoreContractTest, ActiveRunsOfAnEmptyStoreIsEmpty) {
  absl::StatusOr<std::vector<v1::Run>> active = store_->ActiveRuns();
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_THAT(*active, IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Stores, RunStoreContractTest,
    ::testing::Values(
        StoreKind{"Memory",
                  [](const std::string&) -> absl::StatusOr<std::unique_ptr<RunStore>> {
                    return NewMemoryRunStore();
                  }},
        StoreKind{"Sqlite", [](const std::string& dir) { return OpenSqliteRunStore(dir); }}),
    [](const ::testing::TestParamInfo<StoreKind>& param_info) { return param_info.param.name; });

TEST(MemoryRunStoreTest, DescribesItselfAsMemory) {
  EXPECT_EQ(NewMemoryRunStore()->Describe(), "memory");
}

class SqliteRunStoreTest : public TempDirTest {
 protected:
  std::string DbPath() const { return absl::StrCat(dir_, "/runs.db"); }

  // Runs `sql` on the store's file with a connection of the test's own.
  void ExecOnFile(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(DbPath().c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  // The single value `sql` returns, as text.
  std::string QueryFile(const std::string& sql) {
    sqlite3* db = nullptr;
    std::string value = "<error>";
    if (sqlite3_open(DbPath().c_str(), &db) == SQLITE_OK) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
          sqlite3_step(stmt) == SQLITE_ROW) {
        value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
      sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
  }
};

TEST_F(SqliteRunStoreTest, DescribesItselfByTheDatabasePath) {
  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Describe(), DbPath());
}

TEST_F(SqliteRunStoreTest, CreatesTheDataDirectory) {
  std::string nested = absl::StrCat(dir_, "/a/b");
  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(nested);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ((*store)->Describe(), absl::StrCat(nested, "/runs.db"));
  EXPECT_EQ(access((*store)->Describe().c_str(), F_OK), 0);
}

TEST_F(SqliteRunStoreTest, FileIsWalWithSchemaVersionOne) {
  {
    absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  EXPECT_EQ(QueryFile("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryFile("PRAGMA user_version"), "1");
  EXPECT_EQ(QueryFile("SELECT group_concat(name) FROM (SELECT name FROM sqlite_master "
                      "WHERE type = 'table' ORDER BY name)"),
            "intervals,runs");
}

TEST_F(SqliteRunStoreTest, ReopenedStoreHasEverything) {
  v1::Run running = MakeRun("running", v1::RUN_STATE_RUNNING, "latency", 10);
  v1::Run done = MakeRun("done", v1::RUN_STATE_SUCCEEDED, "errors", 20);
  {
    absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->CreateRun(running).ok());
    ASSERT_TRUE((*store)->CreateRun(done).ok());
    ASSERT_TRUE((*store)->AddInterval(Advanced(running, 1), MakeInterval(1)).ok());
    ASSERT_TRUE((*store)->AddInterval(Advanced(running, 2), MakeInterval(2)).ok());
  }

  absl::StatusOr<std::unique_ptr<RunStore>> reopened = OpenSqliteRunStore(dir_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  RunStore& store = **reopened;
  v1::Run want_running = Advanced(running, 2);
  *want_running.add_intervals() = MakeInterval(1);
  *want_running.add_intervals() = MakeInterval(2);
  absl::StatusOr<v1::Run> got = store.GetRun("running", true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(*got, EqualsProto(want_running));
  absl::StatusOr<RunPage> page = store.ListRuns(RunFilter{});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Ids(page->runs), ElementsAre("done", "running"));
  absl::StatusOr<std::vector<v1::Run>> active = store.ActiveRuns();
  ASSERT_TRUE(active.ok()) << active.status();
  EXPECT_THAT(*active, ElementsAre(EqualsProto(want_running)));
  // The sequence carries on where it stopped.
  EXPECT_THAT(store.AddInterval(Advanced(running, 2), MakeInterval(2)),
              HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_TRUE(store.AddInterval(Advanced(running, 3), MakeInterval(3)).ok());
}

// The crash-durability proof: a child process writes, then SIGKILLs itself the moment
// AddInterval returns (no destructors, no close, no checkpoint). The parent finds the write.
TEST_F(SqliteRunStoreTest, WriteSurvivesSigkillRightAfterAddIntervalReturns) {
  v1::Run run = MakeRun("r1");
  v1::Run after_two = Advanced(run, 2);
  after_two.set_reason("two intervals in");

  pid_t pid = fork();
  ASSERT_GE(pid, 0) << "fork failed";
  if (pid == 0) {
    // The child: no gtest assertions here, only an exit code the parent reads.
    absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);
    if (!store.ok()) _exit(10);
    if (!(*store)->CreateRun(run).ok()) _exit(11);
    if (!(*store)->AddInterval(Advanced(run, 1), MakeInterval(1)).ok()) _exit(12);
    if (!(*store)->AddInterval(after_two, MakeInterval(2)).ok()) _exit(13);
    raise(SIGKILL);
    _exit(14);  // not reached
  }
  int wait_status = 0;
  ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wait_status))
      << "child exited with " << (WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
  ASSERT_EQ(WTERMSIG(wait_status), SIGKILL);

  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<v1::Run> got = (*store)->GetRun("r1", true);
  ASSERT_TRUE(got.ok()) << got.status();
  v1::Run want = after_two;
  *want.add_intervals() = MakeInterval(1);
  *want.add_intervals() = MakeInterval(2);
  EXPECT_THAT(*got, EqualsProto(want));
}

TEST_F(SqliteRunStoreTest, FileThatIsNotSqliteIsFailedPreconditionNamingIt) {
  ASSERT_TRUE(
      ::augur::testing::WriteFile(DbPath(),
                                  "these are my notes, not a database; please keep them\n"
                                  "second line, to be longer than a SQLite header would need\n")
          .ok());

  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);

  EXPECT_THAT(store.status(), HasCode(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.status().message(), HasSubstr(DbPath()));
  // The file is left as it was.
  absl::StatusOr<std::string> content = ::augur::testing::ReadFile(DbPath());
  ASSERT_TRUE(content.ok()) << content.status();
  EXPECT_THAT(*content, HasSubstr("these are my notes"));
}

TEST_F(SqliteRunStoreTest, SqliteFileOfAnotherApplicationIsFailedPrecondition) {
  ExecOnFile("CREATE TABLE recipes (name TEXT)");

  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);

  EXPECT_THAT(store.status(), HasCode(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.status().message(), HasSubstr(DbPath()));
}

TEST_F(SqliteRunStoreTest, NewerSchemaIsFailedPreconditionNamingTheFile) {
  {
    absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);
    ASSERT_TRUE(store.ok()) << store.status();
  }
  ExecOnFile("PRAGMA user_version = 2");

  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(dir_);

  EXPECT_THAT(store.status(), HasCode(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.status().message(), HasSubstr(DbPath()));
  EXPECT_THAT(store.status().message(), HasSubstr("version 2"));
}

TEST_F(SqliteRunStoreTest, UncreatableDirectoryIsFailedPreconditionNamingIt) {
  std::string file = absl::StrCat(dir_, "/plain-file");
  ASSERT_TRUE(::augur::testing::WriteFile(file, "x").ok());
  std::string data_dir = absl::StrCat(file, "/data");

  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(data_dir);

  EXPECT_THAT(store.status(), HasCode(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.status().message(), HasSubstr(data_dir));
}

TEST_F(SqliteRunStoreTest, DataDirThatIsAFileIsFailedPreconditionNamingIt) {
  std::string file = absl::StrCat(dir_, "/plain-file");
  ASSERT_TRUE(::augur::testing::WriteFile(file, "x").ok());

  absl::StatusOr<std::unique_ptr<RunStore>> store = OpenSqliteRunStore(file);

  EXPECT_THAT(store.status(), HasCode(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store.status().message(), HasSubstr(file));
}

TEST_F(SqliteRunStoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
  absl::StatusOr<std::unique_ptr<RunStore>> a = OpenSqliteRunStore(dir_);
  ASSERT_TRUE(a.ok()) << a.status();
  absl::StatusOr<std::unique_ptr<RunStore>> b = OpenSqliteRunStore(dir_);
  ASSERT_TRUE(b.ok()) << b.status();
  v1::Run run = MakeRun("r1");
  ASSERT_TRUE((*a)->CreateRun(run).ok());
  ASSERT_TRUE((*a)->AddInterval(Advanced(run, 1), MakeInterval(1)).ok());

  // b's count of stored intervals comes from the file, not from anything it remembers.
  EXPECT_THAT((*b)->AddInterval(Advanced(run, 1), MakeInterval(1)),
              HasCode(absl::StatusCode::kAlreadyExists));
  EXPECT_TRUE((*b)->AddInterval(Advanced(run, 2), MakeInterval(2)).ok());
  absl::StatusOr<v1::Run> got = (*a)->GetRun("r1", true);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->intervals(), SizeIs(2));
}

}  // namespace
}  // namespace augur::service
