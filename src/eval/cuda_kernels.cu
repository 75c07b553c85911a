// The GPU GEMM kernels and the CUDA runtime calls they need: the lookup-table GEMM with its
// product table in shared memory, and exact int8 GEMMs through cuBLAS on the tensor cores.
#include "cuda_kernels.hpp"

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "vitdse/core/error.hpp"

namespace vitdse::eval::cuda {

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw Error(std::string("CUDA: ") + what + " failed: " + cudaGetErrorString(status));
  }
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw Error(std::string("cuBLAS: ") + what + " failed: " + cublasGetStatusString(status));
  }
}

constexpr int kMaxDevices = 64;

// ---- the lookup-table GEMM ----------------------------------------------------------------
// A block computes 128×128 tiles of C, one after another (a persistent grid, so that the table
// is copied into shared memory once per block). Warp w owns rows 8w..8w+7 of a tile and lane l
// its columns l, l+32, l+64, l+96: the lanes of a warp read the same row of the table, whose
// bank is set by the right operand's code alone, and each lane's 32 lookups are independent.
constexpr int kTileM = 128, kTileN = 128, kTileK = 32, kThreads = 512;
constexpr int kRowsPerWarp = 8, kColsPerLane = 4;
constexpr int kTileBytes = 2 * kTileK * 128 * static_cast<int>(sizeof(int));  // the A and B tiles
static_assert(kThreads / 32 * kRowsPerWarp == kTileM && 32 * kColsPerLane == kTileN);

template <class Entry, bool kShared>
__device__ __forceinline__ int lookup(const char* table, int offset) {
  const Entry* p = reinterpret_cast<const Entry*>(table + offset);
  if constexpr (kShared) {
    return static_cast<int>(*p);
  } else {
    return static_cast<int>(__ldg(p));
  }
}

template <class Entry, bool kShared>
__global__ void __launch_bounds__(kThreads, 1)
    lut_gemm_kernel(const Entry* __restrict__ table, const std::uint8_t* __restrict__ a, int lda,
                    const std::uint8_t* __restrict__ b, int ldb, std::int32_t* __restrict__ c, int ldc, int m, int n,
                    int k) {
  extern __shared__ __align__(16) unsigned char smem[];
  constexpr int kTableBytes = kShared ? 65536 * static_cast<int>(sizeof(Entry)) : 0;
  constexpr int kRowBytes = 256 * static_cast<int>(sizeof(Entry));
  int* as = reinterpret_cast<int*>(smem + kTableBytes);  // [kTileK][kTileM]: byte offsets of A's table rows
  int* bs = as + kTileK * kTileM;                        // [kTileK][kTileN]: byte offsets of B's entries
  const char* entries = kShared ? reinterpret_cast<const char*>(smem) : reinterpret_cast<const char*>(table);
  if constexpr (kShared) {
    const int4* from = reinterpret_cast<const int4*>(table);
    int4* to = reinterpret_cast<int4*>(smem);
    for (int i = threadIdx.x; i < kTableBytes / 16; i += kThreads) to[i] = from[i];
  }
  const int tiles_n = (n + kTileN - 1) / kTileN, tiles = (m + kTileM - 1) / kTileM * tiles_n;
  const int warp = static_cast<int>(threadIdx.x) / 32, lane = static_cast<int>(threadIdx.x) % 32;
  for (int tile = static_cast<int>(blockIdx.x); tile < tiles; tile += static_cast<int>(gridDim.x)) {
    const int row0 = tile / tiles_n * kTileM, col0 = tile % tiles_n * kTileN;
    unsigned acc[kRowsPerWarp][kColsPerLane] = {};  // wraps around, as int32 sums do on the CPU
    for (int k0 = 0; k0 < k; k0 += kTileK) {
      const int depth = min(kTileK, k - k0);
      __syncthreads();  // the last step's tiles are read
      {
        const int r = static_cast<int>(threadIdx.x) / 4, first = static_cast<int>(threadIdx.x) % 4 * 8;
        const int row = row0 + r;
        for (int x = 0; x < 8; ++x) {
          const int kk = first + x;
          const int code = row < m && kk < depth ? a[static_cast<std::size_t>(row) * lda + k0 + kk] : 0;
          as[kk * kTileM + r] = code * kRowBytes;
        }
      }
      {
        const int kk = static_cast<int>(threadIdx.x) / 16, first = static_cast<int>(threadIdx.x) % 16 * 8;
        for (int x = 0; x < 8; ++x) {
          const int col = col0 + first + x;
          const int code = kk < depth && col < n ? b[static_cast<std::size_t>(k0 + kk) * ldb + col] : 0;
          bs[kk * kTileN + first + x] = code * static_cast<int>(sizeof(Entry));
        }
      }
      __syncthreads();
#pragma unroll 2
      for (int kk = 0; kk < depth; ++kk) {
        const int4 r0 = *reinterpret_cast<const int4*>(&as[kk * kTileM + warp * kRowsPerWarp]);
        const int4 r1 = *reinterpret_cast<const int4*>(&as[kk * kTileM + warp * kRowsPerWarp + 4]);
        const int rows[kRowsPerWarp] = {r0.x, r0.y, r0.z, r0.w, r1.x, r1.y, r1.z, r1.w};
        int cols[kColsPerLane];
#pragma unroll
        for (int t = 0; t < kColsPerLane; ++t) cols[t] = bs[kk * kTileN + lane + 32 * t];
#pragma unroll
        for (int i = 0; i < kRowsPerWarp; ++i) {
#pragma unroll
          for (int t = 0; t < kColsPerLane; ++t) {
            acc[i][t] += static_cast<unsigned>(lookup<Entry, kShared>(entries, rows[i] + cols[t]));
          }
        }
      }
    }
#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
      const int row = row0 + warp * kRowsPerWarp + i;
      if (row >= m) continue;
#pragma unroll
      for (int t = 0; t < kColsPerLane; ++t) {
        const int col = col0 + lane + 32 * t;
        if (col < n) c[static_cast<std::size_t>(row) * ldc + col] = static_cast<std::int32_t>(acc[i][t]);
      }
    }
  }
}

