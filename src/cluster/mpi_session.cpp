// The job as MPI sees it: MPI_COMM_WORLD, with rank 0 running the command.
#include <mpi.h>

#include <cstdlib>

#include "launcher.hpp"
#include "mpi_evaluator.hpp"
#include "mpi_messages.hpp"
#include "mpi_worker.hpp"
#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/search/parallel_evaluator.hpp"

namespace vitdse::cluster {

namespace {

Place g_place;
bool g_joined = false;

}  // namespace

Session::Session(int& argc, char**& argv) {
  // A process no launcher started stays out of MPI, so a plain run behaves as in a build without it.
  if (launched_processes() <= 1) return;
  int provided = 0;
  // Only rank 0's main thread calls MPI; its scoring thread and TBB's threads never do.
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    throw Error("cannot join the MPI job (MPI_Init_thread failed)");
  }
  g_joined = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_place.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_place.size);
  MPI_Comm node{};
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_place.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &g_place.node_rank);
  MPI_Comm_size(node, &g_place.node_size);
  MPI_Comm_free(&node);
}

Session::~Session() {
  if (!g_joined) return;
  if (g_place.rank == 0) {
    for (int r = 1; r < g_place.size; ++r) send_text(r, kStop, "");
  }
  MPI_Finalize();
}

int Session::serve() { return g_place.rank == 0 ? 0 : serve_rank_zero(); }

const Place& place() { return g_place; }

bool built_with_mpi() { return true; }

void announce(const search::ScoringSetup& setup) {
  if (g_place.size > 1) announce_setup(setup.text(), g_place.size);
}

std::unique_ptr<search::BatchEvaluator> make_batch_evaluator(const search::ScoringStack& stack,
                                                             const std::atomic<bool>* stop) {
  if (g_place.size > 1) return std::make_unique<MpiEvaluator>(stack, stop, g_place.size);
  return std::make_unique<search::ParallelEvaluator>(stack.scorer());
}

}  // namespace vitdse::cluster
