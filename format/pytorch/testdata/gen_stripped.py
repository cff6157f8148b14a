# TorchScript archives of many torchvision / torch.nn models with their
# weights stripped (every data/N storage emptied), so the code and module
# structure of big models fit in a few KB each. The oracle holds torch's
# own view: ATen op counts of the inlined graph and the module hierarchy.
# Run from this folder with Debian's /usr/bin/python3.
import collections, json, os, zipfile
import torch, torch.nn as nn, torchvision

torch.manual_seed(0)
OUT = "stripped"


def aten_ops(m):
    ops = collections.Counter()

    def walk(g):
        for n in g.nodes():
            if n.kind().startswith("aten::"):
                ops[n.kind()[6:]] += 1
            for b in n.blocks():
                walk(b)
    walk(m.inlined_graph)
    return dict(sorted(ops.items()))


def strip(src, dst):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            parts = info.filename.split("/")
            if len(parts) == 3 and parts[1] == "data":
                data = b""
            if info.filename.endswith(".debug_pkl"):
                continue
            zout.writestr(info.filename, data)


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)
        self.head = nn.Linear(16, 2)

    def forward(self, x):
        y, _ = self.lstm(x)
        return self.head(y[:, -1])


# (constructor, example input shape, which kinds to save): kept to what
# fits a small repository, about 0.75 MB in all.
models = {
    "resnet18": (lambda: torchvision.models.resnet18(), (1, 3, 64, 64), ("scripted", "traced")),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(), (1, 3, 64, 64), ("scripted", "traced")),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(), (1, 3, 64, 64), ("scripted",)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), (1, 3, 64, 64), ("scripted",)),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(), (1, 3, 64, 64), ("scripted",)),
    "vit_b_16": (lambda: torchvision.models.vit_b_16(), (1, 3, 224, 224), ("scripted", "traced")),
    "convnext_tiny": (lambda: torchvision.models.convnext_tiny(), (1, 3, 64, 64), ("scripted",)),
    "transformer_encoder": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64, batch_first=True), 2), (2, 5, 32), ("scripted", "traced")),
    "lstm": (lambda: LSTMNet(), (2, 5, 8), ("scripted", "traced")),
}

for name, (make, shape, hows) in models.items():
    m = make().eval()
    for how in hows:
        try:
            if how == "scripted":
                sm = torch.jit.script(m)
            else:
                with torch.no_grad():
                    sm = torch.jit.trace(m, torch.randn(*shape), check_trace=False)
        except Exception as e:
            print("skip", name, how, type(e).__name__)
            continue
        tmp = "/tmp/%s_%s.pt" % (name, how)
        sm.save(tmp)
        dst = os.path.join(OUT, "%s_%s.pt" % (name, how))
        strip(tmp, dst)
        loaded = torch.jit.load(tmp)
        o = {"kind": "torchscript", "aten_ops": aten_ops(loaded),
             "tensors": [{"key": k, "dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape), "numel": v.numel()}
                         for k, v in loaded.state_dict().items()],
             "module_hierarchy": [{"path": n, "original_name": x.original_name} for n, x in loaded.named_modules()]}
        o["total_params"] = sum(t["numel"] for t in o["tensors"])
        with open(dst + ".oracle.json", "w") as f:
            json.dump(o, f)
        print(name, how, os.path.getsize(dst))
