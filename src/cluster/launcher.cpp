// The launchers' environment variables.
#include "launcher.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace vitdse::cluster {

int launched_processes() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS", "MPI_LOCALNRANKS"}) {
    if (const char* value = std::getenv(name)) {
      try {
        return std::max(1, std::stoi(value));
      } catch (const std::exception&) {
        return 1;
      }
    }
  }
  return 1;
}

}  // namespace vitdse::cluster
