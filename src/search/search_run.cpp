// One search run's bookkeeping: budget, deduplication, archive, hypervolume trace and rewards.
#include "vitdse/search/search_run.hpp"

#include <algorithm>

#include "vitdse/core/error.hpp"

namespace vitdse::search {

SearchRun::SearchRun(const DesignSpace& space, const Scoring& scorer, BatchEvaluator& evaluator, ObjectiveSpec spec,
                     std::int64_t budget, const std::atomic<bool>* stop, Observer observer)
    : space_(space),
      scorer_(scorer),
      evaluator_(evaluator),
      spec_(std::move(spec)),
      budget_(budget),
      stop_(stop),
      observer_(std::move(observer)),
      archive_(spec_.metrics.size()) {
  if (budget < 1) throw Error("the budget must be at least 1 evaluation");
}

void SearchRun::begin() {
  if (evaluations_.empty()) (void)evaluate({Point(space_.variables().size(), 0)});
}

bool SearchRun::finished() const { return remaining() <= 0 || stop_requested(); }

std::optional<std::size_t> SearchRun::find(const Point& point) const {
  const auto it = seen_.find(point);
  return it == seen_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

std::vector<std::optional<std::size_t>> SearchRun::evaluate(const std::vector<Point>& points) {
  std::vector<Point> fresh;  // distinct unseen points, in order, within the budget
  if (!stop_requested()) {
    for (const auto& p : points) {
      if (seen_.contains(p) || std::find(fresh.begin(), fresh.end(), p) != fresh.end()) continue;
      if (static_cast<std::int64_t>(fresh.size()) >= remaining()) break;
      fresh.push_back(p);
    }
  }
  std::vector<Candidate> batch;
  batch.reserve(fresh.size());
  for (const auto& p : fresh) batch.push_back(scorer_.candidate(space_.design(p)));
  const std::vector<Scored> scored = batch.empty() ? std::vector<Scored>{} : evaluator_.evaluate(batch);
  // A stopped back end may return fewer: the points it did not score stay unseen.
  for (std::size_t i = 0; i < std::min(fresh.size(), scored.size()); ++i) {
    Evaluation e;
    e.point = fresh[i];
    e.key = scorer_.key(batch[i]);
    e.candidate = std::move(batch[i]);
    e.score = scored[i].score;
    e.cached = scored[i].cached;
    if (!objectives_) {
      objectives_.emplace(spec_.metrics, spec_.constraints, scorer_.float_top1_pct(), e.score, spec_.drop_scale_pp);
    }
    e.objectives = objectives_->normalised(e.score);
    e.violation = objectives_->violation(e.score);
    const std::size_t index = evaluations_.size();
    e.entered_archive = e.feasible() && archive_.add(index, e.objectives);
    cache_hits_ += e.cached ? 1 : 0;
    seen_.emplace(e.point, index);
    evaluations_.push_back(std::move(e));
    hv_trace_.push_back(archive_.hypervolume());
    archive_trace_.push_back(archive_.size());
    if (observer_) observer_(evaluations_.back(), index);
  }
  std::vector<std::optional<std::size_t>> out;
  out.reserve(points.size());
  for (const auto& p : points) out.push_back(find(p));
  return out;
}

double SearchRun::reward(std::size_t index) const {
  const Evaluation& e = evaluations_.at(index);
  const double hv = e.feasible() ? archive_.hypervolume_with(e.objectives) : archive_.hypervolume();
  return hv - archive_.shortfall(e.objectives) - e.violation;
}

}  // namespace vitdse::search
