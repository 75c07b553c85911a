#!/usr/bin/env python3
"""Makes the EfficientViT conformance fixtures: timm's logits for synthetic weights.

Needs PyTorch, timm (timm.models.efficientvit_mit) and numpy; not needed to build or test vitdse.

Weights are not stored. Every tensor of timm's state dict is filled by a counter-based generator
that vitdse's tests reimplement (tests/eval/synthetic_weights.cpp), so that even EfficientViT-B1
(9.1M parameters) is a fixture of a few hundred kilobytes:

  seed(name)  = FNV-1a 64 of the key's UTF-8 bytes
  u(name, i)  = (splitmix64_mix(seed + (i + 1) * 0x9E3779B97F4A7C15) >> 11) * 2^-53, i in row-major order
  value       = float32(offset + scale * (2 u - 1)), computed in float64, with (offset, scale):
                *.running_var (1, 0.5), *.running_mean (0, 0.2), *.bias (0, 0.2),
                one-dimensional *.weight (norm gains) (1, 0.25),
                any other *.weight (0, sqrt(3 / fan_in)), fan_in = product of its shape but the first
  *.num_batches_tracked is left as timm makes it.

So batch-norm statistics are far from identity and folding them is tested. For each fixture,
<name>.io.safetensors holds `input` (NCHW float32, also from the generator, under the key "input",
offset 0, scale 1.5), timm's float32 `logits`, and intermediate outputs named by timm module
(`stem`, `stages.N`), with metadata: `config` (the timm keyword arguments), `keys` (every
state-dict key with its shape), the versions, and the float32-vs-float64 difference of the logits
(the floor below which no implementation can be compared).

With --write-weights DIR it writes, instead, each committed fixture's synthetic weights as
DIR/<name>.safetensors (float32, timm's keys, from the `keys` of its io file; needs numpy only),
the `weights:` file its card in tests/data names:

    python3 tests/data/make_efficientvit_fixtures.py --write-weights tests/data

With --onnx-graph DIR it also exports timm's efficientvit_b1 (opset 17) to DIR/efficientvit-b1.graph.onnx,
graph only (the weights are saved as external data, which is not kept), for the ONNX workload tests,
and the 28x28 fixture with its synthetic weights to DIR/efficientvit-28x28-random.onnx, with ONNX
Runtime's logits on its input in DIR/efficientvit-28x28-random.ort.safetensors (when onnxruntime is
installed), for the import test.

    python3 tests/data/make_efficientvit_fixtures.py --out tests/data [--onnx-graph tests/data/onnx]
"""
import argparse
import json
import math
import os
import struct
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = 0x9E3779B97F4A7C15
FIXTURES = {
    # timm's efficientvit_b1 at 224 x 224, ImageNet head.
    "efficientvit-b1-random": dict(
        img=224, batch=1, keep=("stages.2", "stages.3"),
        config=dict(in_chans=3, num_classes=1000, widths=(16, 32, 64, 128, 256), depths=(1, 2, 3, 3, 4),
                    head_dim=16, head_widths=(1536, 1600))),
    # A small custom configuration at 32 x 32: every block type, a second block in each kind of stage.
    "efficientvit-32x32-random": dict(
        img=32, batch=2, keep=("stem", "stages.0", "stages.1", "stages.2", "stages.3"),
        config=dict(in_chans=3, num_classes=10, widths=(8, 16, 24, 32, 48), depths=(1, 2, 2, 1, 2),
                    head_dim=8, head_widths=(64, 80))),
    # Grayscale 28 x 28 (Fashion-MNIST's size): odd maps (7 -> 4 -> 2) test the strided padding.
    "efficientvit-28x28-random": dict(
        img=28, batch=2, keep=("stages.1", "stages.2", "stages.3"),
        config=dict(in_chans=1, num_classes=10, widths=(8, 16, 24, 32, 48), depths=(1, 1, 1, 1, 1),
                    head_dim=8, head_widths=(64, 80))),
}


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def uniform(name, n):
    """u(name, i) for i < n, as float64 in [0, 1)."""
    with np.errstate(over="ignore"):
        z = np.uint64(fnv1a64(name)) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) * 2.0**-53


def offset_scale(name, shape):
    if name.endswith(".running_var"):
        return 1.0, 0.5
    if name.endswith(".running_mean"):
        return 0.0, 0.2
    if name.endswith(".bias"):
        return 0.0, 0.2
    if len(shape) == 1:
        return 1.0, 0.25
    return 0.0, math.sqrt(3.0 / math.prod(shape[1:]))


def synthetic(name, shape, offset, scale):
    u = uniform(name, math.prod(shape))
    return (offset + scale * (2.0 * u - 1.0)).astype(np.float32).reshape(shape)


