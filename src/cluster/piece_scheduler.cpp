// Splitting a batch's designs into pieces, front to back for their owners and back to front for
// the ranks that help them.
#include "piece_scheduler.hpp"

#include <algorithm>
#include <cmath>

namespace vitdse::cluster {

PieceScheduler::PieceScheduler(int ranks, bool by_prefix)
    : ranks_(ranks),
      router_(ranks, by_prefix),
      latest_(static_cast<std::size_t>(ranks)),
      owns_(static_cast<std::size_t>(ranks), 0) {}

void PieceScheduler::begin(std::vector<std::vector<std::string>> keys, int parts) {
  parts_ = parts;
  designs_.assign(keys.size(), Remaining{0, parts});
  left_ = static_cast<long>(keys.size()) * parts;
  std::fill(owns_.begin(), owns_.end(), 0);
  router_.begin(std::move(keys));
}

int PieceScheduler::slice() const {
  return static_cast<int>(std::max<long>(1, (left_ + 2L * ranks_ - 1) / (2L * ranks_)));
}

std::optional<Piece> PieceScheduler::from_front(std::size_t design, int rank) {
  auto& d = designs_[design];
  const int take = std::min(slice(), d.hi - d.lo);
  const Piece piece{design, d.lo, d.lo + take};
  d.lo += take;
  left_ -= take;
  latest_[static_cast<std::size_t>(rank)] = design;
  owns_[static_cast<std::size_t>(rank)] = 1;
  return piece;
}

std::optional<Piece> PieceScheduler::steal(int rank) {
  // The rank's latest design needs no new datapath; any other costs one build, which pays only
  // if the parts taken would take the owner longer than the build: taking k of r parts ends the
  // design at max((r - k)·part, setup + k·part), best at k = (r - setup/part) / 2.
  const double part = parts_timed_ > 0 ? part_seconds_ / parts_timed_ : 0;
  const double setup = setups_ > 0 ? setup_seconds_ / setups_ : 0;
  const auto& latest = latest_[static_cast<std::size_t>(rank)];
  std::optional<std::size_t> best;
  int best_take = 0;
  for (std::size_t i = 0; i < designs_.size(); ++i) {
    const int r = designs_[i].hi - designs_[i].lo;
    if (r <= 0) continue;
    const double build = latest == i ? 0 : (part > 0 ? setup / part : 0);
    const int take = static_cast<int>(std::floor((r - build) / 2));
    if (take >= 1 && take > best_take) best = i, best_take = take;
  }
  if (!best) return std::nullopt;
  auto& d = designs_[*best];
  const Piece piece{*best, d.hi - best_take, d.hi};
  d.hi -= best_take;
  left_ -= best_take;
  latest_[static_cast<std::size_t>(rank)] = *best;
  owns_[static_cast<std::size_t>(rank)] = 0;
  return piece;
}

std::optional<Piece> PieceScheduler::next(int rank) {
  if (parts_ <= 0) {
    const auto index = router_.next(rank);
    if (!index) return std::nullopt;
    return Piece{*index, 0, 0};
  }
  const auto& latest = latest_[static_cast<std::size_t>(rank)];
  if (owns_[static_cast<std::size_t>(rank)] != 0 && latest && designs_[*latest].lo < designs_[*latest].hi) {
    return from_front(*latest, rank);
  }
  if (const auto fresh = router_.next(rank)) return from_front(*fresh, rank);
  return steal(rank);
}

void PieceScheduler::finished(int parts, double seconds, double setup_seconds) {
  if (parts <= 0) return;
  part_seconds_ += std::max(0.0, seconds - setup_seconds);
  parts_timed_ += parts;
  if (setup_seconds > 0) {
    setup_seconds_ += setup_seconds;
    setups_ += 1;
  }
}

}  // namespace vitdse::cluster
