// vitdse entry point: hands argv to the CLI, which owns all error handling.
#include <iostream>

#include "cli/cli.hpp"
#include "vitdse/core/allocator.hpp"

int main(int argc, char** argv) {
  vitdse::keep_freed_memory();
  return vitdse::cli::run_process(argc, argv, std::cout, std::cerr);
}
