#!/usr/bin/python3
"""Writes features.onnx and features.expected.json with the reference onnx
library (Debian python3-onnx 1.12): one model using every feature the reader
must handle that the corpus lacks (typed tensor fields of every dtype, sparse
initializers, sequence/map/optional types, every attribute type, a model-local
function with ref_attr_name, a Loop reading an outer value, metadata,
denotations, name_scopes metadata), and the bytes numpy gives for each
initializer. Run from this folder: /usr/bin/python3 gen_features.py
"""
import json

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper

inits = []
expected = {}


def add(name, arr, dtype, raw):
    arr = np.asarray(arr)
    if dtype in (T.FLOAT16,):
        vals = arr.astype(np.float16)
        t = h.make_tensor(name, dtype, arr.shape, vals.tobytes() if raw else vals.flatten().tolist(), raw=raw)
        data = vals.tobytes()
    elif dtype == T.BFLOAT16:
        f = arr.astype(np.float32)
        if raw:
            bits = (f.view(np.uint32) >> 16).astype(np.uint16)
            t = h.make_tensor(name, dtype, arr.shape, bits.tobytes(), raw=True)
            data = t.raw_data
        else:
            # make_tensor rounds float32 to bfloat16; the stored bits are the truth.
            t = h.make_tensor(name, dtype, arr.shape, f.flatten().tolist())
            data = np.array(t.int32_data, dtype="<u2").tobytes()
    elif dtype == T.STRING:
        t = h.make_tensor(name, dtype, arr.shape, [s.encode() for s in arr.flatten()])
        data = b"".join(len(s.encode()).to_bytes(4, "little") + s.encode() for s in arr.flatten())
    else:
        npt = onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[dtype]
        vals = arr.astype(npt)
        if raw:
            t = h.make_tensor(name, dtype, arr.shape, vals.tobytes(), raw=True)
        else:
            flat = vals.flatten()
            if np.iscomplexobj(flat):
                t = h.make_tensor(name, dtype, arr.shape, flat.tolist())
            else:
                t = h.make_tensor(name, dtype, arr.shape, flat.tolist())
        data = vals.astype(vals.dtype.newbyteorder("<")).tobytes()
    inits.append(t)
    expected[name] = data.hex()


for raw in (False, True):
    s = "_raw" if raw else "_typed"
    add("f32" + s, [[1.5, -2.25, 3.0], [0.0, 1e-3, -7.0]], T.FLOAT, raw)
    add("f64" + s, [1.0 / 3, -2.5], T.DOUBLE, raw)
    add("f16" + s, [0.5, -1.0, 65504.0], T.FLOAT16, raw)
    add("bf16" + s, [1.0, -2.0, 3.140625], T.BFLOAT16, raw)
    add("i8" + s, [-128, -1, 0, 127], T.INT8, raw)
    add("u8" + s, [0, 1, 255], T.UINT8, raw)
    add("i16" + s, [-32768, 5, 32767], T.INT16, raw)
    add("u16" + s, [0, 65535], T.UINT16, raw)
    add("i32" + s, [-2147483648, 7, 2147483647], T.INT32, raw)
    add("u32" + s, [0, 4294967295], T.UINT32, raw)
    add("i64" + s, [-9223372036854775808, 3, 9223372036854775807], T.INT64, raw)
    add("u64" + s, np.array([0, 18446744073709551615], np.uint64), T.UINT64, raw)
    add("bool" + s, [True, False, True], T.BOOL, raw)
    add("c64" + s, [1 + 2j, -3.5 - 0.5j], T.COMPLEX64, raw)
    add("c128" + s, [1 + 2j], T.COMPLEX128, raw)
add("str_typed", ["hello", "", "wörld"], T.STRING, False)
add("scalar_typed", np.array(4.0), T.FLOAT, False)
add("empty_raw", np.zeros((0, 3)), T.FLOAT, True)

# A sparse initializer: dense [3,4] with values at linear positions 1 and 10.
sp_values = h.make_tensor("sparse_w", T.FLOAT, [2], [5.0, -6.0])
sp_indices = h.make_tensor("sparse_w_idx", T.INT64, [2], [1, 10])
sparse = h.make_sparse_tensor(sp_values, sp_indices, [3, 4])
dense = np.zeros((3, 4), np.float32)
dense.flat[1], dense.flat[10] = 5.0, -6.0
expected["sparse_w"] = dense.tobytes().hex()

# A model-local function: Scale(x) = Mul(x, alpha) with alpha a ref attribute.
fconst = h.make_node("Constant", [], ["a"], name="fconst")
ref = onnx.AttributeProto()
ref.name, ref.ref_attr_name, ref.type = "value_float", "alpha", onnx.AttributeProto.FLOAT
fconst.attribute.append(ref)
fmul = h.make_node("Mul", ["x", "a"], ["y"], name="fmul")
func = h.make_function("custom", "Scale", ["x"], ["y"], [fconst, fmul],
                       [h.make_opsetid("", 17)], attributes=["alpha"], doc_string="scales")

