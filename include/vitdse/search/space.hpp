// The design space: decision variables over a workload's layers, and points in it.
#pragma once

#include <string>
#include <vector>

#include "vitdse/model/design.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::search {

/// One decision: a design field set to one of `choices` on every layer of `layers` (a tie).
struct Variable {
  std::string name;  ///< e.g. "blocks.3 mult", "all ffn2_prune"
  model::Field field = model::kMult;
  std::vector<int> layers;           ///< workload layer indices
  std::vector<std::string> choices;  ///< canonical text: unit spec, bits or ratio; the first is the reference
  std::vector<double> prior;         ///< rollout weights over choices, summing to 1
};

/// A design point: one choice index per variable.
using Point = std::vector<int>;

/// Variables over a base design. The point of all zeros (every variable at its first choice) is
/// the reference design that objectives are normalised by.
///
///     DesignSpace space(workload, base, variables);
///     model::Design d = space.design(Point(space.variables().size(), 0));
class DesignSpace {
 public:
  /// Checks every choice against the layers it lands on (field accepted, operand bits no wider
  /// than any multiplier that may serve them); throws an Error naming `source` otherwise.
  DesignSpace(const model::Workload& workload, const model::Design& base, std::vector<Variable> variables,
              const std::string& source);

  [[nodiscard]] const model::Workload& workload() const { return workload_; }
  [[nodiscard]] const std::vector<Variable>& variables() const { return variables_; }
  [[nodiscard]] std::vector<Variable>& variables() { return variables_; }
  /// log10 of the number of points.
  [[nodiscard]] double log10_size() const;
  /// The resolved design of a point (the base design with each variable's choice applied).
  [[nodiscard]] model::Design design(const Point& point) const;
  /// Throws unless `point` has one in-range index per variable.
  void check(const Point& point) const;

 private:
  const model::Workload& workload_;
  std::vector<model::LayerSettings> base_;
  std::vector<Variable> variables_;
};

}  // namespace vitdse::search
