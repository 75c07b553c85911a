// A scorer's setup as text, and the stack of loaded parts it names.
#include "vitdse/search/scoring_stack.hpp"

#include <map>
#include <sstream>

#include <spdlog/fmt/fmt.h>

#include "vitdse/core/error.hpp"
#include "vitdse/core/text.hpp"

namespace vitdse::search {

namespace {

const std::string& required(const std::map<std::string, std::string>& fields, const std::string& key) {
  const auto it = fields.find(key);
  if (it == fields.end()) throw Error("scoring setup: no '" + key + "' line");
  return it->second;
}

template <typename T>
T number(const std::map<std::string, std::string>& fields, const std::string& key) {
  const std::string& value = required(fields, key);
  std::istringstream in(value);
  T x{};
  if (!(in >> x) || !in.eof()) throw Error("scoring setup: '" + key + "' is not a number: " + printable(value));
  return x;
}

}  // namespace

std::string ScoringSetup::text() const {
  for (const auto* s : {&model, &arch, &dataset}) {
    if (s->find('\n') != std::string::npos) throw Error("a name or path holds a line break: " + printable(*s));
  }
  return fmt::format(
      "model {}\narch {}\ndataset {}\nimages {}\ncalibration_images {}\nseed {}\nquant_method {}\n"
      "quant_percentile {}\nprefix_reuse {}\ndevice {}\n",
      model, arch, dataset, eval.images, eval.calibration_images, eval.seed, static_cast<int>(eval.quant.method),
      eval.quant.percentile, eval.prefix_reuse ? 1 : 0, eval::to_string(device));
}

ScoringSetup ScoringSetup::parse(const std::string& text) {
  std::map<std::string, std::string> fields;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto space = line.find(' ');
    fields[line.substr(0, space)] = space == std::string::npos ? "" : line.substr(space + 1);
  }
  ScoringSetup s;
  s.model = required(fields, "model");
  s.arch = required(fields, "arch");
  s.dataset = required(fields, "dataset");
  s.eval.images = number<std::size_t>(fields, "images");
  s.eval.calibration_images = number<std::size_t>(fields, "calibration_images");
  s.eval.seed = number<std::uint64_t>(fields, "seed");
  s.eval.quant.method = static_cast<arith::CalibrationMethod>(number<int>(fields, "quant_method"));
  s.eval.quant.percentile = number<double>(fields, "quant_percentile");
  s.eval.prefix_reuse = number<int>(fields, "prefix_reuse") != 0;
  s.device = eval::parse_device(required(fields, "device"));
  return s;
}

namespace {

eval::DatasetSource resolve(const model::ModelCard& card, const std::string& dataset) {
  return eval::resolve_dataset(card, dataset.empty() ? std::nullopt : std::optional<std::string>(dataset));
}

std::string spec(const eval::DatasetSource& source) { return source.kind + ":" + source.path.string(); }

}  // namespace

ScoringSetup ScoringSetup::resolved() const {
  ScoringSetup s = *this;
  s.dataset = spec(resolve(model::load_model_card(model), dataset));
  return s;
}

ScoringStack::ScoringStack(ScoringSetup setup)
    : setup_(std::move(setup)),
      workload_(model::load_model_card(setup_.model)),
      cost_(workload_, cost::load_arch(setup_.arch)),
      source_(eval::resolve_dataset(
          workload_.card(), setup_.dataset.empty() ? std::nullopt : std::optional<std::string>(setup_.dataset))),
      evaluator_(eval::make_evaluator(workload_.card(), source_, setup_.eval, setup_.device)),
      scorer_(workload_, *evaluator_, cost_) {
  setup_.dataset = spec(source_);
}

}  // namespace vitdse::search