# A Loop body that reads the outer value "x" and a value from two levels up.
body_nodes = [
    h.make_node("Identity", ["cond_in"], ["cond_out"], name="body/cond"),
    h.make_node("Add", ["x", "acc_in"], ["acc_out"], name="body/add"),
]
body = h.make_graph(body_nodes, "loop_body",
                    [h.make_tensor_value_info("iter", T.INT64, []),
                     h.make_tensor_value_info("cond_in", T.BOOL, []),
                     h.make_tensor_value_info("acc_in", T.FLOAT, ["N", 3])],
                    [h.make_tensor_value_info("cond_out", T.BOOL, []),
                     h.make_tensor_value_info("acc_out", T.FLOAT, ["N", 3])])

attr_graph = h.make_graph([h.make_node("Identity", ["x"], ["g_out"], name="g/id")], "attr_graph", [],
                          [h.make_tensor_value_info("g_out", T.FLOAT, None)])
all_attrs = h.make_node(
    "AllAttrs", ["x"], ["z"], name="/block/sub/AllAttrs", domain="test.domain",
    f=0.25, i=-3, s=b"bytes", t=h.make_tensor("t", T.INT32, [2], [1, 2]), g=attr_graph,
    floats=[1.0, 2.5], ints=[1, -2, 3], strings=[b"a", b"b"],
    tensors=[h.make_tensor("t0", T.FLOAT, [1], [1.0]), h.make_tensor("t1", T.INT8, [2, 2], [1, 2, 3, 4])],
    graphs=[attr_graph, attr_graph],
    sparse_tensor=sparse,
)
all_attrs.attribute.append(h.make_attribute("sparse_tensors", [sparse]))
tp_attr = onnx.AttributeProto()
tp_attr.name, tp_attr.type = "tp", onnx.AttributeProto.TYPE_PROTO
tp_attr.tp.CopyFrom(h.make_tensor_type_proto(T.FLOAT, [2, "n"]))
all_attrs.attribute.append(tp_attr)
tps_attr = onnx.AttributeProto()
tps_attr.name, tps_attr.type = "tps", onnx.AttributeProto.TYPE_PROTOS
tps_attr.type_protos.append(h.make_sequence_type_proto(h.make_tensor_type_proto(T.INT64, None)))
all_attrs.attribute.append(tps_attr)

# onnx 1.12 has no NodeProto.metadata_props: name_scopes is tested with
# hand-built bytes in Go.
scoped = h.make_node("Relu", ["z"], ["r"], name="relu_7")

nodes = [
    all_attrs,
    scoped,
    h.make_node("Scale", ["r"], ["scaled"], name="/Scale", domain="custom", alpha=2.0),
    h.make_node("Loop", ["trip", "", "scaled"], ["looped"], name="/loop/Loop", body=body),
    h.make_node("SequenceEmpty", [], ["seq"], name="seq", dtype=T.FLOAT),
]

seq_in = h.make_value_info("seq_in", h.make_sequence_type_proto(h.make_tensor_type_proto(T.FLOAT, [None, 2])))
opt_in = h.make_value_info("opt_in", h.make_optional_type_proto(h.make_tensor_type_proto(T.INT64, [1])))
map_tp = onnx.TypeProto()
map_tp.map_type.key_type = T.STRING
map_tp.map_type.value_type.CopyFrom(h.make_tensor_type_proto(T.DOUBLE, []))
map_in = h.make_value_info("map_in", map_tp)
x_tp = h.make_tensor_type_proto(T.FLOAT, ["N", 3])
x_tp.denotation = "TENSOR"
x_tp.tensor_type.shape.dim[0].denotation = "DATA_BATCH"
x_in = h.make_value_info("x", x_tp, doc_string="the input")
sparse_in = h.make_sparse_tensor_value_info("sp_in", T.FLOAT, [3, 4])

graph = h.make_graph(
    nodes, "features",
    [x_in, h.make_tensor_value_info("trip", T.INT64, []), seq_in, opt_in, map_in, sparse_in,
     h.make_tensor_value_info("f32_raw", T.FLOAT, [2, 3])],
    [h.make_tensor_value_info("looped", T.FLOAT, ["N", 3]),
     h.make_tensor_sequence_value_info("seq", T.FLOAT, None)],
    initializer=inits, sparse_initializer=[sparse], doc_string="graph doc",
    value_info=[h.make_tensor_value_info("z", T.FLOAT, ["N", 3])],
)
m = h.make_model(graph, producer_name="gen_features", producer_version="1",
                 opset_imports=[h.make_opsetid("", 17), h.make_opsetid("custom", 1),
                                h.make_opsetid("test.domain", 3)],
                 functions=[func], doc_string="model doc", domain="org.test", model_version=42)
h.set_model_props(m, {"author": "tests", "license": "MIT"})
onnx.save(m, "features.onnx")

back = onnx.load("features.onnx")
expected_model = {
    "initializers": expected,
    "graph_inputs": [i.name for i in back.graph.input],
    "node_names": [n.name for n in back.graph.node],
}
with open("features.expected.json", "w") as f:
    json.dump(expected_model, f, indent=1, sort_keys=True)
print("wrote features.onnx", len(inits), "initializers")
