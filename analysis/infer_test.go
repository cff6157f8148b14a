package analysis

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/modelviz/modelviz/model"
)

// gb builds small graphs by hand.
type gb struct {
	g    *model.Graph
	vals map[string]*model.Value
}

func newGB() *gb { return &gb{g: &model.Graph{Name: "g"}, vals: map[string]*model.Value{}} }

func (b *gb) val(name string) *model.Value {
	if name == "" {
		return nil
	}
	if v, ok := b.vals[name]; ok {
		return v
	}
	v := &model.Value{ID: int32(len(b.g.Values)), Name: name}
	b.g.Values = append(b.g.Values, v)
	b.vals[name] = v
	return v
}

func (b *gb) input(name string, dt model.DType, s model.Shape) *model.Value {
	v := b.val(name)
	v.Type = &model.Type{DType: dt, Shape: s}
	b.g.Inputs = append(b.g.Inputs, v)
	return v
}

func sym(s string) model.Dim { return model.Dim{Param: s} }

func int64Bytes(vals ...int64) []byte {
	out := make([]byte, 8*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint64(out[8*i:], uint64(v))
	}
	return out
}

func floatBytes(vals ...float32) []byte {
	out := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
	}
	return out
}

func tensor(dt model.DType, dims []int64, data []byte) *model.Tensor {
	return &model.Tensor{DType: dt, Dims: dims, Location: "inline", Length: int64(len(data)),
		Loader: func() ([]byte, error) { return data, nil }}
}

// ints adds an int64 initializer.
func (b *gb) ints(name string, vals ...int64) *model.Value {
	v := b.val(name)
	v.Initializer = tensor(model.Int64, []int64{int64(len(vals))}, int64Bytes(vals...))
	b.g.Initializers = append(b.g.Initializers, v)
	return v
}

// weight adds a float initializer of the given dims (no data).
func (b *gb) weight(name string, dims ...int64) *model.Value {
	v := b.val(name)
	v.Initializer = &model.Tensor{DType: model.Float32, Dims: dims}
	b.g.Initializers = append(b.g.Initializers, v)
	return v
}

func (b *gb) node(op string, ins, outs []string, attrs ...model.Attr) *model.Node {
	n := &model.Node{ID: int32(len(b.g.Nodes)), Name: op, Op: op, Attrs: attrs}
	for _, s := range ins {
		v := b.val(s)
		n.Inputs = append(n.Inputs, v)
		if v != nil {
			v.Consumers = append(v.Consumers, n)
		}
	}
	for _, s := range outs {
		v := b.val(s)
		v.Producer = n
		n.Outputs = append(n.Outputs, v)
	}
	b.g.Nodes = append(b.g.Nodes, n)
	return n
}

func (b *gb) output(names ...string) {
	for _, s := range names {
		b.g.Outputs = append(b.g.Outputs, b.val(s))
	}
}

func (b *gb) model(opset int64) *model.Model {
	return &model.Model{Format: "onnx", Opsets: []model.Opset{{Domain: "", Version: opset}}, Graphs: []*model.Graph{b.g}}
}

func aInt(name string, v int64) model.Attr {
	return model.Attr{Name: name, Kind: model.AttrInt, Int: v}
}
func aInts(name string, v ...int64) model.Attr {
	return model.Attr{Name: name, Kind: model.AttrInts, Ints: v}
}
func aStr(name, v string) model.Attr {
	return model.Attr{Name: name, Kind: model.AttrString, String: v}
}
func aFloat(name string, v float32) model.Attr {
	return model.Attr{Name: name, Kind: model.AttrFloat, Float: v}
}

func analyze(t *testing.T, m *model.Model, opt Options) *Info {
	t.Helper()
	in := Analyze(m, opt)
	if in.panics != 0 {
		t.Fatalf("%d op rules panicked", in.panics)
	}
	return in
}

func wantShape(t *testing.T, in *Info, v *model.Value, want string) {
	t.Helper()
	ty := in.Type(v)
	got := "nil"
	if ty != nil {
		got = ty.Shape.String()
	}
	if got != want {
		t.Errorf("%s: shape %s, want %s", v.Name, got, want)
	}
}