def write_weights(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for name in FIXTURES:
        with open(os.path.join(HERE, name + ".io.safetensors"), "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            keys = json.loads(json.loads(f.read(n))["__metadata__"]["keys"])
        path = os.path.join(out_dir, name + ".safetensors")
        save_file({k: synthetic(k, shape, *offset_scale(k, shape)) for k, shape in keys.items()}, path,
                  {"generator": "tests/data/make_efficientvit_fixtures.py"})
        print(f"wrote {path}: {len(keys)} tensors, {sum(math.prod(s) for s in keys.values())} values")


def save_file(tensors, path, metadata):
    """Writes float32 arrays (numpy or torch) as safetensors."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        blob = np.ascontiguousarray(t.detach().float().numpy() if hasattr(t, "detach") else t, np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="where to write the fixtures' io files")
    ap.add_argument("--write-weights", metavar="DIR", help="write the committed fixtures' synthetic weights there")
    ap.add_argument("--onnx-graph", help="also export efficientvit_b1's graph (no weights) there")
    args = ap.parse_args()
    if args.write_weights:
        return write_weights(args.write_weights)
    if not args.out:
        ap.error("give --out or --write-weights")
    global torch, timm
    import torch
    import timm
    from timm.models.efficientvit_mit import EfficientVit
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    report = {"torch": torch.__version__, "timm": timm.__version__}
    models = {}
    for name, f in FIXTURES.items():
        model = EfficientVit(**f["config"]).eval()
        state, keys = model.state_dict(), {}
        for k, v in state.items():
            if k.endswith(".num_batches_tracked"):
                continue
            state[k] = torch.from_numpy(synthetic(k, list(v.shape), *offset_scale(k, list(v.shape))))
            keys[k] = list(v.shape)
        model.load_state_dict(state)
        x = torch.from_numpy(synthetic("input", [f["batch"], f["config"]["in_chans"], f["img"], f["img"]], 0.0, 1.5))
        seen = {}
        hooks = [model.stem.register_forward_hook(lambda m, i, o: seen.__setitem__("stem", o.clone()))]
        for j, stage in enumerate(model.stages):
            hooks.append(stage.register_forward_hook(
                lambda m, i, o, j=j: seen.__setitem__(f"stages.{j}", o.clone())))
        with torch.no_grad():
            logits = model(x)
            for h in hooks:
                h.remove()
            logits64 = model.double()(x.double())
        floor = float((logits.double() - logits64).abs().max())
        out = {"input": x, "logits": logits}
        out.update({k: v for k, v in seen.items() if k in f["keep"]})
        meta = {"config": json.dumps(f["config"]), "keys": json.dumps(keys), "torch": torch.__version__,
                "timm": timm.__version__, "float32_vs_float64_max_abs": repr(floor)}
        path = os.path.join(args.out, name + ".io.safetensors")
        save_file(out, path, meta)
        models[name] = (model.float(), x, logits)
        report[name] = dict(bytes=os.path.getsize(path), params=sum(math.prod(s) for s in keys.values()),
                            logits_abs_max=float(logits.abs().max()), logits_std=float(logits.std()),
                            float32_vs_float64=floor, tensors=len(keys))
    if args.onnx_graph:
        report["efficientvit-28x28-random.onnx"] = export_with_weights(args.onnx_graph, models["efficientvit-28x28-random"])
        report["efficientvit-b1.graph.onnx"] = export_graph(args.onnx_graph)
    print(json.dumps(report, indent=1))


def export_with_weights(out_dir, fixture):
    import torch
    model, x, logits = fixture
    path = os.path.join(out_dir, "efficientvit-28x28-random.onnx")
    kw = {"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["logits"], opset_version=17,
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **kw)
    out = dict(bytes=os.path.getsize(path))
    try:
        import onnxruntime
    except ImportError:
        return out
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    ort = torch.from_numpy(session.run(None, {"input": x.numpy()})[0])
    diff = float((ort - logits).abs().max())
    save_file({"logits": ort}, os.path.join(out_dir, "efficientvit-28x28-random.ort.safetensors"),
              {"onnxruntime_vs_torch_max_abs": repr(diff)})
    out["ort_vs_torch"] = diff
    return out


def export_graph(out_dir):
    import onnx
    import torch
    import timm
    os.makedirs(out_dir, exist_ok=True)
    model = timm.create_model("efficientvit_b1", pretrained=False).eval()
    with tempfile.TemporaryDirectory() as tmp:
        full = os.path.join(tmp, "model.onnx")
        kw = {"dynamo": False} if "dynamo" in torch.onnx.export.__code__.co_varnames else {}
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), full, input_names=["input"], output_names=["logits"],
                          opset_version=17, dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **kw)
        onnx.save_model(onnx.load(full), os.path.join(tmp, "graph.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location="efficientvit-b1.weights", size_threshold=1024)
        path = os.path.join(out_dir, "efficientvit-b1.graph.onnx")
        with open(os.path.join(tmp, "graph.onnx"), "rb") as src, open(path, "wb") as dst:
            dst.write(src.read())
    ops = sorted({n.op_type for n in onnx.load(path, load_external_data=False).graph.node})
    return dict(bytes=os.path.getsize(path), params=sum(p.numel() for p in model.parameters()), ops=ops)


if __name__ == "__main__":
    main()
