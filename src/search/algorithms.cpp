// Choosing a search algorithm by name, and running it on a SearchRun.
#include "vitdse/search/algorithms.hpp"

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::search {

namespace {

struct Named {
  Algorithm algorithm;
  const char* name;
};
constexpr Named kAlgorithms[] = {{Algorithm::mcts, "mcts"},
                                 {Algorithm::random, "random"},
                                 {Algorithm::nsga2, "nsga2"},
                                 {Algorithm::greedy, "greedy"},
                                 {Algorithm::moead, "moead"}};

}  // namespace

std::string to_string(Algorithm a) {
  for (const auto& n : kAlgorithms) {
    if (n.algorithm == a) return n.name;
  }
  return "?";
}

Algorithm parse_algorithm(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& n : kAlgorithms) {
    if (name == n.name) return n.algorithm;
    names.emplace_back(n.name);
  }
  throw usage_error("unknown algorithm '" + name + "'" + did_you_mean(name, names) + "; algorithms: " + join(names));
}

std::vector<Algorithm> parse_algorithms(const std::string& comma_list) {
  std::vector<Algorithm> out;
  for (const auto& part : split(comma_list, ',')) out.push_back(parse_algorithm(part));
  return out;
}

void run_algorithm(Algorithm algorithm, SearchRun& run, const AlgorithmOptions& options) {
  if (options.batch < 1) throw usage_error("the batch size must be at least 1");
  run.begin();
  switch (algorithm) {
    case Algorithm::mcts:
      return run_mcts(run, options);
    case Algorithm::random:
      return run_random(run, options);
    case Algorithm::nsga2:
      return run_nsga2(run, options);
    case Algorithm::greedy:
      return run_greedy(run, options);
    case Algorithm::moead:
      return run_moead(run, options);
  }
}

}  // namespace vitdse::search
