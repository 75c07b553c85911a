// Graceful Ctrl-C for long runs: the first SIGINT (or SIGTERM) asks the run to stop, a second ends
// it at once.
#pragma once

#include <atomic>

namespace vitdse {

/// While alive, SIGINT or SIGTERM sets `stop()` (the run finishes its current step and writes
/// what it has); a second SIGINT exits at once with status 130. The previous handler is restored on exit.
///
///     InterruptGuard guard;
///     run(..., &guard.stop());
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  [[nodiscard]] const std::atomic<bool>& stop() const;
};

}  // namespace vitdse
