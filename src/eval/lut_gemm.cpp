// LutGemm: checks shapes, picks a kernel for the table and the CPU, and shares rows over threads.
#include "vitdse/eval/lut_gemm.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "gemm_kernel.hpp"
#include "vitdse/arith/metrics.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::eval {

namespace {

std::string shape(std::size_t rows, std::size_t cols) { return std::to_string(rows) + "×" + std::to_string(cols); }

detail::CodeTable expand(std::span<const std::int32_t> table, arith::Width width) {
  if (width.bits < 2 || width.bits > 8) {
    throw Error("lookup-table GEMM: operand width " + std::to_string(width.bits) + " is out of range; allowed 2..8");
  }
  const std::size_t side = std::size_t{1} << width.bits;
  if (table.size() != side * side) {
    throw Error("lookup-table GEMM: a " + std::to_string(width.bits) + "-bit table has " + std::to_string(side * side) +
                " entries, not " + std::to_string(table.size()));
  }
  detail::CodeTable t{width, std::vector<std::int32_t>(256 * 256, 0)};
  for (std::size_t a = 0; a < 256; ++a) {
    for (std::size_t b = 0; b < side; ++b) t.entries[256 * a + b] = table[(a & (side - 1)) * side + b];
  }
  return t;
}

bool holds_exact_products(const detail::CodeTable& t) {
  const std::size_t side = std::size_t{1} << t.width.bits;
  for (std::size_t a = 0; a < side; ++a) {
    const auto va = detail::code_value(static_cast<std::uint8_t>(a), t.width);
    for (std::size_t b = 0; b < side; ++b) {
      if (t.entries[256 * a + b] != va * detail::code_value(static_cast<std::uint8_t>(b), t.width)) return false;
    }
  }
  return true;
}

std::unique_ptr<const detail::GemmKernel> pick_kernel(const detail::CodeTable& t, bool exact, GemmPath path) {
  if (path == GemmPath::automatic) path = gemm_path_from_environment();
  if (path == GemmPath::automatic) {
    auto fast = exact ? detail::make_avx512_exact_kernel(t.width) : detail::make_avx512_lut_kernel(t);
    if (fast) return fast;
  }
  if (!exact && path != GemmPath::portable) {
    if (auto avx2 = detail::make_avx2_lut_kernel(t)) return avx2;
    if (path == GemmPath::avx2) throw Error("VITDSE_GEMM_KERNEL=avx2: this CPU (or build) has no AVX2");
  }
  if (exact) return detail::make_portable_exact_kernel(t.width);
  return detail::make_portable_lut_kernel(t);
}

void check_view(const CodeView& v, const char* what) {
  if (v.stride < v.cols || (v.data == nullptr && v.rows * v.cols > 0)) {
    throw Error(std::string("lookup-table GEMM: ") + what + " view " + shape(v.rows, v.cols) + " has stride " +
                std::to_string(v.stride) + " or no data; the stride must be at least the column count");
  }
}

}  // namespace

GemmPath gemm_path_from_environment() {
  const char* value = std::getenv("VITDSE_GEMM_KERNEL");
  if (value == nullptr || std::string_view(value).empty() || std::string_view(value) == "auto") {
    return GemmPath::automatic;
  }
  if (std::string_view(value) == "portable") return GemmPath::portable;
  if (std::string_view(value) == "avx2") {
    if (!detail::cpu_has_avx2()) throw Error("VITDSE_GEMM_KERNEL=avx2: this CPU (or build) has no AVX2");
    return GemmPath::avx2;
  }
  throw Error("VITDSE_GEMM_KERNEL='" + printable(value, 40) + "' is not a kernel path; use auto, avx2 or portable");
}

void detail::GemmKernel::multiply(CodeView a, const PackedOperand& b, Int32View c) const {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, a.rows, grain_rows(b)),
                    [&](const tbb::blocked_range<std::size_t>& r) { multiply_rows(a, b, c, r.begin(), r.end()); });
}

