// The SQLite store: bit-exact scores, persistence, runs, rejection of foreign files, and sharing.
#include "vitdse/store/database.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#ifdef __unix__
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "process_util.hpp"
#include "test_util.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::store {

namespace {

using test::TempDir;

/// A point whose scores all derive from `x`, so two points with different `x` differ everywhere.
StoredPoint make_point(const std::string& key, double x) {
  StoredPoint p;
  p.key = key;
  p.design_hash = "hash-" + key;
  p.canonical = "{\"key\":\"" + key + "\"}";
  p.score = {x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, x + 9};
  return p;
}

std::vector<double> fields(const search::Score& s) {
  return {s.top1_pct,   s.agreement_pct, s.kl_mean, s.energy_uJ, s.area_mm2,
          s.latency_ms, s.power_mW,      s.eval_s,  s.mult_power};
}

void expect_same_bits(const search::Score& a, const search::Score& b) {
  const auto fa = fields(a), fb = fields(b);
  for (std::size_t i = 0; i < fa.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(fa[i]), std::bit_cast<std::uint64_t>(fb[i])) << "field " << i;
}

/// A plain SQLite connection, to build foreign files and to look behind the store's back.
class RawDb {
 public:
  explicit RawDb(const std::filesystem::path& path) {
    if (sqlite3_open(path.string().c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << sqlite3_errmsg(db_);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) ADD_FAILURE() << sql << ": " << err;
    sqlite3_free(err);
  }
  /// The first column of the first row, as text.
  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    else
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

/// Opening `path` must throw an Error of one line that names the file and contains `fragment`.
void expect_rejected(const std::filesystem::path& path, const std::string& fragment) {
  try {
    Database db(path);
    ADD_FAILURE() << path << " was opened; expected an error containing '" << fragment << "'";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected vitdse::Error, got: " << e.what();
  }
}

/// Inserts `n` keys "<prefix>-i" and the shared keys "shared-0".."shared-<shared-1>".
void fill(Database& db, const std::string& prefix, int n, int shared, double x) {
  for (int i = 0; i < n; ++i) db.insert("ctx", make_point(prefix + "-" + std::to_string(i), x + i));
  for (int i = 0; i < shared; ++i) db.insert("ctx", make_point("shared-" + std::to_string(i), x));
}

/// True for "YYYY-MM-DDTHH:MM:SSZ".
bool is_utc_time(const std::string& s) {
  const std::string shape = "0000-00-00T00:00:00Z";
  if (s.size() != shape.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (shape[i] == '0' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != shape[i]) return false;
  return true;
}

/// A run whose seed is above INT64_MAX, so its top bit must survive the round trip.
RunRecord make_run(const std::string& id) {
  RunRecord r;
  r.id = id;
  r.algo = "mcts";
  r.policy = "policies/default.yaml";
  r.model = "deit-tiny";
  r.args = "vitdse search --algo mcts";
  r.config = "budget: 100\n";
  r.seed = std::numeric_limits<std::uint64_t>::max() - 1;
  r.budget = 100;
  return r;
}

}  // namespace

TEST(Database, ScoresRoundTripBitExactly) {
  TempDir dir;
  Database db(dir.path() / "db.sqlite");
  StoredPoint p = make_point("k", 0);
  p.score = {0.1 + 0.2,
             1e-300,
             std::nextafter(1.0, 2.0),
             std::numeric_limits<double>::denorm_min(),
             std::numeric_limits<double>::max(),
             -std::numeric_limits<double>::infinity(),
             3.141592653589793,
             0.7071067811865476,
             std::numeric_limits<double>::infinity(),
             12.0};
  db.insert("ctx", p);
  const auto got = db.lookup("k");
  ASSERT_TRUE(got.has_value());
  expect_same_bits(*got, p.score);
  EXPECT_FALSE(db.lookup("missing").has_value());
  EXPECT_FALSE(db.lookup("").has_value());

  // SQLite turns NaN into NULL; it must still read back as NaN, not 0.
  p = make_point("nan", 1);
  p.score.kl_mean = std::numeric_limits<double>::quiet_NaN();
  db.insert("ctx", p);
  EXPECT_TRUE(std::isnan(db.lookup("nan").value().kl_mean));
  EXPECT_EQ(db.lookup("nan").value().top1_pct, 1.0);
}

TEST(Database, InsertKeepsTheFirstScore) {
  TempDir dir;
  Database db(dir.path() / "db.sqlite");
  db.insert("ctx", make_point("k", 1));
  db.insert("other", make_point("k", 50));
  EXPECT_EQ(db.evaluation_count(), 1);
  expect_same_bits(db.lookup("k").value(), make_point("k", 1).score);
  db.insert("ctx", make_point("k2", 2));
  EXPECT_EQ(db.evaluation_count(), 2);
}

TEST(Database, PersistsAcrossReopen) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  {
    Database db(path);
    EXPECT_EQ(db.path(), path);
    db.insert("ctx", make_point("a", 0.1));
    db.insert("ctx", make_point("b", 0.7));
    db.begin_run(make_run("r"));
    db.record_point("r", 0, "b");
  }
  Database db(path);
  EXPECT_EQ(db.evaluation_count(), 2);
  expect_same_bits(db.lookup("a").value(), make_point("a", 0.1).score);
  expect_same_bits(db.lookup("b").value(), make_point("b", 0.7).score);
  ASSERT_EQ(db.run_points("r").size(), 1u);
  EXPECT_EQ(db.run("r")->seed, make_run("r").seed);
}

TEST(Database, RunLifecycle) {
  TempDir dir;
  Database db(dir.path() / "db.sqlite");
  EXPECT_TRUE(db.runs().empty());
  EXPECT_FALSE(db.run("r1").has_value());

  const RunRecord in = make_run("r1");
  db.begin_run(in);
  auto r = db.run("r1");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "running");
  EXPECT_TRUE(is_utc_time(r->started)) << r->started;
  EXPECT_TRUE(r->finished.empty());
  EXPECT_EQ(r->algo, in.algo);
  EXPECT_EQ(r->policy, in.policy);
  EXPECT_EQ(r->model, in.model);
  EXPECT_EQ(r->args, in.args);
  EXPECT_EQ(r->config, in.config);
  EXPECT_EQ(r->seed, in.seed);
  EXPECT_EQ(r->budget, in.budget);

