// Packed stochastic bitstreams: storage, gates and popcounts.
#include "vitdse/arith/sc_stream.hpp"

#include <bit>
#include <string>

#include "vitdse/core/error.hpp"

namespace vitdse::arith {

namespace {

void check_same_length(const Bitstream& a, const Bitstream& b, const char* gate) {
  if (a.length() != b.length()) {
    throw Error(std::string("SC ") + gate + ": bitstream lengths differ (" + std::to_string(a.length()) + " and " +
                std::to_string(b.length()) + "); the inputs of a gate must have the same length");
  }
}

/// Applies `op` word by word; `op` must map zero padding to zero padding or the caller masks.
template <class Op>
Bitstream combine(const Bitstream& a, const Bitstream& b, Op op) {
  Bitstream out(a.length());
  const auto x = a.words(), y = b.words();
  const auto z = out.mutable_words();
  for (std::size_t w = 0; w < z.size(); ++w) z[w] = op(x[w], y[w]);
  z.back() &= last_word_mask(a.length());
  return out;
}

}  // namespace

Bitstream::Bitstream(int length) : length_(length) {
  if (length < kScMinLength || length > kScMaxLength) {
    throw Error("SC bitstream length " + std::to_string(length) + " is out of range; allowed " +
                std::to_string(kScMinLength) + ".." + std::to_string(kScMaxLength));
  }
  words_.assign(static_cast<std::size_t>(stream_words(length)), 0);
}

Bitstream Bitstream::from_string(std::string_view bits) {
  Bitstream s(static_cast<int>(bits.size()));
  for (std::size_t t = 0; t < bits.size(); ++t) {
    if (bits[t] != '0' && bits[t] != '1') {
      throw Error("SC bitstream '" + std::string(bits) + "': character " + std::to_string(t + 1) + " is not 0 or 1");
    }
    s.set(static_cast<int>(t), bits[t] == '1');
  }
  return s;
}

void Bitstream::set(int t, bool value) {
  const std::uint64_t bit = std::uint64_t{1} << (t % 64);
  auto& word = words_[word_index(t)];
  word = value ? (word | bit) : (word & ~bit);
}

int Bitstream::count() const { return popcount_words(words_); }

std::string Bitstream::to_string() const {
  std::string s(static_cast<std::size_t>(length_), '0');
  for (int t = 0; t < length_; ++t) {
    if (test(t)) s[static_cast<std::size_t>(t)] = '1';
  }
  return s;
}

namespace {

/// sum over words of popcount(op(a[w], b[w])): the kernel under every SC product. The loop is
/// written once and compiled twice: for the build's target, and for AVX-512 VPOPCNTDQ (eight
/// words an instruction), which the first call picks when the CPU has it.
template <class Op>
inline int popcount_combined(const std::uint64_t* a, const std::uint64_t* b, std::size_t n, Op op) {
  int ones = 0;
  for (std::size_t w = 0; w < n; ++w) ones += std::popcount(op(a[w], b[w]));
  return ones;
}

struct And {
  std::uint64_t operator()(std::uint64_t x, std::uint64_t y) const { return x & y; }
};
struct Xor {
  std::uint64_t operator()(std::uint64_t x, std::uint64_t y) const { return x ^ y; }
};
struct First {
  std::uint64_t operator()(std::uint64_t x, std::uint64_t /*unused*/) const { return x; }
};

using Kernel = int (*)(const std::uint64_t*, const std::uint64_t*, std::size_t);

template <class Op>
int portable_kernel(const std::uint64_t* a, const std::uint64_t* b, std::size_t n) {
  return popcount_combined(a, b, n, Op{});
}

#if defined(__GNUC__) && defined(__x86_64__)
#define VITDSE_HAS_AVX512_POPCOUNT 1
template <class Op>
__attribute__((target("avx512f,avx512vpopcntdq"))) int avx512_kernel(const std::uint64_t* a, const std::uint64_t* b,
                                                                     std::size_t n) {
  return popcount_combined(a, b, n, Op{});
}
#endif

template <class Op>
Kernel pick_kernel() {
#ifdef VITDSE_HAS_AVX512_POPCOUNT
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512vpopcntdq")) return &avx512_kernel<Op>;
#endif
  return &portable_kernel<Op>;
}

template <class Op>
int popcount_dispatch(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  static const Kernel kernel = pick_kernel<Op>();
  return kernel(a.data(), b.data(), a.size());
}

}  // namespace

bool popcount_uses_avx512() {
#ifdef VITDSE_HAS_AVX512_POPCOUNT
  return pick_kernel<And>() == &avx512_kernel<And>;
#else
  return false;
#endif
}

int popcount_words(std::span<const std::uint64_t> words) { return popcount_dispatch<First>(words, words); }

int popcount_and_words(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  return popcount_dispatch<And>(a, b);
}

int popcount_xnor_words(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, int length) {
  // XNOR sets the zero padding to one: count the disagreements instead, which padding cannot add.
  return length - popcount_dispatch<Xor>(a, b);
}

/// The portable kernels, for tests that compare both paths.
int portable_popcount_and_words(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  return portable_kernel<And>(a.data(), b.data(), a.size());
}

Bitstream operator&(const Bitstream& a, const Bitstream& b) {
  check_same_length(a, b, "AND");
  return combine(a, b, [](std::uint64_t x, std::uint64_t y) { return x & y; });
}

Bitstream operator|(const Bitstream& a, const Bitstream& b) {
  check_same_length(a, b, "OR");
  return combine(a, b, [](std::uint64_t x, std::uint64_t y) { return x | y; });
}

Bitstream xnor(const Bitstream& a, const Bitstream& b) {
  check_same_length(a, b, "XNOR");
  return combine(a, b, [](std::uint64_t x, std::uint64_t y) { return ~(x ^ y); });
}

Bitstream mux(const Bitstream& select, const Bitstream& when_one, const Bitstream& when_zero) {
  check_same_length(select, when_one, "MUX");
  check_same_length(select, when_zero, "MUX");
  Bitstream out(select.length());
  const auto s = select.words(), x = when_one.words(), y = when_zero.words();
  const auto z = out.mutable_words();
  for (std::size_t w = 0; w < z.size(); ++w) z[w] = (s[w] & x[w]) | (~s[w] & y[w]);
  return out;
}

int and_count(const Bitstream& a, const Bitstream& b) {
  check_same_length(a, b, "AND");
  return popcount_and_words(a.words(), b.words());
}

int xnor_count(const Bitstream& a, const Bitstream& b) {
  check_same_length(a, b, "XNOR");
  return popcount_xnor_words(a.words(), b.words(), a.length());
}

}  // namespace vitdse::arith