/// A's codes as int8 values, K padded with zeros to `ldk` columns (a grid-stride loop, so any M).
__global__ void widen_codes(const std::uint8_t* __restrict__ a, int lda, std::int8_t* __restrict__ out, int ldk, int m,
                            int k, int bits, bool is_signed) {
  const std::size_t total = static_cast<std::size_t>(m) * ldk;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const auto row = static_cast<int>(i / ldk), col = static_cast<int>(i % ldk);
    int v = 0;
    if (col < k) {
      const int low = a[static_cast<std::size_t>(row) * lda + col] & ((1 << bits) - 1);
      const int sign = is_signed ? 1 << (bits - 1) : 0;
      v = (low ^ sign) - sign;
    }
    out[i] = static_cast<std::int8_t>(v);
  }
}

/// What each host thread keeps per GPU: its own stream (so threads overlap), cuBLAS handle and
/// staging buffers, which only grow.
struct ThreadContext {
  int device = -1;
  cudaStream_t stream = nullptr;
  cublasHandle_t blas = nullptr;
  Buffer a_codes, a_values, c_values;
  int multiprocessors = 0;

  explicit ThreadContext(int d) : device(d) {
    check(cudaSetDevice(d), "cudaSetDevice");
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    check(cudaDeviceGetAttribute(&multiprocessors, cudaDevAttrMultiProcessorCount, d), "cudaDeviceGetAttribute");
  }
  ~ThreadContext() {
    // At exit the driver may be gone already; nothing useful can be done with an error here.
    if (blas != nullptr) (void)cublasDestroy(blas);
    if (stream != nullptr) (void)cudaStreamDestroy(stream);
  }
  ThreadContext(const ThreadContext&) = delete;
  ThreadContext& operator=(const ThreadContext&) = delete;

  cublasHandle_t handle() {
    if (blas == nullptr) {
      check(cublasCreate(&blas), "cublasCreate");
      check(cublasSetStream(blas, stream), "cublasSetStream");
    }
    return blas;
  }
  static void reserve(Buffer& buffer, int device, std::size_t bytes) {
    if (buffer.bytes() < bytes) buffer = Buffer(device, std::max(bytes, 2 * buffer.bytes()));
  }
};

ThreadContext& context(int device) {
  thread_local std::vector<std::unique_ptr<ThreadContext>> contexts;
  if (device < 0 || device >= kMaxDevices) throw Error("CUDA: no device " + std::to_string(device));
  if (static_cast<std::size_t>(device) >= contexts.size()) contexts.resize(static_cast<std::size_t>(device) + 1);
  auto& slot = contexts[static_cast<std::size_t>(device)];
  if (!slot) slot = std::make_unique<ThreadContext>(device);
  check(cudaSetDevice(device), "cudaSetDevice");
  return *slot;
}

