#!/usr/bin/env python3
# Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from the shipped files,
the small test fixtures and a few hand-made bad inputs. Run from anywhere; the output is
deterministic. Needs only Python 3 (sqlite3 and gzip from its standard library)."""
import gzip
import json
import re
import sqlite3
import struct
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CORPUS = HERE / "corpus"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None):
    """tensors: name -> (dtype, shape, bytes)."""
    header, blob = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
        blob += data
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def shipped_yaml(target, folder):
    for path in sorted((ROOT / folder).glob("*.yaml")):
        put(target, path.name, path.read_bytes())


# ---- YAML formats: the shipped files, then bad ones
shipped_yaml("model_card", "models")
for path in sorted((ROOT / "tests/data").glob("*.yaml")):
    put("model_card", "test-" + path.name, path.read_bytes())
put("model_card", "bad-zero-heads.yaml", (ROOT / "models/vit-fmnist.yaml").read_text().replace("num_heads: 4", "num_heads: 0"))
put("model_card", "bad-not-a-map.yaml", "- 1\n- 2\n")
shipped_yaml("design", "docs/examples")
put("design", "bad-block-range.yaml", 'version: 1\nblocks:\n  "3-1": {wbits: 4}\n')
put("design", "bad-anchor.yaml", "version: 1\ndefaults: &a {mult: *a}\n")
shipped_yaml("policy", "policies")
put("policy", "bad-empty.yaml", "")
shipped_yaml("arch", "models/arch")
put("arch", "bad-tabs.yaml", "version: 1\n\tname: x\n")
shipped_yaml("technology", "models/tech")
put("technology", "bad-version.yaml", "version: 2\nname: x\n")

# ---- unit specs: every family, and some malformed ones
specs = set()
for path in list((ROOT / "docs").rglob("*.md")) + list((ROOT / "policies").glob("*.yaml")):
    specs.update(re.findall(r"\b((?:exact|trunc|bam|drum|mitchell|roba|kulkarni|sc|gelu|softmax|layernorm)"
                            r":[A-Za-z0-9=:._-]+)", path.read_text()))
specs.update(["exact::8s", "drum:8s:k=4:k=4", "trunc:8u:=3", "sc:8u:L=0", "gelu:", ":"])
for i, spec in enumerate(sorted(specs)):
    put("unit_spec", f"spec-{i:03d}", spec)

# ---- safetensors: the small fixtures, their headers, and hand-made files
small = [p for p in sorted((ROOT / "tests/data").glob("*.safetensors")) if p.stat().st_size < 100_000]
for path in small:
    put("safetensors_file", path.name, path.read_bytes())
made = {
    "f32-f16-bf16": safetensors({"a": ("F32", [2, 2], struct.pack("<4f", 1, -2, 3.5, 0)),
                                 "b": ("F16", [3], struct.pack("<3H", 0x3C00, 0x7C00, 0x0001)),
                                 "c": ("BF16", [1], struct.pack("<H", 0x4049))}, {"format": "pt"}),
    "ints": safetensors({"i": ("I64", [2], struct.pack("<2q", -1, 7)), "u": ("U8", [3], b"\x00\x01\xff"),
                         "b": ("BOOL", [2], b"\x00\x01"), "f8": ("F8_E4M3", [1], b"\x38"),
                         "d": ("F64", [1], struct.pack("<d", 0.1)), "u64": ("U64", [1], struct.pack("<Q", 2**63))}),
    "empty": safetensors({}),
    "scalar-and-zero": safetensors({"s": ("F32", [], struct.pack("<f", 2)), "z": ("F32", [0, 4], b"")}),
}
for name, data in made.items():
    put("safetensors_file", name + ".safetensors", data)
for name, data in list(made.items()) + [(p.stem, p.read_bytes()) for p in small]:
    n = struct.unpack("<Q", data[:8])[0]
    put("safetensors_header", name + ".json", data[8:8 + n])
put("safetensors_header", "bad-overlap.json", '{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},'
    '"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}')
put("safetensors_header", "bad-huge-shape.json", '{"a":{"dtype":"F32","shape":[4294967296,4294967296],'
    '"data_offsets":[0,0]}}')
put("safetensors_file", "bad-length.safetensors", struct.pack("<Q", 2**63) + b"{}")

# ---- datasets
def idx(magic_dims, dims, payload):
    return bytes([0, 0, 8, magic_dims]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def idx_input(mode, labels, images):
    return bytes([mode]) + struct.pack("<H", len(labels)) + labels + images


labels = idx(1, [3], bytes([0, 1, 9]))
images = idx(3, [3, 4, 4], bytes(range(48)))
for mode, name in [(0, "raw-test"), (8, "raw-train"), (3, "gzipped"), (16, "limit")]:
    put("dataset_idx", name, idx_input(mode, labels, images))
put("dataset_idx", "gz-named-stream", idx_input(4, gzip.compress(labels, mtime=0), gzip.compress(images, mtime=0)))
put("dataset_idx", "bad-count", idx_input(0, idx(1, [4], bytes(3)), images))
put("dataset_idx", "bad-magic", idx_input(0, labels, b"\x00\x00\x0d\x03" + images[4:]))

cifar10 = bytes([3]) + bytes(range(256)) * 12
cifar100 = bytes([1, 42]) + bytes(range(256)) * 12
for mode, name, record in [(0, "cifar10-test", cifar10), (8, "cifar10-train", cifar10), (1, "cifar100-test", cifar100),
                           (9, "cifar100-train", cifar100), (2, "cifar10-gzipped", cifar10), (16, "limit", cifar10 * 4)]:
    put("dataset_cifar", name, bytes([mode]) + record * 2)
put("dataset_cifar", "gz-named-stream", bytes([4]) + gzip.compress(cifar10, mtime=0))
put("dataset_cifar", "bad-partial-record", bytes([0]) + cifar10[:-1])
put("dataset_cifar", "bad-label", bytes([0]) + bytes([10]) + cifar10[1:])

put("dataset_safetensors", "u8.safetensors", safetensors({"images": ("U8", [2, 1, 4, 4], bytes(range(32))),
                                                          "labels": ("U8", [2], b"\x00\x01")}))
put("dataset_safetensors", "f32-train.safetensors", safetensors({
    "images": ("F32", [1, 2, 2], struct.pack("<4f", 0, 0.25, 0.5, 1)), "labels": ("I64", [1], struct.pack("<q", 2)),
    "train_images": ("F16", [2, 1, 2], struct.pack("<4H", 0, 0x3800, 0x3C00, 0)),
    "train_labels": ("I32", [2], struct.pack("<2i", 0, 1))}, {"num_classes": "3"}))
put("dataset_safetensors", "bad-label-dtype.safetensors", safetensors({
    "images": ("U8", [1, 1, 1], b"\x00"), "labels": ("F32", [1], struct.pack("<f", 0))}))

# ---- LUT files: mode bit 1 signed, bit 2 pad (binary) or repeat lines (CSV)
def product(i, j, signed):
    a, b = (i - 256 if signed and i > 127 else i), (j - 256 if signed and j > 127 else j)
    return a * b


put("lut_bin", "signed-padded", bytes([3]) + b"".join(struct.pack("<h", product(0, j, True)) for j in range(256)))
put("lut_bin", "unsigned-first-rows", bytes([2]) + b"".join(
    struct.pack("<H", product(i, j, False)) for i in range(8) for j in range(256)))
put("lut_bin", "bad-short", bytes([1]) + bytes(100))
put("lut_csv", "repeated-row", bytes([3]) + (",".join(str(product(1, j, True)) for j in range(256)) + "\n").encode())
put("lut_csv", "crlf-rows", bytes([2]) + ("\r\n".join(",".join(str(product(i, j, False)) for j in range(256))
                                                     for i in range(4)) + "\r\n").encode())
put("lut_csv", "bad-short-row", bytes([0]) + b"1,2,3\n")
put("lut_csv", "bad-range", bytes([2]) + (",".join(["70000"] * 256) + "\n").encode())

# ---- database files: an empty file, a vitdse database with one run, and a foreign one
SCHEMA = [
    "CREATE TABLE evaluations(key TEXT PRIMARY KEY, context TEXT NOT NULL, design_hash TEXT NOT NULL, "
    "canonical TEXT NOT NULL, top1_pct REAL, agreement_pct REAL, kl_mean REAL, energy_uJ REAL, area_mm2 REAL, "
    "latency_ms REAL, power_mW REAL, eval_s REAL, created TEXT)",
    "CREATE TABLE runs(id TEXT PRIMARY KEY, algo TEXT, policy TEXT, model TEXT, args TEXT, config TEXT, "
    "seed INTEGER, budget INTEGER, status TEXT, started TEXT, finished TEXT, evaluations INTEGER, cache_hits INTEGER)",
    "CREATE TABLE run_points(run_id TEXT, seq INTEGER, key TEXT, PRIMARY KEY(run_id, seq))",
]


def database(statements):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite"
        con = sqlite3.connect(path)
        for s in statements:
            con.execute(s)
        con.commit()
        con.close()
        return path.read_bytes()


put("database", "empty", b"")
put("database", "vitdse", database(["PRAGMA page_size=512", "PRAGMA application_id=1986294629",
                                    "PRAGMA user_version=1"] + SCHEMA + [
    "INSERT INTO evaluations VALUES('k','c','h','{}',90,99,0.1,1,2,3,4,5,'2024-01-01T00:00:00Z')",
    "INSERT INTO runs VALUES('mcts-s1-x','mcts','default','vit-fmnist','','',1,10,'done','a','b',1,0)",
    "INSERT INTO run_points VALUES('mcts-s1-x',0,'k')"]))
put("database", "foreign", database(["PRAGMA page_size=512", "CREATE TABLE t(x)"]))
put("database", "bad-newer-schema", database(["PRAGMA page_size=512", "PRAGMA application_id=1986294629",
                                              "PRAGMA user_version=9"] + SCHEMA))
put("database", "bad-not-sqlite", b"SQLite format 3\x00" + bytes(84))