// The exporter pattern for multi-head attention reshapes: Shape → Gather →
// Unsqueeze → Concat → Reshape, with symbolic batch and seq.
func TestShapeChainFolding(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Shape{sym("batch"), sym("seq"), kd(768)})
	b.node("Shape", []string{"x"}, []string{"s"})
	b.ints("i0", 0)
	b.ints("i1", 1)
	b.node("Gather", []string{"s", "i0"}, []string{"b0"}, aInt("axis", 0))
	b.node("Gather", []string{"s", "i1"}, []string{"s1"}, aInt("axis", 0))
	b.ints("heads", 12, 64)
	b.node("Concat", []string{"b0", "s1", "heads"}, []string{"spec"}, aInt("axis", 0))
	b.node("Reshape", []string{"x", "spec"}, []string{"r"})
	b.node("Transpose", []string{"r"}, []string{"tr"}, aInts("perm", 0, 2, 1, 3))
	b.ints("back", 0, 0, -1)
	b.node("Reshape", []string{"r", "back"}, []string{"r2"})
	b.node("Flatten", []string{"x"}, []string{"f"}, aInt("axis", 2))
	b.ints("neg", -1, 768)
	b.node("Reshape", []string{"x", "neg"}, []string{"r3"})
	b.ints("two", 2)
	b.node("Unsqueeze", []string{"f", "two"}, []string{"u"})
	b.node("MatMul", []string{"tr", "tr2"}, []string{"scores"})
	b.node("Transpose", []string{"tr"}, []string{"tr2"}, aInts("perm", 0, 1, 3, 2))
	m := b.model(13)
	in := analyze(t, m, Options{})
	wantShape(t, in, b.vals["r"], "batch×seq×12×64")
	wantShape(t, in, b.vals["tr"], "batch×12×seq×64")
	wantShape(t, in, b.vals["r2"], "batch×seq×768")
	wantShape(t, in, b.vals["f"], "batch*seq×768")
	wantShape(t, in, b.vals["r3"], "batch*seq×768")
	wantShape(t, in, b.vals["u"], "batch*seq×768×1")
	// scores is computed before tr2 in file order: unknown, never a panic.
	wantShape(t, in, b.vals["scores"], "?")

	in = analyze(t, m, Options{Inputs: map[string]model.Shape{"x": model.Fixed(2, 5, 768)}})
	wantShape(t, in, b.vals["r"], "2×5×12×64")
	wantShape(t, in, b.vals["r3"], "10×768")
}

func TestConvPoolShapesAndMACs(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Fixed(1, 3, 224, 224))
	b.weight("w", 64, 3, 7, 7)
	b.weight("bias", 64)
	b.node("Conv", []string{"x", "w", "bias"}, []string{"c"}, aInts("strides", 2, 2), aInts("pads", 3, 3, 3, 3))
	b.node("MaxPool", []string{"c"}, []string{"p"}, aInts("kernel_shape", 3, 3), aInts("strides", 2, 2), aInts("pads", 1, 1, 1, 1))
	b.weight("dw", 64, 1, 3, 3)
	b.node("Conv", []string{"p", "dw"}, []string{"d"}, aInt("group", 64), aStr("auto_pad", "SAME_UPPER"), aInts("strides", 2, 2))
	b.node("AveragePool", []string{"d"}, []string{"ap"}, aInts("kernel_shape", 3, 3), aInts("strides", 2, 2), aInt("ceil_mode", 1))
	b.weight("tw", 64, 16, 4, 4)
	b.node("ConvTranspose", []string{"d", "tw"}, []string{"up"}, aInts("strides", 2, 2), aInts("pads", 1, 1, 1, 1))
	b.node("GlobalAveragePool", []string{"up"}, []string{"g"})
	b.output("g", "ap")
	m := b.model(13)
	in := analyze(t, m, Options{})
	wantShape(t, in, b.vals["c"], "1×64×112×112")
	wantShape(t, in, b.vals["p"], "1×64×56×56")
	wantShape(t, in, b.vals["d"], "1×64×28×28")
	wantShape(t, in, b.vals["ap"], "1×64×14×14") // ceil((28-3)/2)+1 = 14
	wantShape(t, in, b.vals["up"], "1×16×56×56")
	wantShape(t, in, b.vals["g"], "1×16×1×1")
	conv := b.vals["c"].Producer
	if got, want := in.Cost(conv).MACs, int64(64*112*112*3*7*7); got != want {
		t.Errorf("conv MACs %d, want %d", got, want)
	}
	if got := in.Cost(conv).Params; got != 64*3*7*7+64 {
		t.Errorf("conv params %d", got)
	}
	if got, want := in.Cost(b.vals["d"].Producer).MACs, int64(64*28*28*9); got != want {
		t.Errorf("depthwise MACs %d, want %d", got, want)
	}
	// ConvTranspose: input elements × Cout/group × k×k.
	if got, want := in.Cost(b.vals["up"].Producer).MACs, int64(64*28*28*16*16); got != want {
		t.Errorf("conv transpose MACs %d, want %d", got, want)
	}
	if got := in.Cost(b.vals["p"].Producer).MACs; got != 0 {
		t.Errorf("pool MACs %d, want 0", got)
	}
	if got := in.Cost(conv).ActivationBytes; got != 64*112*112*4 {
		t.Errorf("conv activation bytes %d", got)
	}
}