  // Recorded out of order, and one point ("nowhere") has no evaluation row.
  for (const char* key : {"c", "a", "b"}) db.insert("ctx", make_point(key, key[0]));
  db.record_point("r1", 2, "b");
  db.record_point("r1", 0, "c");
  db.record_point("r1", 1, "a");
  db.record_point("r1", 3, "nowhere");
  db.finish_run("r1", "done", 3, 1);

  r = db.run("r1");
  EXPECT_EQ(r->status, "done");
  EXPECT_FALSE(r->finished.empty());
  EXPECT_EQ(r->evaluations, 3);
  EXPECT_EQ(r->cache_hits, 1);

  const auto points = db.run_points("r1");
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[0].key, "c");
  EXPECT_EQ(points[1].key, "a");
  EXPECT_EQ(points[2].key, "b");
  EXPECT_EQ(points[1].design_hash, "hash-a");
  EXPECT_EQ(points[1].canonical, "{\"key\":\"a\"}");
  expect_same_bits(points[2].score, make_point("b", 'b').score);
  EXPECT_TRUE(db.run_points("other").empty());

  EXPECT_THROW(db.finish_run("never-begun", "done", 0, 0), Error);
}

TEST(Database, RunsAreOrderedByStartThenId) {
  TempDir dir;
  Database db(dir.path() / "db.sqlite");
  for (const char* id : {"c", "a", "b"}) db.begin_run(make_run(id));
  // An older start must come first whatever its id.
  RawDb(dir.path() / "db.sqlite").exec("UPDATE runs SET started = '2001-01-01T00:00:00Z' WHERE id = 'c'");
  const auto all = db.runs();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "c");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const RunRecord& x, const RunRecord& y) {
    return std::tie(x.started, x.id) < std::tie(y.started, y.id);
  }));
  if (all[1].started == all[2].started) {
    EXPECT_EQ(all[1].id, "a");
  }
}

