// Package onnxtest builds small ONNX files byte by byte for tests,
// including broken ones no exporter would write.
package onnxtest

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Msg is an encoded protobuf message.
type Msg []byte

// Varint appends a varint field.
func (m Msg) Varint(num int, v uint64) Msg {
	m = protowire.AppendTag(m, protowire.Number(num), protowire.VarintType)
	return protowire.AppendVarint(m, v)
}

// Bytes appends a length-delimited field.
func (m Msg) Bytes(num int, b []byte) Msg {
	m = protowire.AppendTag(m, protowire.Number(num), protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

// Str appends a string field.
func (m Msg) Str(num int, s string) Msg { return m.Bytes(num, []byte(s)) }

// Float appends a fixed32 float field.
func (m Msg) Float(num int, f float32) Msg {
	m = protowire.AppendTag(m, protowire.Number(num), protowire.Fixed32Type)
	return protowire.AppendFixed32(m, math.Float32bits(f))
}

// Packed appends a packed repeated varint field.
func (m Msg) Packed(num int, vs ...uint64) Msg {
	var b []byte
	for _, v := range vs {
		b = protowire.AppendVarint(b, v)
	}
	return m.Bytes(num, b)
}

// Model wraps a graph into a ModelProto with IR 8 and ai.onnx opset 17.
func Model(graph Msg, extra ...Msg) Msg {
	m := Msg{}.Varint(1, 8).Str(2, "onnxtest").Bytes(7, graph).Bytes(8, Msg{}.Str(1, "").Varint(2, 17))
	for _, e := range extra {
		m = append(m, e...)
	}
	return m
}

// Graph builds a GraphProto from already-encoded fields (Node, Input, ...).
func Graph(name string, fields ...Msg) Msg {
	g := Msg{}.Str(2, name)
	for _, f := range fields {
		g = append(g, f...)
	}
	return g
}

// Node is a graph's node field (GraphProto.node).
func Node(op, name string, inputs, outputs []string, attrs ...Msg) Msg {
	n := Msg{}
	for _, s := range inputs {
		n = n.Str(1, s)
	}
	for _, s := range outputs {
		n = n.Str(2, s)
	}
	n = n.Str(3, name).Str(4, op)
	for _, a := range attrs {
		n = n.Bytes(5, a)
	}
	return Msg{}.Bytes(1, n)
}

// GraphAttr is an AttributeProto holding a graph.
func GraphAttr(name string, graph Msg) Msg {
	return Msg{}.Str(1, name).Varint(20, 5).Bytes(6, graph)
}

// IntAttr is an AttributeProto holding an int.
func IntAttr(name string, v int64) Msg {
	return Msg{}.Str(1, name).Varint(20, 2).Varint(3, uint64(v))
}

// ValueInfo is a ValueInfoProto for a tensor of dtype and dims.
func ValueInfo(name string, dtype int, dims ...int64) Msg {
	shape := Msg{}
	for _, d := range dims {
		shape = shape.Bytes(1, Msg{}.Varint(1, uint64(d)))
	}
	tt := Msg{}.Varint(1, uint64(dtype)).Bytes(2, shape)
	return Msg{}.Str(1, name).Bytes(2, Msg{}.Bytes(1, tt))
}

// Input, Output are graph fields holding a ValueInfo.
func Input(vi Msg) Msg  { return Msg{}.Bytes(11, vi) }
func Output(vi Msg) Msg { return Msg{}.Bytes(12, vi) }

// Tensor is a TensorProto; fields are appended after name, type and dims.
func Tensor(name string, dtype int, dims []int64, fields ...Msg) Msg {
	t := Msg{}
	for _, d := range dims {
		t = t.Varint(1, uint64(d))
	}
	t = t.Varint(2, uint64(dtype)).Str(8, name)
	for _, f := range fields {
		t = append(t, f...)
	}
	return t
}

// Raw is a raw_data field.
func Raw(b []byte) Msg { return Msg{}.Bytes(9, b) }

// External is the external-data fields of a TensorProto.
func External(location string, offset, length int64) Msg {
	kv := func(k, v string) Msg { return Msg{}.Bytes(13, Msg{}.Str(1, k).Str(2, v)) }
	m := kv("location", location)
	if offset >= 0 {
		m = append(m, kv("offset", itoa(offset))...)
	}
	if length >= 0 {
		m = append(m, kv("length", itoa(length))...)
	}
	return append(m, Msg{}.Varint(14, 1)...)
}

// Initializer is a graph field holding a TensorProto.
func Initializer(tensor Msg) Msg { return Msg{}.Bytes(5, tensor) }

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v /= 10 {
		b = append([]byte{byte('0' + v%10)}, b...)
	}
	return string(b)
}

// Nested builds a model whose main graph holds an If node whose
// then_branch holds an If node ... depth levels deep. The nested field is
// last in each message, so the bytes are headers (outermost first) then
// the leaf: linear in depth.
func Nested(depth int) Msg {
	leaf := Graph("leaf")
	inner := len(leaf)
	headers := make([]Msg, 0, depth)
	for i := 0; i < depth; i++ {
		attr := protowire.AppendVarint(Msg{}.Str(1, "then_branch").Varint(20, 5).tag(6), uint64(inner))
		attrLen := len(attr) + inner
		node := protowire.AppendVarint(Msg{}.Str(1, "c").Str(2, "y").Str(3, "if").Str(4, "If").tag(5), uint64(attrLen))
		nodeLen := len(node) + attrLen
		graph := protowire.AppendVarint(Msg{}.Str(2, "g").tag(1), uint64(nodeLen))
		inner = len(graph) + nodeLen
		h := append(append(graph, node...), attr...)
		headers = append(headers, h)
	}
	g := make(Msg, 0, inner)
	for i := len(headers) - 1; i >= 0; i-- {
		g = append(g, headers[i]...)
	}
	g = append(g, leaf...)
	return Model(g)
}

func (m Msg) tag(num int) Msg {
	return protowire.AppendTag(m, protowire.Number(num), protowire.BytesType)
}