func TestOpsetForms(t *testing.T) {
	for _, opset := range []int64{9, 13} {
		b := newGB()
		b.input("x", model.Float32, model.Fixed(2, 1, 6, 1))
		if opset < 13 {
			b.node("Squeeze", []string{"x"}, []string{"sq"}, aInts("axes", 1, 3))
			b.node("Unsqueeze", []string{"sq"}, []string{"us"}, aInts("axes", 0))
			b.node("Split", []string{"sq"}, []string{"s0", "s1"}, aInt("axis", 1), aInts("split", 2, 4))
			b.node("ReduceSum", []string{"x"}, []string{"rs"}, aInts("axes", 2), aInt("keepdims", 0))
			b.node("Slice", []string{"x"}, []string{"sl"}, aInts("starts", 1), aInts("ends", 100), aInts("axes", 2))
		} else {
			b.ints("ax", 1, 3)
			b.ints("ax0", 0)
			b.ints("split", 2, 4)
			b.ints("ax2", 2)
			b.ints("one", 1)
			b.ints("big", 100)
			b.node("Squeeze", []string{"x", "ax"}, []string{"sq"})
			b.node("Unsqueeze", []string{"sq", "ax0"}, []string{"us"})
			b.node("Split", []string{"sq", "split"}, []string{"s0", "s1"}, aInt("axis", 1))
			b.node("ReduceSum", []string{"x", "ax2"}, []string{"rs"}, aInt("keepdims", 0))
			b.node("Slice", []string{"x", "one", "big", "ax2"}, []string{"sl"})
		}
		b.node("ReduceMean", []string{"x"}, []string{"rm"}, aInts("axes", -2))
		b.node("Split", []string{"x"}, []string{"e0", "e1", "e2"}, aInt("axis", 2))
		in := analyze(t, b.model(opset), Options{})
		wantShape(t, in, b.vals["sq"], "2×6")
		wantShape(t, in, b.vals["us"], "1×2×6")
		wantShape(t, in, b.vals["s0"], "2×2")
		wantShape(t, in, b.vals["s1"], "2×4")
		wantShape(t, in, b.vals["rs"], "2×1×1")
		wantShape(t, in, b.vals["sl"], "2×1×5×1")
		wantShape(t, in, b.vals["rm"], "2×1×1×1")
		wantShape(t, in, b.vals["e2"], "2×1×2×1")
	}
}

