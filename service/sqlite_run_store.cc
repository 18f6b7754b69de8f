// The SQLite RunStore: one file, data_dir/runs.db, in WAL mode with synchronous=FULL so that a
// call that returned has reached the disk (the server may be killed with -9 at any moment).
//
// Schema 1 (PRAGMA user_version):
//   runs(run_id PRIMARY KEY, template_name, state, create_time_us, run)  -- run: Run, no intervals
//   intervals(run_id, idx, result, PRIMARY KEY(run_id, idx))              -- result: IntervalResult
// The columns beside the blobs are copies of message fields, there for filtering and ordering.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "service/run_store.h"

namespace augur::service {

// Defined in run_store.cc: the two stores share the page-token format.
namespace run_store_internal {
int64_t CreateTimeMicros(const v1::Run& run);
std::string EncodePageToken(int64_t create_time_us, absl::string_view run_id);
absl::StatusOr<std::pair<int64_t, std::string>> DecodePageToken(absl::string_view token);
}  // namespace run_store_internal

namespace {

using run_store_internal::CreateTimeMicros;

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

// Runs in one transaction with setting user_version, so a file is either empty or complete.
constexpr const char* kCreateSchema = R"sql(
CREATE TABLE runs (
  run_id TEXT PRIMARY KEY NOT NULL,
  template_name TEXT NOT NULL,
  state INTEGER NOT NULL,
  create_time_us INTEGER NOT NULL,
  run BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX runs_by_create_time ON runs (create_time_us, run_id);
CREATE TABLE intervals (
  run_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  result BLOB NOT NULL,
  PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
PRAGMA user_version = 1;
)sql";

// The optional filters are written as "(?n is unset OR ...)" so that one prepared statement
// serves every combination.
constexpr const char* kListRuns = R"sql(
SELECT run_id, create_time_us, run FROM runs
WHERE (?1 = 0 OR state = ?1)
  AND (?2 = '' OR template_name = ?2)
  AND (?3 IS NULL OR (create_time_us, run_id) < (?3, ?4))
ORDER BY create_time_us DESC, run_id DESC
LIMIT ?5
)sql";

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Statements are prepared once and reused; this returns one to its unstepped state on every exit
// path, so it holds no read snapshot and no binding outlives the call.
class StmtUse {
 public:
  explicit StmtUse(const Stmt& stmt) : stmt_(stmt.get()) {}
  ~StmtUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

void BindText(sqlite3_stmt* stmt, int index, absl::string_view text) {
  sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void BindBlob(sqlite3_stmt* stmt, int index, absl::string_view blob) {
  sqlite3_bind_blob64(stmt, index, blob.data(), blob.size(), SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
}

absl::string_view ColumnBlob(sqlite3_stmt* stmt, int column) {
  const void* blob = sqlite3_column_blob(stmt, column);
  if (blob == nullptr) return "";
  return absl::string_view(static_cast<const char*>(blob),
                           static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
}

std::string Serialized(const v1::Run& run) {
  v1::Run copy = run;
  copy.clear_intervals();
  return copy.SerializeAsString();
}

class SqliteRunStore final : public RunStore {
 public:
  static absl::StatusOr<std::unique_ptr<RunStore>> Open(const std::string& data_dir);

  absl::Status CreateRun(const v1::Run& run) override {
    absl::MutexLock lock(&mu_);
    StmtUse insert(insert_run_);
    BindRunColumns(insert.get(), run);
    int rc = sqlite3_step(insert.get());
    if ((rc & 0xff) == SQLITE_CONSTRAINT) {
      return absl::AlreadyExistsError(absl::StrCat(path_, ": run ", run.run_id(), " exists"));
    }
    if (rc != SQLITE_DONE) return Error(rc, "insert run");
    return absl::OkStatus();
  }

  absl::Status UpdateRun(const v1::Run& run) override {
    absl::MutexLock lock(&mu_);
    return UpdateRunLocked(run);
  }

  absl::Status AddInterval(const v1::Run& run, const v1::IntervalResult& interval) override {
    if (interval.index() < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          path_, ": run ", run.run_id(), ": interval index ", interval.index(), " < 1"));
    }
    absl::MutexLock lock(&mu_);
    // IMMEDIATE takes the write lock now, so the count read below cannot go stale before the
    // insert even if another process shares the file.
    if (absl::Status begun = Exec("BEGIN IMMEDIATE"); !begun.ok()) return begun;
    absl::Status status = AddIntervalInTransaction(run, interval);
    if (status.ok()) status = Exec("COMMIT");
    if (!status.ok()) RollbackIfOpen();
    return status;
  }

  absl::StatusOr<v1::Run> GetRun(const std::string& run_id, bool with_intervals) override {
    absl::MutexLock lock(&mu_);
    // Both reads in one transaction: one snapshot, even if another process writes between them.
    if (with_intervals) {
      if (absl::Status begun = Exec("BEGIN"); !begun.ok()) return begun;
    }
    absl::StatusOr<v1::Run> run = GetRunLocked(run_id);
    if (run.ok() && with_intervals) {
      absl::Status read = AppendIntervals(*run);
      if (!read.ok()) run = read;
    }
    if (with_intervals) sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
    return run;
  }

  absl::StatusOr<RunPage> ListRuns(const RunFilter& filter) override {
    if (filter.page_size < 1) return absl::InvalidArgumentError("page_size: must be positive");
    std::pair<int64_t, std::string> after;
    if (!filter.page_token.empty()) {
      auto decoded = run_store_internal::DecodePageToken(filter.page_token);
      if (!decoded.ok()) return decoded.status();
      after = *std::move(decoded);
    }
    absl::MutexLock lock(&mu_);
    StmtUse list(list_runs_);
    sqlite3_bind_int(list.get(), 1, static_cast<int>(filter.state));
    BindText(list.get(), 2, filter.template_name);
    if (!filter.page_token.empty()) {
      sqlite3_bind_int64(list.get(), 3, after.first);
      BindText(list.get(), 4, after.second);
    }
    // One more than the page: whether it exists decides if there is a next page.
    sqlite3_bind_int64(list.get(), 5, static_cast<int64_t>(filter.page_size) + 1);
    RunPage page;
    int64_t last_create_time_us = 0;
    std::string last_run_id;
    int rc;
    while ((rc = sqlite3_step(list.get())) == SQLITE_ROW) {
      if (static_cast<int>(page.runs.size()) == filter.page_size) {
        page.next_page_token =
            run_store_internal::EncodePageToken(last_create_time_us, last_run_id);
        break;
      }
      last_run_id = ColumnText(list.get(), 0);
      last_create_time_us = sqlite3_column_int64(list.get(), 1);
      absl::string_view blob = ColumnBlob(list.get(), 2);
      if (!page.runs.emplace_back().ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
        return Corrupt(last_run_id);
      }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Error(rc, "list runs");
    return page;
  }

  absl::StatusOr<std::vector<v1::Run>> ActiveRuns() override {
    absl::MutexLock lock(&mu_);
    if (absl::Status begun = Exec("BEGIN"); !begun.ok()) return begun;
    absl::StatusOr<std::vector<v1::Run>> active = ActiveRunsInTransaction();
    sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
    return active;
  }

  std::string Describe() const override { return path_; }

 private:
  SqliteRunStore(std::string path, Db db) : path_(std::move(path)), db_(std::move(db)) {}

  absl::Status Init() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CheckOrCreateSchema() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Prepare(const char* sql, Stmt& stmt) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Status UpdateRunLocked(const v1::Run& run) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    StmtUse update(update_run_);
    BindRunColumns(update.get(), run);
    int rc = sqlite3_step(update.get());
    if (rc != SQLITE_DONE) return Error(rc, "update run");
    if (sqlite3_changes(db_.get()) == 0) return NotFound(run.run_id());
    return absl::OkStatus();
  }

  absl::Status AddIntervalInTransaction(const v1::Run& run, const v1::IntervalResult& interval)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int64_t stored = 0;
    {
      StmtUse count(count_intervals_);
      BindText(count.get(), 1, run.run_id());
      int rc = sqlite3_step(count.get());
      if (rc != SQLITE_ROW) return Error(rc, "count intervals");
      // The run's own row comes back as column 1 (NULL when the run does not exist).
      if (sqlite3_column_type(count.get(), 1) == SQLITE_NULL) return NotFound(run.run_id());
      stored = sqlite3_column_int64(count.get(), 0);
    }
    int64_t next = stored + 1;
    if (interval.index() < next) {
      return absl::AlreadyExistsError(absl::StrCat(path_, ": run ", run.run_id(), ": interval ",
                                                   interval.index(), " already judged"));
    }
    if (interval.index() > next) {
      return absl::FailedPreconditionError(absl::StrCat(
          path_, ": run ", run.run_id(), ": interval ", interval.index(), " skips ", next));
    }
    {
      StmtUse insert(insert_interval_);
      BindText(insert.get(), 1, run.run_id());
      sqlite3_bind_int64(insert.get(), 2, interval.index());
      BindBlob(insert.get(), 3, interval.SerializeAsString());
      int rc = sqlite3_step(insert.get());
      if (rc != SQLITE_DONE) return Error(rc, "insert interval");
    }
    return UpdateRunLocked(run);
  }

  absl::StatusOr<v1::Run> GetRunLocked(const std::string& run_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    StmtUse select(select_run_);
    BindText(select.get(), 1, run_id);
    int rc = sqlite3_step(select.get());
    if (rc == SQLITE_DONE) return NotFound(run_id);
    if (rc != SQLITE_ROW) return Error(rc, "read run");
    absl::string_view blob = ColumnBlob(select.get(), 0);
    v1::Run run;
    if (!run.ParseFromArray(blob.data(), static_cast<int>(blob.size()))) return Corrupt(run_id);
    return run;
  }

  absl::Status AppendIntervals(v1::Run& run) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    StmtUse select(select_intervals_);
    BindText(select.get(), 1, run.run_id());
    int rc;
    while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
      absl::string_view blob = ColumnBlob(select.get(), 0);
      if (!run.add_intervals()->ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
        return Corrupt(run.run_id());
      }
    }
    if (rc != SQLITE_DONE) return Error(rc, "read intervals");
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<v1::Run>> ActiveRunsInTransaction()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    std::vector<v1::Run> active;
    {
      StmtUse select(select_active_);
      sqlite3_bind_int(select.get(), 1, v1::RUN_STATE_RUNNING);
      int rc;
      while ((rc = sqlite3_step(select.get())) == SQLITE_ROW) {
        absl::string_view blob = ColumnBlob(select.get(), 1);
        if (!active.emplace_back().ParseFromArray(blob.data(), static_cast<int>(blob.size()))) {
          return Corrupt(ColumnText(select.get(), 0));
        }
      }
      if (rc != SQLITE_DONE) return Error(rc, "list active runs");
    }
    for (v1::Run& run : active) {
      if (absl::Status read = AppendIntervals(run); !read.ok()) return read;
    }
    return active;
  }

