// SIGINT and SIGTERM handling: async-signal-safe (an atomic flag, write(2) and _exit(2) only).
#include "vitdse/core/interrupt.hpp"

#include <unistd.h>

#include <csignal>

namespace vitdse {

namespace {

std::atomic<bool> g_stop{false};
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};

void say_interrupted() {
  static constexpr char kMessage[] =
      "\ninterrupted: finishing what is in hand and writing the results (Ctrl-C again to stop at once)\n";
  [[maybe_unused]] const auto n = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

void on_sigint(int /*signal*/) {
  if (g_stop.exchange(true)) _exit(130);
  say_interrupted();
}

/// mpirun passes a Ctrl-C on to its processes as SIGTERM a second after they had the SIGINT
/// itself, and SIGKILLs them a second later: SIGTERM never ends the writing of results early.
void on_sigterm(int /*signal*/) {
  if (!g_stop.exchange(true)) say_interrupted();
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_stop = false;
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_previous_int);
  // mpirun and Slurm pass a Ctrl-C on as SIGTERM (then SIGKILL after a grace period).
  action.sa_handler = on_sigterm;
  sigaction(SIGTERM, &action, &g_previous_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
}

const std::atomic<bool>& InterruptGuard::stop() const { return g_stop; }

}  // namespace vitdse
