// Strict YAML reading: locations, typos, types and ranges.
#include "vitdse/core/yaml.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace vitdse {

namespace {
std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Yaml, MalformedGivesFileLineColumn) {
  const auto msg = message_of([] { parse_yaml("a: 1\nb: [1, 2\nc: 3\n", "x.yaml"); });
  EXPECT_NE(msg.find("x.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
}

TEST(Yaml, MissingFileIsAnError) {
  const auto msg = message_of([] { load_yaml_file("/nonexistent/dir/file.yaml"); });
  EXPECT_NE(msg.find("cannot open '/nonexistent/dir/file.yaml'"), std::string::npos) << msg;
}

TEST(Yaml, UnknownKeyNamesTheClosestAllowed) {
  const auto doc = parse_yaml("depth: 3\nembed_dimm: 4\n", "card.yaml");
  YamlMap map(doc.root, doc.source, "model card");
  EXPECT_EQ(map.get_int("depth", 1, 10), 3);
  map.allow("embed_dim");
  const auto msg = message_of([&] { map.finish(); });
  EXPECT_NE(msg.find("card.yaml:2: unknown key 'embed_dimm'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'embed_dim'?"), std::string::npos) << msg;
}

TEST(Yaml, RangeAndTypeErrorsNameTheKey) {
  const auto doc = parse_yaml("depth: -2\nwidth: abc\n", "c.yaml");
  YamlMap map(doc.root, doc.source, "card");
  auto msg = message_of([&] { map.get_int("depth", 1, 10); });
  EXPECT_NE(msg.find("c.yaml:1: 'depth' = -2 is out of range; allowed 1..10"), std::string::npos) << msg;
  msg = message_of([&] { map.get_int("width", 1, 10); });
  EXPECT_NE(msg.find("c.yaml:2: 'width' must be an integer"), std::string::npos) << msg;
  msg = message_of([&] { map.get_int("missing", 1, 10); });
  EXPECT_NE(msg.find("lacks required key 'missing'"), std::string::npos) << msg;
}

// Found by fuzzing (design target): a mapping whose key is an alias of the mapping itself.
TEST(Yaml, KeyThatIsNotAScalarIsAnError) {
  for (const char* text : {"version: 1\ndefaults: &a {*a}\n", "{[1, 2]: 3}\n", "? {a: 1}\n: 2\n"}) {
    const auto doc = parse_yaml(text, "x.yaml");
    const auto msg = message_of([&] {
      YamlMap top(doc.root, doc.source, "design");
      if (top.has("defaults")) top.child("defaults", "defaults").finish();
      top.finish();
    });
    EXPECT_NE(msg.find("x.yaml:"), std::string::npos) << text << " -> " << msg;
    EXPECT_NE(msg.find("not a plain name"), std::string::npos) << text << " -> " << msg;
  }
}

TEST(Yaml, NonMappingRejected) {
  const auto doc = parse_yaml("- 1\n- 2\n", "l.yaml");
  EXPECT_THROW(YamlMap(doc.root, doc.source, "card"), Error);
  const auto empty = parse_yaml("", "e.yaml");
  EXPECT_THROW(YamlMap(empty.root, empty.source, "card"), Error);
}

}  // namespace vitdse