/// Copies A's rows to the GPU, contiguous (stride k).
const std::uint8_t* upload_rows(ThreadContext& ctx, const std::uint8_t* a, std::size_t lda, int m, int k) {
  const auto bytes = static_cast<std::size_t>(m) * static_cast<std::size_t>(k);
  ThreadContext::reserve(ctx.a_codes, ctx.device, bytes);
  check(cudaMemcpy2DAsync(ctx.a_codes.data(), static_cast<std::size_t>(k), a, lda, static_cast<std::size_t>(k),
                          static_cast<std::size_t>(m), cudaMemcpyHostToDevice, ctx.stream),
        "copying the left operand to the GPU");
  return static_cast<const std::uint8_t*>(ctx.a_codes.data());
}

template <class Entry, bool kShared>
void launch_lut(ThreadContext& ctx, const Buffer& table, const std::uint8_t* a, int lda, const std::uint8_t* b, int ldb,
                std::int32_t* c, int ldc, int m, int n, int k) {
  const auto kernel = lut_gemm_kernel<Entry, kShared>;
  const int shared = (kShared ? 65536 * static_cast<int>(sizeof(Entry)) : 0) + kTileBytes;
  // Once per device (the attribute belongs to a context): the shared memory, and how many blocks
  // fit a multiprocessor with it.
  static std::array<std::once_flag, kMaxDevices> configured;
  static std::array<int, kMaxDevices> per_multiprocessor{};
  const auto d = static_cast<std::size_t>(ctx.device);
  std::call_once(configured[d], [&] {
    check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, shared),
          "reserving shared memory for the lookup-table GEMM");
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_multiprocessor[d], kernel, kThreads,
                                                        static_cast<std::size_t>(shared)),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
  });
  const int tiles = (m + kTileM - 1) / kTileM * ((n + kTileN - 1) / kTileN);
  const int blocks = std::max(1, std::min(tiles, ctx.multiprocessors * std::max(1, per_multiprocessor[d])));
  kernel<<<blocks, kThreads, static_cast<std::size_t>(shared), ctx.stream>>>(static_cast<const Entry*>(table.data()), a,
                                                                             lda, b, ldb, c, ldc, m, n, k);
  check(cudaGetLastError(), "launching the lookup-table GEMM");
}

/// Copies C (stride `from_ld` on the GPU) to the host and waits for the stream.
void download(ThreadContext& ctx, std::int32_t* c, std::size_t ldc, std::size_t from_ld, int m, int n) {
  check(cudaMemcpy2DAsync(c, ldc * sizeof(std::int32_t), ctx.c_values.data(), from_ld * sizeof(std::int32_t),
                          static_cast<std::size_t>(n) * sizeof(std::int32_t), static_cast<std::size_t>(m),
                          cudaMemcpyDeviceToHost, ctx.stream),
        "copying the product from the GPU");
  check(cudaStreamSynchronize(ctx.stream), "running the GEMM on the GPU");
}

}  // namespace

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clears the error, so that later calls do not report it
    return 0;
  }
  return count;
}

std::string unavailable(int index) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    return std::string("no usable NVIDIA GPU: ") + cudaGetErrorString(status);
  }
  if (index < 0 || index >= count || index >= kMaxDevices) {
    return "there is no GPU cuda:" + std::to_string(index) + "; this machine has " + std::to_string(count) +
           (count == 1  ? " (cuda:0)"
            : count > 1 ? " (cuda:0 to cuda:" + std::to_string(count - 1) + ")"
                        : "");
  }
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, index), "cudaGetDeviceProperties");
  if (p.major < 8) {
    return "GPU cuda:" + std::to_string(index) + " (" + p.name + ", compute capability " + std::to_string(p.major) +
           "." + std::to_string(p.minor) + ") is older than the Ampere GPUs this build targets";
  }
  return "";
}

std::string describe(int index) {
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, index), "cudaGetDeviceProperties");
  char text[400];
  std::snprintf(text, sizeof text, "%s, %.1f GiB, %d SMs, compute capability %d.%d", p.name,
                static_cast<double>(p.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0), p.multiProcessorCount, p.major,
                p.minor);
  return text;
}


Buffer::Buffer(int device, std::size_t bytes) : device_(device), bytes_(bytes) {
  check(cudaSetDevice(device), "cudaSetDevice");
  check(cudaMalloc(&data_, bytes), "allocating GPU memory");
}

Buffer::~Buffer() {
  if (data_ == nullptr) return;
  (void)cudaFree(data_);
}

Buffer::Buffer(Buffer&& other) noexcept
    : device_(std::exchange(other.device_, -1)),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Buffer old(std::move(*this));
    device_ = std::exchange(other.device_, -1);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void Buffer::upload(const void* host, std::size_t bytes) {
  if (bytes > bytes_) throw Error("CUDA: an upload of " + std::to_string(bytes) + " bytes overflows its buffer");
  check(cudaSetDevice(device_), "cudaSetDevice");
  check(cudaMemcpy(data_, host, bytes, cudaMemcpyHostToDevice), "copying to the GPU");
}