func TestBroadcastAndTypes(t *testing.T) {
	b := newGB()
	b.input("a", model.Float32, model.Shape{sym("n"), kd(1), kd(5)})
	b.input("b", model.Float32, model.Shape{kd(4), kd(1)})
	b.input("i", model.Int64, model.Shape{sym("n")})
	b.node("Add", []string{"a", "b"}, []string{"sum"})
	b.node("Equal", []string{"a", "b"}, []string{"eq"})
	b.node("Where", []string{"eq", "a", "b"}, []string{"w"})
	b.node("Cast", []string{"sum"}, []string{"h"}, aInt("to", int64(model.Float16)))
	b.node("Shape", []string{"a"}, []string{"sh"}, aInt("start", -2))
	b.node("Unknownop", []string{"a"}, []string{"u"})
	b.node("Relu", []string{"u"}, []string{"ur"})
	b.node("NonZero", []string{"a"}, []string{"nz"})
	b.node("TopK", []string{"a", "k"}, []string{"tv", "ti"})
	b.ints("k", 3)
	b.node("ArgMax", []string{"a"}, []string{"am"}, aInt("axis", -1), aInt("keepdims", 0))
	in := analyze(t, b.model(17), Options{})
	wantShape(t, in, b.vals["sum"], "n×4×5")
	wantShape(t, in, b.vals["eq"], "n×4×5")
	if in.Type(b.vals["eq"]).DType != model.Bool || in.Type(b.vals["h"]).DType != model.Float16 {
		t.Error("Equal must be bool and Cast float16")
	}
	wantShape(t, in, b.vals["w"], "n×4×5")
	wantShape(t, in, b.vals["sh"], "2")
	wantShape(t, in, b.vals["u"], "nil")
	wantShape(t, in, b.vals["ur"], "?")
	wantShape(t, in, b.vals["nz"], "3×?")
	wantShape(t, in, b.vals["am"], "n×1")
	wantShape(t, in, b.vals["tv"], "n×1×3") // k is an initializer: known from the start
}

func TestRecurrentAndEinsum(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Shape{sym("seq"), sym("batch"), kd(10)})
	b.weight("W", 2, 80, 10)
	b.weight("R", 2, 80, 20)
	b.node("LSTM", []string{"x", "W", "R"}, []string{"y", "yh", "yc"}, aInt("hidden_size", 20), aStr("direction", "bidirectional"))
	b.input("q", model.Float32, model.Fixed(2, 3, 4))
	b.input("k", model.Float32, model.Fixed(2, 4, 5))
	b.node("Einsum", []string{"q", "k"}, []string{"e"}, aStr("equation", "bij,bjk->bik"))
	b.node("Einsum", []string{"q"}, []string{"e2"}, aStr("equation", "...ij"))
	in := analyze(t, b.model(14), Options{Inputs: map[string]model.Shape{"x": model.Fixed(7, 3, 10)}})
	wantShape(t, in, b.vals["y"], "7×2×3×20")
	wantShape(t, in, b.vals["yh"], "2×3×20")
	wantShape(t, in, b.vals["yc"], "2×3×20")
	// seq 7 × batch 3 × dirs 2 × 4 gates × hidden 20 × (10 + 20)
	if got, want := in.Cost(b.vals["y"].Producer).MACs, int64(7*3*2*4*20*30); got != want {
		t.Errorf("LSTM MACs %d, want %d", got, want)
	}
	wantShape(t, in, b.vals["e"], "2×3×5")
	wantShape(t, in, b.vals["e2"], "2×3×4")
	if got := in.Cost(b.vals["e"].Producer).MACs; got != 2*3*4*5 {
		t.Errorf("einsum MACs %d, want 120", got)
	}
}

func TestRecordedTypesMerge(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Shape{sym("n"), kd(4)})
	b.node("Unknownop", []string{"x"}, []string{"u"})
	b.node("Relu", []string{"x"}, []string{"r"})
	b.vals["u"].Type = &model.Type{DType: model.Float32, Shape: model.Shape{kd(3), {}}}
	b.vals["r"].Type = &model.Type{DType: model.Float32, Shape: model.Shape{{}, {}}}
	in := analyze(t, b.model(17), Options{})
	wantShape(t, in, b.vals["u"], "3×?") // recorded, nothing inferred
	wantShape(t, in, b.vals["r"], "n×4") // inferred fills recorded unknowns
	if b.vals["r"].Type.Shape.String() != "?×?" {
		t.Error("the model was modified")
	}
}

