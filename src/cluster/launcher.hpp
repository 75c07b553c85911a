// Whether a launcher (mpirun, srun) started this process as one of several.
#pragma once

namespace vitdse::cluster {

/// The process count a launcher announced in the environment (Open MPI's, PMI's, Slurm's or MPICH's
/// variables), or 1 when none did.
int launched_processes();

}  // namespace vitdse::cluster
