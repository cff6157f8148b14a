package view

import (
	"strconv"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/layout"
	"github.com/modelviz/modelviz/model"
)

// graphOf links a graph from nodes given as op, name, inputs, outputs.
type spec struct {
	op, name string
	in, out  []string
	group    []string
}

func makeGraph(inputs, outputs []string, inits map[string][]int64, nodes []spec) *model.Graph {
	g := &model.Graph{Name: "g"}
	vals := map[string]*model.Value{}
	val := func(name string) *model.Value {
		if name == "" {
			return nil
		}
		if v, ok := vals[name]; ok {
			return v
		}
		v := &model.Value{ID: int32(len(g.Values)), Name: name}
		vals[name] = v
		g.Values = append(g.Values, v)
		return v
	}
	for _, in := range inputs {
		v := val(in)
		v.Type = &model.Type{Kind: model.TensorType, DType: model.Float32, Shape: model.Fixed(1, 4)}
		g.Inputs = append(g.Inputs, v)
	}
	for name, dims := range inits {
		v := val(name)
		v.Initializer = &model.Tensor{Name: name, DType: model.Float32, Dims: dims}
		g.Initializers = append(g.Initializers, v)
	}
	for i, s := range nodes {
		n := &model.Node{ID: int32(i), Name: s.name, Op: s.op, Group: s.group}
		for _, x := range s.in {
			v := val(x)
			n.Inputs = append(n.Inputs, v)
			if v != nil {
				v.Consumers = append(v.Consumers, n)
			}
		}
		for _, x := range s.out {
			v := val(x)
			n.Outputs = append(n.Outputs, v)
			if v != nil {
				v.Producer = n
			}
		}
		g.Nodes = append(g.Nodes, n)
	}
	for _, o := range outputs {
		g.Outputs = append(g.Outputs, val(o))
	}
	return g
}

func boxIDs(sc *Scene) string {
	var ids []string
	for _, b := range sc.Nodes {
		ids = append(ids, b.ID)
	}
	return strings.Join(ids, " ")
}

