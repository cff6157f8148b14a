package view

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/modelviz/modelviz/model"
)

// data makes a tensor whose bytes are b, stored the way the ONNX reader
// stores small tensors; loads counts the reads.
func data(d model.DType, dims []int64, b []byte, loads *int) *model.Tensor {
	return &model.Tensor{DType: d, Dims: dims, Location: "embedded", Length: int64(len(b)),
		Loader: func() ([]byte, error) { *loads++; return b, nil }}
}

func TestScalarRowsAndLabels(t *testing.T) {
	le := binary.LittleEndian
	loads := 0
	f32 := le.AppendUint32(nil, math.Float32bits(1.41421356))
	i64 := func(v ...int64) []byte {
		var b []byte
		for _, x := range v {
			b = le.AppendUint64(b, uint64(x))
		}
		return b
	}
	g := makeGraph([]string{"x"}, []string{"y"}, nil, []spec{
		{"Constant", "c", nil, []string{"half"}, nil},
		{"Div", "div", []string{"x", "sqrt2"}, []string{"a"}, nil},
		{"Gather", "gather", []string{"a", "idx"}, []string{"b"}, nil},
		{"Unsqueeze", "unsq", []string{"b", "axes"}, []string{"c"}, nil},
		{"Mul", "mul", []string{"c", "half"}, []string{"d"}, nil},
		{"Where", "where", []string{"flag", "d", "ext"}, []string{"e"}, nil},
		{"Add", "add", []string{"e", "lies"}, []string{"f"}, nil},
		{"Sub", "sub", []string{"f", "h16"}, []string{"k"}, nil},
		{"Conv", "conv", []string{"k", "w", "bias"}, []string{"y"}, nil},
	})
	vals := map[string]*model.Value{}
	for _, v := range g.Values {
		vals[v.Name] = v
	}
	init := func(name string, t *model.Tensor) {
		vals[name].Initializer = t
		g.Initializers = append(g.Initializers, vals[name])
	}
	init("sqrt2", data(model.Float32, nil, f32, &loads))
	init("idx", data(model.Int64, []int64{}, i64(0), &loads))
	init("axes", data(model.Int64, []int64{2}, i64(0, -1), &loads))
	init("flag", data(model.Bool, nil, []byte{1}, &loads))
	// External data is not read; a length that disagrees with the dims
	// (hostile) is never loaded.
	init("ext", &model.Tensor{DType: model.Float32, Location: "external", Length: 4,
		Loader: func() ([]byte, error) { t.Error("external tensor read"); return f32, nil }})
	init("lies", &model.Tensor{DType: model.Float32, Location: "embedded", Length: 1 << 40,
		Loader: func() ([]byte, error) { t.Error("tensor with a wrong length read"); return nil, nil }})
	init("h16", data(model.Float16, nil, le.AppendUint16(nil, 0x3c00), &loads)) // 1.0
	// A layer's small weights keep their shape.
	init("w", data(model.Int64, []int64{1}, i64(7), &loads))
	init("bias", data(model.Int64, []int64{1}, i64(7), &loads))
	g.Nodes[0].Attrs = []model.Attr{{Name: "value_float", Kind: model.AttrFloat, Float: 0.5}}
	vals["b"].Type = &model.Type{Kind: model.TensorType, DType: model.Float32, Shape: model.Shape{}}
	vals["d"].Type = &model.Type{Kind: model.TensorType, DType: model.Float32,
		Shape: model.Shape{{Param: "4*batch"}, {Param: "seq + 1"}, {Value: 8, Known: true}}}

	sc := mustLayout(t, Build(&model.Model{Graphs: []*model.Graph{g}}, nil), Options{Depth: -1, Weights: true})
	rows := map[string]string{}
	for _, b := range sc.Nodes {
		for _, r := range b.Rows {
			rows[b.Name+" "+r.Key] = r.Value
		}
	}
	want := map[string]string{
		"div B": "1.41421", "gather indices": "0", "unsq axes": "[0, -1]", "mul B": "0.5",
		"where condition": "true", "where Y": "scalar", "add B": "scalar", "sub B": "1",
		"conv W": "1", "conv B": "1",
	}
	for k, v := range want {
		if rows[k] != v {
			t.Errorf("row %q = %q, want %q", k, rows[k], v)
		}
	}
	if loads != 5 {
		t.Errorf("%d loads, want 5", loads)
	}
	labels := map[string]string{}
	for _, e := range sc.Edges {
		labels[e.Value] = e.Label
	}
	if labels["b"] != "scalar" || labels["d"] != "4·batch×(seq + 1)×8" {
		t.Errorf("edge labels b %q, d %q", labels["b"], labels["d"])
	}
}

// A file of many scalars reads at most maxLoads of them.
func TestScalarLoadBudget(t *testing.T) {
	loads := 0
	b := &builder{}
	tt := data(model.Int8, nil, []byte{3}, &loads)
	for i := 0; i < maxLoads+10; i++ {
		b.tensorText(tt, false)
	}
	if loads != maxLoads || b.tensorText(tt, false) != "scalar" {
		t.Errorf("%d loads", loads)
	}
}

func TestHalfFloat(t *testing.T) {
	for h, want := range map[uint16]float32{0x3c00: 1, 0xc000: -2, 0x0001: 5.9604645e-08, 0x7bff: 65504, 0x8000: float32(math.Copysign(0, -1))} {
		if got := halfFloat(h); got != want || math.Signbit(float64(got)) != math.Signbit(float64(want)) {
			t.Errorf("halfFloat(%#x) = %v, want %v", h, got, want)
		}
	}
	if !math.IsInf(float64(halfFloat(0x7c00)), 1) || !math.IsNaN(float64(halfFloat(0x7e00))) {
		t.Error("inf or nan")
	}
}
