// Search policies (policies/*.yaml): a design space, objectives, constraints and a rollout prior.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vitdse/cost/cost_model.hpp"
#include "vitdse/search/objectives.hpp"
#include "vitdse/search/space.hpp"

namespace vitdse::search {

/// How the variables tie layers together.
enum class Tie { layer, block, all };

/// A variable as written in the policy, before it is resolved against a workload.
struct VariableSpec {
  model::Field field = model::kMult;
  Tie per = Tie::block;
  std::vector<std::string> layers;        ///< patterns over layer names, block prefix stripped ("mlp.fc2", "attn.*")
  int first_block = -1, last_block = -1;  ///< `blocks: "a-b"`; -1: every block (and layers outside blocks)
  std::vector<std::string> choices;       ///< canonical text
  std::string where;                      ///< file:line
};

/// A measured layer sensitivity table (`vitdse sensitivity --csv`) for one multiplier.
struct SensitivityTable {
  std::string unit;                                     ///< canonical spec
  std::vector<std::pair<std::string, double>> drop_pp;  ///< layer name -> top-1 drop, pp
};

/// The hardware-driven rollout prior: for variable v and choice c,
///   w(v, c) ∝ exp(cost_weight · s(v, c) − sensitivity_weight · d(v, c)),
/// with s the % of the reference design's energy saved by that choice alone (which weighs the
/// unit's saving by the layers' MAC share) and d the measured top-1 drop of those layers on that
/// unit (0 when no table covers it).
struct PriorOptions {
  double cost_weight = 0.05;
  double sensitivity_weight = 1.0;
  std::vector<SensitivityTable> sensitivity;
};

struct Policy {
  std::string name;
  std::string source;  ///< the file
  std::string description;
  std::string model = "vit-fmnist";
  std::string arch = "lowpower-vit-28nm";
  std::vector<Metric> objectives{Metric::top1_drop_pp, Metric::energy_uJ};
  std::vector<Constraint> constraints;
  double drop_scale_pp = 10;  ///< accuracy-drop side of the hypervolume box
  std::size_t images = 500;   ///< evaluation slice
  std::string base_yaml;      ///< the base design, as a design file
  std::vector<VariableSpec> variables;
  PriorOptions prior;
};

/// Loads policies/<name>.yaml or a path; every problem is a one-line error with file:line.
Policy load_policy(const std::string& name_or_path);
Policy parse_policy(const std::string& yaml_text, const std::string& source);

/// Resolves the policy's variables over a workload (uniform prior).
DesignSpace make_space(const Policy& policy, const model::Workload& workload);
/// Sets each variable's prior from the cost model and the policy's sensitivity tables.
void assign_prior(DesignSpace& space, const cost::CostModel& cost, const PriorOptions& options);

}  // namespace vitdse::search
