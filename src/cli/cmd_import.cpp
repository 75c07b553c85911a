// vitdse import: turn a timm ViT's or EfficientViT's ONNX export into a model card and timm-layout safetensors.
#include <filesystem>
#include <ostream>
#include <sstream>

#include "cli/options.hpp"
#include "vitdse/core/atomic_file.hpp"
#include "vitdse/core/error.hpp"
#include "vitdse/eval/float_model.hpp"
#include "vitdse/model/onnx_import.hpp"
#include "vitdse/model/onnx_workload.hpp"

namespace vitdse::cli {

int import_command(Context& ctx) {
  po::options_description options("options");
  std::string file, out, name, interpolation;
  model::ImportOptions o;
  options.add_options()("model", po::value(&file)->required(), "the ONNX model (also the first positional argument)")(
      "out", po::value(&out)->required(), "folder to write NAME.yaml and NAME.safetensors to (made if missing)")(
      "name", po::value(&name), "the card's name (default: the file's stem)")(
      "mean", po::value(&o.mean)->multitoken(),
      "per-channel mean of the model's normalisation (ONNX does not record it; default for 3 channels: ImageNet's)")(
      "std", po::value(&o.std)->multitoken(), "per-channel standard deviation, likewise")(
      "crop-pct", po::value(&o.crop_pct)->default_value(0.875), "timm's crop_pct for image files")(
      "interpolation", po::value(&interpolation)->default_value("bicubic"), "bicubic or bilinear, for image files");
  po::positional_options_description positional;
  positional.add("model", 1);
  po::variables_map vm;
  if (!parse_options(ctx, "import", "MODEL.onnx --out DIR [--name N] [--mean M...] [--std S...]", options, vm,
                     &positional)) {
    return 0;
  }
  if (interpolation != "bicubic" && interpolation != "bilinear")
    throw usage_error("--interpolation must be bicubic or bilinear, not '" + interpolation + "'");
  if (!(o.crop_pct > 0 && o.crop_pct <= 1)) throw usage_error("--crop-pct must be in (0, 1]");
  o.interpolation = interpolation == "bicubic" ? model::Interpolation::bicubic : model::Interpolation::bilinear;
  o.name = name;

  const model::OnnxGraph graph = model::load_onnx_graph(file);
  const model::ImportedModel imported = model::import_onnx(graph, o);
  const std::filesystem::path dir(out);
  std::filesystem::create_directories(dir);
  const std::string stem = imported.card.name;
  const auto card_path = dir / (stem + ".yaml"), weights_path = dir / (stem + ".safetensors");
  model::write_safetensors(weights_path, imported.weights,
                           {{"format", "pt"}, {"source", graph.path().filename().string()}});
  write_file_atomically(card_path,
                        imported.card_text(weights_path.filename().string(), graph.path().filename().string()));

  // Read both back the way every command will, and price the card against the graph.
  const model::ModelCard card = model::load_model_card(card_path.string());
  (void)eval::FloatModel(card);  // loads the weights as every command will, shapes checked
  const model::Workload from_card(card);
  const auto from_graph = model::onnx_workload(graph);
  const double card_macs = from_card.macs(), graph_macs = from_graph.workload.macs();
  std::ostringstream shape;
  if (card.family == model::Family::vit) {
    shape << card.patch_size << "x" << card.patch_size << " patches, width " << card.embed_dim << ", depth "
          << card.depth << ", " << card.num_heads << " heads, MLP " << card.mlp_hidden();
  } else {
    shape << "EfficientViT, stem " << card.efficientvit->stem_width << ", stages";
    for (const auto& s : card.efficientvit->stages) shape << " " << s.width << "x" << s.depth;
    shape << ", head dim " << card.efficientvit->head_dim;
  }
  ctx.out << "imported " << card.name << ": " << card.img_size << "x" << card.img_size << "x" << card.in_chans << ", "
          << shape.str() << ", " << card.num_classes << " classes, " << static_cast<double>(from_card.params()) / 1e6
          << " M parameters\n"
          << "wrote " << card_path.string() << " and " << weights_path.string() << " (float32, timm's names)\n"
          << "checked: the card loads with its weights; its workload has " << card_macs / 1e6 << " M MACs, the graph's "
          << graph_macs / 1e6 << " M" << (card_macs == graph_macs ? " (equal)" : " (they differ)") << '\n';
  if (o.mean.empty())
    ctx.out << "normalisation: ImageNet's mean and std (give --mean and --std if the model used others)\n";
  return card_macs == graph_macs ? 0 : 1;
}

}  // namespace vitdse::cli
