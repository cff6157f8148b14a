# Generates the PyTorch reader's fixtures and their oracles (keys, dtypes,
# shapes, sha256 of each tensor's bytes, module types, TorchScript op counts).
# Run once from this folder with Debian's /usr/bin/python3; outputs are
# committed so tests never need python or torch.
import collections, hashlib, io, json, os, pickle, pickletools, zipfile
import numpy as np
from typing import Optional
import torch, torch.nn as nn, torchvision

torch.manual_seed(0)


def tensor_bytes(t):
    if t.is_quantized:
        t = t.int_repr()  # the stored integers; scales live elsewhere
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    if t.dtype in (torch.bfloat16, torch.float16):
        return t.view(torch.int16).numpy().tobytes()
    if t.dtype.is_complex:
        return torch.view_as_real(t).numpy().tobytes()
    return t.numpy().tobytes()


def flat_tensors(obj, prefix, out):
    if isinstance(obj, np.ndarray):
        out.append((prefix, torch.from_numpy(obj.astype(obj.dtype.newbyteorder("<")))))
    elif isinstance(obj, torch.Tensor):
        out.append((prefix, obj))
    elif isinstance(obj, nn.Module):
        for k, v in obj.state_dict().items():
            out.append((prefix + "." + k if prefix else k, v))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            flat_tensors(v, prefix + "." + str(k) if prefix else str(k), out)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            flat_tensors(v, prefix + "." + str(i) if prefix else str(i), out)


def globals_of(pkl):
    out, strings = [], []
    for op, arg, pos in pickletools.genops(pkl):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE", "STRING", "BINSTRING", "SHORT_BINSTRING"):
            strings.append(arg)
        elif op.name == "GLOBAL":
            g = arg.replace(" ", ".")
            if g not in out:
                out.append(g)
        elif op.name == "STACK_GLOBAL":
            g = strings[-2] + "." + strings[-1]
            if g not in out:
                out.append(g)
    return out


def oracle(path, kind, obj, extra=None):
    tensors = []
    flat = []
    flat_tensors(obj, "", flat)
    for k, t in flat:
        dtype = str(t.dtype).replace("torch.", "")
        dtype = {"qint8": "int8", "quint8": "uint8", "qint32": "int32"}.get(dtype, dtype)
        tensors.append({"key": k, "dtype": dtype, "shape": list(t.shape),
                        "numel": t.numel(), "sha256": hashlib.sha256(tensor_bytes(t)).hexdigest()})
    o = {"file": path, "size": os.path.getsize(path), "kind": kind, "tensors": tensors,
         "tensor_count": len(tensors), "total_params": sum(t["numel"] for t in tensors)}
    if zipfile.is_zipfile(path):
        o["container"] = "zip"
        with zipfile.ZipFile(path) as z:
            pk = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            o["data_pkl_globals"] = globals_of(z.read(pk))
    else:
        o["container"] = "legacy_pickle"
    if extra:
        o.update(extra)
    with open(path + ".oracle.json", "w") as f:
        json.dump(o, f, separators=(",", ":"))


def hierarchy(m):
    return [{"path": n, "type": type(x).__module__ + "." + type(x).__name__} for n, x in m.named_modules()]


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU())
        self.head = nn.Linear(4, 5)

    def forward(self, x):
        x = self.stem(x)
        return self.head(x.mean((2, 3)))


# 1. A training checkpoint.
cnn = SmallCNN()
opt = torch.optim.Adam(cnn.parameters(), lr=0.01)
cnn(torch.randn(2, 3, 8, 8)).sum().backward()
opt.step()
ckpt = {"epoch": 3, "model_state_dict": cnn.state_dict(), "optimizer_state_dict": opt.state_dict(),
        "loss": 0.25, "config": {"name": "small", "layers": [1, 2]}}
torch.save(ckpt, "checkpoint.pt")
oracle("checkpoint.pt", "checkpoint_dict", ckpt, {"model_key": "model_state_dict", "epoch": 3})

