#!/usr/bin/python3
"""Writes the torch.export fixtures of this folder.

Debian's torch 1.13 has no torch.export, so the ExportedProgram JSON is
built here from the published schema (torch/_export/serde/schema.py,
SCHEMA_VERSION 8.17: Graph, Node, NamedArgument, Argument unions,
TensorMeta, GraphSignature input/output specs, nn_module_stack metadata
serialized as "key,path,type;..."). Everything else is real torch 1.13:
the weights come from real modules, every activation's dtype and shape
from running the same ATen ops eagerly, the PT2 archive container from
torch._C.PyTorchFileWriter (the writer torch.export.save uses), and the
older layout's serialized_state_dict.pt from torch.save.

Each model is written in both layouts:
  NAME.pt2         PT2 archive: archive_format, models/model.json,
                   data/weights/weight_N + model_weights_config.json
  NAME_legacy.pt2  torch 2.1-2.5 layout: serialized_exported_program.json,
                   serialized_state_dict.pt, serialized_constants.pt, ...

Run with Debian's python3 (needs python3-torch): /usr/bin/python3 gen.py
"""
import io
import json
import zipfile

import torch

torch.manual_seed(0)

SCALAR = {torch.float32: 7, torch.int64: 5, torch.float16: 6, torch.bool: 12}
TORCH_VERSION = "modelviz spec-built fixture (schema 8.17)"


def symint(v, sym):
    if sym:
        return {"as_expr": {"expr_str": sym, "hint": {"as_int": v}}}
    return {"as_int": v}


def meta(t, batch_sym=None):
    """TensorMeta for t; dim 0 becomes the symbol batch_sym when given."""
    sizes = [symint(d, batch_sym if (i == 0 and batch_sym) else None) for i, d in enumerate(t.shape)]
    strides = [symint(s, None) for s in t.stride()]
    return {"dtype": SCALAR[t.dtype], "sizes": sizes, "requires_grad": bool(t.requires_grad),
            "device": {"type": "cpu"}, "strides": strides, "storage_offset": {"as_int": 0}, "layout": 7}


class Builder:
    def __init__(self, batch_sym):
        self.nodes, self.values, self.inputs, self.specs = [], {}, [], []
        self.batch_sym = batch_sym

    def placeholder(self, name, t, spec, dynamic=False):
        self.values[name] = meta(t, self.batch_sym if dynamic else None)
        self.inputs.append({"as_tensor": {"name": name}})
        self.specs.append(spec)

    def call(self, target, args, outs, stack, module_stack, out_tensors):
        """args: list of (name, Argument); outs: output value names."""
        for n, t in zip(outs, out_tensors):
            self.values[n] = meta(t.detach(), self.batch_sym)
        md = {"stack_trace": 'File "model.py", line 1, in forward', "torch_fn": stack}
        if module_stack:
            md["nn_module_stack"] = ";".join(module_stack)
        self.nodes.append({
            "target": target,
            "inputs": [{"name": k, "arg": a, "kind": 1} for k, a in args],
            "outputs": [{"as_tensor": {"name": n}} for n in outs],
            "metadata": md,
            "is_hop_single_tensor_return": None,
            "name": outs[0],
        })


def T(name):
    return {"as_tensor": {"name": name}}


def program(b, outputs, out_specs, ranges):
    return {
        "graph_module": {
            "graph": {
                "inputs": b.inputs,
                "outputs": [T(o) for o in outputs],
                "nodes": b.nodes,
                "tensor_values": b.values,
                "sym_int_values": {},
                "sym_bool_values": {},
                "is_single_tensor_return": False,
                "custom_obj_values": {},
                "sym_float_values": {},
            },
            "signature": {"input_specs": b.specs, "output_specs": out_specs},
            "module_call_graph": [{"fqn": "", "signature": None}],
            "metadata": {},
            "treespec_namedtuple_fields": {},
        },
        "opset_version": {"aten": 10},
        "range_constraints": ranges,
        "schema_version": {"major": 8, "minor": 17},
        "verifiers": [],
        "torch_version": TORCH_VERSION,
        "guards_code": [],
    }


