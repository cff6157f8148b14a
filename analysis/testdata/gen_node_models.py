#!/usr/bin/python3
"""Packs the ONNX backend node-test models (one small model per operator
case, written by the reference onnx library: Debian python3-onnx 1.12,
`onnx.backend.test.cmd_tools generate-data`) into onnx_node_models.tar.gz.
TestONNXNodeTests infers every case with the recorded types ignored and
compares with the recorded output types.

Each case is packed twice:
- "<case>.onnx": the model as written (graph outputs record exact types);
- "<case>.folded.onnx": the same with every small integer, bool or float
  input (shape vectors, axes, indices, sizes, scales: at most 64
  elements) turned into an initializer holding the test's input data,
  and each graph output's
  shape set to the shape of the reference output the test computed. This
  checks the constant folding of shape inputs against real results.

Run from the repository root:

    /usr/bin/python3 analysis/testdata/gen_node_models.py
"""
import glob
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

import onnx  # noqa: E402
from onnx import TensorProto, numpy_helper  # noqa: E402

FOLD = {TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL, TensorProto.INT8,
        TensorProto.UINT8, TensorProto.INT16, TensorProto.FLOAT, TensorProto.DOUBLE}


def load_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t


def folded(model_path, data_dir):
    m = onnx.load(model_path)
    ins = sorted(glob.glob(os.path.join(data_dir, "input_*.pb")), key=lambda p: int(p.split("_")[-1][:-3]))
    outs = sorted(glob.glob(os.path.join(data_dir, "output_*.pb")), key=lambda p: int(p.split("_")[-1][:-3]))
    graph_inputs = [i for i in m.graph.input if i.name not in {x.name for x in m.graph.initializer}]
    if len(ins) != len(graph_inputs) or len(outs) != len(m.graph.output):
        return None
    changed = False
    for vi, p in zip(graph_inputs, ins):
        t = load_pb(p)
        if not vi.type.HasField("tensor_type") or t.data_type not in FOLD:
            continue
        arr = numpy_helper.to_array(t)
        if arr.size > 64:
            continue
        init = numpy_helper.from_array(arr, vi.name)
        m.graph.initializer.append(init)
        m.graph.input.remove(vi)
        changed = True
    if not changed:
        return None
    for vo, p in zip(m.graph.output, outs):
        if not vo.type.HasField("tensor_type"):
            return None
        t = load_pb(p)
        shape = vo.type.tensor_type.shape
        shape.Clear()
        for d in t.dims:
            shape.dim.add().dim_value = d
    return m.SerializeToString()


tmp = tempfile.mkdtemp()
sys.argv = ["cmd_tools", "generate-data", "-o", tmp]
runpy.run_module("onnx.backend.test.cmd_tools", run_name="__main__")
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx_node_models.tar.gz")
node = os.path.join(tmp, "node")
n = nf = 0
with tarfile.open(out, "w:gz", format=tarfile.USTAR_FORMAT) as tar:
    def add(name, data):
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        tar.addfile(info, io.BytesIO(data))

    for case in sorted(os.listdir(node)):
        p = os.path.join(node, case, "model.onnx")
        if not os.path.exists(p):
            continue
        add(case + ".onnx", open(p, "rb").read())
        n += 1
        data = os.path.join(node, case, "test_data_set_0")
        if os.path.isdir(data):
            b = folded(p, data)
            if b is not None:
                add(case + ".folded.onnx", b)
                nf += 1
shutil.rmtree(tmp)
print("packed", n, "models and", nf, "folded variants into", out)
