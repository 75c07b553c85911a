#!/usr/bin/env python3
"""Makes the ONNX fixtures under tests/data/onnx/.

Needs PyTorch, timm, onnx and safetensors, and ONNX Runtime for the reference logits (not needed
to build or test vitdse). Two kinds of file:

  <fixture>.onnx             a timm conformance fixture (make_timm_fixtures.py: the committed
                             weights of tests/data/<fixture>.safetensors) exported with its weights
  <fixture>.ort.safetensors  `logits` float32: ONNX Runtime's output of that file on the `input`
                             of tests/data/<fixture>.io.safetensors
  <zoo>.graph.onnx           the timm model of a zoo card (random weights), graph only: its weights
                             were saved as external data, which is not kept, so the file holds
                             every node and every initializer's shape but no weight values

Every export uses opset 17 and a dynamic batch axis. With --dynamo, the small fixture is also
exported by torch's dynamo exporter, as <fixture>.dynamo.onnx.

    python3 tests/data/make_onnx_fixtures.py --out tests/data/onnx
"""
import argparse
import json
import os
import tempfile

import onnx
import timm
import torch
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))

# The timm conformance fixtures (shapes as in make_timm_fixtures.py and their cards).
FIXTURES = {
    "vit-28x28-random": dict(img_size=28, patch_size=4, in_chans=1, num_classes=10, embed_dim=64, depth=4,
                             num_heads=4),
    "deit-tiny-2blocks-random": dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=192,
                                     depth=2, num_heads=3),
}
# The zoo's ViT cards (models/*.yaml): every one is timm's VisionTransformer at these sizes.
ZOO = {
    "vit-fmnist": dict(img_size=28, patch_size=4, in_chans=1, num_classes=10, embed_dim=64, depth=4, num_heads=4),
    "deit-tiny": dict(embed_dim=192, depth=12, num_heads=3),
    "deit-small": dict(embed_dim=384, depth=12, num_heads=6),
    "deit-base": dict(embed_dim=768, depth=12, num_heads=12),
    "vit-base-16": dict(embed_dim=768, depth=12, num_heads=12),
    "vit-large-16": dict(embed_dim=1024, depth=24, num_heads=16),
}


def vit(**kw):
    shape = dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, mlp_ratio=4.0, qkv_bias=True)
    shape.update(kw)
    return timm.models.vision_transformer.VisionTransformer(global_pool="token", class_token=True, **shape).eval()


def export(model, x, path, dynamo=False):
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["logits"], opset_version=17,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, dynamo=dynamo)


def ort_logits(path, x):
    import onnxruntime
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {session.get_inputs()[0].name: x.numpy()})[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--dynamo", action="store_true", help="also export the small fixture with dynamo")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    report = {"torch": torch.__version__, "timm": timm.__version__, "onnx": onnx.__version__}
    for name, kw in FIXTURES.items():
        model = vit(**kw)
        weights = {k: v.float() for k, v in load_file(os.path.join(HERE, name + ".safetensors")).items()}
        model.load_state_dict(weights)
        io = load_file(os.path.join(HERE, name + ".io.safetensors"))
        path = os.path.join(args.out, name + ".onnx")
        export(model, io["input"], path)
        logits = ort_logits(path, io["input"]).contiguous()
        save_file({"logits": logits}, os.path.join(args.out, name + ".ort.safetensors"),
                  metadata={"onnxruntime_vs_torch_max_abs": str(float((logits - io["logits"]).abs().max()))})
        report[name] = dict(bytes=os.path.getsize(path), ort_vs_torch=float((logits - io["logits"]).abs().max()),
                            ops=sorted({n.op_type for n in onnx.load(path).graph.node}))
        if args.dynamo and name == "vit-28x28-random":
            try:
                dpath = os.path.join(args.out, name + ".dynamo.onnx")
                export(model, io["input"], dpath, dynamo=True)
                d = ort_logits(dpath, io["input"])
                report[name + ".dynamo"] = dict(bytes=os.path.getsize(dpath),
                                                ort_vs_torch=float((d - io["logits"]).abs().max()))
            except Exception as e:  # the dynamo exporter needs onnxscript
                report[name + ".dynamo"] = "failed: " + repr(e)[:300]
    for name, kw in ZOO.items():
        torch.manual_seed(0)
        model = vit(**kw)
        x = torch.randn(1, model.patch_embed.proj.in_channels, *model.patch_embed.img_size)
        with tempfile.TemporaryDirectory() as tmp:
            full = os.path.join(tmp, "model.onnx")
            export(model, x, full)
            graph = onnx.load(full)
            onnx.save_model(graph, os.path.join(tmp, "graph.onnx"), save_as_external_data=True,
                            all_tensors_to_one_file=True, location=name + ".weights", size_threshold=1024)
            path = os.path.join(args.out, name + ".graph.onnx")
            with open(os.path.join(tmp, "graph.onnx"), "rb") as src, open(path, "wb") as dst:
                dst.write(src.read())
        report[name] = dict(bytes=os.path.getsize(path), params=sum(p.numel() for p in model.parameters()))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