def param(name, fqn):
    return {"parameter": {"arg": {"name": name}, "parameter_name": fqn}}


def user(name):
    return {"user_input": {"arg": T(name)}}


# --- conv -> relu -> linear ------------------------------------------------
class ConvNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.act = torch.nn.ReLU()
        self.fc = torch.nn.Linear(4 * 6 * 6, 5)


def convnet():
    m = ConvNet().eval()
    x = torch.randn(1, 3, 8, 8)
    b = Builder(None)
    sd = m.state_dict()
    for fqn in sd:
        b.placeholder("p_" + fqn.replace(".", "_"), sd[fqn], param("p_" + fqn.replace(".", "_"), fqn))
    b.placeholder("x", x, user("x"))
    root = "L__self__,,__main__.ConvNet"
    with torch.no_grad():
        c = torch.ops.aten.conv2d.default(x, m.conv.weight, m.conv.bias, [1, 1], [0, 0])
        b.call("torch.ops.aten.conv2d.default",
               [("input", T("x")), ("weight", T("p_conv_weight")), ("bias", T("p_conv_bias")),
                ("stride", {"as_ints": [1, 1]}), ("padding", {"as_ints": [0, 0]})],
               ["conv2d"], "conv2d", [root, "L__self___conv,conv,torch.nn.modules.conv.Conv2d"], [c])
        r = torch.ops.aten.relu.default(c)
        b.call("torch.ops.aten.relu.default", [("self", T("conv2d"))], ["relu"], "relu",
               [root, "L__self___act,act,torch.nn.modules.activation.ReLU"], [r])
        f = torch.ops.aten.flatten.using_ints(r, 1)
        b.call("torch.ops.aten.flatten.using_ints", [("self", T("relu")), ("start_dim", {"as_int": 1})],
               ["flatten"], "flatten", [root], [f])
        y = torch.ops.aten.linear.default(f, m.fc.weight, m.fc.bias)
        b.call("torch.ops.aten.linear.default",
               [("input", T("flatten")), ("weight", T("p_fc_weight")), ("bias", T("p_fc_bias"))],
               ["linear"], "linear", [root, "L__self___fc,fc,torch.nn.modules.linear.Linear"], [y])
    out_specs = [{"user_output": {"arg": T("linear")}}]
    return program(b, ["linear"], out_specs, {}), sd, {}, ((x,), {})


# --- 2-block MLP with a residual, a buffer and a two-output op --------------
class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(8, 16)
        self.act = torch.nn.GELU()
        self.fc2 = torch.nn.Linear(16, 8)


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = torch.nn.Sequential(Block(), Block())
        self.register_buffer("scale", torch.full((8,), 0.5))


