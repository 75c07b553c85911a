// Packed stochastic bitstreams: L bits in 64-bit words, with the gates SC circuits apply to them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vitdse::arith {

/// Stream lengths a stochastic unit may use.
inline constexpr int kScMinLength = 2;
inline constexpr int kScMaxLength = 4096;

/// A stream of L bits (kScMinLength <= L <= kScMaxLength), the bit of cycle t at bit t % 64 of
/// word t / 64. Bits past the end of the last word are always zero, so whole-word popcounts
/// are exact.
///
///     Bitstream s = Bitstream::from_string("1101");
///     s.count() == 3;  s.value() == 0.75;
class Bitstream {
 public:
  /// An all-zero stream; throws Error when `length` is outside 2..4096.
  explicit Bitstream(int length);
  /// Cycle t is character t of `bits`, each '0' or '1'.
  static Bitstream from_string(std::string_view bits);

  [[nodiscard]] int length() const { return length_; }
  [[nodiscard]] int word_count() const { return static_cast<int>(words_.size()); }
  [[nodiscard]] bool test(int t) const { return ((words_[word_index(t)] >> (t % 64)) & 1U) != 0; }
  void set(int t, bool value);
  [[nodiscard]] std::span<const std::uint64_t> words() const { return words_; }
  /// Writable words; callers must leave the bits past `length()` zero.
  [[nodiscard]] std::span<std::uint64_t> mutable_words() { return words_; }
  /// Ones in the stream (the output counter of a serial SC unit after L cycles).
  [[nodiscard]] int count() const;
  /// count() / length(): the unipolar value the stream carries.
  [[nodiscard]] double value() const { return static_cast<double>(count()) / length_; }
  [[nodiscard]] std::string to_string() const;

  bool operator==(const Bitstream& other) const = default;

 private:
  [[nodiscard]] static std::size_t word_index(int t) { return static_cast<std::size_t>(t / 64); }

  int length_;
  std::vector<std::uint64_t> words_;
};

/// Words needed for `length` bits.
[[nodiscard]] constexpr int stream_words(int length) { return (length + 63) / 64; }
/// The mask of the valid bits of the last word of a `length`-bit stream.
[[nodiscard]] constexpr std::uint64_t last_word_mask(int length) {
  return length % 64 == 0 ? ~std::uint64_t{0} : (std::uint64_t{1} << (length % 64)) - 1;
}

/// Whether the popcount kernels below run the AVX-512 VPOPCNTDQ path (chosen once, by the CPU).
[[nodiscard]] bool popcount_uses_avx512();
/// popcount_and_words on the portable path, whatever the CPU (for tests comparing the paths).
[[nodiscard]] int portable_popcount_and_words(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);
/// Ones in `words`.
[[nodiscard]] int popcount_words(std::span<const std::uint64_t> words);
/// Ones in a AND b, word by word, without materialising the product stream.
[[nodiscard]] int popcount_and_words(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);
/// Ones in a XNOR b over the first `length` bits.
[[nodiscard]] int popcount_xnor_words(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, int length);

/// Unipolar multiplication: the AND gate.
[[nodiscard]] Bitstream operator&(const Bitstream& a, const Bitstream& b);
/// OR, the gate of an OR adder.
[[nodiscard]] Bitstream operator|(const Bitstream& a, const Bitstream& b);
/// Bipolar multiplication: the XNOR gate.
[[nodiscard]] Bitstream xnor(const Bitstream& a, const Bitstream& b);
/// A 2:1 multiplexer per cycle: `when_one` where `select` is 1, else `when_zero`.
[[nodiscard]] Bitstream mux(const Bitstream& select, const Bitstream& when_one, const Bitstream& when_zero);
/// count(a & b) without building the stream.
[[nodiscard]] int and_count(const Bitstream& a, const Bitstream& b);
/// count(xnor(a, b)) without building the stream.
[[nodiscard]] int xnor_count(const Bitstream& a, const Bitstream& b);

}  // namespace vitdse::arith
