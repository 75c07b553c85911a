#!/usr/bin/env python3
"""Makes imagefolder.vit-28x28-random.logits.safetensors: timm's logits of the vit-28x28-random
fixture (its committed weights) on every image of tests/data/imagefolder, each brought to the
model's input by timm's evaluation transform (timm.data.create_transform, is_training=False) with
the card's crop_pct, interpolation, mean and std, after PIL's convert("L").

The file holds `logits` float32 [N, 10]; its metadata entry `inputs` lists the images (relative
to the folder) in the logits' order, the order `vitdse infer --inputs DIR` uses (every JPEG and PNG
below DIR, sorted by path). Needs torch, timm and safetensors:

    python3 tests/data/make_imagefolder_timm_logits.py
"""
import json
import os

import timm
import torch
from PIL import Image
from safetensors.torch import load_file, save_file
from timm.data import create_transform

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "imagefolder")
# vit-28x28-random.yaml: its shape, and the transform's defaults it does not override.
SHAPE = dict(img_size=28, patch_size=4, in_chans=1, num_classes=10, embed_dim=64, depth=4, num_heads=4,
             mlp_ratio=4.0, qkv_bias=True)
MEAN, STD, CROP_PCT, INTERPOLATION = (0.2860,), (0.3530,), 0.875, "bicubic"


def images():
    found = []
    for root, _, files in os.walk(FOLDER):
        for f in files:
            if os.path.splitext(f)[1].lower() in (".jpg", ".jpeg", ".png"):
                found.append(os.path.relpath(os.path.join(root, f), FOLDER))
    return sorted(found)


def main():
    model = timm.models.vision_transformer.VisionTransformer(global_pool="token", class_token=True, **SHAPE)
    model.load_state_dict(load_file(os.path.join(HERE, "vit-28x28-random.safetensors")))
    model.eval()
    transform = create_transform(input_size=(1, 28, 28), is_training=False, interpolation=INTERPOLATION,
                                 crop_pct=CROP_PCT, mean=MEAN, std=STD)
    names = images()
    batch = torch.stack([transform(Image.open(os.path.join(FOLDER, n)).convert("L")) for n in names])
    with torch.no_grad():
        logits = model(batch).float().contiguous()
    out = os.path.join(HERE, "imagefolder.vit-28x28-random.logits.safetensors")
    save_file({"logits": logits}, out, metadata={"inputs": json.dumps(names), "timm": timm.__version__,
                                                 "torch": torch.__version__})
    print(f"wrote {out}: logits {list(logits.shape)}, top-1 {logits.argmax(1).tolist()}")


if __name__ == "__main__":
    main()
