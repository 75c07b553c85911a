// The portable kernels: a row of C at a time, B row by row, plain loops any CPU runs.
#include <algorithm>

#include "gemm_kernel.hpp"

namespace vitdse::eval::detail {

namespace {

/// Both portable kernels keep B as K×N bytes and accumulate a row of C in uint32, whose
/// wrap-around is the int32 wrap-around of the reference loop without its undefined behaviour.
/// `AddRow` adds the products of one left-operand code with one row of B.
template <class AddRow>
class PortableKernel final : public GemmKernel {
 public:
  PortableKernel(std::string_view name, arith::Width width, AddRow add_row)
      : name_(name), width_(width), add_row_(std::move(add_row)) {}

  [[nodiscard]] std::string_view name() const override { return name_; }

  void pack(const RightOperand& b, Reuse /*reuse*/, PackedOperand& out) const override {
    out.codes.resize(b.rows() * b.cols());
    for (std::size_t k = 0; k < b.rows(); ++k) {
      for (std::size_t j = 0; j < b.cols(); ++j) out.codes[k * b.cols() + j] = AddRow::pack_code(b(k, j), width_);
    }
  }

  void multiply_rows(CodeView a, const PackedOperand& b, Int32View c, std::size_t begin,
                     std::size_t end) const override {
    std::vector<std::uint32_t> acc(b.cols);
    for (std::size_t i = begin; i < end; ++i) {
      std::fill(acc.begin(), acc.end(), 0U);
      for (std::size_t k = 0; k < a.cols; ++k) add_row_(a(i, k), b.codes.data() + k * b.cols, acc.data(), b.cols);
      std::transform(acc.begin(), acc.end(), c.row(i), [](std::uint32_t x) { return static_cast<std::int32_t>(x); });
    }
  }

 private:
  std::string_view name_;
  arith::Width width_;
  AddRow add_row_;
};

/// Any table: B holds column indices (codes mod 2^n), A selects a table row.
struct AddTableRow {
  CodeTable table;

  static std::uint8_t pack_code(std::uint8_t code, arith::Width w) {
    return static_cast<std::uint8_t>(code & ((1U << w.bits) - 1));
  }
  void operator()(std::uint8_t a, const std::uint8_t* b, std::uint32_t* acc, std::size_t n) const {
    const std::int32_t* row = table.row(a);
    for (std::size_t j = 0; j < n; ++j) acc[j] += static_cast<std::uint32_t>(row[b[j]]);
  }
};

/// Exact products: B holds values as int8 (sign-extended codes) or uint8; a vectorisable multiply.
struct AddExactProducts {
  arith::Width width;

  static std::uint8_t pack_code(std::uint8_t code, arith::Width w) {
    return static_cast<std::uint8_t>(code_value(code, w));
  }
  template <class Value>
  static void add(std::int32_t a, const std::uint8_t* b, std::uint32_t* acc, std::size_t n) {
    for (std::size_t j = 0; j < n; ++j) acc[j] += static_cast<std::uint32_t>(a * static_cast<Value>(b[j]));
  }
  void operator()(std::uint8_t a, const std::uint8_t* b, std::uint32_t* acc, std::size_t n) const {
    if (width.is_signed) {
      add<std::int8_t>(code_value(a, width), b, acc, n);
    } else {
      add<std::uint8_t>(code_value(a, width), b, acc, n);
    }
  }
};

}  // namespace

std::unique_ptr<GemmKernel> make_portable_lut_kernel(const CodeTable& table) {
  return std::make_unique<PortableKernel<AddTableRow>>("portable-lut", table.width, AddTableRow{table});
}

std::unique_ptr<GemmKernel> make_portable_exact_kernel(arith::Width width) {
  return std::make_unique<PortableKernel<AddExactProducts>>("portable-exact", width, AddExactProducts{width});
}

}  // namespace vitdse::eval::detail