func TestGroupsAndCollapse(t *testing.T) {
	g := makeGraph([]string{"x"}, []string{"y"}, map[string][]int64{"w1": {4, 4}, "w2": {4, 4}}, []spec{
		{"MatMul", "/a/l1/MatMul", []string{"x", "w1"}, []string{"t1"}, []string{"a", "l1"}},
		{"Relu", "/a/l1/Relu", []string{"t1"}, []string{"t2"}, []string{"a", "l1"}},
		{"MatMul", "/a/l2/MatMul", []string{"t2", "w2"}, []string{"t3"}, []string{"a", "l2"}},
		{"Add", "/Add", []string{"t3", "x"}, []string{"y"}, nil},
	})
	m := &model.Model{Graphs: []*model.Graph{g}}
	dg := Build(m, analysis.Analyze(m, analysis.Options{}))
	// g:a/l2 holds one box only: elided, so its MatMul sits in g:a.
	var groups []string
	for _, gi := range dg.Groups() {
		groups = append(groups, gi.ID)
	}
	if strings.Join(groups, " ") != "g:a g:a/l1" {
		t.Fatalf("groups %v", groups)
	}
	if gi := dg.Groups()[0]; gi.Ops != 3 || gi.Params != 32 {
		t.Errorf("g:a: %d ops, %d params; want 3, 32", gi.Ops, gi.Params)
	}
	flat := mustLayout(t, dg, Options{Depth: -1, Weights: true})
	checkScene(t, "flat", flat)
	if got := boxIDs(flat); got != "in:x /a/l1/MatMul /a/l1/Relu /a/l2/MatMul /Add out:y" {
		t.Errorf("flat boxes %s", got)
	}
	if len(flat.Groups) != 2 || flat.Groups[1].Parent != "g:a" {
		t.Errorf("flat groups %+v", flat.Groups)
	}
	d1 := mustLayout(t, dg, Options{Depth: 1})
	checkScene(t, "depth 1", d1)
	if got := boxIDs(d1); got != "in:x g:a /Add out:y" {
		t.Errorf("depth 1 boxes %s", got)
	}
	// x feeds g:a and /Add; g:a feeds /Add once. x's shape is written
	// once, on its first edge.
	var edges []string
	for _, e := range d1.Edges {
		edges = append(edges, e.From+">"+e.To+":"+e.Label)
	}
	if got := strings.Join(edges, " "); got != "in:x>g:a:1×4 g:a>/Add:1×4 in:x>/Add: /Add>out:y:1×4" {
		t.Errorf("depth 1 edges %s", got)
	}
	d2 := mustLayout(t, dg, Options{Depth: 2})
	if got := boxIDs(d2); got != "in:x g:a/l1 /a/l2/MatMul /Add out:y" {
		t.Errorf("depth 2 boxes %s", got)
	}
	ex := mustLayout(t, dg, Options{Expanded: []string{"g:a/l1"}})
	if got := boxIDs(ex); got != boxIDs(d1) {
		t.Errorf("expanding a group inside a collapsed one showed %s", got)
	}
	scoped := mustLayout(t, dg, Options{Group: "a", Depth: 1})
	if got := boxIDs(scoped); got != "scope-in:x g:a/l1 /a/l2/MatMul scope-out:t3" {
		t.Errorf("--group a boxes %s", got)
	}
	// A graph input keeps its name; a value made inside is named by its
	// producer's module (l2, though elided as a group) and tensor.
	if in, out := scoped.Nodes[0], scoped.Nodes[3]; in.Label != "x" || out.Label != "l2 · t3" || out.Name != "t3" {
		t.Errorf("pills %q %q (%q)", in.Label, out.Label, out.Name)
	}
	if got := boxIDs(mustLayout(t, dg, Options{Group: "a", Depth: 0})); got != "scope-in:x g:a scope-out:t3" {
		t.Errorf("--group a --depth 0 boxes %s", got)
	}
	if got := boxIDs(mustLayout(t, dg, Options{Depth: 0})); got != "in:x g: out:y" {
		t.Errorf("depth 0 boxes %s", got)
	}
	if _, err := dg.Layout(Options{Group: "nope"}); err == nil {
		t.Error("unknown group gave no error")
	}
	if _, err := dg.Layout(Options{Dir: "RL"}); err == nil {
		t.Error("bad direction gave no error")
	}
	lr := mustLayout(t, dg, Options{Depth: -1, Dir: "LR"})
	checkScene(t, "LR", lr)
	if lr.Direction != "LR" {
		t.Errorf("direction %s", lr.Direction)
	}
}

func TestFoldConstantsAndIDs(t *testing.T) {
	g := makeGraph([]string{"x"}, []string{"y", "c2"}, nil, []spec{
		{"Constant", "c", nil, []string{"c1"}, nil}, // one consumer: folded
		{"Constant", "c", nil, []string{"c2"}, nil}, // graph output: kept
		{"Constant", "", nil, []string{"c3"}, nil},  // two consumers: kept
		{"Add", "in:x", []string{"x", "c1"}, []string{"a"}, nil},
		{"Mul", "n:0", []string{"a", "c3"}, []string{"b"}, nil},
		{"Sub", "dup", []string{"b", "c3"}, []string{"y"}, nil},
		{"Neg", "dup", []string{"b"}, []string{""}, nil},
	})
	g.Nodes[0].Attrs = []model.Attr{{Name: "value", Kind: model.AttrTensor, Tensor: &model.Tensor{Dims: []int64{2, 3}}}}
	dg := Build(&model.Model{Graphs: []*model.Graph{g}}, nil)
	sc := mustLayout(t, dg, Options{Depth: -1, Weights: true})
	checkScene(t, "fold", sc)
	if got := boxIDs(sc); got != "in:x c n:2 n:3 n:4 n:5 n:6 out:y out:c2" {
		t.Errorf("boxes %s", got)
	}
	add := sc.Nodes[3]
	// No data: the dims. Params come from analysis (none without it).
	if add.Label != "Add" || len(add.Rows) != 1 || add.Rows[0] != (Row{"B", "2×3"}) || add.Params != 0 {
		t.Errorf("Add box %+v", add)
	}
}

