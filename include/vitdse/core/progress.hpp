// A progress line for long runs (training, search) on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vitdse {

/// Shows `label`, done/total, a bar, the caller's status text and an ETA. On a terminal the line
/// is redrawn in place at most 10 times a second; otherwise (a log file, CI) a line is printed
/// every 10% of the work. Silent when the log level is above info (`--quiet`).
///
///     ProgressBar bar("epoch 1/12", steps);
///     bar.update(step, "loss 0.512 · top-1 84.1% · 2150 img/s");
///     bar.finish("loss 0.498 · top-1 85.0%");
class ProgressBar {
 public:
  ProgressBar(std::string label, std::int64_t total);

  void update(std::int64_t done, const std::string& status);
  /// Draws the final state and ends the line.
  void finish(const std::string& status);

  /// Seconds since construction.
  [[nodiscard]] double elapsed_s() const;

 private:
  void draw(std::int64_t done, const std::string& status, bool final);

  std::string label_;
  std::int64_t total_;
  bool enabled_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  std::int64_t last_decile_ = -1;
};

/// "1h02m", "3m05s", "42s".
std::string format_duration(double seconds);

}  // namespace vitdse
