#!/usr/bin/python3
"""Packs the ONNX backend node-test models (one small model per operator
case, written by the reference onnx library: Debian python3-onnx 1.12,
`onnx.backend.test.cmd_tools generate-data`) into onnx_node_models.tar.gz,
model.onnx files only (their graph outputs record the exact output types).
TestONNXNodeTests infers every case with the recorded types ignored and
compares. Run from the repository root:

    /usr/bin/python3 analysis/testdata/gen_node_models.py
"""
import io
import os
import runpy
import shutil
import sys
import tarfile
import tempfile

import numpy as np

# onnx 1.12's test generators use numpy aliases removed since numpy 1.24.
np.float, np.int, np.bool, np.object, np.str, np.complex = float, int, bool, object, str, complex

tmp = tempfile.mkdtemp()
sys.argv = ["cmd_tools", "generate-data", "-o", tmp]
runpy.run_module("onnx.backend.test.cmd_tools", run_name="__main__")
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx_node_models.tar.gz")
node = os.path.join(tmp, "node")
n = 0
with tarfile.open(out, "w:gz", format=tarfile.USTAR_FORMAT) as tar:
    for case in sorted(os.listdir(node)):
        p = os.path.join(node, case, "model.onnx")
        if not os.path.exists(p):
            continue
        data = open(p, "rb").read()
        info = tarfile.TarInfo(case + ".onnx")
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))
        n += 1
shutil.rmtree(tmp)
print("packed", n, "models into", out)
