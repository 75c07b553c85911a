// The command line's contract: help, exit codes, one-line errors, and format parity.
#include "cli/cli.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "test_util.hpp"
#include "vitdse/core/text.hpp"
#include "vitdse/model/workload.hpp"

namespace vitdse::cli {

using test::one_line;
using test::run_cli;

TEST(Cli, GlobalHelpAndVersion) {
  auto r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0);
  for (const auto& c : commands()) EXPECT_NE(r.out.find(c.name), std::string::npos) << c.name;
  r = run_cli({"--version"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("vitdse ", 0), 0u);
}

TEST(Cli, EverySubcommandHasHelpWithDefaults) {
  for (const auto& c : commands()) {
    const auto r = run_cli({c.name, "--help"});
    EXPECT_EQ(r.code, 0) << c.name;
    EXPECT_NE(r.out.find("usage: vitdse " + c.name), std::string::npos) << c.name;
  }
  const auto r = run_cli({"cost", "--help"});
  EXPECT_NE(r.out.find("(=vit-fmnist)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(=lowpower-vit-28nm)"), std::string::npos) << r.out;
}

// --quiet and --log-level work after the command too (taken out of its arguments up to "--"),
// and every command's help lists them.
TEST(Cli, LoggingOptionsAlsoFollowTheCommand) {
  EXPECT_EQ(run_cli({"list", "--log-level", "error"}).code, 0);
  EXPECT_EQ(spdlog::get_level(), spdlog::level::err);
  EXPECT_EQ(run_cli({"list", "-q"}).code, 0);
  EXPECT_EQ(spdlog::get_level(), spdlog::level::warn);
  EXPECT_EQ(run_cli({"--log-level=debug", "list"}).code, 0);
  EXPECT_EQ(spdlog::get_level(), spdlog::level::debug);
  EXPECT_EQ(run_cli({"list", "--log-level=info"}).code, 0);
  EXPECT_EQ(spdlog::get_level(), spdlog::level::info);
  const auto bad = run_cli({"list", "--log-level", "loud"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(one_line(bad.err)) << bad.err;
  for (const auto& c : commands()) {
    const auto help = run_cli({c.name, "--help"});
    EXPECT_NE(help.out.find("--log-level LEVEL"), std::string::npos) << c.name;
    EXPECT_NE(help.out.find("--quiet"), std::string::npos) << c.name;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                               {"frobnicate"},
                                               {"cots"},
                                               {"--bogus"},
                                               {"cost", "--bogus"},
                                               {"workload", "--model"},
                                               {"cost", "--csv", "--json"},
                                               {"--log-level", "loud", "list"},
                                               {"--log-level"},
                                               {"cost", "--node", "abc"}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, 2) << join(args, " ") << ": " << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_NE(run_cli({"cots"}).err.find("did you mean 'cost'?"), std::string::npos);
}

TEST(Cli, RuntimeErrorsExitOneWithOneLine) {
  test::TempDir dir;
  const auto malformed = dir.write("bad.yaml", "version: 1\nblocks:\n  \"0\": {wbits: [4\n");
  const auto typo = dir.write("typo.yaml", "version: 1\ndefaults: {wbitz: 4}\n");
  const auto negative = dir.write("neg.yaml", "version: 1\ndefaults: {token_keep: -0.5}\n");
  const auto layer = dir.write("layer.yaml", "version: 1\nlayers:\n  blocks.9.mlp.fc1: {wbits: 4}\n");
  const auto range = dir.write("range.yaml", "version: 1\nblocks:\n  \"2-7\": {wbits: 4}\n");
  const auto card = dir.write("card.yaml", "version: 1\nname: x\nimg_size: 0\n");
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const Case cases[] = {
      {{"workload", "--model", "nosuch"}, "unknown model 'nosuch'; available: deit-base, deit-small"},
      {{"cost", "--arch", "nosuch"}, "unknown accelerator template 'nosuch'; available: edge-256-45nm"},
      {{"cost", "--tech", "nosuch"}, "unknown technology 'nosuch'"},
      {{"cost", "--node", "2"}, "technology node 2 nm is out of range"},
      {{"design", "--design", malformed}, "bad.yaml:4:1: malformed YAML"},
      {{"design", "--design", typo}, "typo.yaml:2: unknown key 'wbitz'"},
      {{"cost", "--design", negative}, "'token_keep' = -0.5 is out of range"},
      {{"workload", "--design", layer}, "has no layer 'blocks.9.mlp.fc1'"},
      {{"design", "--design", range}, "block range '2-7' is out of bounds; the model has blocks 0..3"},
      {{"design", "--design", (dir.path() / "missing.yaml").string()}, "cannot open"},
      {{"workload", "--model", card}, "card.yaml:3: 'img_size' = 0 is out of range"},
  };
  for (const auto& c : cases) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.code, 1) << join(c.args, " ") << ": " << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  }
}

TEST(Cli, ErrorsAboutBinaryFilesStayPrintable) {
  test::TempDir dir;
  // A binary file given as a design, and a safetensors header whose tensor name is not UTF-8.
  const char raw[] =
      "\x7f"
      "ELF\x02\x01\x01\0\0\x1b[31m\xff\xfe:\n\x07";
  const auto binary = dir.write("binary.yaml", std::string(raw, sizeof raw - 1));
  const std::string header = R"({"w\u0000":{"dtype":"Q9","shape":[1],"data_offsets":[0,4]}})";
  std::string weights(8, '\0');
  weights[0] = static_cast<char>(header.size());
  weights += header;
  weights.replace(weights.find("\\u0000"), 6, "\xff\x1b[2J\n");  // raw bytes inside the JSON string
  weights[0] = static_cast<char>(weights.size() - 8);
  weights += std::string(4, '\0');
  const auto tensors = dir.write("w.safetensors", weights);
  for (const auto& args :
       {std::vector<std::string>{"design", "--design", binary},
        std::vector<std::string>{"infer", "--inputs", tensors, "--out", (dir.path() / "o").string()}}) {
    const auto r = run_cli(args);
    EXPECT_NE(r.code, 0) << r.err;
    ASSERT_TRUE(one_line(r.err)) << r.err;
    for (const char c : r.err.substr(0, r.err.size() - 1)) {
      const auto u = static_cast<unsigned char>(c);
      EXPECT_FALSE(u < 0x20 || u == 0x7f || u == 0xfe || u == 0xff) << "raw byte " << int(u) << " in: " << r.err;
    }
  }
}

TEST(Cli, WorkloadTotalsAndFormats) {
  auto r = run_cli({"workload", "--model", "deit-small"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("4.59888 GMACs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("MACs include the attention matmuls"), std::string::npos);
  r = run_cli({"workload", "--model", "deit-small", "--json"});
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["attention_matmuls_included"].get<bool>());
  EXPECT_EQ(j["layers"].back()["layer"], "total");
  EXPECT_EQ(j["layers"].back()["macs"], 4598882304);
  r = run_cli({"workload", "--model", "deit-small", "--csv"});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "layer,kind,block,input,output,macs,params,exp,erf,div,sqrt");
}

TEST(Cli, CostJsonAndCsvCarryTheSameFields) {
  const auto json = run_cli({"cost", "--json"});
  const auto csv = run_cli({"cost", "--csv"});
  ASSERT_EQ(json.code, 0) << json.err;
  ASSERT_EQ(csv.code, 0) << csv.err;
  const auto metrics = nlohmann::json::parse(json.out)["metrics"];
  const auto header = split(csv.out.substr(0, csv.out.find('\n')), ',');
  const auto values = split(csv.out.substr(csv.out.find('\n') + 1, csv.out.size() - csv.out.find('\n') - 2), ',');
  ASSERT_EQ(header.size(), metrics.size());
  for (std::size_t i = 0; i < header.size(); ++i) {
    ASSERT_TRUE(metrics.contains(header[i])) << header[i];
    EXPECT_DOUBLE_EQ(std::stod(values[i]), metrics[header[i]].get<double>()) << header[i];
  }
  for (const char* key : {"energy_total_uJ", "energy_mac_uJ", "energy_nonlinear_uJ", "energy_sram_uJ", "energy_dram_uJ",
                          "energy_static_uJ", "area_mm2", "area_pe_array_mm2", "area_sram_mm2", "latency_ms", "cycles",
                          "fps", "gops", "tops_per_W", "gops_per_mm2", "adp_mm2_ms", "edp_uJ_ms", "chip_power_mW"}) {
    EXPECT_TRUE(metrics.contains(key)) << key;
  }
}

TEST(Cli, CostPerLayerListsEveryLayerAndSumsToTheTotal) {
  const auto json = run_cli({"cost", "--per-layer", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  const auto& layers = j["layers"];
  const std::size_t workload_layers = model::Workload(model::load_model_card("vit-fmnist")).layers().size();
  ASSERT_EQ(layers.size(), workload_layers);
  double energy = 0;
  for (const auto& l : layers) energy += l["energy_uJ"].get<double>();
  const double total = j["metrics"]["energy_total_uJ"].get<double>();
  EXPECT_NEAR(energy, total, 1e-9 * total);
  EXPECT_EQ(layers[0]["layer"], "patch_embed");
  EXPECT_EQ(layers[0]["unit"], "exact:8s");
  const auto csv = run_cli({"cost", "--per-layer", "--csv"});
  ASSERT_EQ(csv.code, 0);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.out.begin(), csv.out.end(), '\n')), workload_layers + 1)
      << "a header and one row per layer";
  const auto text = run_cli({"cost", "--per-layer"});
  ASSERT_EQ(text.code, 0);
  EXPECT_NE(text.out.find("\ntotal "), std::string::npos) << "the text table ends with the sums";
}

TEST(Cli, CostOnAnFpgaTemplateReportsResourcesNotArea) {
  const auto text = run_cli({"cost", "--model", "efficientvit-b1", "--arch", "efficientvit-zcu102"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("(Xilinx XCZU9EG (ZCU102), 0.2 GHz, 2048 MACs"), std::string::npos) << text.out;
  const auto json = run_cli({"cost", "--model", "efficientvit-b1", "--arch", "efficientvit-zcu102", "--json"});
  ASSERT_EQ(json.code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["target"], "fpga");
  const auto& metrics = j["metrics"];
  EXPECT_DOUBLE_EQ(metrics["dsp_used"].get<double>(), 1024);
  EXPECT_DOUBLE_EQ(metrics["peak_gops"].get<double>(), 819.2);
  for (const char* key : {"gops_per_dsp", "bram36_used", "luts_used", "ffs_used", "fits", "fps"}) {
    EXPECT_TRUE(metrics.contains(key)) << key;
  }
  for (const char* key : {"area_mm2", "gops_per_mm2", "energy_mac_uJ"}) EXPECT_FALSE(metrics.contains(key)) << key;
}

TEST(Cli, DesignPrintsCanonicalFormAndHash) {
  test::TempDir dir;
  const auto a = dir.write("a.yaml", "version: 1\nblocks: {\"0-1\": {wbits: 6}}\n");
  const auto b = dir.write("b.yaml", "version: 1\nblocks:\n  \"1\": {wbits: 6}\n  \"0\": {wbits: 6}\n");
  const auto ra = run_cli({"design", "--design", a, "--json"});
  const auto rb = run_cli({"design", "--design", b, "--json"});
  ASSERT_EQ(ra.code, 0) << ra.err;
  EXPECT_EQ(ra.out, rb.out);
  EXPECT_EQ(nlohmann::json::parse(ra.out)["design_hash"].get<std::string>().size(), 16u);
}

TEST(Cli, ListNamesTheZoo) {
  const auto r = run_cli({"list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("vit-fmnist"), std::string::npos);
  EXPECT_NE(r.out.find("lowpower-vit-28nm"), std::string::npos);
  EXPECT_NE(r.out.find("cmos45"), std::string::npos);
  EXPECT_NE(r.out.find("policies (--policy): default, efficientvit, lowpower, per-layer, sc, transaxx"),
            std::string::npos)
      << r.out;
}

}  // namespace vitdse::cli

namespace vitdse::cli {

TEST(Cli, UnitsListsFamiliesAndPricesOne) {
  auto r = run_cli({"units"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* family : {"exact", "trunc", "bam", "drum", "mitchell", "roba", "kulkarni", "lut"}) {
    EXPECT_NE(r.out.find(family), std::string::npos) << family;
  }
  r = run_cli({"units", "--spec", "exact:8s", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"mae_pct", "wce_pct", "mre_pct", "ep_pct", "bias_pct", "mse", "power_mW", "area_um2",
                          "delay_ns", "energy_pJ"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_DOUBLE_EQ(j["area_um2"].get<double>(), 729.8);  // the calibration anchor at 45 nm
  EXPECT_EQ(j["mae_pct"].get<double>(), 0);
  r = run_cli({"units", "--family", "drum", "--csv"});
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "family,bits,params,summary");
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2);
}

TEST(Cli, UnitsRejectsBadSpecs) {
  for (const auto& [args, code, expect] : std::vector<std::tuple<std::vector<std::string>, int, std::string>>{
           {{"units", "--spec", "trunc:8u:t=99"}, 1, "t=99 is out of range; allowed 0..15"},
           {{"units", "--spec", "drum:8u"}, 1, "missing k="},
           {{"units", "--family", "drun"}, 1, "did you mean 'drum'?"},
           {{"units", "--spec", "exact:8s", "--node", "3"}, 1, "out of range"},
           {{"units", "--spec", "exact:8s", "--family", "exact"}, 2, "mutually exclusive"}}) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.code, code) << r.err;
    EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(expect), std::string::npos) << r.err;
  }
}

}  // namespace vitdse::cli

namespace vitdse::cli {

TEST(Cli, UnitsNonlinearReport) {
  const auto r = run_cli({"units", "--report", "nonlinear", "--csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "kind,spec,mae,max_error,area_um2,delay_ns,energy_pJ,adp_um2_ns");
  for (const char* spec : {"gelu:exact", "gelu:ibert", "softmax:shiftmax", "softmax:iter:k=0", "layernorm:int"}) {
    EXPECT_NE(r.out.find(spec), std::string::npos) << spec;
  }
  const auto bad = run_cli({"units", "--report", "linear"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(one_line(bad.err));
}

TEST(Cli, UnitsNonlinearReportSweepsStreamLengths) {
  const auto r = run_cli({"units", "--report", "nonlinear", "--L", "16,32", "--csv"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* spec : {"gelu:sc:L=16,", "gelu:sc:L=32,", "gelu:sc-fsm:L=16,", "gelu:bernstein:L=32:d=8,",
                           "softmax:sc:L=16,", "softmax:linear-relu,", "gelu:exact,"}) {
    EXPECT_NE(r.out.find(spec), std::string::npos) << spec;
  }
  EXPECT_EQ(r.out.find("gelu:sc:L=64"), std::string::npos);
  // Non-SC units appear once whatever the lengths.
  EXPECT_EQ(r.out.find("gelu:exact,"), r.out.rfind("gelu:exact,"));
  const auto text = run_cli({"units", "--report", "nonlinear", "--L", "16,x"});
  EXPECT_EQ(text.code, 2);
  EXPECT_TRUE(one_line(text.err));
  const auto range = run_cli({"units", "--report", "nonlinear", "--L", "1024"});
  EXPECT_EQ(range.code, 1);
  EXPECT_NE(range.err.find("allowed 2..512"), std::string::npos) << range.err;
  EXPECT_EQ(run_cli({"units", "--L", "16"}).code, 2);
}

}  // namespace vitdse::cli
