// The float model of any family the engines run, as timm runs it: for commands that only need
// a model's logits (vitdse infer without a design).
#pragma once

#include <memory>
#include <span>

#include "vitdse/core/eigen.hpp"
#include "vitdse/model/card.hpp"

namespace vitdse::eval {

class FloatModel {
 public:
  /// The card's model with its `weights:` file: a VitEngine (family vit) or an
  /// EfficientVitEngine (family efficientvit).
  explicit FloatModel(const model::ModelCard& card);
  ~FloatModel();
  FloatModel(FloatModel&&) noexcept;
  FloatModel& operator=(FloatModel&&) noexcept;

  /// `images` holds `batch` normalised images [C x H x W]; the result is [batch x classes].
  [[nodiscard]] FloatMatrix forward(std::span<const float> images, int batch) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vitdse::eval
