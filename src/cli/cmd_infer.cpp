// vitdse infer: run a model on a tensor of images and write its logits.
#include <chrono>
#include <ostream>

#include <spdlog/spdlog.h>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::cli {

int infer_command(Context& ctx) {
  po::options_description options("options");
  std::string model, inputs, key, out;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel),
                        "model card: a zoo name or a path; its `weights:` file is loaded")(
      "inputs", po::value(&inputs)->required(), "safetensors file holding float32 images [B, C, H, W], normalised")(
      "key", po::value(&key)->default_value("input"), "tensor name of the images in --inputs")(
      "out", po::value(&out)->required(), "safetensors file to write: `logits`, float32 [B, classes]");
  po::variables_map vm;
  if (!parse_options(ctx, "infer", "--inputs X.safetensors --out Y.safetensors [--model M] [--key input]", options,
                     vm)) {
    return 0;
  }

  const auto card = model::load_model_card(model);
  const eval::VitEngine engine(card, eval::load_vit_weights(card));
  const model::SafetensorsFile file(inputs);
  if (!file.contains(key)) throw Error(inputs + ": no tensor '" + key + "' (use --key to name the images)");
  const auto images = file.read_f32(key);
  const std::vector<std::int64_t> expected{card.in_chans, card.img_size, card.img_size};
  if (images.shape.size() != 4 || !std::equal(expected.begin(), expected.end(), images.shape.begin() + 1)) {
    throw Error(inputs + ": tensor '" + key + "' must be [B, " + std::to_string(card.in_chans) + ", " +
                std::to_string(card.img_size) + ", " + std::to_string(card.img_size) + "] for model '" + card.name +
                "'");
  }
  const int batch = static_cast<int>(images.shape[0]);
  const auto start = std::chrono::steady_clock::now();
  const FloatMatrix logits = engine.forward(images.data, batch);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  model::write_safetensors(
      out, {{"logits", model::Tensor{{batch, card.num_classes},
                                     std::vector<float>(logits.data(), logits.data() + logits.size())}}});
  ctx.out << "wrote " << out << ": logits [" << batch << ", " << card.num_classes << "] of model " << card.name << " ("
          << seconds * 1e3 << " ms, " << (seconds > 0 ? batch / seconds : 0.0) << " images/s)\n";
  return 0;
}

}  // namespace vitdse::cli
