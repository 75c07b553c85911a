// SIGINT handling: async-signal-safe (an atomic flag, write(2) and _exit(2) only).
#include "vitdse/core/interrupt.hpp"

#include <unistd.h>

#include <csignal>

namespace vitdse {

namespace {

std::atomic<bool> g_stop{false};
struct sigaction g_previous {};

void on_sigint(int /*signal*/) {
  if (g_stop.exchange(true)) _exit(130);
  static constexpr char kMessage[] =
      "\ninterrupted: finishing the current batch and writing the results (Ctrl-C again to stop at once)\n";
  [[maybe_unused]] const auto n = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_stop = false;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous);
}

InterruptGuard::~InterruptGuard() { sigaction(SIGINT, &g_previous, nullptr); }

const std::atomic<bool>& InterruptGuard::stop() const { return g_stop; }

}  // namespace vitdse
