// Recognising a launch of several processes, and a build without MPI refusing one.
#include "cluster/launcher.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "vitdse/cluster/cluster.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::cluster {
namespace {

TEST(Launcher, ReadsTheProcessCountLaunchersSet) {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS", "MPI_LOCALNRANKS"})
    ::unsetenv(name);
  EXPECT_EQ(launched_processes(), 1);
  ::setenv("PMI_SIZE", "4", 1);
  EXPECT_EQ(launched_processes(), 4);
  ::setenv("PMI_SIZE", "garbage", 1);
  EXPECT_EQ(launched_processes(), 1);
  ::unsetenv("PMI_SIZE");
}

TEST(Launcher, OutsideALaunchTheProcessIsRankZeroOfOne) {
  int argc = 1;
  char name[] = "vitdse";
  char* args[] = {name, nullptr};
  char** argv = args;
  const Session session(argc, argv);
  EXPECT_EQ(place().rank, 0);
  EXPECT_EQ(place().size, 1);
}

TEST(Launcher, ABuildWithoutMpiRefusesToRunAsOneOfSeveralProcesses) {
  if (built_with_mpi()) GTEST_SKIP() << "this build has MPI: a launch of several processes joins it";
  ::setenv("OMPI_COMM_WORLD_SIZE", "3", 1);
  int argc = 1;
  char name[] = "vitdse";
  char* args[] = {name, nullptr};
  char** argv = args;
  try {
    const Session session(argc, argv);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("built without MPI"), std::string::npos) << e.what();
  }
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
}

}  // namespace
}  // namespace vitdse::cluster
