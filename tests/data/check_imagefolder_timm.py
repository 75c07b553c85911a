#!/usr/bin/env python3
"""Checks imagefolder.expected.safetensors (made with PIL alone by make_imagefolder.py) against
timm itself: torchvision's ImageFolder order and labels, and timm's evaluation transform
(timm.data.create_transform, is_training=False) for each mode and interpolation, compared on the
uint8 scale. Needs torch, torchvision, timm and safetensors (not Debian's): run it where they are,
python3 tests/data/check_imagefolder_timm.py
"""
import os
import sys

import timm
import torch
from PIL import Image
from safetensors.torch import load_file
from timm.data import create_transform
from torchvision.datasets import ImageFolder

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE, CROP_PCT = 32, 0.875


def main():
    expected = load_file(os.path.join(HERE, "imagefolder.expected.safetensors"))
    worst = 0
    for mode in ("RGB", "L"):
        for interpolation in ("bicubic", "bilinear"):
            transform = create_transform(input_size=(len(mode), SIZE, SIZE), is_training=False,
                                         interpolation=interpolation, crop_pct=CROP_PCT, mean=(0,) * len(mode),
                                         std=(1,) * len(mode))
            folder = ImageFolder(os.path.join(HERE, "imagefolder"), transform=transform,
                                 loader=lambda p, m=mode: Image.open(p).convert(m))
            labels = torch.tensor([label for _, label in folder.samples], dtype=torch.int32)
            if not torch.equal(labels, expected["labels"]):
                sys.exit(f"labels differ: timm/torchvision {labels.tolist()}")
            got = torch.stack([folder[i][0] for i in range(len(folder))])
            want = expected[f"{mode}.{interpolation}"].float() / 255
            diff = ((got - want).abs() * 255).round().int()
            worst = max(worst, int(diff.max()))
            print(f"{mode} {interpolation}: {len(folder)} images, max |diff| {int(diff.max())}/255, "
                  f"{float((diff == 0).float().mean()) * 100:.3f}% identical")
    print(f"timm {timm.__version__}, torch {torch.__version__}: worst {worst}/255")
    sys.exit(0 if worst <= 1 else 1)


if __name__ == "__main__":
    main()