void lut_gemm_on_device(int device, const Buffer& table, EntryType type, const std::uint8_t* a, int lda,
                        const std::uint8_t* b, int ldb, std::int32_t* c, int ldc, int m, int n, int k) {
  ThreadContext& ctx = context(device);
  switch (type) {
    case EntryType::s16:
      return launch_lut<std::int16_t, true>(ctx, table, a, lda, b, ldb, c, ldc, m, n, k);
    case EntryType::u16:
      return launch_lut<std::uint16_t, true>(ctx, table, a, lda, b, ldb, c, ldc, m, n, k);
    case EntryType::s32:
      return launch_lut<std::int32_t, false>(ctx, table, a, lda, b, ldb, c, ldc, m, n, k);
  }
}

void synchronize(int device) { check(cudaStreamSynchronize(context(device).stream), "running on the GPU"); }

/// C = 0 for products over an empty K; true when that is the whole answer.
static bool empty_product(std::int32_t* c, std::size_t ldc, int m, int n, int k) {
  if (m > 0 && n > 0 && k > 0) return false;
  for (int i = 0; i < m; ++i) std::fill_n(c + static_cast<std::size_t>(i) * ldc, n, 0);
  return true;
}

void lut_gemm(int device, const Buffer& table, EntryType type, const std::uint8_t* a, std::size_t lda, const Buffer& b,
              std::size_t ldb, std::int32_t* c, std::size_t ldc, int m, int n, int k) {
  if (empty_product(c, ldc, m, n, k)) return;
  ThreadContext& ctx = context(device);
  const std::uint8_t* a_dev = upload_rows(ctx, a, lda, m, k);
  ThreadContext::reserve(ctx.c_values, device, static_cast<std::size_t>(m) * static_cast<std::size_t>(n) * 4);
  lut_gemm_on_device(device, table, type, a_dev, k, static_cast<const std::uint8_t*>(b.data()), static_cast<int>(ldb),
                     static_cast<std::int32_t*>(ctx.c_values.data()), n, m, n, k);
  download(ctx, c, ldc, static_cast<std::size_t>(n), m, n);
}

void exact_gemm(int device, int bits, bool is_signed, const std::uint8_t* a, std::size_t lda, const Buffer& bt,
                std::size_t ldbt, std::int32_t* c, std::size_t ldc, int m, int n, int k) {
  if (empty_product(c, ldc, m, n, k)) return;
  ThreadContext& ctx = context(device);
  const int kp = static_cast<int>(ldbt);
  const std::uint8_t* a_dev = upload_rows(ctx, a, lda, m, k);
  ThreadContext::reserve(ctx.a_values, device, static_cast<std::size_t>(m) * static_cast<std::size_t>(kp));
  auto* a8 = static_cast<std::int8_t*>(ctx.a_values.data());
  const auto blocks = static_cast<unsigned>(std::min<std::size_t>(
      (static_cast<std::size_t>(m) * static_cast<std::size_t>(kp) + 255) / 256, std::size_t{4} * 1024));
  widen_codes<<<blocks, 256, 0, ctx.stream>>>(a_dev, k, a8, kp, m, k, bits, is_signed);
  check(cudaGetLastError(), "launching the operand conversion");
  // N padded as B's packing padded it: the padded columns of C are zeros, never copied back.
  const int ldc_dev = static_cast<int>(int8_padded(static_cast<std::size_t>(n)));
  ThreadContext::reserve(ctx.c_values, device, static_cast<std::size_t>(m) * static_cast<std::size_t>(ldc_dev) * 4);
  const std::int32_t one = 1, zero = 0;
  // cuBLAS is column-major: it computes (A·B)ᵀ = Bᵀ·Aᵀ, whose column-major storage is A·B row-major.
  check(cublasGemmEx(ctx.handle(), CUBLAS_OP_T, CUBLAS_OP_N, ldc_dev, m, kp, &one, bt.data(), CUDA_R_8I, kp, a8,
                     CUDA_R_8I, kp, &zero, ctx.c_values.data(), CUDA_R_32I, ldc_dev, CUBLAS_COMPUTE_32I,
                     CUBLAS_GEMM_DEFAULT),
        "int8 GEMM");
  download(ctx, c, ldc, static_cast<std::size_t>(ldc_dev), m, n);
}

}  // namespace vitdse::eval::cuda
