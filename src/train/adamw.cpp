// AdamW and its schedule.
#include "vitdse/train/adamw.hpp"

#include <cmath>
#include <numbers>

#include "vitdse/core/error.hpp"

namespace vitdse::train {

AdamW::AdamW(const std::vector<eval::WeightTensor>& parameters, AdamWConfig config) : config_(config) {
  for (const auto& t : parameters) {
    m_.emplace_back(t.values.size(), 0.0f);
    v_.emplace_back(t.values.size(), 0.0f);
  }
}

bool AdamW::decays(const std::string& name, std::size_t rank) {
  return rank >= 2 && name != "cls_token" && name != "pos_embed";
}

void AdamW::step(const std::vector<eval::WeightTensor>& w, const std::vector<eval::WeightTensor>& g, double lr) {
  if (w.size() != m_.size() || g.size() != m_.size()) throw Error("AdamW: stepping tensors of another model");
  ++steps_;
  const double correction1 = 1.0 - std::pow(config_.beta1, static_cast<double>(steps_));
  const double correction2 = 1.0 - std::pow(config_.beta2, static_cast<double>(steps_));
  const auto b1 = static_cast<float>(config_.beta1), b2 = static_cast<float>(config_.beta2);
  const auto step_size = static_cast<float>(lr / correction1);
  const auto inv_sqrt_c2 = static_cast<float>(1.0 / std::sqrt(correction2));
  const auto eps = static_cast<float>(config_.eps);
  for (std::size_t t = 0; t < w.size(); ++t) {
    const float keep =
        decays(w[t].name, w[t].shape.size()) ? static_cast<float>(1.0 - lr * config_.weight_decay) : 1.0f;
    Eigen::Map<Eigen::ArrayXf> wt(w[t].values.data(), static_cast<Eigen::Index>(w[t].values.size()));
    Eigen::Map<Eigen::ArrayXf> gt(g[t].values.data(), wt.size());
    Eigen::Map<Eigen::ArrayXf> mt(m_[t].data(), wt.size());
    Eigen::Map<Eigen::ArrayXf> vt(v_[t].data(), wt.size());
    mt = b1 * mt + (1.0f - b1) * gt;
    vt = b2 * vt + (1.0f - b2) * gt.square();
    wt = wt * keep - step_size * mt / (vt.sqrt() * inv_sqrt_c2 + eps);
  }
}

double warmup_cosine(std::int64_t step, std::int64_t warmup, std::int64_t total, double peak) {
  if (step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
  if (total <= warmup) return peak;
  const double progress = static_cast<double>(step - warmup) / static_cast<double>(total - warmup);
  return 0.5 * peak * (1.0 + std::cos(std::numbers::pi * std::min(progress, 1.0)));
}

}  // namespace vitdse::train