std::vector<std::int32_t> signed_code_table(const arith::Multiplier& m, const std::string& spec) {
  if (m.bits() > 8) throw Error("unit '" + spec + "': the evaluator's lookup-table GEMM takes operands of 2..8 bits");
  if (m.is_signed()) return arith::build_lut(m);
  const int side = 1 << m.bits();
  const auto unsigned_table = arith::build_lut(m);
  std::vector<std::int32_t> table(static_cast<std::size_t>(side) * static_cast<std::size_t>(side));
  const auto value = [side](int code) { return code >= side / 2 ? code - side : code; };
  for (int ia = 0; ia < side; ++ia) {
    for (int ib = 0; ib < side; ++ib) {
      const int a = value(ia), b = value(ib);
      const std::int32_t magnitude = unsigned_table[static_cast<std::size_t>(std::abs(a) * side + std::abs(b))];
      table[static_cast<std::size_t>(ia * side + ib)] = (a < 0) != (b < 0) ? -magnitude : magnitude;
    }
  }
  return table;
}

LutGemm::LutGemm(const arith::Multiplier& m, GemmPath path, int cuda_device)
    : LutGemm(m.bits() <= 8 ? arith::build_lut(m) : std::vector<std::int32_t>{}, arith::Width{m.bits(), m.is_signed()},
              path, cuda_device) {}

LutGemm::LutGemm(std::span<const std::int32_t> table, arith::Width width, GemmPath path, int cuda_device)
    : width_(width) {
  const auto t = expand(table, width);
  exact_ = holds_exact_products(t);
  kernel_ = pick_kernel(t, exact_, path);
  if (cuda_device >= 0) gpu_ = detail::make_cuda_kernel(t, exact_, cuda_device);
}

LutGemm::~LutGemm() = default;
LutGemm::LutGemm(LutGemm&&) noexcept = default;
LutGemm& LutGemm::operator=(LutGemm&&) noexcept = default;

std::string_view LutGemm::kernel() const { return kernel_->name(); }

std::string_view LutGemm::gpu_kernel() const { return gpu_ ? gpu_->name() : std::string_view(); }

PackedOperand LutGemm::pack(CodeView b, Reuse reuse) const {
  check_view(b, "right operand");
  const auto& k = gpu_ && reuse == Reuse::many ? *gpu_ : *kernel_;
  PackedOperand out{b.rows, b.cols, k.name(), width_, {}, {}, {}, {}};
  k.pack(detail::RightOperand{b, false}, reuse, out);
  return out;
}

PackedOperand LutGemm::pack_transposed(CodeView bt, Reuse reuse) const {
  check_view(bt, "transposed right operand");
  const auto& k = gpu_ && reuse == Reuse::many ? *gpu_ : *kernel_;
  PackedOperand out{bt.cols, bt.rows, k.name(), width_, {}, {}, {}, {}};
  k.pack(detail::RightOperand{bt, true}, reuse, out);
  return out;
}

void LutGemm::multiply(CodeView a, const PackedOperand& b, Int32View c) const {
  check_view(a, "left operand");
  const bool on_gpu = gpu_ && b.layout == gpu_->name();
  if ((b.layout != kernel_->name() && !on_gpu) || b.width.bits != width_.bits ||
      b.width.is_signed != width_.is_signed) {
    throw Error("lookup-table GEMM: the right operand was packed for kernel '" + std::string(b.layout) +
                "' and width " + std::to_string(b.width.bits) + "; this one runs '" + std::string(kernel()) +
                "' at width " + std::to_string(width_.bits) + ", so pack it with this LutGemm");
  }
  if (a.cols != b.rows || c.rows != a.rows || c.cols != b.cols || c.stride < c.cols ||
      (c.data == nullptr && c.rows * c.cols > 0)) {
    throw Error("lookup-table GEMM: shapes do not chain: A " + shape(a.rows, a.cols) + " · B " + shape(b.rows, b.cols) +
                " -> C " + shape(c.rows, c.cols) + " (stride " + std::to_string(c.stride) + ")");
  }
  (on_gpu ? *gpu_ : *kernel_).multiply(a, b, c);
}

}  // namespace vitdse::eval
