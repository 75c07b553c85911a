// vitdse::Error: the one exception type, carrying a message a user can act on.
#pragma once

#include <stdexcept>
#include <string>

namespace vitdse {

/// Thrown for any failure a user can fix: bad input, missing files, values out of range.
/// `main()` prints `what()` on one line and exits 2 for usage errors, 1 otherwise.
///
///     throw Error("model 'deit-smal' not found; available: deit-small, deit-tiny");
class Error : public std::runtime_error {
 public:
  enum class Kind { runtime, usage };

  explicit Error(const std::string& message, Kind kind = Kind::runtime) : std::runtime_error(message), kind_(kind) {}

  [[nodiscard]] Kind kind() const noexcept { return kind_; }
  [[nodiscard]] int exit_code() const noexcept { return kind_ == Kind::usage ? 2 : 1; }

 private:
  Kind kind_;
};

/// A usage error: the command line itself is wrong (exit code 2).
inline Error usage_error(const std::string& message) { return Error(message, Error::Kind::usage); }

}  // namespace vitdse
