// The fixtures' directory, compiled into this one file so that the other benchmark objects do not
// depend on where the tree is checked out.
#include "fixtures.hpp"

namespace vitdse::bench {

std::string fixture(const std::string& name) { return std::string(VITDSE_TEST_DATA) + "/" + name; }

}  // namespace vitdse::bench
