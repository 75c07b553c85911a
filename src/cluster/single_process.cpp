// The job of a build without MPI: always one process.
#include "launcher.hpp"
#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/search/parallel_evaluator.hpp"

namespace vitdse::cluster {

Session::Session(int& /*argc*/, char**& /*argv*/) {
  if (launched_processes() > 1) {
    throw Error("this vitdse was built without MPI, so each of the " + std::to_string(launched_processes()) +
                " launched processes would run the whole command; install libopenmpi-dev and rebuild, or run one "
                "process");
  }
}

Session::~Session() = default;

int Session::serve() { return 0; }

const Place& place() {
  static const Place one;
  return one;
}

bool built_with_mpi() { return false; }

void announce(const search::ScoringSetup& /*setup*/) {}

std::unique_ptr<search::BatchEvaluator> make_batch_evaluator(const search::ScoringStack& stack,
                                                             const std::atomic<bool>* /*stop*/) {
  return std::make_unique<search::ParallelEvaluator>(stack.scorer());
}

}  // namespace vitdse::cluster
