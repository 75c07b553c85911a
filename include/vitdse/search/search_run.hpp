// One search run's bookkeeping: the budget, the points scored so far, the archive and its trace.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vitdse/search/objectives.hpp"
#include "vitdse/search/pareto_archive.hpp"
#include "vitdse/search/scoring.hpp"
#include "vitdse/search/screening.hpp"
#include "vitdse/search/space.hpp"

namespace vitdse::search {

/// One distinct point the run scored, in the order scored.
struct Evaluation {
  Point point;
  Candidate candidate;
  std::string key;
  Score score;
  bool cached = false;
  std::vector<double> objectives;  ///< normalised, minimised
  double violation = 0;            ///< of the constraints; feasible when 0
  bool entered_archive = false;    ///< non-dominated among feasible points when it was scored
  std::size_t images = 0;          ///< test images its score covers
  /// Scored on the screening images only, and not promoted: its top-1 is an estimate, and it
  /// stays out of the archive and the budget.
  bool screened = false;
  [[nodiscard]] bool feasible() const { return violation == 0; }
};

struct ObjectiveSpec {
  std::vector<Metric> metrics{Metric::top1_drop_pp, Metric::energy_uJ};
  std::vector<Constraint> constraints;
  double drop_scale_pp = 10;
};

/// The budget, deduplication, the archive and the hypervolume trace, shared by every algorithm.
/// The first point scored is always the reference (every variable at its first choice), whose
/// cost normalises the objectives. Points seen before in the run cost nothing and are not counted.
///
/// With screening (multi-fidelity scoring), every later point is first scored on the screening
/// images and scored in full only if, at the upper end of its top-1's confidence interval, it
/// would add hypervolume to the archive; the others are kept as screened evaluations. The budget
/// counts full evaluations; the screens stop, too, once they have cost the budget's images.
class SearchRun {
 public:
  using Observer = std::function<void(const Evaluation&, std::size_t index)>;

  SearchRun(const DesignSpace& space, const Scoring& scorer, BatchEvaluator& evaluator, ObjectiveSpec spec,
            std::int64_t budget, const std::atomic<bool>* stop = nullptr, Observer observer = {});

  /// Screens every point after the reference (see the class comment); before the first evaluation.
  void screen_with(const Screening& screening);
  /// Scores the reference point; algorithms call it first (the driver does).
  void begin();
  /// Scores `points` as one batch. Returns, per point, its evaluation's index, or nothing when the
  /// budget ran out (or a stop was requested) before it was scored.
  std::vector<std::optional<std::size_t>> evaluate(const std::vector<Point>& points);
  /// Whether the budget is spent or a stop was requested.
  [[nodiscard]] bool finished() const;
  [[nodiscard]] bool stop_requested() const { return stop_ != nullptr && stop_->load(); }
  [[nodiscard]] std::int64_t budget() const { return budget_; }
  /// Full evaluations the budget has left.
  [[nodiscard]] std::int64_t remaining() const { return budget_ - full_evaluations_; }
  [[nodiscard]] std::int64_t cache_hits() const { return cache_hits_; }
  /// Evaluations scored in full (the others were screened out).
  [[nodiscard]] std::int64_t full_evaluations() const { return full_evaluations_; }
  /// Test images of every evaluation's score, cached or not.
  [[nodiscard]] std::int64_t images_scored() const { return images_scored_; }
  /// Index of a point scored before, if any.
  [[nodiscard]] std::optional<std::size_t> find(const Point& point) const;

  [[nodiscard]] const DesignSpace& space() const { return space_; }
  [[nodiscard]] const Scoring& scorer() const { return scorer_; }
  [[nodiscard]] const Objectives& objectives() const { return *objectives_; }
  [[nodiscard]] const ParetoArchive& archive() const { return archive_; }
  [[nodiscard]] const std::vector<Evaluation>& evaluations() const { return evaluations_; }
  /// Hypervolume of the archive after each evaluation.
  [[nodiscard]] const std::vector<double>& hv_trace() const { return hv_trace_; }
  /// Archive size after each evaluation.
  [[nodiscard]] const std::vector<std::size_t>& archive_trace() const { return archive_trace_; }
  /// Full evaluations, and images scored, after each evaluation.
  [[nodiscard]] const std::vector<std::int64_t>& full_trace() const { return full_trace_; }
  [[nodiscard]] const std::vector<std::int64_t>& images_trace() const { return images_trace_; }

  /// MO-MCTS reward of an evaluation against the archive as it is now (after Wang and Sebag,
  /// 2012): the archive's hypervolume with the point added, minus the least uniform improvement
  /// after which the point would add hypervolume (escaping the front's domination and entering
  /// the reference box), minus its constraint violation.
  [[nodiscard]] double reward(std::size_t index) const;

 private:
  /// Whether a screened score could, at best, add hypervolume to the archive as it is.
  [[nodiscard]] bool could_reach_front(const Score& screened) const;
  /// Screens left before they have cost the budget's images.
  [[nodiscard]] std::int64_t screens_left() const;
  void record(const Point& point, Candidate candidate, const Scored& scored, bool screened);

  const DesignSpace& space_;
  const Scoring& scorer_;
  BatchEvaluator& evaluator_;
  ObjectiveSpec spec_;
  std::int64_t budget_;
  const std::atomic<bool>* stop_;
  Observer observer_;
  std::optional<Objectives> objectives_;
  ParetoArchive archive_;
  std::vector<Evaluation> evaluations_;
  std::map<Point, std::size_t> seen_;
  std::vector<double> hv_trace_;
  std::vector<std::size_t> archive_trace_;
  std::vector<std::int64_t> full_trace_;
  std::vector<std::int64_t> images_trace_;
  std::int64_t cache_hits_ = 0;
  std::int64_t full_evaluations_ = 0;
  std::int64_t screens_ = 0;
  std::int64_t images_scored_ = 0;
  std::optional<Screening> screening_;
};

}  // namespace vitdse::search
