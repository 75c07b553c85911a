// The SQLite store: every evaluation, and every search run with the points it visited.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/search/score.hpp"

struct sqlite3;

namespace vitdse::store {

/// One search run as recorded in the `runs` table.
struct RunRecord {
  std::string id;      ///< e.g. "mcts-s1-3fa2c9d01b7e" (deterministic for one configuration)
  std::string algo;    ///< mcts | random | nsga2 | greedy
  std::string policy;  ///< policy name or path
  std::string model;   ///< model card name
  std::string args;    ///< the command line, for people
  std::string config;  ///< the resolved configuration (YAML text)
  std::uint64_t seed = 0;
  std::int64_t budget = 0;
  std::string status;            ///< running | done | interrupted | failed
  std::string started;           ///< UTC, ISO 8601, set by begin_run
  std::string finished;          ///< UTC, ISO 8601, set by finish_run; empty while running
  std::int64_t evaluations = 0;  ///< distinct designs the run scored
  std::int64_t cache_hits = 0;   ///< of those, how many came from the cache
};

/// A design the store holds, with its score.
struct StoredPoint {
  std::string key;          ///< cache key (context + design)
  std::string design_hash;  ///< model::design_hash
  std::string canonical;    ///< model::canonical_json
  search::Score score;
};

/// One SQLite database file (WAL mode, so several processes may share it). Every write is one
/// transaction, committed at once; a failed one (a full disk) is rolled back, so the file keeps every
/// earlier commit. A write that finds another process writing waits for it (up to a minute) and
/// counts the wait in busy_retries(). Opening a file that is not SQLite, or a SQLite database that is not
/// vitdse's, or one of a newer schema, throws an Error naming the file and the problem.
/// Thread-safe: calls are serialised on one connection.
///
///     Database db("vitdse.sqlite");
///     if (auto s = db.lookup(key)) ...; else db.insert(point);
class Database {
 public:
  explicit Database(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  // ---- evaluations (the cache), keyed by Scoring::key() (search::cache_key)
  [[nodiscard]] std::optional<search::Score> lookup(const std::string& key) const;
  /// Stores a point; a key already present is left as it is (another process may have scored it).
  void insert(const std::string& context, const StoredPoint& point);
  [[nodiscard]] std::int64_t evaluation_count() const;

  // ---- runs
  /// Records a new run, or marks a run of the same id as running again: a resumed run keeps its
  /// first start time, and its points are cleared, since it replays its search and records them
  /// again (every evaluation it made before comes from the cache).
  void begin_run(const RunRecord& run);
  /// Appends the `seq`-th distinct point the run visited (idempotent on (run, seq)).
  void record_point(const std::string& run_id, std::int64_t seq, const std::string& key);
  /// Appends points first_seq, first_seq + 1, ... in one transaction (one commit for a batch).
  void record_points(const std::string& run_id, std::int64_t first_seq, const std::vector<std::string>& keys);
  void finish_run(const std::string& run_id, const std::string& status, std::int64_t evaluations,
                  std::int64_t cache_hits);
  /// Replaces a run's recorded configuration (a search adds its final re-scoring's context).
  void set_run_config(const std::string& run_id, const std::string& config);
  /// All runs, oldest first.
  [[nodiscard]] std::vector<RunRecord> runs() const;
  [[nodiscard]] std::optional<RunRecord> run(const std::string& id) const;
  /// The run's points in visiting order, with their scores.
  [[nodiscard]] std::vector<StoredPoint> run_points(const std::string& run_id) const;

  /// How many times this connection has waited for another process's lock (SQLITE_BUSY retries).
  [[nodiscard]] std::int64_t busy_retries() const;

 private:
  /// SQLite's busy handler: sleeps and retries until the timeout, counting each retry.
  static int on_busy(void* self, int attempts);

  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
  std::int64_t busy_retries_ = 0;
  std::chrono::steady_clock::time_point busy_since_;
};

}  // namespace vitdse::store
