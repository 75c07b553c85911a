// The SQLite store: schema, identification of the file, and the evaluation and run tables.
#include "vitdse/store/database.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <utility>

#include <spdlog/spdlog.h>

#include "vitdse/core/error.hpp"

namespace vitdse::store {

namespace {

// "vdse" in the header's application_id field marks a file as ours.
constexpr int kApplicationId = 0x76647365;
// The schema this build writes and reads (PRAGMA user_version). 2 added evaluations.mult_power,
// 3 evaluations.snr_db.
constexpr int kSchemaVersion = 3;
// Long enough for another process to finish a batch of writes; WAL keeps readers from waiting.
constexpr auto kBusyTimeout = std::chrono::seconds(60);

constexpr const char* kSchema[] = {
    ("CREATE TABLE IF NOT EXISTS evaluations(key TEXT PRIMARY KEY, context TEXT NOT NULL, design_hash TEXT NOT NULL, "
     "canonical TEXT NOT NULL, top1_pct REAL, agreement_pct REAL, kl_mean REAL, energy_uJ REAL, area_mm2 REAL, "
     "latency_ms REAL, power_mW REAL, eval_s REAL, created TEXT, mult_power REAL, snr_db REAL)"),
    ("CREATE TABLE IF NOT EXISTS runs(id TEXT PRIMARY KEY, algo TEXT, policy TEXT, model TEXT, args TEXT, config TEXT, "
     "seed INTEGER, budget INTEGER, status TEXT, started TEXT, finished TEXT, evaluations INTEGER, cache_hits "
     "INTEGER)"),
    "CREATE TABLE IF NOT EXISTS run_points(run_id TEXT, seq INTEGER, key TEXT, PRIMARY KEY(run_id, seq))",
};

// UTC now as ISO 8601, computed by SQLite so no thread-unsafe gmtime is needed.
constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";

// What each schema version adds to the one before it (index 0: from version 1 to 2). A row
// written before a figure existed holds NULL there: it is incomplete, found by no look-up, and
// completed when its design is scored again.
constexpr const char* kMigrations[] = {
    "ALTER TABLE evaluations ADD COLUMN mult_power REAL",
    "ALTER TABLE evaluations ADD COLUMN snr_db REAL",
};
static_assert(std::size(kMigrations) == kSchemaVersion - 1, "one migration per version after the first");

constexpr const char* kScoreColumns =
    "top1_pct, agreement_pct, kl_mean, energy_uJ, area_mm2, latency_ms, power_mW, eval_s, mult_power, snr_db";
constexpr int kScoreColumnCount = 10;
// A row is complete when it holds every figure: older rows lack the later ones (NULL).
constexpr const char* kComplete = "mult_power IS NOT NULL AND snr_db IS NOT NULL";

constexpr const char* kRunColumns =
    "id, algo, policy, model, args, config, seed, budget, status, started, finished, evaluations, cache_hits";

/// SQLite's message for the connection's last failure, with the system's reason where the file
/// system failed ("database or disk is full (No space left on device)").
std::string sqlite_reason(sqlite3* db) {
  std::string reason = sqlite3_errmsg(db);
  const int code = sqlite3_errcode(db);
  const int err = sqlite3_system_errno(db);
  if (err != 0 && (code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_CANTOPEN || code == SQLITE_READONLY))
    reason += std::string(" (") + std::strerror(err) + ")";
  return reason;
}

/// The connection's last failure as an Error naming the file and the task.
Error failure(sqlite3* db, const std::filesystem::path& path, const std::string& what) {
  // Any statement is the first to touch the file, so any of them may find it is not SQLite.
  if (sqlite3_errcode(db) == SQLITE_NOTADB)
    return Error(path.string() + " is not a vitdse database: " + sqlite3_errmsg(db));
  return Error(path.string() + ": " + what + ": " + sqlite_reason(db));
}

/// One prepared statement, finalised on scope exit. Failures throw Error naming the file and the task.
class Statement {
 public:
  Statement(sqlite3* db, const std::filesystem::path& path, const std::string& sql, std::string what)
      : db_(db), path_(path), what_(std::move(what)) {
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) fail();
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Text is bound without a copy (SQLITE_STATIC): callers keep the strings alive until the statement ends.
  void bind_text(int i, const std::string& s) {
    if (s.size() > static_cast<std::size_t>(INT_MAX))
      throw Error(path_.string() + ": " + what_ + ": a text value of " + std::to_string(s.size()) +
                  " bytes is too long");
    check(sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), nullptr));
  }
  void bind_int(int i, std::int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  // SQLite stores NaN as NULL, which real() turns back into NaN. Other doubles come back bit for bit, except that
  // -0.0 comes back as 0.0 (SQLite stores integral reals as integers); the two compare equal.
  void bind_real(int i, double v) {
    check(std::isnan(v) ? sqlite3_bind_null(stmt_, i) : sqlite3_bind_double(stmt_, i, v));
  }

  /// Advances; true while a row is ready.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail();
    return false;
  }
  /// Advances and returns SQLite's code, for callers that handle some failures themselves.
  int step_code() { return sqlite3_step(stmt_); }
  void run() {
    while (step()) {
    }
  }

