// SHA-256 against the FIPS 180-2 test vectors.
#include "vitdse/core/hash.hpp"

#include <gtest/gtest.h>

namespace vitdse {

TEST(Hash, Sha256KnownAnswers) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(short_hash("abc"), "ba7816bf8f01cfea");
}

}  // namespace vitdse
