// The progress line: in place on a terminal, every 10% elsewhere.
#include "vitdse/core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

namespace vitdse {

ProgressBar::ProgressBar(std::string label, std::int64_t total)
    : label_(std::move(label)),
      total_(std::max<std::int64_t>(total, 1)),
      enabled_(spdlog::should_log(spdlog::level::info)),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

double ProgressBar::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::update(std::int64_t done, const std::string& status) { draw(done, status, false); }

void ProgressBar::finish(const std::string& status) { draw(total_, status, true); }

void ProgressBar::draw(std::int64_t done, const std::string& status, bool final) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const std::int64_t decile = done * 10 / total_;
  if (!final) {
    if (terminal_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    if (!terminal_ && decile == last_decile_) return;
  }
  last_draw_ = now;
  last_decile_ = decile;
  const double elapsed = elapsed_s();
  const double fraction = std::clamp(static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(std::lround(fraction * kWidth));
  const std::string bar = std::string(static_cast<std::size_t>(filled), '#') + std::string(kWidth - filled, '.');
  const std::string time =
      final || done == 0 ? format_duration(elapsed) : "ETA " + format_duration(elapsed * (1.0 - fraction) / fraction);
  const std::string line = fmt::format("{} [{}] {}/{} {} · {}", label_, bar, done, total_, status, time);
  if (terminal_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

std::string format_duration(double seconds) {
  const auto s = static_cast<long long>(std::lround(std::max(seconds, 0.0)));
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace vitdse