def mlp():
    m = MLP().eval()
    x = torch.randn(2, 8)
    b = Builder("s0")
    sd = m.state_dict()
    for fqn in sd:
        ph = ("b_" if fqn == "scale" else "p_") + fqn.replace(".", "_")
        spec = ({"buffer": {"arg": {"name": ph}, "buffer_name": fqn, "persistent": True}}
                if fqn == "scale" else param(ph, fqn))
        b.placeholder(ph, sd[fqn], spec)
    b.placeholder("x", x, user("x"), dynamic=True)
    root = "L__self__,,__main__.MLP"
    seq = "L__self___blocks,blocks,torch.nn.modules.container.Sequential"
    h, hname = x, "x"
    with torch.no_grad():
        for i in range(2):
            blk = f"L__self___blocks_{i},blocks.{i},__main__.Block"
            pre = f"p_blocks_{i}_"
            fc1, fc2 = m.blocks[i].fc1, m.blocks[i].fc2
            a = torch.ops.aten.linear.default(h, fc1.weight, fc1.bias)
            n1 = "linear" if i == 0 else "linear_2"
            b.call("torch.ops.aten.linear.default",
                   [("input", T(hname)), ("weight", T(pre + "fc1_weight")), ("bias", T(pre + "fc1_bias"))],
                   [n1], "linear", [root, seq, blk, f"L__self___blocks_{i}_fc1,blocks.{i}.fc1,torch.nn.modules.linear.Linear"], [a])
            g = torch.ops.aten.gelu.default(a)
            n2 = "gelu" if i == 0 else "gelu_1"
            b.call("torch.ops.aten.gelu.default", [("self", T(n1)), ("approximate", {"as_string": "none"})],
                   [n2], "gelu", [root, seq, blk, f"L__self___blocks_{i}_act,blocks.{i}.act,torch.nn.modules.activation.GELU"], [g])
            o = torch.ops.aten.linear.default(g, fc2.weight, fc2.bias)
            n3 = "linear_1" if i == 0 else "linear_3"
            b.call("torch.ops.aten.linear.default",
                   [("input", T(n2)), ("weight", T(pre + "fc2_weight")), ("bias", T(pre + "fc2_bias"))],
                   [n3], "linear", [root, seq, blk, f"L__self___blocks_{i}_fc2,blocks.{i}.fc2,torch.nn.modules.linear.Linear"], [o])
            s = torch.ops.aten.add.Tensor(h, o)
            n4 = "add" if i == 0 else "add_1"
            b.call("torch.ops.aten.add.Tensor", [("self", T(hname)), ("other", T(n3))], [n4], "add",
                   [root, seq, blk], [s])
            h, hname = s, n4
        y = torch.ops.aten.mul.Tensor(h, m.scale)
        b.call("torch.ops.aten.mul.Tensor", [("self", T(hname)), ("other", T("b_scale"))], ["mul"], "mul", [root], [y])
        vals, idx = torch.ops.aten.max.dim(y, 1)
        b.call("torch.ops.aten.max.dim", [("self", T("mul")), ("dim", {"as_int": 1})], ["max_1", "max_2"], "max",
               [root], [vals, idx])
    out_specs = [{"user_output": {"arg": T("mul")}}, {"user_output": {"arg": T("max_1")}},
                 {"user_output": {"arg": T("max_2")}}]
    return program(b, ["mul", "max_1", "max_2"], out_specs, {"s0": {"min_val": 2, "max_val": None}}), sd, {}, ((x,), {})


def raw(t):
    return t.contiguous().numpy().tobytes()


def save_bytes(obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def write_archive(path, ep, sd, params):
    w = torch._C.PyTorchFileWriter(path)
    config = {}
    for i, (fqn, t) in enumerate(sd.items()):
        data = raw(t)
        w.write_record(f"data/weights/weight_{i}", data, len(data))
        config[fqn] = {"path_name": f"weight_{i}", "is_param": fqn in params, "use_pickle": False,
                       "tensor_meta": meta(t.detach())}

    def rec(name, s):
        b = s.encode() if isinstance(s, str) else s
        w.write_record(name, b, len(b))

    rec("data/weights/model_weights_config.json", json.dumps({"config": config}))
    rec("data/constants/model_constants_config.json", json.dumps({"config": {}}))
    rec("models/model.json", json.dumps(ep))
    rec("archive_format", "pt2")
    rec("archive_version", "0")
    w.write_end_of_file()


def write_legacy(path, ep, sd, example):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("serialized_exported_program.json", json.dumps(ep))
        z.writestr("serialized_state_dict.pt", save_bytes(sd))
        z.writestr("serialized_constants.pt", save_bytes({}))
        z.writestr("serialized_example_inputs.pt", save_bytes(example))
        z.writestr("version", "8.17")


for name, build in (("convnet", convnet), ("mlp", mlp)):
    ep, sd, consts, example = build()
    params = {n for n, _ in (ConvNet() if name == "convnet" else MLP()).named_parameters()}
    write_archive(f"{name}.pt2", ep, sd, params)
    write_legacy(f"{name}_legacy.pt2", ep, sd, example)
