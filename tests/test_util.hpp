// Helpers shared by the tests: temporary files and in-process CLI runs.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "vitdse/core/error.hpp"

namespace vitdse::test {

/// Debian's dataset-fashion-mnist; tests that need real images skip without it.
inline const char* const kFashionMnist = "/usr/share/datasets/fashion-mnist";

// VITDSE_ASAN: built with AddressSanitizer (GCC defines __SANITIZE_ADDRESS__, Clang answers
// __has_feature).
#if defined(__SANITIZE_ADDRESS__)
#define VITDSE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VITDSE_ASAN 1
#endif
#endif

#if defined(VITDSE_ASAN)
// Under the sanitizers (about 10x slower) the end-to-end tests check the same mechanics on fewer
// images and steps; the Release suite checks what the runs learn.
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

/// A temporary directory removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("vitdse-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  /// Writes `text` to `name` inside the directory and returns its path.
  [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

/// A file of tests/data/ (fixtures made by the scripts beside them).
std::string test_data(const std::string& name);

/// The built `vitdse` executable, for tests that run it as a process.
const char* vitdse_binary();

struct CliResult {
  int code = 0;
  std::string out, err;
};

/// Runs `vitdse args...` in process.
inline CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliResult r;
  r.code = cli::run(args, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// A whole file's bytes ("" if it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The message of the Error that `f` throws, or "" if it throws none.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// True when `text` is exactly one newline-terminated line.
inline bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && text.find('\n') == text.size() - 1;
}

/// Expects `call()` to throw an Error of one line that contains `part`.
template <typename Call>
void expect_one_line_error(Call&& call, const std::string& part) {
  try {
    call();
    ADD_FAILURE() << "no error; expected one naming " << part;
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(part), std::string::npos) << m;
    EXPECT_TRUE(one_line(m + "\n")) << m;
  }
}

}  // namespace vitdse::test
