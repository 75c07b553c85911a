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

void SearchRun::screen_with(const Screening& screening) {
  if (!evaluations_.empty()) throw Error("screening must be chosen before a run's first evaluation");
  if (screening.scoring.images() >= scorer_.images()) {
    throw usage_error("screening on " + std::to_string(screening.scoring.images()) +
                      " images saves nothing: give fewer than the " + std::to_string(scorer_.images()) +
                      " images each design is scored on");
  }
  if (screening.scoring.images() == 0) throw usage_error("screening needs at least 1 image");
  screening_.emplace(screening);
}

void SearchRun::begin() {
  if (evaluations_.empty()) (void)evaluate({Point(space_.variables().size(), 0)});
}

std::int64_t SearchRun::screens_left() const {
  if (!screening_) return 0;
  const auto limit = budget_ * static_cast<std::int64_t>(scorer_.images() / screening_->scoring.images());
  return limit - screens_;
}

bool SearchRun::finished() const {
  return remaining() <= 0 || stop_requested() || (screening_ && objectives_ && screens_left() <= 0);
}

std::optional<std::size_t> SearchRun::find(const Point& point) const {
  const auto it = seen_.find(point);
  return it == seen_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

bool SearchRun::could_reach_front(const Score& screened) const {
  Score best = screened;
  best.top1_pct =
      optimistic_top1_pct(screened.top1_pct, screening_->scoring.images(), scorer_.images(), screening_->confidence);
  if (objectives_->violation(best) > 0) return false;
  return archive_.hypervolume_with(objectives_->normalised(best)) > archive_.hypervolume();
}

void SearchRun::record(const Point& point, Candidate candidate, const Scored& scored, bool screened) {
  Evaluation e;
  e.point = point;
  e.key = (screened ? screening_->scoring : scorer_).key(candidate);
  e.candidate = std::move(candidate);
  e.score = scored.score;
  e.cached = scored.cached;
  e.screened = screened;
  e.images = screened ? screening_->scoring.images() : scorer_.images();
  if (!objectives_) {
    objectives_.emplace(spec_.metrics, spec_.constraints, scorer_.float_top1_pct(), e.score, spec_.drop_scale_pp);
  }
  e.objectives = objectives_->normalised(e.score);
  e.violation = objectives_->violation(e.score);
  const std::size_t index = evaluations_.size();
  e.entered_archive = !screened && e.feasible() && archive_.add(index, e.objectives);
  cache_hits_ += e.cached ? 1 : 0;
  full_evaluations_ += screened ? 0 : 1;
  images_scored_ += static_cast<std::int64_t>(e.images);
  seen_.emplace(e.point, index);
  evaluations_.push_back(std::move(e));
  hv_trace_.push_back(archive_.hypervolume());
  archive_trace_.push_back(archive_.size());
  full_trace_.push_back(full_evaluations_);
  images_trace_.push_back(images_scored_);
  if (observer_) observer_(evaluations_.back(), index);
}

std::vector<std::optional<std::size_t>> SearchRun::evaluate(const std::vector<Point>& points) {
  // The reference point normalises the objectives, so it is always scored in full.
  const bool screen = screening_ && objectives_;
  std::vector<Point> fresh;  // distinct unseen points, in order, within the budget (and the screens')
  if (!finished()) {
    const std::int64_t room = screen ? std::min(remaining(), screens_left()) : remaining();
    for (const auto& p : points) {
      if (seen_.contains(p) || std::find(fresh.begin(), fresh.end(), p) != fresh.end()) continue;
      if (static_cast<std::int64_t>(fresh.size()) >= room) break;
      fresh.push_back(p);
    }
  }
  std::vector<Candidate> batch;
  batch.reserve(fresh.size());
  for (const auto& p : fresh) batch.push_back(scorer_.candidate(space_.design(p)));
  auto score = [](BatchEvaluator& evaluator, std::span<const Candidate> candidates) {
    return candidates.empty() ? std::vector<Scored>{} : evaluator.evaluate(candidates);
  };
  // A stopped back end may return fewer: the points it did not score stay unseen.
  if (!screen) {
    const std::vector<Scored> scored = score(evaluator_, batch);
    for (std::size_t i = 0; i < std::min(fresh.size(), scored.size()); ++i)
      record(fresh[i], std::move(batch[i]), scored[i], false);
  } else {
    // Promotion is judged against the archive before the batch: the archive only gains, so a
    // point screened out then could not have added hypervolume later either.
    const std::vector<Scored> screened = score(screening_->evaluator, batch);
    screens_ += static_cast<std::int64_t>(screened.size());
    std::vector<char> promoted(screened.size());
    std::vector<Candidate> full;
    for (std::size_t i = 0; i < screened.size(); ++i) {
      promoted[i] = could_reach_front(screened[i].score) ? 1 : 0;
      if (promoted[i] != 0) full.push_back(batch[i]);
    }
    const std::vector<Scored> scored = score(evaluator_, full);
    for (std::size_t i = 0, j = 0; i < screened.size(); ++i) {
      if (promoted[i] == 0) {
        record(fresh[i], std::move(batch[i]), screened[i], true);
      } else if (j < scored.size()) {
        record(fresh[i], std::move(batch[i]), scored[j++], false);
      } else {
        break;  // stopped before its full score: it and the points after it stay unseen
      }
    }
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
