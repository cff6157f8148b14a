#!/usr/bin/python3
"""Writes the safetensors fixtures of this folder.

Debian has no safetensors writer and Python's safetensors package is out
of reach, so this follows the published spec directly, the way the
reference Rust writer lays files out (gen-nlpodyssey/ writes one more
fixture with an independent Go port of that writer): u64 LE header length, JSON header
(__metadata__ first, then tensors in data order) padded with spaces to a
multiple of 8, then the tensors back to back, sorted by dtype size (largest
first) then name. Tensors come from real torch 1.13 modules.

Run with Debian's python3 (needs python3-torch): /usr/bin/python3 gen.py
"""
import json
import struct

import torch

torch.manual_seed(0)

DT = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16",
      torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
      torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def raw(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write(path, tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs, off = [], 0
    for name, t in items:
        b = raw(t)
        header[name] = {"dtype": DT[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = torch.nn.LayerNorm(8)
        self.fc = torch.nn.Linear(8, 8)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(10, 8)
        self.layers = torch.nn.ModuleList([Block(), Block()])
        self.head = torch.nn.Linear(8, 3)


net = Net()
sd = net.state_dict()
write("mlp.safetensors", sd, {"format": "pt", "source": "modelviz gen.py"})

mixed = {
    "f64": torch.arange(3, dtype=torch.float64),
    "f16": torch.arange(4, dtype=torch.float16).reshape(2, 2),
    "bf16": torch.tensor([1.0, -2.0, 0.5], dtype=torch.bfloat16),
    "i64": torch.tensor([1, -1], dtype=torch.int64),
    "i32": torch.tensor([7], dtype=torch.int32),
    "i16": torch.tensor([-3, 3], dtype=torch.int16),
    "i8": torch.tensor([[1, 2, 3]], dtype=torch.int8),
    "u8": torch.tensor([255], dtype=torch.uint8),
    "flags": torch.tensor([True, False, True]),
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 4),
}
write("dtypes.safetensors", mixed)

# Sharded: two shards plus the index, as transformers' save_pretrained does.
keys = list(sd.keys())
half = len(keys) // 2
shards = {"model-00001-of-00002.safetensors": keys[:half],
          "model-00002-of-00002.safetensors": keys[half:]}
wm = {}
for fname, ks in shards.items():
    write("sharded/" + fname, {k: sd[k] for k in ks}, {"format": "pt"})
    for k in ks:
        wm[k] = fname
total = sum(t.numel() * t.element_size() for t in sd.values())
with open("sharded/model.safetensors.index.json", "w") as f:
    json.dump({"metadata": {"total_size": total}, "weight_map": dict(sorted(wm.items()))}, f, indent=2)
    f.write("\n")
