package analysis

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelviz/modelviz/format/onnx"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// fuzzOps are the ops the graph fuzzer wires together.
var fuzzOps = []string{
	"Add", "Mul", "Div", "Sub", "Equal", "Where", "Relu", "Cast", "Shape", "Gather",
	"Unsqueeze", "Squeeze", "Concat", "Reshape", "Transpose", "Slice", "Split",
	"Expand", "ConstantOfShape", "Range", "Tile", "Pad", "Flatten", "MatMul", "Gemm",
	"Conv", "ConvTranspose", "MaxPool", "AveragePool", "GlobalAveragePool",
	"ReduceMean", "ReduceSum", "ArgMax", "TopK", "Softmax", "Resize", "Upsample",
	"LSTM", "GRU", "Einsum", "NonZero", "Size", "OneHot", "DepthToSpace",
	"LayerNormalization", "BatchNormalization", "Identity", "Not", "Neg", "Abs",
	"Max", "Min", "Mod", "Pow", "Sqrt", "Floor", "GatherND", "CumSum", "Trilu",
	"SequenceConstruct", "SequenceAt", "ConcatFromSequence", "SplitToSequence",
	"If", "Loop", "Scan", "Unknown", "Unique", "DFT", "STFT", "HannWindow", "MaxUnpool",
	"SoftmaxCrossEntropyLoss", "Adam", "Optional", "OptionalGetElement", "StringNormalizer",
	"MatMulNBits", "Attention", "MultiHeadAttention", "GroupQueryAttention", "linear", "conv2d",
	"flatten", "addmm", "scaled_dot_product_attention",
}

var fuzzAttrs = []string{"axis", "axes", "perm", "kernel_shape", "strides", "pads", "dilations",
	"keepdims", "to", "split", "starts", "ends", "group", "transB", "transA", "hidden_size",
	"blocksize", "allowzero", "start", "end", "ceil_mode", "num_outputs", "new_axis", "batch_dims",
	"K", "N", "num_heads", "kv_num_heads", "qkv_hidden_sizes", "onesided", "stride", "padding",
	"start_dim", "end_dim", "output_size"}

type fuzzReader struct {
	b []byte
	i int
}

func (r *fuzzReader) byte() int {
	if r.i >= len(r.b) {
		return 0
	}
	v := r.b[r.i]
	r.i++
	return int(v)
}

func (r *fuzzReader) small() int64 {
	v := r.byte()
	switch v {
	case 250:
		return -1
	case 251:
		return math.MaxInt64
	case 252:
		return math.MinInt64
	case 253:
		return 1 << 40
	case 254:
		return -(1 << 40)
	}
	return int64(v%13) - 3
}

// fuzzGraph builds an arbitrary, usually malformed, graph from data.
func fuzzGraph(data []byte) (*model.Model, Options) {
	r := &fuzzReader{b: data}
	b := newGB()
	dim := func() model.Dim {
		v := r.byte()
		switch {
		case v < 8:
			return model.Dim{Param: string(rune('a' + v%3))}
		case v < 16:
			return model.Dim{}
		}
		return kd(int64(v % 10))
	}
	for i := 0; i < 2; i++ {
		rank := r.byte() % 5
		s := make(model.Shape, rank)
		for j := range s {
			s[j] = dim()
		}
		dt := model.Float32
		if r.byte()%3 == 0 {
			dt = model.Int64
		}
		b.input(string(rune('x'+i)), dt, s)
	}
	for i := 0; i < 3; i++ {
		n := r.byte() % 5
		vals := make([]int64, n)
		for j := range vals {
			vals[j] = r.small()
		}
		b.ints(string(rune('p'+i)), vals...)
	}
	names := []string{"x", "y", "p", "q", "r", ""}
	nNodes := r.byte() % 24
	for k := 0; k < nNodes; k++ {
		op := fuzzOps[r.byte()%len(fuzzOps)]
		nin := r.byte() % 4
		ins := make([]string, nin)
		for j := range ins {
			ins[j] = names[r.byte()%len(names)]
		}
		nout := 1 + r.byte()%3
		outs := make([]string, nout)
		for j := range outs {
			outs[j] = "v" + string(rune('A'+k)) + string(rune('0'+j))
		}
		var attrs []model.Attr
		for a := r.byte() % 4; a > 0; a-- {
			name := fuzzAttrs[r.byte()%len(fuzzAttrs)]
			if r.byte()%2 == 0 {
				attrs = append(attrs, aInt(name, r.small()))
			} else {
				v := make([]int64, r.byte()%5)
				for j := range v {
					v[j] = r.small()
				}
				attrs = append(attrs, aInts(name, v...))
			}
		}
		if op == "Einsum" {
			eqs := []string{"ij,jk->ik", "...i,...i", "ii->i", "i", "", "->", "a,b,c->abc"}
			attrs = append(attrs, aStr("equation", eqs[r.byte()%len(eqs)]))
		}
		if op == "If" || op == "Loop" || op == "Scan" {
			sub := newGB()
			sub.input("si", model.Float32, model.Shape{dim()})
			sub.node("Relu", []string{"outer"}, []string{"so"})
			sub.vals["outer"].Outer = b.val(names[r.byte()%len(names)])
			sub.output("so")
			for _, an := range []string{"then_branch", "else_branch", "body"} {
				attrs = append(attrs, model.Attr{Name: an, Kind: model.AttrGraph, Graph: sub.g})
			}
		}
		n := b.node(op, ins, outs, attrs...)
		switch op {
		case "MatMulNBits", "Attention", "MultiHeadAttention", "GroupQueryAttention":
			n.Domain = "com.microsoft"
		case "linear", "conv2d", "flatten", "addmm", "scaled_dot_product_attention":
			n.Domain = "aten"
		}
		names = append(names, outs...)
	}
	b.output(names[len(names)-1])
	opt := Options{IgnoreRecorded: r.byte()%2 == 0}
	if r.byte()%2 == 0 {
		opt.Inputs = map[string]model.Shape{"x": {dim(), dim()}}
	}
	return b.model(int64(7 + r.byte()%15)), opt
}