func TestControlFlow(t *testing.T) {
	then := newGB()
	then.node("Identity", []string{"outer"}, []string{"t"})
	then.output("t")
	els := newGB()
	els.node("Relu", []string{"outer"}, []string{"e"})
	els.output("e")
	b := newGB()
	b.input("x", model.Float32, model.Fixed(3, 4))
	b.input("c", model.Bool, model.Shape{})
	then.vals["outer"].Outer = b.vals["x"]
	els.vals["outer"].Outer = b.vals["x"]
	then.g.Parent, els.g.Parent = b.g, b.g
	b.node("If", []string{"c"}, []string{"y"},
		model.Attr{Name: "then_branch", Kind: model.AttrGraph, Graph: then.g},
		model.Attr{Name: "else_branch", Kind: model.AttrGraph, Graph: els.g})
	in := analyze(t, b.model(14), Options{})
	wantShape(t, in, b.vals["y"], "3×4")
	wantShape(t, in, els.vals["e"], "3×4")
}

// Hostile graphs: absurd dims, huge constants, cycles, nil entries. Work
// stays bounded and nothing panics.
func TestHostileGraphs(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Fixed(1<<40, 1<<40))
	b.ints("huge", 1<<60, 1<<60, 1<<60)
	b.node("ConstantOfShape", []string{"huge"}, []string{"cos"})
	b.node("Reshape", []string{"x", "huge"}, []string{"r"})
	b.ints("r0", 0)
	b.ints("rlim", 1<<40)
	b.ints("r1", 1)
	b.node("Range", []string{"r0", "rlim", "r1"}, []string{"rg"})
	b.node("Expand", []string{"x", "huge"}, []string{"ex"})
	b.node("MatMul", []string{"x", "x"}, []string{"mm"})
	b.node("Tile", []string{"x", "huge"}, []string{"ti"})
	// A cycle: c1 reads c2's output, c2 reads c1's.
	b.node("Relu", []string{"c2"}, []string{"c1"})
	b.node("Relu", []string{"c1"}, []string{"c2"})
	// Nil inputs and outputs, missing attributes.
	n := b.node("Conv", []string{"x", ""}, []string{"cv"})
	n.Outputs = append(n.Outputs, nil)
	b.node("Gemm", []string{"", ""}, []string{"gm"})
	b.node("Slice", []string{"x", "", "", "", ""}, []string{"sl"})
	b.node("Einsum", []string{"x", "x"}, []string{"es"}, aStr("equation", "...,...,->>"))
	b.node("Transpose", []string{"x"}, []string{"tp"}, aInts("perm", 5, -9))
	b.node("Unsqueeze", []string{"x"}, []string{"uq"}, aInts("axes", 1, 1, 1))
	b.node("Concat", []string{"x", "cos"}, []string{"cc"}, aInt("axis", 99))
	b.node("Split", []string{"x"}, []string{}, aInt("axis", 0))
	m := b.model(13)
	in := analyze(t, m, Options{Inputs: map[string]model.Shape{"x": model.Fixed(math.MaxInt64, 3)}})
	_ = in
	in = analyze(t, m, Options{})
	wantShape(t, in, b.vals["cos"], "?×?×?") // dims above the sanity bound
	if c := in.Type(b.vals["rg"]); c == nil || len(c.Shape) != 1 {
		t.Errorf("range shape %v", c)
	}
	if in.Cost(b.vals["mm"].Producer).MACs <= 0 {
		t.Error("saturated MACs expected for a huge MatMul")
	}
	if in.Total().MACs < 0 {
		t.Error("negative total")
	}
	// A model with nothing in it.
	analyze(t, &model.Model{}, Options{})
	analyze(t, &model.Model{Graphs: []*model.Graph{nil, {}}}, Options{})
	var nilInfo *Info
	if nilInfo.Type(nil) != nil || nilInfo.Total() != (Cost{}) || nilInfo.PeakActivationBytes() != 0 {
		t.Error("nil Info")
	}
}

func TestPeakAndGroups(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Fixed(1000)) // 4000 bytes
	b.node("Relu", []string{"x"}, []string{"a"})   // a: 4000
	b.node("Relu", []string{"a"}, []string{"b"})   // b: 4000; x freed after node 0
	b.ints("two", 2)
	b.node("Tile", []string{"b", "two"}, []string{"c"})                  // c: 8000
	b.node("Concat", []string{"a", "c"}, []string{"d"}, aInt("axis", 0)) // d: 12000
	b.output("d")
	b.g.Nodes[0].Group = []string{"enc", "enc.0"}
	b.g.Nodes[1].Group = []string{"enc", "enc.1"}
	b.g.Nodes[2].Group = []string{"enc"}
	in := analyze(t, b.model(13), Options{})
	// After node 0: x+a = 8000 (x freed). Node 1: a+b = 8000. Node 2: a+b+c
	// = 16000 (b freed after). Node 3: a+c+d = 24000.
	if got := in.PeakActivationBytes(); got != 24000 {
		t.Errorf("peak %d, want 24000", got)
	}
	if got := in.GroupCost([]string{"enc"}).ActivationBytes; got != 16000 {
		t.Errorf("group enc activation %d, want 16000", got)
	}
	if got := in.GroupCost([]string{"enc", "enc.1"}).ActivationBytes; got != 4000 {
		t.Errorf("group enc.1 activation %d, want 4000", got)
	}
}

