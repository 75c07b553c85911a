// Which piece of a batch an idle rank scores next, when a design's score can be split by images:
// a rank takes its own design a slice at a time from the front, then a new design (the one
// WorkRouter picks), and at the batch's end, when no design is left to start, part of what
// remains of a busy rank's design from the back, where that pays for building its datapath. So
// the ranks finish a batch together however unequal its designs, and a design is rarely built
// on more than one rank.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "work_router.hpp"

namespace vitdse::cluster {

/// Parts [first, last) of design `index`; first == last == 0: the whole design, unsplit.
struct Piece {
  std::size_t index = 0;
  int first = 0, last = 0;
  bool operator==(const Piece&) const = default;
};

class PieceScheduler {
 public:
  PieceScheduler(int ranks, bool by_prefix);

  /// A new batch: each design's model::stage_keys, and the parts a design splits into (0: it
  /// cannot be split, so every piece is a whole design).
  void begin(std::vector<std::vector<std::string>> keys, int parts);
  /// The piece `rank` should score next, or none: nothing is left that is worth its taking.
  std::optional<Piece> next(int rank);
  /// What a finished piece of `parts` parts took: its wall time and, of that, building the
  /// design's datapath (0 when the rank had it). The estimates that decide what a steal pays.
  void finished(int parts, double seconds, double setup_seconds);

 private:
  struct Remaining {
    int lo = 0, hi = 0;  ///< parts not yet handed out
  };
  /// Parts handed to a rank at once: a share of what is left in the batch, so pieces shrink as
  /// the batch ends and the ranks finish close together.
  [[nodiscard]] int slice() const;
  std::optional<Piece> from_front(std::size_t design, int rank);
  std::optional<Piece> steal(int rank);

  int ranks_;
  WorkRouter router_;
  int parts_ = 0;
  std::vector<Remaining> designs_;
  std::vector<std::optional<std::size_t>> latest_;  ///< per rank: the design of its latest piece
  std::vector<char> owns_;                          ///< per rank: whether that design's front is its
  long left_ = 0;                                   ///< parts not yet handed out in the batch
  double part_seconds_ = 0, parts_timed_ = 0;       ///< forward time per part, summed, and the parts
  double setup_seconds_ = 0, setups_ = 0;           ///< datapath builds, summed, and their number
};

}  // namespace vitdse::cluster