# 2. The legacy (non-zip) format, with views sharing one storage.
base = torch.arange(12, dtype=torch.float32)
legacy = collections.OrderedDict([("stem.0.weight", cnn.stem[0].weight.data), ("view", base[2:8].view(2, 3)),
                                  ("base", base), ("bn.num_batches_tracked", torch.tensor(7))])
torch.save(legacy, "legacy.pt", _use_new_zipfile_serialization=False)
oracle("legacy.pt", "state_dict", legacy)

# 3. Element types, nested containers, strided and offset tensors.
x = torch.randn(3, 4)
dtypes = {
    "fp16": torch.randn(2, 3).half(), "bf16": torch.randn(4).bfloat16(),
    "int8": torch.tensor([-128, -1, 0, 127], dtype=torch.int8), "uint8": torch.arange(5, dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]), "int64": torch.tensor([[1, -2]]), "f64": torch.randn(2).double(),
    "c64": torch.randn(2, dtype=torch.complex64), "scalar": torch.tensor(3.5),
    "transposed": x.t(), "offset": x[1], "empty": torch.zeros(0, 3),
    "nested": [torch.ones(2), (torch.zeros(1), {"deep": torch.full((2, 2), 7.0)})],
}
torch.save(dtypes, "dtypes.pt")
oracle("dtypes.pt", "pickle", dtypes)

# 4. TorchScript of a torchvision model (scripted; traced models are in
# gen_stripped.py) and the same model as a full pickled module.
tv = torchvision.models.mobilenet_v3_small(width_mult=0.1, num_classes=10).eval()
inp = torch.randn(1, 3, 64, 64)


def ts_extra(m):
    ops = collections.Counter()

    def walk(g):
        for n in g.nodes():
            k = n.kind()
            if k.startswith("aten::"):
                ops[k[6:]] += 1
            for b in n.blocks():
                walk(b)
    walk(m.inlined_graph)
    hier = [{"path": n, "original_name": x.original_name} for n, x in m.named_modules()]
    return {"aten_ops": dict(sorted(ops.items())), "module_hierarchy": hier}


scripted = torch.jit.script(tv)
scripted.save("mobilenet_scripted.pt")
oracle("mobilenet_scripted.pt", "torchscript", scripted, ts_extra(torch.jit.load("mobilenet_scripted.pt")))
torch.save(tv, "mobilenet_full.pt")
oracle("mobilenet_full.pt", "full_pickled_module", tv, {"module_hierarchy": hierarchy(tv)})


# 5. Scripted control flow and traced tensor constants.
class Flow(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x, n: int):
        if bool(x.sum() > 0):
            y = self.lin(x)
        else:
            y = -x
        for i in range(n):
            y = y * 2 + i
        while n > 2:
            n -= 1
            y = torch.relu(y)
        return y


flow = torch.jit.script(Flow())
flow.save("flow_scripted.pt")
oracle("flow_scripted.pt", "torchscript", flow, ts_extra(torch.jit.load("flow_scripted.pt")))


class Const(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, x):
        return self.lin(x) + torch.tensor([1.0, 2.0, 3.0])


const = torch.jit.trace(Const(), torch.randn(2, 3))
const.save("const_traced.pt")
oracle("const_traced.pt", "torchscript", const, ts_extra(torch.jit.load("const_traced.pt")))


# 6. Malicious pickles: they would create MARKER if a real unpickler ran them.
MARKER = "/tmp/modelviz-pickle-pwned"


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


torch.save({"w": torch.ones(2), "evil": Evil()}, "evil_mixed.pt")
torch.save(Evil(), "evil_only.pt")
torch.save({"w": torch.ones(2), "evil": Evil()}, "evil_legacy.pt", _use_new_zipfile_serialization=False)


# 7. numpy values in a checkpoint: arrays (C, Fortran, big-endian) are
# tensors held inside the pickle; numpy scalars are metadata.
np_ckpt = {"state_dict": {"fc.weight": torch.randn(2, 2)}, "best_acc": np.float64(0.91),
           "anchors": np.arange(6, dtype=np.float32).reshape(2, 3),
           "fortran": np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3)),
           "be": np.array([1.5, -2.0], dtype=">f8"), "epoch": 5}
