#!/usr/bin/python3
"""Makes tests/data/imagefolder/: JPEG and PNG files of mixed sizes and modes in three class
folders, and imagefolder.expected.safetensors: what timm's evaluation transform makes of each
(PIL's convert, then Resize(floor(size / crop_pct)) of the shorter side with PIL's resampling,
CenterCrop(size), as uint8 [N, C, size, size]), for size 32, crop_pct 0.875, bicubic and
bilinear, RGB and L. Run with Debian's python3-pil: python3 tests/data/make_imagefolder.py
"""
import json
import math
import os
import random
import struct

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "imagefolder")
SIZE, CROP_PCT = 32, 0.875


def smooth_image(mode, w, h, rng):
    """A picture with edges and gradients (not noise: JPEG would make noise huge)."""
    img = Image.new("RGB", (w, h))
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    px = img.load()
    for y in range(h):
        for x in range(w):
            r = int(127 + 127 * math.sin((x + y) / rng.uniform(3, 9)))
            g = int(255 * x / max(w - 1, 1))
            b = 255 if (x - cx) ** 2 + (y - cy) ** 2 < (min(w, h) / 3) ** 2 else int(255 * y / max(h - 1, 1))
            px[x, y] = (r, g, b)
    return img.convert(mode) if mode != "RGB" else img


def files():
    rng = random.Random(7)
    specs = [  # class, name, mode, size, format
        ("ant", "a.jpg", "RGB", (50, 37), "JPEG"),
        ("ant", "b.png", "RGBA", (37, 50), "PNG"),
        ("ant", "sub/c.jpg", "L", (64, 64), "JPEG"),
        ("bee", "d.png", "P", (300, 200), "PNG"),
        ("bee", "e.jpg", "CMYK", (41, 120), "JPEG"),
        ("bee", "f.PNG", "LA", (36, 36), "PNG"),
        ("cat", "g.png", "L", (33, 90), "PNG"),
        ("cat", "h.jpeg", "RGB", (224, 168), "JPEG"),
        ("cat", "i.png", "1", (40, 44), "PNG"),
        ("cat", "j.png", "I;16", (45, 38), "PNG"),
    ]
    for cls, name, mode, (w, h), fmt in specs:
        path = os.path.join(ROOT, cls, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if mode == "I;16":
            img = Image.new("I;16", (w, h))
            img.putdata([rng.randrange(0, 400) for _ in range(w * h)])  # above 255 too: PIL saturates
        else:
            img = smooth_image(mode if mode not in ("P", "1") else "RGB", w, h, rng)
            if mode == "P":
                img = img.convert("P", palette=Image.ADAPTIVE, colors=64)
            elif mode == "1":
                img = img.convert("1")
        img.save(path, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    # Non-images are ignored, as torchvision ignores them.
    with open(os.path.join(ROOT, "ant", "notes.txt"), "w") as f:
        f.write("not an image\n")


def torchvision_order():
    """ImageFolder's order: sorted classes, then sorted(os.walk(class)) and sorted file names."""
    out = []
    classes = sorted(e.name for e in os.scandir(ROOT) if e.is_dir())
    for label, cls in enumerate(classes):
        for root, _, names in sorted(os.walk(os.path.join(ROOT, cls))):
            for name in sorted(names):
                if name.lower().endswith((".jpg", ".jpeg", ".png")):
                    out.append((os.path.join(root, name), label))
    return out


def eval_transform(path, mode, resample):
    img = Image.open(path).convert(mode)
    w, h = img.size
    scale = math.floor(SIZE / CROP_PCT)
    if w <= h:
        size = (scale, int(scale * h / w))
    else:
        size = (int(scale * w / h), scale)
    img = img.resize(size, resample)
    w, h = img.size
    top, left = int(round((h - SIZE) / 2.0)), int(round((w - SIZE) / 2.0))
    img = img.crop((left, top, left + SIZE, top + SIZE))
    data = img.tobytes()  # interleaved HWC
    c = len(mode)
    return bytes(data[(y * SIZE + x) * c + ch] for ch in range(c) for y in range(SIZE) for x in range(SIZE))


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, (dtype, shape, blob) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    files()
    order = torchvision_order()
    tensors = {"labels": ("I32", [len(order)], b"".join(struct.pack("<i", l) for _, l in order))}
    for mode in ("RGB", "L"):
        for name, resample in (("bicubic", Image.BICUBIC), ("bilinear", Image.BILINEAR)):
            blob = b"".join(eval_transform(p, mode, resample) for p, _ in order)
            tensors[f"{mode}.{name}"] = ("U8", [len(order), len(mode), SIZE, SIZE], blob)
    write_safetensors(os.path.join(HERE, "imagefolder.expected.safetensors"), tensors)
    print(f"{len(order)} images, {len(tensors) - 1} transforms")


if __name__ == "__main__":
    main()
