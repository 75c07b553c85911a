// LutGemm's kernels on a GPU: any table through the lookup-table kernel, exact tables through
// cuBLAS's int8 GEMM on the tensor cores. Both keep B in the GPU's memory.
#include <algorithm>
#include <limits>
#include <memory>

#include "cuda_kernels.hpp"
#include "gemm_kernel.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::eval::detail {

namespace {

void require(int device) {
  const std::string why = cuda::unavailable(device);
  if (!why.empty()) throw Error(why);
}

const cuda::Buffer& on_device(const PackedOperand& b) { return *static_cast<const cuda::Buffer*>(b.device.get()); }

std::shared_ptr<const void> uploaded(int device, const void* host, std::size_t bytes) {
  auto buffer = std::make_shared<cuda::Buffer>(device, std::max<std::size_t>(bytes, 1));
  buffer->upload(host, bytes);
  return buffer;
}

/// The narrowest entries that hold every product the table has.
cuda::EntryType entry_type(const CodeTable& t) {
  const auto [low, high] = std::minmax_element(t.entries.begin(), t.entries.end());
  if (*low >= std::numeric_limits<std::int16_t>::min() && *high <= std::numeric_limits<std::int16_t>::max()) {
    return cuda::EntryType::s16;
  }
  if (*low >= 0 && *high <= std::numeric_limits<std::uint16_t>::max()) return cuda::EntryType::u16;
  return cuda::EntryType::s32;
}

template <class Entry>
std::vector<Entry> entries_as(const CodeTable& t) {
  // Every byte of B gets its entry (read modulo 2^bits), so the kernel never masks a code.
  std::vector<Entry> out(256 * 256);
  for (std::size_t a = 0; a < 256; ++a) {
    for (std::size_t b = 0; b < 256; ++b) out[256 * a + b] = static_cast<Entry>(t.row(a)[b & t.mask()]);
  }
  return out;
}

/// A GPU kernel multiplies whole matrices; a range of rows is a smaller one.
class CudaKernel : public GemmKernel {
 public:
  void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin, std::size_t end) const final {
    multiply(CodeView(a.row(begin), end - begin, a.cols, a.stride), b,
             Int32View(c.row(begin), end - begin, c.cols, c.stride));
  }
};

class CudaLutKernel final : public CudaKernel {
 public:
  CudaLutKernel(const CodeTable& t, int device) : device_(device), type_(entry_type(t)) {
    switch (type_) {
      case cuda::EntryType::s16: {
        const auto e = entries_as<std::int16_t>(t);
        table_ = uploaded(device, e.data(), e.size() * sizeof(e[0]));
        name_ = "cuda-lut-s16";
        break;
      }
      case cuda::EntryType::u16: {
        const auto e = entries_as<std::uint16_t>(t);
        table_ = uploaded(device, e.data(), e.size() * sizeof(e[0]));
        name_ = "cuda-lut-u16";
        break;
      }
      case cuda::EntryType::s32: {
        const auto e = entries_as<std::int32_t>(t);
        table_ = uploaded(device, e.data(), e.size() * sizeof(e[0]));
        name_ = "cuda-lut-s32";
        break;
      }
    }
  }

  [[nodiscard]] std::string_view name() const override { return name_; }

  void pack(const RightOperand& b, Reuse /*reuse*/, PackedOperand& out) const override {
    std::vector<std::uint8_t> codes(b.rows() * b.cols());  // K×N, row-major
    for (std::size_t k = 0; k < b.rows(); ++k) {
      for (std::size_t j = 0; j < b.cols(); ++j) codes[k * b.cols() + j] = b(k, j);
    }
    out.device = uploaded(device_, codes.data(), codes.size());
  }

  void multiply(CodeView a, const PackedOperand& b, Int32View c) const override {
    cuda::lut_gemm(device_, *static_cast<const cuda::Buffer*>(table_.get()), type_, a.data, a.stride, on_device(b),
                   b.cols, c.data, c.stride, static_cast<int>(a.rows), static_cast<int>(b.cols),
                   static_cast<int>(a.cols));
  }

 private:
  int device_;
  cuda::EntryType type_;
  std::shared_ptr<const void> table_;
  std::string_view name_;
};

class CudaExactKernel final : public CudaKernel {
 public:
  CudaExactKernel(arith::Width w, int device) : device_(device), width_(w) {}

  [[nodiscard]] std::string_view name() const override { return "cuda-int8-tensor-core"; }

  void pack(const RightOperand& b, Reuse /*reuse*/, PackedOperand& out) const override {
    const std::size_t ld = cuda::int8_padded(b.rows());
    std::vector<std::int8_t> values(cuda::int8_padded(b.cols()) * ld, 0);  // Bᵀ: N rows of K values, padded
    for (std::size_t j = 0; j < b.cols(); ++j) {
      for (std::size_t k = 0; k < b.rows(); ++k)
        values[j * ld + k] = static_cast<std::int8_t>(code_value(b(k, j), width_));
    }
    out.device = uploaded(device_, values.data(), values.size());
  }

  void multiply(CodeView a, const PackedOperand& b, Int32View c) const override {
    cuda::exact_gemm(device_, width_.bits, width_.is_signed, a.data, a.stride, on_device(b), cuda::int8_padded(b.rows),
                     c.data, c.stride, static_cast<int>(a.rows), static_cast<int>(b.cols), static_cast<int>(a.cols));
  }

 private:
  int device_;
  arith::Width width_;
};

}  // namespace

std::unique_ptr<GemmKernel> make_cuda_kernel(const CodeTable& table, bool exact, int device) {
  require(device);
  // Exact products of values that fit int8 run on the tensor cores; 8-bit unsigned codes do not fit.
  if (exact && (table.width.is_signed || table.width.bits <= 7)) {
    return std::make_unique<CudaExactKernel>(table.width, device);
  }
  return std::make_unique<CudaLutKernel>(table, device);
}

std::string cuda_unavailable(int device) { return cuda::unavailable(device); }

bool cuda_built() { return true; }

std::string cuda_describe(int device) { return cuda::describe(device); }

}  // namespace vitdse::eval::detail
