// The float model: the family's engine behind one call.
#include "vitdse/eval/float_model.hpp"

#include <variant>

#include "vitdse/eval/efficientvit_engine.hpp"
#include "vitdse/eval/vit_engine.hpp"

namespace vitdse::eval {

struct FloatModel::Impl {
  std::variant<VitEngine, EfficientVitEngine> engine;
};

namespace {

std::variant<VitEngine, EfficientVitEngine> make_engine(const model::ModelCard& card) {
  if (card.family == model::Family::efficientvit) {
    return EfficientVitEngine(card, load_efficientvit_weights(card, card_weights_file(card)));
  }
  return VitEngine(card, load_vit_weights(card));
}

}  // namespace

FloatModel::FloatModel(const model::ModelCard& card) : impl_(std::make_unique<Impl>(Impl{make_engine(card)})) {}
FloatModel::~FloatModel() = default;
FloatModel::FloatModel(FloatModel&&) noexcept = default;
FloatModel& FloatModel::operator=(FloatModel&&) noexcept = default;

FloatMatrix FloatModel::forward(std::span<const float> images, int batch) const {
  return std::visit([&](const auto& engine) { return engine.forward(images, batch); }, impl_->engine);
}

}  // namespace vitdse::eval
