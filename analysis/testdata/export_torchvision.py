#!/usr/bin/python3
"""Exports torchvision classifiers beyond the corpus to ONNX (random
weights, 1x3x224x224 or the model's reference size, opset 17) for
TestPublishedMACsExtra:

    /usr/bin/python3 analysis/testdata/export_torchvision.py /tmp/tv
    MODELVIZ_TORCHVISION_DIR=/tmp/tv go test ./analysis -run Extra -v

The files are large (resnet50 100 MB, vit_b_16 350 MB), so they are not
committed; the test skips when the variable is unset.
"""
import os
import sys

import torch
import torchvision

NAMES = ["resnet50", "efficientnet_b0", "mnasnet0_5", "vit_b_16", "convnext_tiny", "swin_t",
         "mobilenet_v2", "mobilenet_v3_large", "densenet121", "googlenet", "alexnet",
         "regnet_y_400mf", "resnext50_32x4d", "inception_v3", "efficientnet_v2_s", "maxvit_t"]
# Input sizes of torchvision's reference figures (default 224).
SIZE = {"inception_v3": 299, "efficientnet_v2_s": 384}


def main(out):
    os.makedirs(out, exist_ok=True)
    for name in NAMES:
        m = getattr(torchvision.models, name)(weights=None).eval()
        n = SIZE.get(name, 224)
        torch.onnx.export(m, torch.zeros(1, 3, n, n), os.path.join(out, name + ".onnx"),
                          opset_version=17, input_names=["x"], output_names=["y"])
        print(name, sum(p.numel() for p in m.parameters()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tv")