func checkInfo(t *testing.T, m *model.Model, in *Info) {
	t.Helper()
	if in.panics != 0 {
		t.Fatalf("%d op rules panicked; first: %s", in.panics, in.firstPanic)
	}
	tot := in.Total()
	if tot.Params < 0 || tot.MACs < 0 || tot.ActivationBytes < 0 || in.PeakActivationBytes() < 0 {
		t.Fatalf("negative totals %+v peak %d", tot, in.PeakActivationBytes())
	}
	for _, g := range m.Graphs {
		if g == nil {
			continue
		}
		for _, v := range g.Values {
			if ty := in.Type(v); ty != nil && len(ty.Shape) > maxRank {
				t.Fatalf("%s: rank %d", v.Name, len(ty.Shape))
			}
		}
	}
}

// FuzzInfer wires arbitrary ops with arbitrary attributes and constants:
// no op rule may panic, totals stay non-negative.
func FuzzInfer(f *testing.F) {
	f.Add([]byte{3, 10, 11, 12, 1, 2, 13, 14, 2, 1, 1, 3, 250, 2, 5})
	f.Add([]byte("\x04\x09\x09\x09\x09\x00\x02\x0a\x0b\x01\x03\x02\x01\x05\x10\x0e\x02\x00\x01\x03\x02"))
	f.Add([]byte("shape chain: Shape Gather Unsqueeze Concat Reshape"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, opt := fuzzGraph(data)
		checkInfo(t, m, Analyze(m, opt))
	})
}

// TestFuzzSeedsAndCorpusOverrides runs the fuzz seeds plus every corpus
// ONNX file with hostile input overrides (zero, huge, wrong rank).
func TestFuzzSeedsAndCorpusOverrides(t *testing.T) {
	for i := 0; i < 300; i++ {
		data := make([]byte, 64)
		x := uint32(i*2654435761 + 1)
		for j := range data {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			data[j] = byte(x)
		}
		m, opt := fuzzGraph(data)
		checkInfo(t, m, Analyze(m, opt))
	}
	dir := testutil.CorpusDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "onnx-backend", "*.onnx"))
	top, _ := filepath.Glob(filepath.Join(dir, "*.onnx"))
	files = append(files, top...)
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.Size() > 2<<20 {
			continue // the big CNNs add time, not cases
		}
		m, err := onnx.Open(f)
		if err != nil || len(m.Graphs) == 0 {
			continue
		}
		for _, shape := range []model.Shape{
			model.Fixed(0, 0, 0, 0),
			model.Fixed(1<<40, 3),
			{},
			model.Fixed(math.MaxInt64),
			{sym("z"), sym("z"), sym("z")},
		} {
			ov := map[string]model.Shape{}
			for _, v := range m.Graphs[0].Inputs {
				ov[v.Name] = shape
			}
			in := Analyze(m, Options{Inputs: ov, IgnoreRecorded: true})
			if in.panics != 0 {
				t.Errorf("%s with inputs %s: %d op rules panicked", filepath.Base(f), shape, in.panics)
			}
		}
	}
}