  [[nodiscard]] std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] double real(int col) const {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::numeric_limits<double>::quiet_NaN();
    return sqlite3_column_double(stmt_, col);
  }

  /// Throws Error for the connection's last failure.
  [[noreturn]] void fail() const { throw failure(db_, path_, what_); }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) fail();
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  const std::filesystem::path& path_;
  std::string what_;
};

void exec(sqlite3* db, const std::filesystem::path& path, const std::string& sql, const std::string& what) {
  Statement(db, path, sql, what).run();
}

std::int64_t query_int(sqlite3* db, const std::filesystem::path& path, const std::string& sql,
                       const std::string& what) {
  Statement st(db, path, sql, what);
  if (!st.step()) throw Error(path.string() + ": " + what + ": no result");
  return st.integer(0);
}

/// BEGIN IMMEDIATE ... COMMIT, rolled back when left by an exception. IMMEDIATE takes the write lock
/// at the start, through the busy handler, so a write never fails halfway because another process
/// wrote first; a failed write (a full disk) leaves the file as the last commit left it.
class Transaction {
 public:
  Transaction(sqlite3* db, const std::filesystem::path& path, std::string what)
      : db_(db), path_(path), what_(std::move(what)) {
    exec(db_, path_, "BEGIN IMMEDIATE", what_);
  }
  ~Transaction() {
    // A failed COMMIT may already have rolled back; only an open transaction needs it.
    if (sqlite3_get_autocommit(db_) == 0) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit() { exec(db_, path_, "COMMIT", what_); }

 private:
  sqlite3* db_;
  const std::filesystem::path& path_;
  std::string what_;
};

/// What the file says it is.
struct Identity {
  std::int64_t application_id = 0;
  std::int64_t user_version = 0;
  std::int64_t tables = 0;  ///< schema objects of any kind
};

Identity identify(sqlite3* db, const std::filesystem::path& path) {
  // One statement, so one snapshot: another process may create the schema between two separate reads.
  Statement st(db, path,
               "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM "
               "pragma_user_version), (SELECT count(*) FROM sqlite_master)",
               "reading the header");
  if (!st.step()) throw Error(path.string() + ": reading the header: no result");
  return {st.integer(0), st.integer(1), st.integer(2)};
}

std::string hex32(std::int64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const auto u = static_cast<std::uint32_t>(v);
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += kDigits[(u >> shift) & 0xfu];
  return s;
}

/// True when the file is ours but still needs its schema (a new file); throws when it is not ours or too new.
bool needs_schema(const Identity& id, const std::filesystem::path& path) {
  if (id.application_id == kApplicationId) {
    // Every file vitdse writes records a schema from 1 on, in the transaction that marks it as ours.
    if (id.user_version < 1)
      throw Error(path.string() + " is marked as a vitdse database but records schema " +
                  std::to_string(id.user_version) + ", which no vitdse wrote; use another file");
    if (id.user_version > kSchemaVersion)
      throw Error(path.string() + " was written by a newer vitdse (schema " + std::to_string(id.user_version) +
                  "; this build reads schema " + std::to_string(kSchemaVersion) +
                  "); upgrade vitdse or use another file");
    return id.user_version < kSchemaVersion;
  }
  if (id.application_id == 0 && id.tables == 0) return true;
  throw Error(path.string() + " is not a vitdse database (application_id " + hex32(id.application_id) +
              (id.application_id == 0 ? " with tables of its own" : "") + ", expected " + hex32(kApplicationId) +
              "); choose another file");
}

/// Creates the schema of a new file, or migrates an older one in place, keeping its rows. Two
/// processes may race here: BEGIN IMMEDIATE lets one in at a time, and the second finds the work
/// done when it looks again.
void create_schema(sqlite3* db, const std::filesystem::path& path) {
  Transaction transaction(db, path, "creating the schema");
  const Identity id = identify(db, path);
  if (needs_schema(id, path)) {
    if (id.application_id == kApplicationId) {
      for (auto v = id.user_version; v < kSchemaVersion; ++v) {
        exec(db, path, kMigrations[v - 1], "migrating the schema to version " + std::to_string(v + 1));
      }
    } else {
      for (const char* sql : kSchema) exec(db, path, sql, "creating the schema");
      exec(db, path, "PRAGMA application_id = " + std::to_string(kApplicationId), "creating the schema");
    }
    exec(db, path, "PRAGMA user_version = " + std::to_string(kSchemaVersion), "creating the schema");
  }
  transaction.commit();
}

/// Switches the file to WAL (a setting stored in the file). The switch needs the file to itself for a moment and
/// does not go through the busy handler, so it is retried (and counted) for as long as the busy timeout allows.
void use_wal(sqlite3* db, const std::filesystem::path& path, std::int64_t& retries) {
  constexpr int kRetryMs = 10;
  std::string mode;
  for (int waited = 0;; waited += kRetryMs) {
    Statement st(db, path, "PRAGMA journal_mode=WAL", "switching to WAL");
    const int rc = st.step_code();
    if (rc == SQLITE_ROW) {
      mode = st.text(0);
      break;
    }
    if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::milliseconds(waited) >= kBusyTimeout) st.fail();
    ++retries;
    sqlite3_sleep(kRetryMs);
  }
  if (mode != "wal")
    throw Error(path.string() + ": cannot use WAL journaling (journal mode is '" + mode +
                "'); put the database on a local file system");
}

