// Recording the float model's GEMM inputs on calibration images.
#include <algorithm>
#include <limits>
#include <mutex>

#include <tbb/task_arena.h>

#include "vitdse/eval/design_datapath.hpp"

namespace vitdse::eval {

namespace {

/// The float datapath, keeping every GEMM operand it sees.
class Recorder final : public Datapath {
 public:
  explicit Recorder(ActivationSamples& out) : out_(out) {}

  void linear(Site site, const FloatMatrix& x, const Linear& layer, FloatMatrix& out) const override {
    keep(site_name(site) + ".a", x);
    Datapath::linear(site, x, layer, out);
  }
  void scores(int block, MatrixRef q, MatrixRef k, FloatMatrix& out) const override {
    keep(site_name({block, Op::qk}) + ".a", q);
    keep(site_name({block, Op::qk}) + ".b", k);
    Datapath::scores(block, q, k, out);
  }
  void mix(int block, const FloatMatrix& p, MatrixRef v, MutableMatrixRef out) const override {
    keep(site_name({block, Op::av}) + ".b", v);
    Datapath::mix(block, p, v, out);
  }
  void matmul(Site site, MatrixRef a, MatrixRef b, FloatMatrix& out) const override {
    keep(site_name(site) + ".a", a);
    keep(site_name(site) + ".b", b);
    Datapath::matmul(site, a, b, out);
  }

 private:
  void keep(const std::string& key, MatrixRef m) const {
    const std::lock_guard lock(mutex_);
    out_.add(key, m);
  }

  ActivationSamples& out_;
  mutable std::mutex mutex_;
};

}  // namespace

ActivationSamples ActivationSamples::record(const VitEngine& engine, std::span<const float> images, int batch,
                                            std::size_t cap) {
  ActivationSamples result;
  Recorder recorder(result);
  recorder.act = engine.card().act;
  // One thread: the chunks then arrive in order, so the samples are the same on any machine.
  tbb::task_arena(1).execute([&] { (void)engine.forward(images, batch, &recorder); });
  result.thin(cap);
  return result;
}

void ActivationSamples::add(const std::string& key, MatrixRef m) {
  auto& s = samples[key];
  auto& c = columns[key];
  if (c.low.size() == 0) {
    c.low = Eigen::RowVectorXf::Constant(m.cols(), std::numeric_limits<float>::infinity());
    c.high = -c.low;
  }
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    c.low = c.low.cwiseMin(m.row(r));
    c.high = c.high.cwiseMax(m.row(r));
    for (Eigen::Index col = 0; col < m.cols(); ++col) s.push_back(m(r, col));
  }
}

void ActivationSamples::thin(std::size_t cap) {
  for (auto& [key, s] : samples) {
    if (s.size() <= cap) continue;
    const auto width = static_cast<std::size_t>(columns.at(key).low.size());
    const std::size_t rows = s.size() / width, keep = std::max<std::size_t>(1, cap / width);
    const std::size_t stride = (rows + keep - 1) / keep;
    std::size_t n = 0;
    for (std::size_t r = 0; r < rows; r += stride, n += width) {
      std::copy_n(s.begin() + static_cast<std::ptrdiff_t>(r * width), width,
                  s.begin() + static_cast<std::ptrdiff_t>(n));
    }
    s.resize(n);
  }
}

}  // namespace vitdse::eval
