// The build's paths, compiled into this one file so that every other test object is the same
// wherever the tree is checked out (and a compiler cache shares it between checkouts).
#include "test_util.hpp"

namespace vitdse::test {

std::string test_data(const std::string& name) { return (std::filesystem::path(VITDSE_TEST_DATA) / name).string(); }

const char* vitdse_binary() { return VITDSE_BINARY; }

}  // namespace vitdse::test