// Hostile structure: a function calling itself, a node that is its own
// input (a cycle), nil entries, huge names.
func TestHostileGraphs(t *testing.T) {
	body := makeGraph([]string{"fx"}, []string{"fy"}, nil, []spec{
		{"Self", "call", []string{"fx"}, []string{"fy"}, nil},
	})
	fn := &model.Function{Name: "Self", Body: body}
	body.Nodes[0].Function = fn
	long := strings.Repeat("é", 10000)
	g := makeGraph([]string{"x"}, []string{"y"}, nil, []spec{
		{"Self", long, []string{"x", "", "y"}, []string{"y"}, nil},
		{"Loop", "loop", []string{"y"}, []string{"z"}, nil},
	})
	g.Nodes[0].Function = fn
	g.Nodes[1].Attrs = []model.Attr{{Name: "body", Kind: model.AttrGraph, Graph: g}} // itself
	g.Nodes = append(g.Nodes, nil)
	g.Inputs = append(g.Inputs, nil)
	m := &model.Model{Graphs: []*model.Graph{g}}
	dg := Build(m, nil)
	if len(dg.Warnings) == 0 {
		t.Error("recursion gave no warning")
	}
	for _, opt := range []Options{{Depth: -1, Weights: true, Names: true, Attributes: true}, {Depth: 0}} {
		sc := mustLayout(t, dg, opt)
		checkScene(t, "hostile", sc)
		for _, b := range sc.Nodes {
			if len(b.Label) > 4*maxLabelRune {
				t.Errorf("label of %d bytes", len(b.Label))
			}
		}
	}
	if sc := mustLayout(t, Build(nil, nil), Options{}); len(sc.Nodes) != 0 {
		t.Error("nil model drew boxes")
	}
	if sc := mustLayout(t, Build(&model.Model{}, nil), Options{}); len(sc.Nodes) != 0 {
		t.Error("empty model drew boxes")
	}
}

func TestModuleTree(t *testing.T) {
	tensor := func(name string, dims ...int64) *model.Value {
		return &model.Value{Name: name, Initializer: &model.Tensor{Name: name, Dims: dims}}
	}
	root := &model.Module{Children: []*model.Module{
		{Name: "features", Path: "features", Children: []*model.Module{
			{Name: "0", Path: "features.0", Type: "torch.nn.modules.conv.Conv2d",
				Tensors: []*model.Value{tensor("features.0.weight", 8, 3, 3, 3), tensor("features.0.bias", 8)}},
			{Name: "1", Path: "features.1", Type: "torch.nn.modules.batchnorm.BatchNorm2d",
				Tensors: []*model.Value{tensor("features.1.weight", 8)}},
		}},
		{Name: "fc", Path: "fc", Tensors: []*model.Value{tensor("fc.weight", 2, 8)}},
	}}
	m := &model.Model{Format: "pytorch", Kind: "state_dict", Modules: root}
	dg := Build(m, nil)
	sc := mustLayout(t, dg, Options{Depth: -1, Weights: true})
	checkScene(t, "modules", sc)
	if got := boxIDs(sc); got != "m:features.0 m:features.1 m:fc" {
		t.Fatalf("boxes %s", got)
	}
	b := sc.Nodes[0]
	if b.Label != "Conv2d" || b.Category != "layer" || b.Group != "g:features" || b.Params != 224 ||
		len(b.Rows) != 2 || b.Rows[0] != (Row{"weight", "8×3×3×3"}) {
		t.Errorf("conv box %+v", b)
	}
	if sc.Nodes[2].Label != "fc" || sc.Nodes[2].Group != "" {
		t.Errorf("fc box %+v", sc.Nodes[2])
	}
	if len(sc.Edges) != 2 || !sc.Edges[0].Order {
		t.Errorf("module-order edges %+v", sc.Edges)
	}
}

