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
exported by torch's dynamo exporter, as <fixture>.dynamo.onnx (torch 2.11 writes IR version 10 with
its weights in <fixture>.dynamo.onnx.data; tests/data/onnx/vit-28x28-random.dynamo-ir10.onnx is
that file without its weights, for the test that such a file is refused in one line).

Where timm is not installed, --without-timm builds the same models from `TimmLayoutViT` below: the
ViT forward pass of timm's VisionTransformer (global_pool="token", class token, no fused
attention) with timm's module names, so that the graph and its node names are the ones timm's
export gives. Before exporting, each fixture's logits are checked against the timm logits stored
in tests/data/<fixture>.io.safetensors (within 1e-5), so the exported function is timm's. Where
ONNX Runtime is missing, no .ort.safetensors file is written.

    python3 tests/data/make_onnx_fixtures.py --out tests/data/onnx [--fuzz-corpus tests/fuzz/corpus/onnx]
"""
import argparse
import json
import os
import tempfile

import struct

import onnx
import torch
from torch import nn

try:
    import timm
except ImportError:
    timm = None

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


def load_file(path):
    """A safetensors file's F32/F16 tensors (the format: 8-byte header length, JSON, data)."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = {"F32": torch.float32, "F16": torch.float16}[info["dtype"]]
        begin, end = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(info["shape"]).clone()
    return out


def save_file(tensors, path, metadata=None):
    """Writes float32 tensors as a safetensors file."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        blob = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Attention(nn.Module):
    def __init__(self, dim, heads, qkv_bias):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.scale) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio, qkv_bias):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim, eps=1e-6), Attention(dim, heads, qkv_bias)
        self.norm2, self.mlp = nn.LayerNorm(dim, eps=1e-6), Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, img_size, patch_size, in_chans, dim):
        super().__init__()
        self.img_size = (img_size, img_size)
        self.proj = nn.Conv2d(in_chans, dim, patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class TimmLayoutViT(nn.Module):
    """timm's VisionTransformer forward pass and module names, for machines without timm."""

    def __init__(self, img_size, patch_size, in_chans, num_classes, embed_dim, depth, num_heads, mlp_ratio,
                 qkv_bias):
        super().__init__()
        self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(0.02 * torch.randn(1, (img_size // patch_size) ** 2 + 1, embed_dim))
        self.blocks = nn.Sequential(*[Block(embed_dim, num_heads, mlp_ratio, qkv_bias) for _ in range(depth)])
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.head = nn.Linear(embed_dim, num_classes)

    def forward(self, x):
        x = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        return self.head(self.norm(self.blocks(x))[:, 0])


def vit(**kw):
    shape = dict(img_size=224, patch_size=16, in_chans=3, num_classes=1000, mlp_ratio=4.0, qkv_bias=True)
    shape.update(kw)
    if timm is None:
        return TimmLayoutViT(**shape).eval()
    return timm.models.vision_transformer.VisionTransformer(global_pool="token", class_token=True, **shape).eval()


def export(model, x, path, dynamo=False):
    extra = {"dynamo": dynamo} if dynamo else {}
    if "dynamo" in torch.onnx.export.__code__.co_varnames:
        extra["dynamo"] = dynamo  # torch >= 2.5 defaults to dynamo in newer releases: ask for the one wanted
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["logits"], opset_version=17,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **extra)


def ort_logits(path, x):
    try:
        import onnxruntime
    except ImportError:
        return None
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {session.get_inputs()[0].name: x.numpy()})[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--dynamo", action="store_true", help="also export the small fixture with dynamo")
    ap.add_argument("--without-timm", action="store_true", help="use TimmLayoutViT even if timm is installed")
    ap.add_argument("--fuzz-corpus", help="also write a tiny ViT (18 KB, weights inside) there, for the onnx fuzz target")
    args = ap.parse_args()
    global timm
    if args.without_timm:
        timm = None
    os.makedirs(args.out, exist_ok=True)
    report = {"torch": torch.__version__, "timm": timm.__version__ if timm else "none (TimmLayoutViT)",
              "onnx": onnx.__version__}
    for name, kw in FIXTURES.items():
        model = vit(**kw)
        weights = {k: v.float() for k, v in load_file(os.path.join(HERE, name + ".safetensors")).items()}
        model.load_state_dict(weights)
        io = load_file(os.path.join(HERE, name + ".io.safetensors"))
        with torch.no_grad():
            vs_timm = float((model(io["input"]) - io["logits"]).abs().max())
        assert vs_timm < 1e-5, f"{name}: the model's logits differ from timm's by {vs_timm}"
        path = os.path.join(args.out, name + ".onnx")
        export(model, io["input"], path)
        report[name] = dict(bytes=os.path.getsize(path), torch_vs_timm_fixture=vs_timm,
                            ops=sorted({n.op_type for n in onnx.load(path).graph.node}))
        logits = ort_logits(path, io["input"])
        if logits is not None:
            logits = logits.contiguous()
            save_file({"logits": logits}, os.path.join(args.out, name + ".ort.safetensors"),
                      metadata={"onnxruntime_vs_torch_max_abs": str(float((logits - io["logits"]).abs().max()))})
            report[name]["ort_vs_torch"] = float((logits - io["logits"]).abs().max())
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
    if args.fuzz_corpus:
        torch.manual_seed(0)
        tiny = vit(img_size=8, patch_size=4, in_chans=1, num_classes=3, embed_dim=8, depth=1, num_heads=2)
        os.makedirs(args.fuzz_corpus, exist_ok=True)
        export(tiny, torch.randn(1, 1, 8, 8), os.path.join(args.fuzz_corpus, "tiny-vit.onnx"))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