  void BindRunColumns(sqlite3_stmt* stmt, const v1::Run& run) {
    BindText(stmt, 1, run.run_id());
    BindText(stmt, 2, run.template_name());
    sqlite3_bind_int(stmt, 3, static_cast<int>(run.state()));
    sqlite3_bind_int64(stmt, 4, CreateTimeMicros(run));
    BindBlob(stmt, 5, Serialized(run));
  }

  absl::Status Exec(const char* sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    return absl::OkStatus();
  }

  // After a failed step SQLite may already have rolled the transaction back itself.
  void RollbackIfOpen() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!sqlite3_get_autocommit(db_.get())) {
      sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
  }

  // The status for a failed SQLite call, by what the caller can do about it. Reads the
  // connection's last error, so call it before any other SQLite call.
  absl::Status Error(int rc, absl::string_view what) const {
    std::string message = absl::StrCat(path_, ": ", what, ": ", sqlite3_errmsg(db_.get()));
    switch (rc & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return absl::UnavailableError(absl::StrCat(message, " (another process holds it)"));
      case SQLITE_NOTADB:
        return absl::FailedPreconditionError(
            absl::StrCat(path_, ": not an augur run store (", sqlite3_errmsg(db_.get()), ")"));
      case SQLITE_CORRUPT:
        return absl::DataLossError(message);
      case SQLITE_CANTOPEN:
      case SQLITE_PERM:
      case SQLITE_READONLY:
        return absl::FailedPreconditionError(message);
      default:
        return absl::InternalError(message);
    }
  }

