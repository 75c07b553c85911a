// Fuzz target: opening a database file, reading what it records and adding one evaluation.
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_util.hpp"
#include "vitdse/store/database.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vitdse::fuzz::expect_errors([&] {
    vitdse::fuzz::clear_scratch();  // the -wal and -shm files of the last input
    vitdse::store::Database db(vitdse::fuzz::write_scratch("cache.sqlite", std::span(data, size)));
    // As `vitdse runs`, `vitdse pareto` and a resumed search read it.
    static_cast<void>(db.evaluation_count());
    for (const auto& run : db.runs()) static_cast<void>(db.run_points(run.id));
    static_cast<void>(db.lookup("key"));
    // A search's write path on whatever schema the file holds.
    vitdse::store::StoredPoint point;
    point.key = "key";
    point.design_hash = "hash";
    point.canonical = "{}";
    db.insert("context", point);
  });
}