TEST(Database, ResumedRunKeepsItsStartAndRecordsItsPointsAfresh) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  Database db(path);
  db.insert("ctx", make_point("a", 1));
  db.begin_run(make_run("r"));
  db.record_point("r", 0, "a");
  db.finish_run("r", "interrupted", 1, 0);
  // A start time that a rewrite by begin_run could not reproduce.
  RawDb(path).exec("UPDATE runs SET started = '2001-01-01T00:00:00Z' WHERE id = 'r'");
  RunRecord again = make_run("r");
  again.args = "vitdse search --resume";
  again.config = "budget: 200\n";
  db.begin_run(again);

  const auto r = db.run("r");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, "running");
  EXPECT_TRUE(r->finished.empty());
  EXPECT_EQ(r->started, "2001-01-01T00:00:00Z");
  EXPECT_EQ(r->args, again.args);
  EXPECT_EQ(r->config, again.config);
  EXPECT_EQ(r->evaluations, 1);
  EXPECT_EQ(db.runs().size(), 1u);
  // The resumed run replays its search and records every point again (a changed algorithm may
  // visit others), so no stale point survives; the evaluations themselves stay cached.
  EXPECT_TRUE(db.run_points("r").empty());
  db.insert("ctx", make_point("b", 2));
  db.record_point("r", 0, "b");
  ASSERT_EQ(db.run_points("r").size(), 1u);
  EXPECT_EQ(db.run_points("r")[0].key, "b");
  EXPECT_EQ(db.evaluation_count(), 2);
}

TEST(Database, RecordPointIsIdempotent) {
  TempDir dir;
  Database db(dir.path() / "db.sqlite");
  db.insert("ctx", make_point("a", 1));
  db.insert("ctx", make_point("b", 2));
  db.begin_run(make_run("r"));
  db.record_point("r", 0, "a");
  db.record_point("r", 0, "a");
  db.record_point("r", 0, "b");  // the first point recorded at a seq stays
  db.record_point("r", 1, "b");
  const auto points = db.run_points("r");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].key, "a");
  EXPECT_EQ(points[1].key, "b");
}

TEST(Database, RecordPointsCommitsABatchInOrder) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  Database db(path);
  for (const char* k : {"a", "b", "c", "d"}) db.insert("ctx", make_point(k, 1));
  db.begin_run(make_run("r"));
  db.record_points("r", 0, {"a", "b"});
  db.record_points("r", 2, {"c", "d"});
  db.record_points("r", 1, {"d"});  // already recorded: kept as it was
  db.record_points("r", 4, {});
  std::vector<std::string> keys;
  for (const auto& p : Database(path).run_points("r")) keys.push_back(p.key);  // another connection sees them
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(Database, RejectsFilesThatAreNotSqlite) {
  TempDir dir;
  std::mt19937 rng(7);
  std::string noise(8192, '\0');
  for (auto& c : noise) c = static_cast<char>(rng() & 0xffu);
  expect_rejected(dir.write("noise.sqlite", noise), "is not a vitdse database: file is not a database");
  expect_rejected(dir.write("notes.txt", "budget: 100\nthis is a text file, not a database\n"),
                  "is not a vitdse database: file is not a database");
  // Not even a -wal file was left beside it.
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "notes.txt-wal"));
}

TEST(Database, RejectsForeignSqliteAndLeavesItAlone) {
  TempDir dir;
  const auto path = dir.path() / "foreign.sqlite";
  RawDb(path).exec("CREATE TABLE foo(x)");
  expect_rejected(path, "is not a vitdse database (application_id");
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "delete");
  EXPECT_EQ(raw.text("SELECT group_concat(name) FROM sqlite_master"), "foo");

  const auto other = dir.path() / "other-app.sqlite";
  RawDb(other).exec("PRAGMA application_id = 1234");
  expect_rejected(other, "is not a vitdse database (application_id 0x000004d2");
}