// ATen graphs (torch.export, TorchScript): shapes for common layers and
// MACs by the same convention.
func TestATen(t *testing.T) {
	b := newGB()
	b.input("x", model.Undefined, nil)
	b.weight("cw", 4, 3, 3, 3)
	b.weight("fw", 5, 144)
	node := func(op string, ins []string, out string, attrs ...model.Attr) {
		b.node(op, ins, []string{out}, attrs...).Domain = "aten"
	}
	node("conv2d", []string{"x", "cw"}, "c", aInts("stride", 1, 1), aInts("padding", 0))
	node("relu", []string{"c"}, "r")
	node("flatten", []string{"r"}, "f", aInt("start_dim", 1))
	node("linear", []string{"f", "fw"}, "y")
	node("matmul", []string{"y", "yt"}, "m")
	b.output("y")
	in := analyze(t, b.model(0), Options{Inputs: map[string]model.Shape{"": model.Fixed(1, 3, 8, 8)}})
	wantShape(t, in, b.vals["c"], "1×4×6×6")
	wantShape(t, in, b.vals["f"], "1×144")
	wantShape(t, in, b.vals["y"], "1×5")
	if got := in.Total().MACs; got != 4*6*6*27+5*144 {
		t.Errorf("MACs %d, want %d", got, 4*6*6*27+5*144)
	}
	if in.Type(b.vals["x"]).DType != model.Float32 {
		t.Error("an untyped input set with --input should be float32")
	}
}

