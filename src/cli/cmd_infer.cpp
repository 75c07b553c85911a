// vitdse infer: run a model, or a design's arithmetic on it, on a tensor of images and write its logits.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/conv_design_datapath.hpp"
#include "vitdse/eval/dataset.hpp"
#include "vitdse/eval/design_datapath.hpp"
#include "vitdse/eval/evaluator.hpp"
#include "vitdse/eval/float_model.hpp"
#include "vitdse/eval/normalise.hpp"
#include "vitdse/eval/vit_engine.hpp"
#include "vitdse/model/safetensors.hpp"

namespace vitdse::cli {

namespace {

struct Inputs {
  model::Tensor images;            ///< [B, C, H, W], normalised
  std::vector<std::string> files;  ///< the image files, in batch order (empty for a tensor)
};

/// The images of --inputs: one safetensors file's tensor `key`, or image files and folders.
Inputs read_inputs(const std::vector<std::string>& inputs, const std::string& key, const model::ModelCard& card) {
  if (inputs.size() == 1 && std::filesystem::path(inputs[0]).extension() == ".safetensors") {
    const model::SafetensorsFile file(inputs[0]);
    if (!file.contains(key)) throw Error(inputs[0] + ": no tensor '" + key + "' (use --key to name the images)");
    auto images = file.read_f32(key);
    const std::vector<std::int64_t> expected{card.in_chans, card.img_size, card.img_size};
    if (images.shape.size() != 4 || !std::equal(expected.begin(), expected.end(), images.shape.begin() + 1)) {
      throw Error(inputs[0] + ": tensor '" + key + "' must be [B, " + std::to_string(card.in_chans) + ", " +
                  std::to_string(card.img_size) + ", " + std::to_string(card.img_size) + "] for model '" + card.name +
                  "'");
    }
    return {std::move(images), {}};
  }
  std::vector<std::filesystem::path> files;
  for (const auto& input : inputs) {
    const auto found = eval::list_image_files(input);
    files.insert(files.end(), found.begin(), found.end());
  }
  const eval::Dataset decoded = eval::load_image_files(files, eval::image_transform(card));
  Inputs out{{{static_cast<std::int64_t>(files.size()), card.in_chans, card.img_size, card.img_size},
              eval::normalised_batch(decoded, card)},
             {}};
  for (const auto& f : files) out.files.push_back(f.string());
  return out;
}

}  // namespace

int infer_command(Context& ctx) {
  po::options_description options("options");
  std::string model, design_path, data, key, out, device;
  std::vector<std::string> inputs;
  std::size_t calibration_images = 64;
  std::uint64_t seed = 0;
  options.add_options()("model", po::value(&model)->default_value(kDefaultModel),
                        "model card: a zoo name or a path; its `weights:` file is loaded")(
      "inputs", po::value(&inputs)->required()->multitoken(),
      "a safetensors file of float32 images [B, C, H, W], normalised; or JPEG/PNG files and folders of them, "
      "preprocessed by the card's timm evaluation transform")("key", po::value(&key)->default_value("input"),
                                                              "tensor name of the images in --inputs")(
      "out", po::value(&out)->required(), "safetensors file to write: `logits`, float32 [B, classes]")(
      "design", po::value(&design_path),
      "design file (YAML): run its arithmetic (omitted: the float model, as timm runs it)")(
      "data", po::value(&data), "with --design: dataset of the calibration images (default: $VITDSE_DATA, the card's)")(
      "calib", po::value(&calibration_images)->default_value(64),
      "with --design: calibration images from the train split, as `vitdse eval` takes them")(
      "seed", po::value(&seed)->default_value(0), "with --design: seed of the calibration sample");
  add_device_option(options, device);
  po::variables_map vm;
  if (!parse_options(ctx, "infer",
                     "--inputs X.safetensors|IMAGES... --out Y.safetensors [--model M] [--key input] [--design D.yaml]",
                     options, vm)) {
    return 0;
  }
  if (design_path.empty() && (vm.count("data") != 0 || !vm["calib"].defaulted() || !vm["seed"].defaulted())) {
    throw usage_error("vitdse infer: --data, --calib and --seed calibrate a design's quantisers; give --design too");
  }
  if (calibration_images == 0) throw usage_error("--calib must be at least 1");
  const eval::Device where = eval::parse_device(device);
  if (design_path.empty() && where.kind != eval::Device::Kind::cpu) {
    throw usage_error("vitdse infer: the float model runs on the CPU; --device " + eval::to_string(where) +
                      " runs a design's GEMMs, so give --design too");
  }

  const auto md = load_model_and_design(model, design_path);
  const auto& card = md.workload->card();
  const auto [images, files] = read_inputs(inputs, key, card);
  const int batch = static_cast<int>(images.shape[0]);
  FloatMatrix logits;
  std::chrono::steady_clock::time_point start;  // of the forward pass alone
  if (design_path.empty()) {
    const eval::FloatModel float_model(card);
    start = std::chrono::steady_clock::now();
    logits = float_model.forward(images.data, batch);
  } else {
    // The same calibration as `vitdse eval`: activation scales from train-split images.
    const auto source = eval::resolve_dataset(card, data.empty() ? std::nullopt : std::optional<std::string>(data));
    const eval::Dataset calibration = eval::load_calibration_set(source, calibration_images, seed);
    const auto calibration_inputs = eval::normalised_batch(calibration, card);
    const int calibration_count = static_cast<int>(calibration.size());
    if (card.family == model::Family::efficientvit) {
      if (where.kind != eval::Device::Kind::cpu) {
        throw usage_error("vitdse infer: EfficientViT designs run on the CPU only; drop --device");
      }
      const eval::EfficientVitEngine engine(card, eval::load_efficientvit_weights(card, eval::card_weights_file(card)));
      const auto samples = eval::record_conv_samples(engine, calibration_inputs, calibration_count);
      const eval::ConvDesignDatapath datapath(engine, *md.workload, md.design, samples);
      start = std::chrono::steady_clock::now();
      logits = engine.forward(images.data, batch, &datapath);
    } else {
      const eval::VitEngine engine(card, eval::load_vit_weights(card));
      const auto samples = eval::ActivationSamples::record(engine, calibration_inputs, calibration_count);
      const eval::DesignDatapath datapath(engine, *md.workload, md.design, samples, eval::QuantOptions{},
                                          where.kind == eval::Device::Kind::cuda ? where.index : -1);
      start = std::chrono::steady_clock::now();
      logits = engine.forward(images.data, batch, &datapath);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The image files' order goes into the metadata, so that each row of logits names its file.
  std::map<std::string, std::string> metadata;
  if (!files.empty()) metadata["inputs"] = nlohmann::json(files).dump();
  model::write_safetensors(
      out,
      {{"logits",
        model::Tensor{{batch, card.num_classes}, std::vector<float>(logits.data(), logits.data() + logits.size())}}},
      metadata);
  ctx.out << "wrote " << out << ": logits [" << batch << ", " << card.num_classes << "] of model " << card.name
          << (design_path.empty() ? std::string()
                                  : std::string(" with design ").append(model::design_hash(md.design, *md.workload)))
          << " (" << seconds * 1e3 << " ms, " << (seconds > 0 ? batch / seconds : 0.0) << " images/s)\n";
  return 0;
}

}  // namespace vitdse::cli