// A file written by the first schema (before mult_power and snr_db) opens in place with every row
// kept; its rows lack the new figures, so they are found by no look-up until their designs are scored again,
// and then completed rather than duplicated.
TEST(Database, MigratesAFileOfTheFirstSchemaInPlaceAndKeepsItsRows) {
  TempDir dir;
  const auto path = dir.path() / "v1.sqlite";
  RawDb(path).exec(
      "PRAGMA application_id = " + std::to_string(0x76647365) +
      "; PRAGMA user_version = 1; CREATE TABLE evaluations(key TEXT PRIMARY KEY, context TEXT NOT NULL, design_hash "
      "TEXT NOT NULL, canonical TEXT NOT NULL, top1_pct REAL, agreement_pct REAL, kl_mean REAL, energy_uJ REAL, "
      "area_mm2 REAL, latency_ms REAL, power_mW REAL, eval_s REAL, created TEXT); CREATE TABLE runs(id TEXT PRIMARY "
      "KEY, algo TEXT, policy TEXT, model TEXT, args TEXT, config TEXT, seed INTEGER, budget INTEGER, status TEXT, "
      "started TEXT, finished TEXT, evaluations INTEGER, cache_hits INTEGER); CREATE TABLE run_points(run_id TEXT, seq "
      "INTEGER, key TEXT, PRIMARY KEY(run_id, seq)); INSERT INTO evaluations VALUES('old', 'ctx', 'h', '{}', 90, 99, "
      "0.1, 1, 2, 3, 4, 5, '2026-01-01T00:00:00Z'); INSERT INTO runs VALUES('mcts-s1-x', 'mcts', 'default', "
      "'vit-fmnist', '', '', 1, 10, 'done', 'a', 'b', 1, 0); INSERT INTO run_points VALUES('mcts-s1-x', 0, 'old')");
  {
    Database db(path);
    EXPECT_EQ(db.evaluation_count(), 1);
    ASSERT_EQ(db.runs().size(), 1u);
    EXPECT_EQ(db.run_points("mcts-s1-x").size(), 1u) << "the run's points still join their evaluations";
    EXPECT_FALSE(db.lookup("old").has_value()) << "a row without mult_power and snr_db is incomplete";
    StoredPoint p = make_point("old", 90);
    db.insert("ctx", p);
    EXPECT_EQ(db.evaluation_count(), 1) << "completed in place, not added";
    expect_same_bits(db.lookup("old").value(), p.score);
    db.insert("ctx", make_point("old", 50));  // a complete row keeps its first score
    expect_same_bits(db.lookup("old").value(), p.score);
  }
  EXPECT_EQ(RawDb(path).text("PRAGMA user_version"), "3");
  EXPECT_EQ(Database(path).evaluation_count(), 1) << "reopening migrates nothing twice";
}

// Found by the database fuzz target: our mark with schema 0 sent the migration to index -1.
TEST(Database, RejectsOurMarkWithASchemaNoVersionWrote) {
  TempDir dir;
  for (const char* version : {"0", "-3"}) {
    const auto path = dir.path() / (std::string("v") + version + ".sqlite");
    RawDb(path).exec("PRAGMA application_id = " + std::to_string(0x76647365) + "; PRAGMA user_version = " + version +
                     "; CREATE TABLE evaluations(key TEXT PRIMARY KEY)");
    expect_rejected(path, std::string("records schema ") + version + ", which no vitdse wrote");
  }
}

TEST(Database, RejectsANewerSchema) {
  TempDir dir;
  const auto path = dir.path() / "newer.sqlite";
  RawDb(path).exec("PRAGMA application_id = " + std::to_string(0x76647365) +
                   "; PRAGMA user_version = 99; CREATE TABLE evaluations(key TEXT PRIMARY KEY)");
  expect_rejected(path, "was written by a newer vitdse (schema 99");
}

TEST(Database, RejectsAMissingDirectory) {
  TempDir dir;
  expect_rejected(dir.path() / "no-such-dir" / "db.sqlite", "cannot open");
}

TEST(Database, AcceptsAnEmptyFile) {
  TempDir dir;
  const auto path = dir.write("empty.sqlite", "");
  ASSERT_EQ(std::filesystem::file_size(path), 0u);
  Database db(path);
  db.insert("ctx", make_point("a", 1));
  EXPECT_EQ(db.evaluation_count(), 1);
}

TEST(Database, UsesWriteAheadLogging) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  Database db(path);
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.text("PRAGMA application_id"), std::to_string(0x76647365));
  EXPECT_EQ(raw.text("PRAGMA user_version"), "3");
}

