#!/usr/bin/python3
"""Writes iris_weights.json: the initializers of examples/iris.onnx as read
by the reference onnx library (numpy_helper). Run from this folder."""
import json

import onnx
from onnx import numpy_helper

m = onnx.load("../../../examples/iris.onnx")
out = {t.name: [float(x) for x in numpy_helper.to_array(t).flatten()] for t in m.graph.initializer}
with open("iris_weights.json", "w") as f:
    json.dump(out, f, indent=1)
