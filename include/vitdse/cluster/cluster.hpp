// The processes of one job: a single process, or the ranks of an MPI launch (`mpirun -n K
// vitdse ...`). Rank 0 runs the command; every other rank only scores designs for it. The layers
// below never learn which: they see a search::BatchEvaluator.
#pragma once

#include <atomic>
#include <memory>

#include "vitdse/search/score.hpp"
#include "vitdse/search/scoring_stack.hpp"

namespace vitdse::cluster {

/// This process's place in the job.
struct Place {
  int rank = 0;       ///< 0 runs the command
  int size = 1;       ///< processes in the job
  int node_rank = 0;  ///< rank among the job's processes on this host (to pick a local GPU by)
  int node_size = 1;  ///< the job's processes on this host (they share its cores)
};

/// The job for the lifetime of the program: joins MPI when this build has it and a launcher
/// started the process, and leaves it at destruction (rank 0 first tells the others to stop).
/// A launch of several processes by a build without MPI is an Error: each would run the whole
/// command.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// On a rank other than 0: scores what rank 0 sends until it ends the job; the exit status.
  int serve();
};

/// This process's place (rank 0 of 1 outside a job).
const Place& place();
/// Whether this build can join an MPI job.
bool built_with_mpi();

/// Has the other ranks of a job start building the stack of `setup` (resolved: see
/// ScoringSetup::resolved) while this one builds its own; a batch evaluator made later for a stack
/// of the same setup then only waits for them. A no-op outside a job.
void announce(const search::ScoringSetup& setup);

/// The evaluator of fresh scores for `stack`'s scorer: one process's threads, or, in a job of
/// several ranks, every rank's, each rank building the same stack from `stack.setup()`. Once
/// `stop` (may be null) is set, a batch returns the results that are in, a leading part of it.
std::unique_ptr<search::BatchEvaluator> make_batch_evaluator(const search::ScoringStack& stack,
                                                             const std::atomic<bool>* stop);

}  // namespace vitdse::cluster
