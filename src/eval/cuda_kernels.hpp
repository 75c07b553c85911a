// The CUDA runtime and the GPU GEMM kernels behind a small C++ interface, so that only
// cuda_kernels.cu includes CUDA's headers and is compiled by nvcc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace vitdse::eval::cuda {

/// GPUs the driver offers this process; 0 without a driver or a GPU.
int device_count();
/// Why GPU `index` cannot be used ("" when it can), as a sentence a user can act on.
std::string unavailable(int index);
/// The GPU's name and memory, e.g. "NVIDIA H100 80GB HBM3, 79.1 GiB".
std::string describe(int index);

/// Memory on one GPU, freed with it.
class Buffer {
 public:
  Buffer() = default;
  Buffer(int device, std::size_t bytes);
  ~Buffer();
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  [[nodiscard]] int device() const { return device_; }
  /// Copies `bytes` from the host to offset 0 and waits for the copy.
  void upload(const void* host, std::size_t bytes);

 private:
  int device_ = -1;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

/// How a product table's entries are stored on the GPU.
enum class EntryType {
  s16,  ///< every entry fits int16: the table lives in shared memory (128 KiB)
  u16,  ///< every entry fits uint16 (unsigned 8-bit products): shared memory as well
  s32,  ///< 32-bit entries: read through the L1 cache from global memory
};

/// C (M×N int32, row-major, stride ldc) = A·B on the calling thread's stream of `device`, where
/// C[i][j] = Σ_k T[256·A[i][k] + B[k][j]] with wrap-around: `table` holds 256×256 entries of
/// `type` on that GPU, `a` M×K host codes (stride lda), `b` the GPU's K×N codes (stride ldb).
/// Waits for the result.
void lut_gemm(int device, const Buffer& table, EntryType type, const std::uint8_t* a, std::size_t lda, const Buffer& b,
              std::size_t ldb, std::int32_t* c, std::size_t ldc, int m, int n, int k);

/// lut_gemm with every operand already in the GPU's memory (row-major, strides in elements);
/// launched on the calling thread's stream, without waiting (synchronize() waits).
void lut_gemm_on_device(int device, const Buffer& table, EntryType type, const std::uint8_t* a, int lda,
                        const std::uint8_t* b, int ldb, std::int32_t* c, int ldc, int m, int n, int k);
/// Waits for the work the calling thread has launched on `device`.
void synchronize(int device);

/// A dimension of an int8 operand rounded up to a multiple of 16 (at least 16), as cuBLAS's
/// tensor-core path wants it; the padding holds zeros.
constexpr std::size_t int8_padded(std::size_t size) { return size < 16 ? 16 : (size + 15) / 16 * 16; }

/// The same for exact products on the tensor cores (cuBLAS int8 → int32): `bt` holds Bᵀ as int8
/// values on the GPU, int8_padded(N) rows of `ldbt` = int8_padded(K) bytes, the padding zero;
/// A's codes are read modulo 2^bits and sign-extended when `is_signed` (values must fit int8).
void exact_gemm(int device, int bits, bool is_signed, const std::uint8_t* a, std::size_t lda, const Buffer& bt,
                std::size_t ldbt, std::int32_t* c, std::size_t ldc, int m, int n, int k);

}  // namespace vitdse::eval::cuda