void bind_score(Statement& st, int first, const search::Score& s) {
  const double values[kScoreColumnCount] = {s.top1_pct,   s.agreement_pct, s.kl_mean, s.energy_uJ, s.area_mm2,
                                            s.latency_ms, s.power_mW,      s.eval_s,  s.mult_power};
  for (int i = 0; i < kScoreColumnCount; ++i) st.bind_real(first + i, values[i]);
}

search::Score read_score(const Statement& st, int first) {
  search::Score s;
  s.top1_pct = st.real(first);
  s.agreement_pct = st.real(first + 1);
  s.kl_mean = st.real(first + 2);
  s.energy_uJ = st.real(first + 3);
  s.area_mm2 = st.real(first + 4);
  s.latency_ms = st.real(first + 5);
  s.power_mW = st.real(first + 6);
  s.eval_s = st.real(first + 7);
  s.mult_power = st.real(first + 8);
  s.snr_db = st.real(first + 9);
  return s;
}

RunRecord read_run(const Statement& st) {
  RunRecord r;
  r.id = st.text(0);
  r.algo = st.text(1);
  r.policy = st.text(2);
  r.model = st.text(3);
  r.args = st.text(4);
  r.config = st.text(5);
  // The seed is stored as the int64 with the same bits, so every uint64 round-trips.
  r.seed = std::bit_cast<std::uint64_t>(st.integer(6));
  r.budget = st.integer(7);
  r.status = st.text(8);
  r.started = st.text(9);
  r.finished = st.text(10);
  r.evaluations = st.integer(11);
  r.cache_hits = st.integer(12);
  return r;
}

}  // namespace