// PyTorch files: state_dicts and pickled modules as module boxes, traced
// TorchScript as an operator graph; each shows the 8×4 hidden weight.
func TestPyTorchCorpus(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"iris_state_dict.pth", "m:hidden layer weight 8×4"},
		{"iris_full.pt", "m:hidden layer weight 8×4"},
		{"iris_traced.pt", "linear_1 layer W 8×4"},
		{"iris_scripted.pt", "linear_1 layer W 8×4"},
	} {
		m, err := registry.Open(testutil.Corpus(t, c.name))
		if err != nil {
			t.Error(err)
			continue
		}
		sc := mustLayout(t, build(m), Options{Depth: -1, Weights: true})
		checkScene(t, c.name, sc)
		var got []string
		for _, b := range sc.Nodes {
			if len(b.Rows) > 0 {
				got = append(got, b.ID+" "+b.Category+" "+b.Rows[0].Key+" "+b.Rows[0].Value)
			}
		}
		if len(got) == 0 || got[0] != c.want {
			t.Errorf("%s: first box with rows %q, want %q", c.name, got, c.want)
		}
	}
}

func TestTextWidth(t *testing.T) {
	if w := TextWidth("", FontSize, false); w != 0 {
		t.Errorf("empty width %v", w)
	}
	a, b := TextWidth("Conv", FontSize, false), TextWidth("Conv", FontSize, true)
	if !(a > 15 && a < 40 && b > a) {
		t.Errorf("Conv widths regular %v bold %v", a, b)
	}
	if w2 := TextWidth("Conv", 2*FontSize, false); w2 < 2*a-1e-9 || w2 > 2*a+1e-9 {
		t.Errorf("width does not scale with size: %v vs %v", w2, a)
	}
	if TextWidth("W", 10, false) <= TextWidth("i", 10, false) {
		t.Error("W is not wider than i")
	}
	x := TextWidth("8×4", 10, false)
	if x <= TextWidth("84", 10, false) {
		t.Errorf("× adds no width: %v", x)
	}
	if TextWidth("中文⟨⟩", 10, false) <= 0 {
		t.Error("runes missing from the font have no width")
	}
}

func BenchmarkTextWidth(b *testing.B) {
	for i := 0; i < b.N; i++ {
		TextWidth("/h.12/attn/MatMul_output_0", RowFontSize, false)
	}
}