TEST(Database, TwoConnectionsInThreadsShareAFile) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  constexpr int kEach = 200, kShared = 50;
  std::string errors[2];
  // Both connections open the new file at once, so they also race to create the schema.
  auto work = [&](int who) {
    try {
      Database db(path);
      fill(db, std::string("t").append(std::to_string(who)), kEach, kShared, who);
    } catch (const std::exception& e) {
      errors[who] = e.what();
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  Database db(path);
  EXPECT_EQ(db.evaluation_count(), 2 * kEach + kShared);
  EXPECT_TRUE(db.lookup("t0-199").has_value());
  EXPECT_TRUE(db.lookup("t1-0").has_value());
  EXPECT_TRUE(db.lookup("shared-49").has_value());
}

TEST(Database, OneConnectionSharedByThreads) {
  TempDir dir;
  Database db(dir.path() / "db.sqlite");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&db, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string key = std::to_string(t) + "-" + std::to_string(i);
        db.insert("ctx", make_point(key, i));
        if (!db.lookup(key)) ADD_FAILURE() << key << " not found right after insert";
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(db.evaluation_count(), 400);
}

TEST(Database, AFullDiskIsAOneLineErrorAndTheFileKeepsEveryCommit) {
  TempDir dir;
  test::FullDisk disk(dir.path() / "disk", 1 << 20);
  const auto path = disk.path() / "db.sqlite";
  std::vector<std::string> stored;
  {
    Database db(path);
    for (int i = 0; i < 5; ++i) {
      db.insert("ctx", make_point("before-" + std::to_string(i), i));
      stored.push_back("before-" + std::to_string(i));
    }
    db.begin_run(make_run("r"));
    disk.fill(0, static_cast<std::int64_t>(std::filesystem::file_size(path)));
    const auto limit = disk.limit_this_process();
    try {
      // Each commit grows the write-ahead log until the disk is full.
      for (int i = 0; i < 100000; ++i) {
        db.insert("ctx", make_point("after-" + std::to_string(i) + std::string(2000, 'x'), i));
        stored.push_back("after-" + std::to_string(i) + std::string(2000, 'x'));
      }
      ADD_FAILURE() << "100000 inserts fitted on a full disk";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(path.string() + ": storing an evaluation: "), std::string::npos) << msg;
      // SQLite says "database or disk is full" for ENOSPC (a file-size limit is a "disk I/O error").
      EXPECT_NE(msg.find(disk.mounted() ? "disk is full" : "disk I/O error"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    }
    // Later writes fail the same way, and leave nothing half done.
    EXPECT_THROW(db.finish_run("r", "done", 5, 0), Error);
  }
  disk.free();
  Database db(path);
  EXPECT_EQ(RawDb(path).text("PRAGMA integrity_check"), "ok");
  for (const auto& key : stored) EXPECT_TRUE(db.lookup(key).has_value()) << key.substr(0, 12) << " was lost";
  EXPECT_EQ(db.run("r")->status, "running");  // the failed finish_run changed nothing
  db.insert("ctx", make_point("later", 1));   // and the file takes writes again
  EXPECT_TRUE(db.lookup("later").has_value());
}

TEST(Database, AWriterWaitsForAnotherConnectionsLockAndCountsItsRetries) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  Database db(path);
  EXPECT_EQ(db.busy_retries(), 0);
  RawDb other(path);
  other.exec("BEGIN IMMEDIATE");  // another writer holds the lock...
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    other.exec("COMMIT");  // ...for 300 ms
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NO_THROW(db.insert("ctx", make_point("k", 1)));
  const auto waited = std::chrono::steady_clock::now() - start;
  release.join();
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_GT(db.busy_retries(), 0);
  EXPECT_TRUE(db.lookup("k").has_value());
}

#ifdef __unix__
TEST(Database, TwoProcessesShareAFile) {
  TempDir dir;
  const auto path = dir.path() / "db.sqlite";
  constexpr int kEach = 200, kShared = 50;
  // No connection may be open across fork(): each process opens its own after it.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 0;
    try {
      Database db(path);
      fill(db, "child", kEach, kShared, 1000);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "child: %s\n", e.what());
      code = 1;
    }
    _exit(code);  // skip gtest and the TempDir destructor in the child
  }
  try {
    Database db(path);
    fill(db, "parent", kEach, kShared, 2000);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "parent: " << e.what();  // and still wait for the child before the directory goes
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Database db(path);
  EXPECT_EQ(db.evaluation_count(), 2 * kEach + kShared);
  const auto from_child = db.lookup("child-7"), from_parent = db.lookup("parent-7");
  ASSERT_TRUE(from_child && from_parent);
  expect_same_bits(*from_child, make_point("child-7", 1007).score);
  expect_same_bits(*from_parent, make_point("parent-7", 2007).score);
}
#endif

}  // namespace vitdse::store