  absl::Status Corrupt(absl::string_view run_id) const {
    return absl::DataLossError(
        absl::StrCat(path_, ": run ", run_id, ": stored record does not parse"));
  }

  absl::Status NotFound(absl::string_view run_id) const {
    return absl::NotFoundError(absl::StrCat("run ", run_id, " not found in ", path_));
  }

  const std::string path_;
  // One connection for the process: the server writes rarely, so serializing calls costs little.
  absl::Mutex mu_;
  Db db_ ABSL_GUARDED_BY(mu_);
  Stmt insert_run_ ABSL_GUARDED_BY(mu_);
  Stmt update_run_ ABSL_GUARDED_BY(mu_);
  Stmt select_run_ ABSL_GUARDED_BY(mu_);
  Stmt count_intervals_ ABSL_GUARDED_BY(mu_);
  Stmt insert_interval_ ABSL_GUARDED_BY(mu_);
  Stmt select_intervals_ ABSL_GUARDED_BY(mu_);
  Stmt list_runs_ ABSL_GUARDED_BY(mu_);
  Stmt select_active_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<std::unique_ptr<RunStore>> SqliteRunStore::Open(const std::string& data_dir) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec || !std::filesystem::is_directory(data_dir)) {
    return absl::FailedPreconditionError(absl::StrCat("cannot create the data directory ", data_dir,
                                                      ": ", ec ? ec.message() : "not a directory"));
  }
  std::string path = (std::filesystem::path(data_dir) / "runs.db").string();
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  Db db(raw);  // closed on every path, even when opening failed
  if (rc != SQLITE_OK) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": cannot open: ", raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  std::unique_ptr<SqliteRunStore> store(new SqliteRunStore(path, std::move(db)));
  absl::Status init;
  {
    absl::MutexLock lock(&store->mu_);
    init = store->Init();
  }
  if (!init.ok()) return init;
  return std::unique_ptr<RunStore>(std::move(store));
}