// The analysis runs once outside the loops: these measure view's part
// (Build, and Build plus the engine) of what `modelviz layout` does.
func BenchmarkBuildAndLayoutGPT(b *testing.B) {
	m := open(b, testutil.Corpus(b, "gpt_decoder_48l.onnx"))
	info := analysis.Analyze(m, analysis.Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g := Build(m, info)
		if _, err := g.Layout(Options{Depth: -1, Weights: true}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildGPT(b *testing.B) {
	m := open(b, testutil.Corpus(b, "gpt_decoder_48l.onnx"))
	info := analysis.Analyze(m, analysis.Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Build(m, info)
	}
}

// BenchmarkToggleGroupGPT is the viewer's click: gpt_decoder_48l fully
// expanded except one block, which each iteration expands or collapses,
// with a layout cache as the server keeps one.
func BenchmarkToggleGroupGPT(b *testing.B) {
	g := build(open(b, testutil.Corpus(b, "gpt_decoder_48l.onnx")))
	var all, rest []string
	for _, gi := range g.Groups() {
		all = append(all, gi.ID)
		if gi.ID != "g:h.20" {
			rest = append(rest, gi.ID)
		}
	}
	if len(rest) == len(all) {
		b.Fatal("no group g:h.20")
	}
	cache := layout.NewCache()
	for _, ex := range [][]string{all, rest} {
		if _, err := g.Layout(Options{Expanded: ex, Weights: true, Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ex := all
		if i%2 == 1 {
			ex = rest
		}
		if _, err := g.Layout(Options{Expanded: ex, Weights: true, Cache: cache}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLayoutGPTNoCache is the same click without a cache: the
// baseline the cache is measured against.
func BenchmarkLayoutGPTNoCache(b *testing.B) {
	g := build(open(b, testutil.Corpus(b, "gpt_decoder_48l.onnx")))
	var rest []string
	for _, gi := range g.Groups() {
		if gi.ID != "g:h.20" {
			rest = append(rest, gi.ID)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := g.Layout(Options{Expanded: rest, Weights: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// Many inputs sharing one name get distinct IDs in linear time.
func TestClashingIDs(t *testing.T) {
	g := &model.Graph{}
	for i := 0; i < 20000; i++ {
		v := &model.Value{ID: int32(i), Name: "x"}
		g.Values = append(g.Values, v)
		g.Inputs = append(g.Inputs, v)
	}
	dg := Build(&model.Model{Graphs: []*model.Graph{g}}, nil)
	seen := map[string]bool{}
	for _, x := range dg.boxes {
		if seen[x.id] {
			t.Fatalf("duplicate ID %s", x.id)
		}
		seen[x.id] = true
	}
	if len(seen) != 20000 || !seen["in:x#20000"] {
		t.Errorf("%d IDs", len(seen))
	}
}

// Functions calling functions three times, 15 levels deep, would be 3^15
// bodies: the subgraph budget stops them. A node with 50,000 inputs costs
// linear time.
func TestExponentialFunctionsAndWideNodes(t *testing.T) {
	var prev *model.Function
	for level := 0; level < 15; level++ {
		body := makeGraph([]string{"a"}, []string{"d"}, nil, []spec{
			{"F", "c1", []string{"a"}, []string{"b"}, nil},
			{"F", "c2", []string{"b"}, []string{"c"}, nil},
			{"F", "c3", []string{"c"}, []string{"d"}, nil},
		})
		for _, n := range body.Nodes {
			n.Function = prev
		}
		prev = &model.Function{Name: "F" + strconv.Itoa(level), Body: body}
	}
	var wide []string
	for i := 0; i < 50000; i++ {
		wide = append(wide, "x")
	}
	g := makeGraph([]string{"x"}, []string{"y"}, nil, []spec{
		{"F", "top", []string{"x"}, []string{"t"}, nil},
		{"Concat", "wide", wide, []string{"y"}, nil},
	})
	g.Nodes[0].Function = prev
	dg := Build(&model.Model{Graphs: []*model.Graph{g}}, nil)
	if n := dg.NumBoxes(); n > maxSubgraphBoxes+100 {
		t.Errorf("%d boxes", n)
	}
	if len(dg.Warnings) == 0 {
		t.Error("no warning for the cut bodies")
	}
	sc := mustLayout(t, dg, Options{Depth: 1})
	checkScene(t, "exponential", sc)
}

// A node's cost includes its subgraphs, so the body boxes' costs are not
// added again above their body group: the whole model as one box costs
// what its main graph's nodes cost.
func TestSubgraphCostsCountOnce(t *testing.T) {
	m := open(t, testutil.Corpus(t, "control_flow.onnx"))
	info := analysis.Analyze(m, analysis.Options{})
	var want analysis.Cost
	for _, n := range m.Graphs[0].Nodes {
		c := info.Cost(n)
		want.Params += c.Params
		want.MACs += c.MACs
	}
	if want.Params == 0 {
		t.Fatal("control_flow has no params")
	}
	sc := mustLayout(t, Build(m, info), Options{Depth: 0})
	for _, b := range sc.Nodes {
		if b.Kind == "group" && (b.Params != want.Params || b.MACs != want.MACs) {
			t.Errorf("model box: params %d, MACs %d; want %d, %d", b.Params, b.MACs, want.Params, want.MACs)
		}
	}
}