Database::Database(const std::filesystem::path& path) : path_(path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  const int rc = sqlite3_open_v2(path_.string().c_str(), &db_, flags, nullptr);
  try {
    if (rc != SQLITE_OK) {
      // SQLite's last errno is that of its read-only retry; the directory says why the file cannot be made.
      const auto dir = path_.has_parent_path() ? path_.parent_path() : std::filesystem::path(".");
      std::string reason = sqlite_reason(db_);
      if (!std::filesystem::exists(path_) && ::access(dir.c_str(), W_OK) != 0)
        reason = "cannot create a file in '" + dir.string() + "': " + std::strerror(errno);
      throw Error(path_.string() + ": cannot open the database: " + reason +
                  "; check that its directory exists and is writable");
    }
    // READWRITE silently falls back to read-only for a write-protected file; fail now, not on the first write.
    if (sqlite3_db_readonly(db_, "main") == 1)
      throw Error(path_.string() + ": the database is read-only; vitdse needs to write to it");
    sqlite3_busy_handler(db_, &Database::on_busy, this);

    // Look before changing anything, so a foreign file is left as it was.
    if (needs_schema(identify(db_, path_), path_)) create_schema(db_, path_);

    use_wal(db_, path_, busy_retries_);
    exec(db_, path_, "PRAGMA synchronous=NORMAL", "configuring the connection");
    exec(db_, path_, "PRAGMA foreign_keys=ON", "configuring the connection");
  } catch (...) {
    // The destructor does not run for a half-built object.
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database() {
  if (busy_retries_ > 0) spdlog::debug("{}: waited {} times for another process's lock", path_.string(), busy_retries_);
  sqlite3_close_v2(db_);
}

int Database::on_busy(void* self, int attempts) {
  auto& db = *static_cast<Database*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (attempts == 0) db.busy_since_ = now;             // a new wait
  if (now - db.busy_since_ >= kBusyTimeout) return 0;  // give up: the statement fails with SQLITE_BUSY
  ++db.busy_retries_;
  // Short sleeps first (another writer's commit takes about a millisecond), then up to 20 ms.
  sqlite3_sleep(std::min(1 << std::min(attempts, 4), 20));
  return 1;
}

std::int64_t Database::busy_retries() const {
  std::lock_guard lock(mutex_);
  return busy_retries_;
}

std::optional<search::Score> Database::lookup(const std::string& key) const {
  std::lock_guard lock(mutex_);
  Statement st(db_, path_, std::string("SELECT ") + kScoreColumns + " FROM evaluations WHERE key = ?1 AND " + kComplete,
               "looking up an evaluation");
  st.bind_text(1, key);
  if (!st.step()) return std::nullopt;
  return read_score(st, 0);
}

void Database::insert(const std::string& context, const StoredPoint& point) {
  std::lock_guard lock(mutex_);
  Transaction transaction(db_, path_, "storing an evaluation");
  Statement st(db_, path_,
               std::string("INSERT INTO evaluations(key, context, design_hash, canonical, ") + kScoreColumns +
                   ", created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, " + kNow +
                   ") ON CONFLICT(key) DO UPDATE SET top1_pct = excluded.top1_pct, agreement_pct = "
                   "excluded.agreement_pct, kl_mean = excluded.kl_mean, energy_uJ = excluded.energy_uJ, area_mm2 = "
                   "excluded.area_mm2, latency_ms = excluded.latency_ms, power_mW = excluded.power_mW, eval_s = "
                   "excluded.eval_s, mult_power = excluded.mult_power, snr_db = excluded.snr_db WHERE NOT (" +
                   kComplete + ")",
               "storing an evaluation");
  st.bind_text(1, point.key);
  st.bind_text(2, context);
  st.bind_text(3, point.design_hash);
  st.bind_text(4, point.canonical);
  bind_score(st, 5, point.score);
  st.run();
  transaction.commit();
}

std::int64_t Database::evaluation_count() const {
  std::lock_guard lock(mutex_);
  return query_int(db_, path_, "SELECT count(*) FROM evaluations", "counting evaluations");
}

void Database::begin_run(const RunRecord& run) {
  std::lock_guard lock(mutex_);
  // One transaction: a run is never marked running with the points of its last attempt.
  Transaction transaction(db_, path_, "recording run '" + run.id + "'");
  Statement st(db_, path_,
               std::string("INSERT INTO runs(id, algo, policy, model, args, config, seed, budget, status, started, "
                           "finished, evaluations, cache_hits) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'running', ") +
                   kNow +
                   ", NULL, 0, 0) ON CONFLICT(id) DO UPDATE SET status = 'running', finished = NULL, "
                   "args = excluded.args, config = excluded.config",
               "recording run '" + run.id + "'");
  st.bind_text(1, run.id);
  st.bind_text(2, run.algo);
  st.bind_text(3, run.policy);
  st.bind_text(4, run.model);
  st.bind_text(5, run.args);
  st.bind_text(6, run.config);
  st.bind_int(7, std::bit_cast<std::int64_t>(run.seed));
  st.bind_int(8, run.budget);
  st.run();
  // A resumed run replays its search from the start and records its points again.
  Statement clear(db_, path_, "DELETE FROM run_points WHERE run_id = ?1",
                  "clearing the points of run '" + run.id + "'");
  clear.bind_text(1, run.id);
  clear.run();
  transaction.commit();
}

void Database::record_point(const std::string& run_id, std::int64_t seq, const std::string& key) {
  record_points(run_id, seq, {key});
}

void Database::record_points(const std::string& run_id, std::int64_t first_seq, const std::vector<std::string>& keys) {
  if (keys.empty()) return;
  std::lock_guard lock(mutex_);
  const std::string what = "recording points of run '" + run_id + "'";
  Transaction transaction(db_, path_, what);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Statement st(db_, path_, "INSERT OR IGNORE INTO run_points(run_id, seq, key) VALUES (?1, ?2, ?3)", what);
    st.bind_text(1, run_id);
    st.bind_int(2, first_seq + static_cast<std::int64_t>(i));
    st.bind_text(3, keys[i]);
    st.run();
  }
  transaction.commit();
}

void Database::set_run_config(const std::string& run_id, const std::string& config) {
  std::lock_guard lock(mutex_);
  const std::string what = "updating the configuration of run '" + run_id + "'";
  Transaction transaction(db_, path_, what);
  Statement st(db_, path_, "UPDATE runs SET config = ?2 WHERE id = ?1", what);
  st.bind_text(1, run_id);
  st.bind_text(2, config);
  st.run();
  if (sqlite3_changes(db_) == 0) throw Error(path_.string() + ": " + what + ": no such run; begin_run was not called");
  transaction.commit();
}

void Database::finish_run(const std::string& run_id, const std::string& status, std::int64_t evaluations,
                          std::int64_t cache_hits) {
  std::lock_guard lock(mutex_);
  const std::string what = "finishing run '" + run_id + "'";
  Transaction transaction(db_, path_, what);
  Statement st(db_, path_,
               std::string("UPDATE runs SET status = ?2, finished = ") + kNow +
                   ", evaluations = ?3, cache_hits = ?4 WHERE id = ?1",
               what);
  st.bind_text(1, run_id);
  st.bind_text(2, status);
  st.bind_int(3, evaluations);
  st.bind_int(4, cache_hits);
  st.run();
  // A run that was never begun would otherwise vanish without a trace.
  if (sqlite3_changes(db_) == 0) throw Error(path_.string() + ": " + what + ": no such run; begin_run was not called");
  transaction.commit();
}

std::vector<RunRecord> Database::runs() const {
  std::lock_guard lock(mutex_);
  Statement st(db_, path_, std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY started, id", "listing runs");
  std::vector<RunRecord> out;
  while (st.step()) out.push_back(read_run(st));
  return out;
}

std::optional<RunRecord> Database::run(const std::string& id) const {
  std::lock_guard lock(mutex_);
  Statement st(db_, path_, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?1",
               "reading run '" + id + "'");
  st.bind_text(1, id);
  if (!st.step()) return std::nullopt;
  return read_run(st);
}

std::vector<StoredPoint> Database::run_points(const std::string& run_id) const {
  std::lock_guard lock(mutex_);
  // An inner join: a point whose evaluation is not in this file has no score to show.
  Statement st(
      db_, path_,
      "SELECT e.key, e.design_hash, e.canonical, e.top1_pct, e.agreement_pct, e.kl_mean, e.energy_uJ, "
      "e.area_mm2, e.latency_ms, e.power_mW, e.eval_s, e.mult_power, e.snr_db FROM run_points p JOIN evaluations e ON "
      "e.key = p.key "
      "WHERE p.run_id = ?1 ORDER BY p.seq",
      "reading the points of run '" + run_id + "'");
  st.bind_text(1, run_id);
  std::vector<StoredPoint> out;
  while (st.step()) {
    StoredPoint p;
    p.key = st.text(0);
    p.design_hash = st.text(1);
    p.canonical = st.text(2);
    p.score = read_score(st, 3);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace vitdse::store
