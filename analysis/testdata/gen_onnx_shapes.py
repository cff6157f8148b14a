#!/usr/bin/python3
"""Generates analysis/testdata/onnx_shapes.json: the shapes the reference
onnx library (Debian python3-onnx 1.12) infers for every value of the corpus
models after their recorded value_info is stripped.

Run from the repository root with Debian's python (not pyenv's):
    /usr/bin/python3 analysis/testdata/gen_onnx_shapes.py ../shared/corpus

Output: {"onnx_version": ..., "models": {"<file>": {"<scope>": {"<value>":
{"dtype": "float32", "shape": [1, "batch", null]}}}}}. Scope "" is the main
graph; a subgraph is "<node name or #index>/<attribute>" nested with "/".
Only values whose type onnx knows are listed (a null shape = rank unknown).

Models whose inputs have symbolic dims are inferred a second time as
"<file>@fixed" with every symbol set to a small distinct number (listed in
"fixed_inputs"), which lets onnx's data propagation resolve more values.
"""
import json
import os
import sys

import onnx
from onnx import shape_inference, TensorProto

DT = {v: k.lower() for k, v in TensorProto.DataType.items()}
DT.update({TensorProto.FLOAT: "float32", TensorProto.DOUBLE: "float64",
           TensorProto.FLOAT16: "float16", TensorProto.BFLOAT16: "bfloat16"})


def type_json(tp):
    if not tp.HasField("tensor_type"):
        return None
    tt = tp.tensor_type
    out = {"dtype": DT.get(tt.elem_type, "undefined")}
    if not tt.HasField("shape"):
        out["shape"] = None
        return out
    dims = []
    for d in tt.shape.dim:
        if d.HasField("dim_value"):
            dims.append(d.dim_value)
        elif d.HasField("dim_param"):
            dims.append(d.dim_param)
        else:
            dims.append(None)
    out["shape"] = dims
    return out


def strip(g):
    del g.value_info[:]
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                strip(a.g)
            for sg in a.graphs:
                strip(sg)


def dump(g, scope, out):
    vals = {}
    for vi in list(g.value_info) + list(g.output):
        t = type_json(vi.type)
        if t is not None:
            vals[vi.name] = t
    out[scope] = vals
    for i, n in enumerate(g.node):
        for a in n.attribute:
            subs = [a.g] if a.type == onnx.AttributeProto.GRAPH else list(a.graphs)
            for j, sg in enumerate(subs):
                name = n.name or ("#%d" % i)
                s = (scope + "/" if scope else "") + name + "/" + a.name
                if len(subs) > 1:
                    s += "[%d]" % j
                dump(sg, s, out)


def main(corpus):
    files = []
    for d in ("", "onnx-backend"):
        for f in sorted(os.listdir(os.path.join(corpus, d))):
            if f.endswith(".onnx"):
                files.append(os.path.join(d, f) if d else f)
    # Models of this folder (not in the corpus) are keyed "testdata/<file>".
    here = os.path.dirname(os.path.abspath(__file__))
    for f in sorted(os.listdir(here)):
        if f.endswith(".onnx"):
            files.append(os.path.join(here, f))
    models = {}
    fixed_inputs = {}
    for path in files:
        f = path
        if os.path.isabs(path):
            f = "testdata/" + os.path.basename(path)
        else:
            path = os.path.join(corpus, path)
        m = onnx.load(path, load_external_data=False)
        infer(f, m, models)
        m = onnx.load(path, load_external_data=False)
        sizes, fixed = {}, {}
        for i in m.graph.input:
            if not i.type.HasField("tensor_type"):
                continue
            dims = []
            for d in i.type.tensor_type.shape.dim:
                if d.HasField("dim_param"):
                    if d.dim_param not in sizes:
                        sizes[d.dim_param] = [2, 3, 5, 7, 11, 13][len(sizes) % 6]
                    d.dim_value = sizes[d.dim_param]
                dims.append(d.dim_value if d.HasField("dim_value") else None)
            fixed[i.name] = dims
        if sizes:
            fixed_inputs[f + "@fixed"] = fixed
            infer(f + "@fixed", m, models)
    json.dump({"onnx_version": onnx.__version__, "models": models, "fixed_inputs": fixed_inputs},
              sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


def infer(f, m, models):
    strip(m.graph)
    # Outputs carry their declared types in the file; clear them so they
    # are inferred like every other value.
    for o in m.graph.output:
        o.type.Clear()
    try:
        inf = shape_inference.infer_shapes(m, strict_mode=False, data_prop=True)
    except Exception as e:  # noqa: BLE001 - a fixture records the failure
        print("skip", f, e, file=sys.stderr)
        return
    out = {}
    dump(inf.graph, "", out)
    models[f] = out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/corpus")