absl::Status SqliteRunStore::Init() {
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  sqlite3_extended_result_codes(db_.get(), 1);

  // SQLite reads the file lazily: this is where a file that is not a database shows up.
  // The check, and creating the schema, happen under one write lock so two processes opening a
  // new file at once do not both create it.
  if (absl::Status begun = Exec("BEGIN IMMEDIATE"); !begun.ok()) return begun;
  absl::Status status = CheckOrCreateSchema();
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok()) {
    RollbackIfOpen();
    return status;
  }

  // WAL lets readers in other processes (backups, `sqlite3` by hand) run alongside the server;
  // FULL makes every commit fsync the log, so a returned write survives a crash or power loss.
  {
    Stmt wal;
    if (absl::Status s = Prepare("PRAGMA journal_mode = WAL", wal); !s.ok()) return s;
    int rc = sqlite3_step(wal.get());
    if (rc != SQLITE_ROW) return Error(rc, "set journal_mode=WAL");
    if (std::string mode = ColumnText(wal.get(), 0); mode != "wal") {
      return absl::FailedPreconditionError(
          absl::StrCat(path_, ": cannot use WAL journal mode (got ", mode, ")"));
    }
  }
  if (absl::Status s = Exec("PRAGMA synchronous = FULL"); !s.ok()) return s;

  const std::pair<const char*, Stmt*> statements[] = {
      {"INSERT INTO runs (run_id, template_name, state, create_time_us, run) "
       "VALUES (?1, ?2, ?3, ?4, ?5)",
       &insert_run_},
      {"UPDATE runs SET template_name = ?2, state = ?3, create_time_us = ?4, run = ?5 "
       "WHERE run_id = ?1",
       &update_run_},
      {"SELECT run FROM runs WHERE run_id = ?1", &select_run_},
      {"SELECT (SELECT count(*) FROM intervals WHERE run_id = ?1), "
       "(SELECT 1 FROM runs WHERE run_id = ?1)",
       &count_intervals_},
      {"INSERT INTO intervals (run_id, idx, result) VALUES (?1, ?2, ?3)", &insert_interval_},
      {"SELECT result FROM intervals WHERE run_id = ?1 ORDER BY idx", &select_intervals_},
      {kListRuns, &list_runs_},
      // Oldest first: the order a restarted server resumes them in.
      {"SELECT run_id, run FROM runs WHERE state = ?1 ORDER BY create_time_us, run_id",
       &select_active_},
  };
  for (const auto& [sql, stmt] : statements) {
    if (absl::Status s = Prepare(sql, *stmt); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Inside the transaction Init opens.
absl::Status SqliteRunStore::CheckOrCreateSchema() {
  Stmt version_stmt;
  if (absl::Status s = Prepare("PRAGMA user_version", version_stmt); !s.ok()) return s;
  int rc = sqlite3_step(version_stmt.get());
  if (rc != SQLITE_ROW) return Error(rc, "read schema version");
  int version = sqlite3_column_int(version_stmt.get(), 0);
  if (version > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(path_, ": schema version ", version,
                                                      " is newer than this augur's (",
                                                      kSchemaVersion, "); use a newer augur"));
  }
  if (version == kSchemaVersion) return absl::OkStatus();
  // Version 0: a new, empty file, unless it holds someone else's tables.
  Stmt tables_stmt;
  if (absl::Status s = Prepare("SELECT count(*) FROM sqlite_master", tables_stmt); !s.ok()) {
    return s;
  }
  rc = sqlite3_step(tables_stmt.get());
  if (rc != SQLITE_ROW) return Error(rc, "read schema");
  if (sqlite3_column_int64(tables_stmt.get(), 0) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path_, ": not an augur run store (it holds other tables)"));
  }
  return Exec(kCreateSchema);
}

absl::Status SqliteRunStore::Prepare(const char* sql, Stmt& stmt) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt.reset(raw);
  if (rc != SQLITE_OK) return Error(rc, absl::StrCat("prepare ", sql));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<RunStore>> OpenSqliteRunStore(const std::string& data_dir) {
  return SqliteRunStore::Open(data_dir);
}

}  // namespace augur::service
