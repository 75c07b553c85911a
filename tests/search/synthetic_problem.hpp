// A design space over a real workload with a synthetic score, cheap enough to brute-force, so
// the search algorithms are tested against the front they ought to find.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "vitdse/model/card.hpp"
#include "vitdse/search/objectives.hpp"
#include "vitdse/search/pareto_archive.hpp"
#include "vitdse/search/policy.hpp"
#include "vitdse/search/scoring.hpp"
#include "vitdse/search/search_run.hpp"

namespace vitdse::test {

/// vit-fmnist's first three blocks: weight bits {8, 6, 4} and FFN2 pruning {0, .25, .5, .75} per
/// block, 3^3 * 4^3 = 1728 points. The blocks differ in how much accuracy and energy they carry,
/// so the front trades them off unevenly, as a real model's does.
inline constexpr const char* kSyntheticPolicy = R"(version: 1
name: synthetic
variables:
  - {field: wbits, per: block, blocks: "0-2", choices: [8, 6, 4]}
  - {field: ffn2_prune, per: block, blocks: "0-2", choices: [0, 0.25, 0.5, 0.75]}
)";
inline constexpr std::size_t kSyntheticPoints = 1728;

/// Accuracy falls with each block's quantisation and pruning, weighted by the block's
/// sensitivity; energy falls with bits and pruning, weighted by the block's share.
class SyntheticScoring final : public search::Scoring {
 public:
  explicit SyntheticScoring(const model::Workload& workload, std::string context = std::string(64, 's'))
      : Scoring(workload, std::move(context)) {}

  [[nodiscard]] search::Score score(const model::Design& design) const override {
    ++calls;
    search::Score s = cost_score(design);
    double drop = 0;
    for (std::size_t b = 0; b < 3; ++b)
      drop += kSensitivity[b] * (quantisation_loss(bits(design, b)) + 3 * p2(design, b));
    s.top1_pct = float_top1_pct() - drop;
    return s;
  }
  [[nodiscard]] search::Score cost_score(const model::Design& design) const override {
    search::Score s;
    s.energy_uJ = 10;
    for (std::size_t b = 0; b < 3; ++b) {
      s.energy_uJ += kEnergy[b] * bits(design, b) / 8.0 * (1.0 - 0.6 * prune(design, b));
    }
    s.area_mm2 = 1;
    s.latency_ms = 1;
    return s;
  }
  [[nodiscard]] double float_top1_pct() const override { return 90; }
  [[nodiscard]] std::size_t images() const override { return 1000; }

  mutable std::atomic<int> calls = 0;  ///< fresh scores asked for

 private:
  static constexpr double kSensitivity[3] = {3, 1, 2};
  static constexpr double kEnergy[3] = {5, 3, 4};
  static double quantisation_loss(int bits) { return bits >= 8 ? 0 : bits >= 6 ? 0.3 : 2.0; }
  [[nodiscard]] const model::LayerChoice& layer(const model::Design& d, std::size_t block, const char* name) const {
    return d.layers[static_cast<std::size_t>(workload().find("blocks." + std::to_string(block) + "." + name))];
  }
  [[nodiscard]] int bits(const model::Design& d, std::size_t b) const { return layer(d, b, "mlp.fc1").wbits; }
  [[nodiscard]] double prune(const model::Design& d, std::size_t b) const { return layer(d, b, "mlp.fc2").ffn2_prune; }
  [[nodiscard]] double p2(const model::Design& d, std::size_t b) const { return prune(d, b) * prune(d, b); }
};

/// The workload, the space and the brute-forced front of the synthetic problem.
struct SyntheticProblem {
  model::Workload workload{model::load_model_card("vit-fmnist")};
  search::DesignSpace space = search::make_space(search::parse_policy(kSyntheticPolicy, "synthetic.yaml"), workload);
  SyntheticScoring scoring{workload};

  /// Every point of the space, in odometer order.
  [[nodiscard]] std::vector<search::Point> all_points() const {
    std::vector<search::Point> out;
    search::Point p(space.variables().size(), 0);
    for (;;) {
      out.push_back(p);
      std::size_t v = 0;
      while (v < p.size() && ++p[v] == static_cast<int>(space.variables()[v].choices.size())) p[v++] = 0;
      if (v == p.size()) return out;
    }
  }
  /// The true front, as the search normalises it (the reference design is the all-zeros point).
  [[nodiscard]] search::ParetoArchive true_front(const search::ObjectiveSpec& spec = {}) const {
    const auto points = all_points();
    const search::Objectives objectives(spec.metrics, spec.constraints, scoring.float_top1_pct(),
                                        scoring.score(space.design(points.front())), spec.drop_scale_pp);
    search::ParetoArchive front(spec.metrics.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      (void)front.add(i, objectives.normalised(scoring.score(space.design(points[i]))));
    }
    return front;
  }
};

/// The one instance the tests share: its scorer counts calls, and its front is costly to build.
inline const SyntheticProblem& synthetic_problem() {
  static const SyntheticProblem p;
  return p;
}

}  // namespace vitdse::test
