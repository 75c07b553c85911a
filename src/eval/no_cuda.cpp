// Stands in for the GPU kernels in a build without the CUDA back end: every request for a GPU
// is an error that says how to get one.
#include "gemm_kernel.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

std::string cuda_unavailable(int /*device*/) {
  return "this build of vitdse has no CUDA back end (build it where CMake finds the CUDA toolkit's nvcc, with "
         "-DVITDSE_CUDA=ON; README, \"GPU\")";
}

std::unique_ptr<GemmKernel> make_cuda_kernel(const CodeTable& /*table*/, bool /*exact*/, int device) {
  throw Error(cuda_unavailable(device));
}

bool cuda_built() { return false; }

std::string cuda_describe(int /*device*/) { return ""; }

}  // namespace vitdse::eval::detail
