// The thread behind rank 0's own share of the scoring.
#include "local_scorer.hpp"

#include "vitdse/core/error.hpp"

namespace vitdse::cluster {

LocalScorer::LocalScorer(const search::Scoring& scoring) : scoring_(scoring), thread_([this] { loop(); }) {}

LocalScorer::~LocalScorer() {
  {
    const std::lock_guard lock(mutex_);
    quit_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LocalScorer::start(std::uint64_t batch, Piece piece, model::Design design) {
  {
    const std::lock_guard lock(mutex_);
    job_.emplace(Result{batch, piece, {}, {}, std::nullopt}, std::move(design));
  }
  wake_.notify_one();
}

std::optional<LocalScorer::Result> LocalScorer::take() {
  const std::lock_guard lock(mutex_);
  return std::exchange(done_, std::nullopt);
}

void LocalScorer::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return quit_ || job_.has_value(); });
    if (quit_) return;
    auto [result, design] = std::move(*job_);
    job_.reset();
    lock.unlock();
    try {
      if (result.piece.last > result.piece.first) {
        result.part = scoring_.score_part(design, result.piece.first, result.piece.last);
      } else {
        result.score = scoring_.score(design);
      }
    } catch (const std::exception& e) {
      result.error = e.what();
    }
    lock.lock();
    done_ = std::move(result);
  }
}

}  // namespace vitdse::cluster
