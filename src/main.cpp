// vitdse entry point: hands argv to the CLI, which owns all error handling.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "vitdse/core/allocator.hpp"

int main(int argc, char** argv) {
  vitdse::keep_freed_memory();
  std::vector<std::string> args(argv + 1, argv + argc);
  return vitdse::cli::run(args, std::cout, std::cerr);
}
