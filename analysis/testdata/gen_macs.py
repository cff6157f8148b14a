#!/usr/bin/python3
"""Generates analysis/testdata/torch_macs.json: an independent multiply-add
count of the torchvision models in the corpus, made with forward hooks in
PyTorch (Debian python3-torch 1.13, torchvision 0.14, which predate
torchvision's own `_ops` metadata).

Convention (the one torchvision's GFLOPS column uses): only convolutions and
linear layers (matmuls) count; a conv costs out_elements x (Cin/groups) x
prod(kernel); a linear out_elements x in_features. Bias, BatchNorm,
activations, pooling and element-wise ops cost 0.

    /usr/bin/python3 analysis/testdata/gen_macs.py > analysis/testdata/torch_macs.json
"""
import json
import sys

import torch
import torchvision

PUBLISHED = {  # torchvision model cards, GFLOPS column, 224x224
    "squeezenet1_1": 0.35,
    "mobilenet_v3_small": 0.06,
    "shufflenet_v2_x0_5": 0.04,
}
# The same figures with 3 decimals: the "_ops" entry of the weights'
# metadata in torchvision >= 0.15 (torchvision/models/{squeezenet,
# mobilenetv3,shufflenetv2}.py), which the table rounds. Debian's
# torchvision 0.14 predates that metadata, so they are written here.
TORCHVISION_OPS = {
    "squeezenet1_1": 0.349,
    "mobilenet_v3_small": 0.057,
    "shufflenet_v2_x0_5": 0.040,
}


def count(model, x):
    total = [0]

    def conv(m, inp, out):
        k = 1
        for s in m.kernel_size:
            k *= s
        total[0] += out.numel() * (m.in_channels // m.groups) * k

    def linear(m, inp, out):
        total[0] += out.numel() * m.in_features

    for m in model.modules():
        if isinstance(m, torch.nn.modules.conv._ConvNd):
            m.register_forward_hook(conv)
        elif isinstance(m, torch.nn.Linear):
            m.register_forward_hook(linear)
    model.eval()
    with torch.no_grad():
        model(x)
    return total[0]


def main():
    out = {}
    for name, pub in PUBLISHED.items():
        torch.manual_seed(0)
        m = getattr(torchvision.models, name)(weights=None)
        macs = count(m, torch.zeros(1, 3, 224, 224))
        params = sum(p.numel() for p in m.parameters())
        out[name + ".onnx"] = {"macs": macs, "published_gmacs": pub,
                               "torchvision_ops_gmacs": TORCHVISION_OPS[name],
                               "torch_params": params}
    json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__,
               "models": out}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
