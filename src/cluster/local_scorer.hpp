// Rank 0's own share of a batch: one piece at a time on a thread of its own, so that the main
// thread stays free to hand out work and collect the other ranks' results.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "piece_scheduler.hpp"
#include "vitdse/model/design.hpp"
#include "vitdse/search/scoring.hpp"

namespace vitdse::cluster {

class LocalScorer {
 public:
  struct Result {
    std::uint64_t batch = 0;
    Piece piece;
    search::Score score;               ///< of a whole design
    search::PartialScore part;         ///< of a piece of one
    std::optional<std::string> error;  ///< the Error scoring threw, if it did
  };

  explicit LocalScorer(const search::Scoring& scoring);
  /// Waits for the piece in hand, if any: a stopped batch may leave one running.
  ~LocalScorer();
  LocalScorer(const LocalScorer&) = delete;
  LocalScorer& operator=(const LocalScorer&) = delete;

  /// Starts scoring `piece` of `design`; the scorer must be idle (no piece in hand).
  void start(std::uint64_t batch, Piece piece, model::Design design);
  /// The finished result, once; afterwards the scorer is idle.
  std::optional<Result> take();

 private:
  void loop();

  const search::Scoring& scoring_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::pair<Result, model::Design>> job_;
  std::optional<Result> done_;
  bool quit_ = false;
  std::thread thread_;  // last: started once the members it uses exist
};

}  // namespace vitdse::cluster
