// Which design of a batch an idle rank scores next: the one that shares the most leading stages
// with the last design that rank scored, so its evaluator resumes from stored stage states.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vitdse::cluster {

/// Hands out each design of a batch once, to whichever rank asks; a rank is never kept waiting
/// for a better match, so routing costs no balance. Without `by_prefix`, designs go in order.
class WorkRouter {
 public:
  WorkRouter(int ranks, bool by_prefix) : last_(static_cast<std::size_t>(ranks)), by_prefix_(by_prefix) {}

  /// A new batch: each design's model::stage_keys.
  void begin(std::vector<std::vector<std::string>> keys);
  /// The design `rank` should score next (the lowest index among equal matches), or none left.
  std::optional<std::size_t> next(int rank);

 private:
  std::vector<std::vector<std::string>> last_;  ///< per rank: the stage keys of its latest design
  std::vector<std::vector<std::string>> keys_;
  std::vector<char> taken_;
  std::size_t first_open_ = 0;
  bool by_prefix_;
};

/// Whether to route by shared prefix: VITDSE_ROUTE_BY_PREFIX, 1 (the default) or 0; any other
/// value is an Error.
bool route_by_prefix_from_environment();

}  // namespace vitdse::cluster
