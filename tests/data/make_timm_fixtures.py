#!/usr/bin/env python3
"""Makes the timm conformance fixtures under tests/data/.

Needs PyTorch, timm and safetensors (not needed to build or test vitdse). For each fixture it
builds a timm VisionTransformer with random weights, perturbs every LayerNorm so none is the
identity, rounds the weights to the stored dtype, runs the rounded model in float32 on random
normalised inputs and saves:

  <name>.safetensors         weights, timm key names, in the fixture's dtype
  <name>.io.safetensors      `input` float32 [B, C, H, W] and `logits` float32 [B, classes]
  <name>.onnx (optional)     the same model for ONNX Runtime, with --onnx DIR

The model cards tests/data/<name>.yaml describe the same shapes.

    python3 tests/data/make_timm_fixtures.py --out tests/data [--onnx DIR]
"""
import argparse
import json
import os

import torch
import timm
from safetensors.torch import save_file

FIXTURES = [
    # A 28x28x1 model shaped like vit-fmnist (4x4 patches, width 64, 4 blocks, 4 heads).
    dict(name="vit-28x28-random", dtype=torch.float32, batch=8, seed=1,
         kw=dict(img_size=28, patch_size=4, in_chans=1, num_classes=10, embed_dim=64, depth=4,
                 num_heads=4, mlp_ratio=4.0, qkv_bias=True)),
    # DeiT-Tiny's shape (224x224x3, 16x16 patches, width 192, 3 heads) with 2 of its 12 blocks,
    # stored in float16 so the F16 reader path is covered and the file stays small.
    dict(name="deit-tiny-2blocks-random", dtype=torch.float16, batch=2, seed=2,
         kw=dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=192, depth=2,
                 num_heads=3, mlp_ratio=4.0, qkv_bias=True)),
]


def build(fixture):
    torch.manual_seed(fixture["seed"])
    model = timm.models.vision_transformer.VisionTransformer(
        global_pool="token", class_token=True, **fixture["kw"])
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            elif "norm" in name and name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            elif name in ("cls_token", "pos_embed"):
                p.copy_(0.02 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.02 * torch.randn_like(p))
        # Round to the stored dtype, so both sides run the same float32 weights.
        for p in model.parameters():
            p.copy_(p.to(fixture["dtype"]).to(torch.float32))
    return model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--onnx", help="also export each model to ONNX in this directory")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    report = {}
    for fixture in FIXTURES:
        model = build(fixture)
        kw = fixture["kw"]
        g = torch.Generator().manual_seed(100 + fixture["seed"])
        x = torch.randn(fixture["batch"], kw["in_chans"], kw["img_size"], kw["img_size"], generator=g)
        with torch.no_grad():
            logits = model(x)
        weights = {k: v.detach().to(fixture["dtype"]).contiguous() for k, v in model.state_dict().items()}
        save_file(weights, os.path.join(args.out, fixture["name"] + ".safetensors"),
                  metadata={"format": "pt", "timm": timm.__version__, "torch": torch.__version__})
        save_file({"input": x.contiguous(), "logits": logits.contiguous()},
                  os.path.join(args.out, fixture["name"] + ".io.safetensors"))
        if args.onnx:
            os.makedirs(args.onnx, exist_ok=True)
            torch.onnx.export(model, x, os.path.join(args.onnx, fixture["name"] + ".onnx"),
                              input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17)
        report[fixture["name"]] = dict(params=sum(p.numel() for p in model.parameters()),
                                       keys=sorted(weights), logits_absmax=float(logits.abs().max()))
    print(json.dumps(report, indent=1)[:4000])


if __name__ == "__main__":
    main()
