#!/usr/bin/python3
"""Copies a few ONNX node-test models written by the reference onnx library
(Debian python3-onnx 1.12, `onnx.backend.test.cmd_tools generate-data`)
into backend/, with an oracle computed by onnx for each, in the corpus
oracle format. They cover what the shared corpus lacks: sequence and
optional types, If/Loop/Scan bodies producing them, and a Loop inside an
If. Run from this folder: /usr/bin/python3 gen_backend.py
"""
import json
import os
import runpy
import shutil
import sys
import tempfile
from collections import Counter

import numpy as np

# onnx 1.12's test generators use numpy aliases removed since numpy 1.24.
np.float, np.int, np.bool, np.object, np.str, np.complex = float, int, bool, object, str, complex

import onnx  # noqa: E402
from onnx import AttributeProto, TensorProto  # noqa: E402

CASES = [
    "test_if_opt", "test_if_seq", "test_loop11", "test_loop13_seq", "test_loop16_seq_none",
    "test_optional_get_element_sequence", "test_optional_has_element_empty", "test_scan9_sum",
    "test_sequence_insert_at_back", "test_sequence_map_add_2_sequences",
    "test_sequence_map_extract_shapes_expanded", "test_identity_opt",
]


def vinfo(v):
    t = v.type
    k = t.WhichOneof("value")
    d = {"name": v.name}
    if k in ("tensor_type", "sparse_tensor_type"):
        tt = getattr(t, k)
        d["elem_type"] = TensorProto.DataType.Name(tt.elem_type)
        d["shape"] = None
        if tt.HasField("shape"):
            d["shape"] = [x.dim_value if x.HasField("dim_value") else (x.dim_param if x.HasField("dim_param") else None)
                          for x in tt.shape.dim]
        if k == "sparse_tensor_type":
            d["type_kind"] = "sparse_tensor"
    else:
        d["elem_type"], d["shape"] = "UNDEFINED", None
        d["type_kind"] = {"sequence_type": "sequence", "map_type": "map", "optional_type": "optional",
                          "opaque_type": "opaque", None: "none"}[k]
    return d


def nodes(g, depth, stats):
    out = []
    for n in g.node:
        stats["total"] += 1
        stats["hist"][n.op_type if n.domain in ("", "ai.onnx") else n.domain + "::" + n.op_type] += 1
        d = {"name": n.name, "op_type": n.op_type, "domain": n.domain, "inputs": list(n.input),
             "outputs": list(n.output), "attributes": [a.name for a in n.attribute],
             "attribute_types": [AttributeProto.AttributeType.Name(a.type) for a in n.attribute]}
        subs = []
        for a in n.attribute:
            graphs = [a.g] if a.type == AttributeProto.GRAPH else list(a.graphs) if a.type == AttributeProto.GRAPHS else []
            for sg in graphs:
                stats["depth"] = max(stats["depth"], depth + 1)
                subs.append({"attribute": a.name, "name": sg.name, "inputs": [vinfo(v) for v in sg.input],
                             "outputs": [vinfo(v) for v in sg.output],
                             "initializers": [{"name": t.name} for t in sg.initializer],
                             "value_info_count": len(sg.value_info), "nodes": nodes(sg, depth + 1, stats)})
        if subs:
            d["subgraphs"] = subs
        out.append(d)
    return out


def oracle(m):
    g = m.graph
    stats = {"total": 0, "hist": Counter(), "depth": 0}
    inits = {t.name for t in g.initializer}
    o = {"ir_version": m.ir_version, "opset_import": [{"domain": x.domain, "version": x.version} for x in m.opset_import],
         "producer_name": m.producer_name, "producer_version": m.producer_version, "domain": m.domain,
         "model_version": m.model_version, "doc_string": m.doc_string,
         "metadata_props": {p.key: p.value for p in m.metadata_props}, "graph_name": g.name,
         "inputs": [vinfo(v) for v in g.input], "outputs": [vinfo(v) for v in g.output],
         "inputs_excluding_initializers": [v.name for v in g.input if v.name not in inits],
         "node_count": len(g.node), "nodes": nodes(g, 0, stats),
         "initializers": [{"name": t.name, "data_type": TensorProto.DataType.Name(t.data_type), "dims": list(t.dims),
                           "numel": int(np.prod(t.dims)) if len(t.dims) else 1,
                           "data_location": TensorProto.DataLocation.Name(t.data_location)} for t in g.initializer],
         "value_info_count": len(g.value_info), "sparse_initializer_count": len(g.sparse_initializer),
         "functions": [f.name for f in m.functions]}
    o["total_params"] = sum(i["numel"] for i in o["initializers"])
    o["node_count_total"], o["max_subgraph_depth"] = stats["total"], stats["depth"]
    o["op_type_histogram_total"] = dict(stats["hist"])
    return o


tmp = tempfile.mkdtemp()
sys.argv = ["cmd_tools", "generate-data", "-o", tmp]
runpy.run_module("onnx.backend.test.cmd_tools", run_name="__main__")
for case in CASES:
    src = os.path.join(tmp, "node", case, "model.onnx")
    dst = os.path.join("backend", case + ".onnx")
    shutil.copy(src, dst)
    with open(dst + ".oracle.json", "w") as f:
        json.dump(oracle(onnx.load(dst)), f, indent=1)
shutil.rmtree(tmp)
print("wrote", len(CASES), "models")
