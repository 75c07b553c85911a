// The Pareto archive: the non-dominated feasible points so far, and their hypervolume.
#pragma once

#include <cstddef>
#include <vector>

namespace vitdse::search {

/// True when `a` is no worse than `b` in every objective and better in one (minimisation).
bool dominates(const std::vector<double>& a, const std::vector<double>& b);

/// Hypervolume of `points` against `reference` (pagmo's algorithm), counting only the part of
/// each point's box inside the reference; points outside it contribute nothing.
double hypervolume(const std::vector<std::vector<double>>& points, const std::vector<double>& reference);

/// Non-dominated points in normalised objective space (reference point (1, ..., 1)), each with
/// the caller's id. Equal vectors are kept once (the first id).
class ParetoArchive {
 public:
  explicit ParetoArchive(std::size_t objectives);

  /// Adds a point; returns true when it entered the archive (it may evict others).
  bool add(std::size_t id, const std::vector<double>& objectives);
  [[nodiscard]] double hypervolume() const { return hv_; }
  /// Hypervolume if `objectives` were added (the archive is unchanged).
  [[nodiscard]] double hypervolume_with(const std::vector<double>& objectives) const;
  /// Additive epsilon: the least amount every objective of `objectives` must improve by for no
  /// archive point to dominate it (0 for a non-dominated point; 0 for an empty archive).
  [[nodiscard]] double distance(const std::vector<double>& objectives) const;
  /// The least uniform improvement after which `objectives` would add hypervolume: escaping the
  /// archive's domination and entering the reference box.
  [[nodiscard]] double shortfall(const std::vector<double>& objectives) const;

  [[nodiscard]] const std::vector<std::size_t>& ids() const { return ids_; }
  [[nodiscard]] const std::vector<std::vector<double>>& points() const { return points_; }
  [[nodiscard]] std::size_t size() const { return ids_.size(); }
  [[nodiscard]] const std::vector<double>& reference() const { return reference_; }

 private:
  std::vector<double> reference_;
  std::vector<std::size_t> ids_;
  std::vector<std::vector<double>> points_;
  double hv_ = 0;
};

}  // namespace vitdse::search
