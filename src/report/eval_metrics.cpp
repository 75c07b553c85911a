// Flattening an evaluation into named metrics.
#include "vitdse/report/eval_metrics.hpp"

namespace vitdse::report {

std::vector<Metric> eval_metrics(const eval::EvalReport& d, const eval::EvalReport& f) {
  const double n = static_cast<double>(d.images);
  return {
      {"images", "test images", "", n},
      {"top1_pct", "top-1 accuracy", "%", d.top1_pct},
      {"top1_ci95_low_pct", "95% interval, low", "%", d.top1_ci95_low_pct},
      {"top1_ci95_high_pct", "95% interval, high", "%", d.top1_ci95_high_pct},
      {"float_top1_pct", "float model's top-1 accuracy", "%", f.top1_pct},
      {"top1_drop_pp", "drop from the float model", "pp", f.top1_pct - d.top1_pct},
      {"agreement_pct", "top-1 agreement with float", "%", d.agreement_pct},
      {"kl_mean_nats", "mean KL(float || design)", "nats", d.kl_mean},
      {"logit_mse", "logit MSE against float", "", d.logit_mse},
      {"snr_dB", "logit SNR against float", "dB", d.snr_db},
      {"time_s", "design forward time", "s", d.seconds},
      {"images_per_s", "design throughput", "images/s", d.seconds > 0 ? n / d.seconds : 0.0},
  };
}

}  // namespace vitdse::report