// A key/value cache: past_seq cached positions plus seq new ones.
func TestSymbolicSums(t *testing.T) {
	b := newGB()
	b.input("past", model.Float32, model.Shape{sym("batch"), kd(4), sym("past_seq"), kd(8)})
	b.input("cur", model.Float32, model.Shape{sym("batch"), kd(4), sym("seq"), kd(8)})
	b.input("odd", model.Float32, model.Shape{sym("batch-size"), kd(3)})
	b.node("Concat", []string{"past", "cur"}, []string{"kv"}, aInt("axis", 2))
	b.node("Shape", []string{"kv"}, []string{"kvs"})
	b.node("Shape", []string{"cur"}, []string{"cs"})
	b.ints("i2", 2)
	b.node("Gather", []string{"kvs", "i2"}, []string{"total"}, aInt("axis", 0))
	b.node("Gather", []string{"cs", "i2"}, []string{"q"}, aInt("axis", 0))
	b.node("Sub", []string{"total", "q"}, []string{"start"}) // past_seq
	b.node("MatMul", []string{"cur", "kvT"}, []string{"scores"})
	b.node("Transpose", []string{"kv"}, []string{"kvT"}, aInts("perm", 0, 1, 3, 2))
	b.ints("m1", -1)
	b.node("Reshape", []string{"odd", "m1"}, []string{"flat"})
	in := analyze(t, b.model(14), Options{})
	wantShape(t, in, b.vals["kv"], "batch×4×past_seq + seq×8")
	e := newEngine(b.model(14), Options{})
	e.runGraph(b.g, nil)
	if got := e.vals[b.vals["start"]].c; got == nil || got.ints[0].Param != "past_seq" {
		t.Errorf("(past_seq+seq) - seq = %+v, want past_seq", got)
	}
	wantShape(t, in, b.vals["flat"], "3*batch-size")
	for _, c := range []struct{ in, want string }{
		{"seq + 1", "seq + 1"}, {"b + a", "a + b"}, {"2*x + 3", "2*x + 3"}, {"x - 1", "x - 1"},
		{"x - y + 0", "x - y"}, {"x - x", "0"}, {"batch-size", "batch-size"}, {"4*b", "4*b"},
	} {
		l, ok := toLinear(model.Dim{Param: c.in})
		if got := l.dim().String(); !ok || got != c.want {
			t.Errorf("toLinear(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

// With --input, recorded sizes computed for the old input shape give way
// to the inferred ones; without it the recorded ones win.
func TestInputOverrideBeatsRecorded(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Fixed(45, 4))
	b.weight("w", 8, 4)
	b.node("Gemm", []string{"x", "w"}, []string{"y"}, aInt("transB", 1))
	b.vals["y"].Type = &model.Type{DType: model.Float32, Shape: model.Fixed(45, 8)}
	b.output("y")
	in := analyze(t, b.model(13), Options{})
	wantShape(t, in, b.vals["y"], "45×8")
	in = analyze(t, b.model(13), Options{Inputs: map[string]model.Shape{"x": model.Fixed(90, 4)}})
	wantShape(t, in, b.vals["y"], "90×8")
	if got := in.Total().ActivationBytes; got != 90*8*4 {
		t.Errorf("activation bytes %d, want %d", got, 90*8*4)
	}
}

func TestContribOps(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Shape{sym("batch"), kd(7), kd(64)})
	v := b.val("wq")
	v.Initializer = &model.Tensor{DType: model.Uint8, Dims: []int64{128, 2, 16}} // 4-bit, blocks of 32
	b.g.Initializers = append(b.g.Initializers, v)
	b.weight("aw", 64, 192)
	node := func(op string, ins []string, out string, attrs ...model.Attr) {
		b.node(op, ins, []string{out}, attrs...).Domain = "com.microsoft"
	}
	node("MatMulNBits", []string{"x", "wq"}, "y", aInt("K", 64), aInt("N", 128), aInt("bits", 4))
	node("Attention", []string{"x", "aw"}, "att", aInt("num_heads", 4))
	in := analyze(t, b.model(17), Options{Inputs: map[string]model.Shape{"x": model.Fixed(2, 7, 64)}})
	wantShape(t, in, b.vals["y"], "2×7×128")
	wantShape(t, in, b.vals["att"], "2×7×64")
	mm := in.Cost(b.vals["y"].Producer)
	if mm.MACs != 2*7*128*64 || mm.Params != 128*64 {
		t.Errorf("MatMulNBits cost %+v, want %d MACs and %d params", mm, 2*7*128*64, 128*64)
	}
	// Projection 14×64×192, then Q·Kᵀ and A·V: 2·7·7·64 each.
	if got, want := in.Cost(b.vals["att"].Producer).MACs, int64(14*64*192+2*(2*7*7*64)); got != want {
		t.Errorf("Attention MACs %d, want %d", got, want)
	}
}

// torch's F.pad export (opset 11+): the pads list is reversed pairwise
// through Concat → Reshape [-1,2] → Slice(step -1) → Transpose → Reshape.
func TestTorchPadPattern(t *testing.T) {
	b := newGB()
	b.input("x", model.Float32, model.Fixed(1, 3, 5, 6))
	b.ints("p", 0, 1, 2, 3) // F.pad(x, (0, 1, 2, 3)): last dim (0,1), dim 2 (2,3)
	b.ints("zeros", 0, 0, 0, 0)
	b.node("Concat", []string{"p", "zeros"}, []string{"c"}, aInt("axis", 0))
	b.ints("m2", -1, 2)
	b.node("Reshape", []string{"c", "m2"}, []string{"r"})
	b.ints("st", -1)
	b.ints("en", math.MinInt64)
	b.ints("ax", 0)
	b.ints("sp", -1)
	b.node("Slice", []string{"r", "st", "en", "ax", "sp"}, []string{"s"})
	b.node("Transpose", []string{"s"}, []string{"tr"}, aInts("perm", 1, 0))
	b.ints("m1", -1)
	b.node("Reshape", []string{"tr", "m1"}, []string{"pads"})
	b.node("Pad", []string{"x", "pads"}, []string{"y"})
	in := analyze(t, b.model(13), Options{})
	wantShape(t, in, b.vals["y"], "1×3×10×7")
}
