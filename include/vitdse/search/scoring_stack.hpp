// Everything a real Scorer references (workload, cost model, evaluator), built from a setup that
// is plain text, so that another process can build the same scorer from it.
#pragma once

#include <memory>
#include <string>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/model/workload.hpp"
#include "vitdse/search/scorer.hpp"

namespace vitdse::search {

/// What a scorer is made of: names or paths as the command line gives them.
struct ScoringSetup {
  std::string model;    ///< card name or path
  std::string arch;     ///< template name or path
  std::string dataset;  ///< `kind:path`, a path, or empty for $VITDSE_DATA, then the card's
  eval::EvalOptions eval;
  eval::Device device = eval::Device::cpu();

  /// The same setup with the dataset resolved (`kind:path`), as a stack built from it names it;
  /// reads the model card.
  [[nodiscard]] ScoringSetup resolved() const;
  /// One `key value` line per field; `parse` reads it back exactly (numbers round-trip).
  [[nodiscard]] std::string text() const;
  static ScoringSetup parse(const std::string& text);
};

/// Loads the card, template, weights and dataset of a setup and holds the scorer over them.
/// The setup it keeps names the dataset it resolved (`kind:path`), so a copy built elsewhere
/// reads the same files.
///
///     ScoringStack stack({.model = "vit-fmnist", .arch = "lowpower-vit-28nm"});
///     Score s = stack.scorer().score(design);
class ScoringStack {
 public:
  explicit ScoringStack(ScoringSetup setup);
  ScoringStack(const ScoringStack&) = delete;
  ScoringStack& operator=(const ScoringStack&) = delete;

  [[nodiscard]] const ScoringSetup& setup() const { return setup_; }
  [[nodiscard]] const model::Workload& workload() const { return workload_; }
  [[nodiscard]] const cost::CostModel& cost() const { return cost_; }
  [[nodiscard]] const eval::DatasetSource& source() const { return source_; }
  [[nodiscard]] const eval::Evaluator& evaluator() const { return *evaluator_; }
  [[nodiscard]] const Scorer& scorer() const { return scorer_; }

 private:
  ScoringSetup setup_;
  model::Workload workload_;
  cost::CostModel cost_;
  eval::DatasetSource source_;
  std::unique_ptr<eval::Evaluator> evaluator_;
  Scorer scorer_;
};

}  // namespace vitdse::search
