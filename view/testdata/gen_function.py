#!/usr/bin/python3
"""Writes function.onnx: a main graph calling a model-local function twice
(FunctionProto "Scale" in domain "local", body Mul + Relu) and an If whose
branches read an outer value. Run: /usr/bin/python3 gen_function.py"""
import onnx
from onnx import helper as h, TensorProto as T

fn = h.make_function(
    "local", "Scale", ["X", "S"], ["Y"],
    [h.make_node("Mul", ["X", "S"], ["t"], name="mul"),
     h.make_node("Relu", ["t"], ["Y"], name="relu")],
    [h.make_opsetid("", 14)])

then_g = h.make_graph([h.make_node("Neg", ["a"], ["o1"], name="neg")], "then",
                      [], [h.make_tensor_value_info("o1", T.FLOAT, [2, 4])])
else_g = h.make_graph([h.make_node("Abs", ["a"], ["o2"], name="abs")], "else",
                      [], [h.make_tensor_value_info("o2", T.FLOAT, [2, 4])])
nodes = [
    h.make_node("Scale", ["x", "s"], ["a"], name="scale1", domain="local"),
    h.make_node("ReduceSum", ["a"], ["r"], name="sum", keepdims=0),
    h.make_node("Greater", ["r", "zero"], ["c"], name="gt"),
    h.make_node("If", ["c"], ["b"], name="if", then_branch=then_g, else_branch=else_g),
    h.make_node("Scale", ["b", "s"], ["y"], name="scale2", domain="local"),
]
g = h.make_graph(nodes, "main",
                 [h.make_tensor_value_info("x", T.FLOAT, [2, 4])],
                 [h.make_tensor_value_info("y", T.FLOAT, [2, 4])],
                 initializer=[h.make_tensor("s", T.FLOAT, [4], [1, 2, 3, 4]),
                              h.make_tensor("zero", T.FLOAT, [], [0])])
m = h.make_model(g, opset_imports=[h.make_opsetid("", 14), h.make_opsetid("local", 1)],
                 functions=[fn], producer_name="gen_function.py")
onnx.checker.check_model(m)
onnx.save(m, "function.onnx")