torch.save(np_ckpt, "numpy_ckpt.pt")
oracle("numpy_ckpt.pt", "checkpoint_dict", np_ckpt, {"model_key": "state_dict"})

# 8. A full module in the legacy format, and one pickled with protocol 1
# (classes rebuilt through copyreg._reconstructor).
small = SmallCNN()
torch.save(small, "module_legacy.pt", _use_new_zipfile_serialization=False)
oracle("module_legacy.pt", "full_pickled_module", small, {"module_hierarchy": hierarchy(small)})
torch.save(small, "module_proto1.pt", pickle_protocol=1)
oracle("module_proto1.pt", "full_pickled_module", small, {"module_hierarchy": hierarchy(small)})


# 9. A quantized model (int8 qtensors, per-channel scales, packed linear
# params): its state_dict and TorchScript.
class QNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 4, 3)
        self.relu = nn.ReLU()
        self.fc = nn.Linear(4, 2)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.relu(self.conv(self.quant(x)))
        return self.dequant(self.fc(x.mean((2, 3))))


qnet = QNet().eval()
qnet.qconfig = torch.ao.quantization.get_default_qconfig("fbgemm")
qprep = torch.ao.quantization.prepare(qnet)
qprep(torch.randn(2, 3, 8, 8))
qmodel = torch.ao.quantization.convert(qprep)
torch.save(qmodel.state_dict(), "quantized_state_dict.pt")
oracle("quantized_state_dict.pt", "state_dict", qmodel.state_dict())
torch.jit.script(qmodel).save("quantized_scripted.pt")
qs = torch.jit.load("quantized_scripted.pt")
oracle("quantized_scripted.pt", "torchscript", qs, {"module_hierarchy": [{"path": n, "original_name": x.original_name} for n, x in qs.named_modules()]})


# 10. Containers of modules and parameters, a tied weight, a non-persistent
# buffer, an Optional input and a dict output: pickled in fp16 inside a
# checkpoint next to an argparse.Namespace, and scripted.
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.blocks = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Linear(4, 3)})
        self.plist = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.zeros(3))])
        self.pdict = nn.ParameterDict({"x": nn.Parameter(torch.ones(1))})
        self.lm = nn.Linear(4, 10, bias=False)
        self.lm.weight = self.emb.weight
        self.register_buffer("cache", torch.zeros(5), persistent=False)

    def forward(self, x: torch.Tensor, mask: Optional[torch.Tensor] = None):
        h = self.emb(x)
        for b in self.blocks:
            h = torch.relu(b(h))
        out = {"a": self.heads["a"](h), "b": self.heads["b"](h)}
        if mask is not None:
            h = h * mask.unsqueeze(-1)
        return out, self.lm(h)


import argparse
net = Net()
half = Net().half()
ck = {"model": half, "epoch": 3, "args": argparse.Namespace(lr=0.1, name="x")}
torch.save(ck, "containers_ckpt.pt")
oracle("containers_ckpt.pt", "checkpoint_dict", ck, {"model_key": "model"})
sn = torch.jit.script(net)
sn.save("containers_scripted.pt")
oracle("containers_scripted.pt", "torchscript", sn, ts_extra(torch.jit.load("containers_scripted.pt")))


# 11. A plain pickle (not torch.save) of numpy arrays, as .pkl files hold.
plain = {"W": np.arange(12, dtype=np.float32).reshape(3, 4), "b": np.zeros(3, dtype=np.float64), "name": "plain"}
with open("plain_numpy.pkl", "wb") as f:
    pickle.dump(plain, f, protocol=4)
o = {"file": "plain_numpy.pkl", "kind": "pickle", "tensors": [], "total_params": 15}
for k in ("W", "b"):
    a = plain[k]
    o["tensors"].append({"key": k, "dtype": str(a.dtype), "shape": list(a.shape), "numel": int(a.size),
                         "sha256": hashlib.sha256(a.tobytes()).hexdigest()})
with open("plain_numpy.pkl.oracle.json", "w") as f:
    json.dump(o, f, separators=(",", ":"))
