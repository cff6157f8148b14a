package onnx

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/onnx/onnxtest"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

func openFeatures(t *testing.T) *model.Model {
	t.Helper()
	m, err := Open(filepath.Join("testdata", "features.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFeaturesTensorBytes checks Load against numpy for every dtype in
// both typed-field and raw_data storage (testdata/gen_features.py).
func TestFeaturesTensorBytes(t *testing.T) {
	m := openFeatures(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "features.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Initializers map[string]string `json:"initializers"`
		GraphInputs  []string          `json:"graph_inputs"`
		NodeNames    []string          `json:"node_names"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	g := m.Graphs[0]
	seen := 0
	for _, v := range g.Initializers {
		hexWant, ok := want.Initializers[v.Name]
		if !ok {
			t.Errorf("unexpected initializer %s", v.Name)
			continue
		}
		seen++
		tt := v.Initializer
		if tt.Warning != "" {
			t.Errorf("%s: warning %s", v.Name, tt.Warning)
		}
		b, err := tt.Load()
		if err != nil {
			t.Errorf("%s: %v", v.Name, err)
			continue
		}
		if got := hex.EncodeToString(b); got != hexWant {
			t.Errorf("%s (%s, %s): got %s, want %s", v.Name, tt.DType, tt.Location, got, hexWant)
		}
		wantLoc := "inline"
		if strings.HasSuffix(v.Name, "_raw") {
			wantLoc = "embedded"
		}
		if tt.Location != wantLoc {
			t.Errorf("%s: location %q, want %q", v.Name, tt.Location, wantLoc)
		}
	}
	if seen != len(want.Initializers) {
		t.Errorf("saw %d of %d initializers", seen, len(want.Initializers))
	}
	var nodeNames []string
	for _, n := range g.Nodes {
		nodeNames = append(nodeNames, n.Name)
	}
	if !reflect.DeepEqual(nodeNames, want.NodeNames) {
		t.Errorf("nodes %q, want %q", nodeNames, want.NodeNames)
	}
}

func TestFeaturesStructure(t *testing.T) {
	m := openFeatures(t)
	if m.Domain != "org.test" || m.ModelVersion != 42 || m.DocString != "model doc" || m.Producer != "gen_features" {
		t.Errorf("model fields: %+v", m)
	}
	if len(m.Metadata) != 2 || m.Metadata[0] != (model.KV{Key: "author", Value: "tests"}) {
		t.Errorf("metadata %v", m.Metadata)
	}
	if len(m.Opsets) != 3 || m.Opsets[1] != (model.Opset{Domain: "custom", Version: 1}) {
		t.Errorf("opsets %v", m.Opsets)
	}
	g := m.Graphs[0]
	if g.DocString != "graph doc" || g.ValueInfo != 1 {
		t.Errorf("graph doc %q value_info %d", g.DocString, g.ValueInfo)
	}
	// f32_raw is listed as a graph input too: it is an initializer only.
	var ins []string
	for _, v := range g.Inputs {
		ins = append(ins, v.Name)
	}
	if want := []string{"x", "trip", "seq_in", "opt_in", "map_in", "sp_in"}; !reflect.DeepEqual(ins, want) {
		t.Errorf("inputs %q, want %q", ins, want)
	}
	typ := func(i int) *model.Type { return g.Inputs[i].Type }
	if x := typ(0); x.Kind != model.TensorType || x.Denotation != "TENSOR" || x.Shape.String() != "N×3" || g.Inputs[0].Doc != "the input" {
		t.Errorf("x: %+v", x)
	}
	if s := typ(2); s.Kind != model.SequenceType || s.Elem.DType != model.Float32 || s.Elem.Shape.String() != "?×2" {
		t.Errorf("seq_in: %+v", s)
	}
	if o := typ(3); o.Kind != model.OptionalType || o.Elem.DType != model.Int64 {
		t.Errorf("opt_in: %+v", o)
	}
	if mp := typ(4); mp.Kind != model.MapType || mp.DType != model.String || mp.Elem.DType != model.Float64 || mp.Elem.Shape == nil || len(mp.Elem.Shape) != 0 {
		t.Errorf("map_in: %+v", mp)
	}
	if sp := typ(5); sp.Kind != model.SparseTensorType || sp.Shape.String() != "3×4" {
		t.Errorf("sp_in: %+v", sp)
	}
	if out := g.Outputs[1].Type; out.Kind != model.SequenceType || out.Elem.Shape != nil {
		t.Errorf("seq output: %+v", out)
	}

	// Every attribute type.
	n := g.Nodes[0]
	if n.Domain != "test.domain" || !reflect.DeepEqual(n.Group, []string{"block", "sub"}) {
		t.Errorf("node 0: domain %q group %q", n.Domain, n.Group)
	}
	kinds := map[string]model.AttrKind{}
	for _, a := range n.Attrs {
		kinds[a.Name] = a.Kind
	}
	wantKinds := map[string]model.AttrKind{"f": model.AttrFloat, "i": model.AttrInt, "s": model.AttrString,
		"t": model.AttrTensor, "g": model.AttrGraph, "floats": model.AttrFloats, "ints": model.AttrInts,
		"strings": model.AttrStrings, "tensors": model.AttrTensors, "graphs": model.AttrGraphs,
		"sparse_tensor": model.AttrSparseTensor, "sparse_tensors": model.AttrSparseTensors,
		"tp": model.AttrType, "tps": model.AttrTypes}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("attribute kinds %v", kinds)
	}
	if a := n.Attr("f"); a.Float != 0.25 {
		t.Errorf("f = %v", a.Float)
	}
	if a := n.Attr("i"); a.Int != -3 {
		t.Errorf("i = %v", a.Int)
	}
	if a := n.Attr("s"); a.String != "bytes" {
		t.Errorf("s = %q", a.String)
	}
	if a := n.Attr("floats"); !reflect.DeepEqual(a.Floats, []float32{1, 2.5}) {
		t.Errorf("floats = %v", a.Floats)
	}
	if a := n.Attr("ints"); !reflect.DeepEqual(a.Ints, []int64{1, -2, 3}) {
		t.Errorf("ints = %v", a.Ints)
	}
	if a := n.Attr("strings"); !reflect.DeepEqual(a.Strings, []string{"a", "b"}) {
		t.Errorf("strings = %v", a.Strings)
	}
	if a := n.Attr("t"); a.Tensor.DType != model.Int32 || !reflect.DeepEqual(a.Tensor.Dims, []int64{2}) {
		t.Errorf("t = %+v", a.Tensor)
	} else if b, err := a.Tensor.Load(); err != nil || hex.EncodeToString(b) != "0100000002000000" {
		t.Errorf("t bytes %x %v", b, err)
	}
	if a := n.Attr("tensors"); len(a.Tensors) != 2 || a.Tensors[1].DType != model.Int8 {
		t.Errorf("tensors = %+v", a.Tensors)
	}
	if a := n.Attr("sparse_tensor"); !a.Tensor.Sparse || !reflect.DeepEqual(a.Tensor.Dims, []int64{3, 4}) {
		t.Errorf("sparse_tensor = %+v", a.Tensor)
	}
	if a := n.Attr("tp"); a.Type.DType != model.Float32 || a.Type.Shape.String() != "2×n" {
		t.Errorf("tp = %+v", a.Type)
	}
	if a := n.Attr("tps"); len(a.Types) != 1 || a.Types[0].Kind != model.SequenceType {
		t.Errorf("tps = %+v", a.Types)
	}
	subs := n.Subgraphs()
	if len(subs) != 3 || subs[0].Attribute != "g" || subs[2].Attribute != "graphs" {
		t.Fatalf("subgraphs %v", subs)
	}
	// The attribute graph reads x from the main graph.
	sg := subs[0].Graph
	if sg.Parent != g || sg.Owner != n || sg.Nodes[0].Inputs[0].Outer != g.Inputs[0] {
		t.Errorf("attribute graph does not capture x from the main graph")
	}

	// Sparse initializer densified.
	var sparse *model.Tensor
	for _, v := range g.Initializers {
		if v.Initializer.Sparse {
			sparse = v.Initializer
		}
	}
	if sparse == nil || sparse.Name != "sparse_w" {
		t.Fatalf("no sparse initializer")
	}

	// The function and the node that calls it.
	if len(m.Functions) != 1 {
		t.Fatalf("functions: %d", len(m.Functions))
	}
	f := m.Functions[0]
	if f.Name != "Scale" || f.Domain != "custom" || !reflect.DeepEqual(f.AttrNames, []string{"alpha"}) || f.DocString != "scales" {
		t.Errorf("function %+v", f)
	}
	if len(f.Body.Nodes) != 2 || f.Body.Nodes[0].Attrs[0].RefAttrName != "alpha" || f.Body.Nodes[1].Inputs[0] != f.Body.Inputs[0] {
		t.Errorf("function body not linked")
	}
	if g.Nodes[2].Function != f {
		t.Errorf("node /Scale does not call the function")
	}
	// The Loop body reads x from the outer graph; "" is an omitted input.
	loop := g.Nodes[3]
	if loop.Inputs[1] != nil || loop.Inputs[0].Name != "trip" {
		t.Errorf("loop inputs %v", loop.Inputs)
	}
	body := loop.Subgraphs()[0].Graph
	add := body.Nodes[1]
	if add.Inputs[0].Outer != g.Inputs[0] || add.Inputs[0].Producer != nil {
		t.Errorf("loop body: x is not the outer x")
	}
	if len(body.Inputs) != 3 || body.Outputs[1].Producer != add {
		t.Errorf("loop body inputs/outputs wrong")
	}
	if len(m.Warnings) != 0 {
		t.Errorf("warnings: %q", m.Warnings)
	}
}

func TestIrisWeightsMatchNumpy(t *testing.T) {
	m, err := Open(filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("testdata", "iris_weights.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want map[string][]float32
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != 4 {
		t.Fatalf("fixture holds %d tensors", len(want))
	}
	for _, v := range m.Graphs[0].Initializers {
		b, err := v.Initializer.Load()
		if err != nil {
			t.Fatal(err)
		}
		w := want[v.Name]
		if len(b) != 4*len(w) {
			t.Fatalf("%s: %d bytes for %d values", v.Name, len(b), len(w))
		}
		for i, x := range w {
			u := uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24
			if got := math.Float32frombits(u); got != x {
				t.Fatalf("%s[%d] = %v, want %v", v.Name, i, got, x)
			}
		}
	}
}

func TestGroups(t *testing.T) {
	cases := map[string][]string{
		"/layer1/layer1.0/conv1/Conv": {"layer1", "layer1.0", "conv1"},
		"/Relu":                       nil,
		"Conv_0":                      nil,
		"/a//b/Add":                   {"a", "b"},
		"":                            nil,
	}
	for name, want := range cases {
		if got := groupFromName(name); !reflect.DeepEqual(got, want) {
			t.Errorf("groupFromName(%q) = %q, want %q", name, got, want)
		}
	}
	scopes := map[string][]string{
		`['', 'layer1', 'layer1.0', 'conv2d']`: {"layer1", "layer1.0"},
		`["", "a.b", 'c\'d', "x"]`:             {"a.b", "c'd"},
		`['', 'linear']`:                       nil,
		`not a list`:                           nil,
		`['unterminated`:                       nil,
	}
	for s, want := range scopes {
		if got := groupFromScopes(s); !reflect.DeepEqual(got, want) {
			t.Errorf("groupFromScopes(%q) = %q, want %q", s, got, want)
		}
	}
	// Node metadata wins over the name.
	node := onnxtest.Msg{}.Str(1, "x").Str(2, "y").Str(3, "/other/Relu").Str(4, "Relu").
		Bytes(9, onnxtest.Msg{}.Str(1, "pkg.torch.onnx.name_scopes").Str(2, "['', 'enc', 'enc.block1', 'relu']"))
	g := onnxtest.Graph("g", onnxtest.Input(onnxtest.ValueInfo("x", 1, 2)), onnxtest.Msg{}.Bytes(1, node))
	m, err := parse(onnxtest.Model(g), "/nonexistent/m.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Graphs[0].Nodes[0].Group; !reflect.DeepEqual(got, []string{"enc", "enc.block1"}) {
		t.Errorf("group from name_scopes = %q", got)
	}
}

func TestProbe(t *testing.T) {
	for _, f := range corpusONNX(t) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 4096 {
			b = b[:4096]
		}
		if !Probe(b) {
			t.Errorf("Probe rejects %s", f)
		}
	}
	features, _ := os.ReadFile(filepath.Join("testdata", "features.onnx"))
	if !Probe(features) {
		t.Errorf("Probe rejects features.onnx")
	}
	// Writers may put the graph first; its start decides.
	var nodes []onnxtest.Msg
	for i := 0; i < 200; i++ {
		nodes = append(nodes, onnxtest.Node("Relu", fmt.Sprintf("/layer%d/Relu", i), []string{"x"}, []string{fmt.Sprintf("y%d", i)}))
	}
	graphFirst := onnxtest.Msg{}.Bytes(7, onnxtest.Graph("g", nodes...)).Varint(1, 8)
	if len(graphFirst) <= 4096 || !Probe(graphFirst[:4096]) {
		t.Errorf("Probe rejects a model starting with its graph")
	}
	rnd := make([]byte, 4096)
	seed := uint32(1)
	rejected := 0
	for trial := 0; trial < 1000; trial++ {
		for i := range rnd {
			seed = seed*1664525 + 1013904223
			rnd[i] = byte(seed >> 24)
		}
		if !Probe(rnd) {
			rejected++
		}
	}
	if rejected < 995 {
		t.Errorf("Probe accepts %d of 1000 random heads", 1000-rejected)
	}
	for _, s := range []string{"", "<!DOCTYPE html><html><body>hi</body></html>", "PK\x03\x04\x14\x00\x00\x00",
		"GGUF\x03\x00\x00\x00", "\x80\x02}q\x00(X", "{\"__metadata__\":{}}", "\x08", "\x08\x00",
		"\x08\x03\x00\x00\x00\x00\x00\x00{\"w\":{\"dtype\":\"F32\"}}"} {
		if Probe([]byte(s)) {
			t.Errorf("Probe accepts %q", s)
		}
	}
}

// TestPackedTypes covers the dtypes onnx 1.12 cannot write: float8 and
// 4-bit values in int32_data (one value per element, two 4-bit elements
// per value) and packed 4-bit raw_data with an odd count.
func TestPackedTypes(t *testing.T) {
	type M = onnxtest.Msg
	g := onnxtest.Graph("g",
		onnxtest.Initializer(onnxtest.Tensor("f8", int(model.Float8E4M3FN), []int64{3}, M{}.Packed(5, 0x38, 0xb8, 0x7e))),
		onnxtest.Initializer(onnxtest.Tensor("i4", int(model.Int4), []int64{3}, M{}.Packed(5, 0x21, 0x0f))),
		onnxtest.Initializer(onnxtest.Tensor("u4raw", int(model.Uint4), []int64{3}, onnxtest.Raw([]byte{0x21, 0x03}))),
		onnxtest.Initializer(onnxtest.Tensor("bf16", int(model.BFloat16), []int64{2}, M{}.Packed(5, 0x3f80, 0xc000))),
		onnxtest.Initializer(onnxtest.Tensor("neg16", int(model.Int16), []int64{1}, M{}.Varint(5, uint64(0xffffffffffffffff)))),
		onnxtest.Initializer(onnxtest.Tensor("u32", int(model.Uint32), []int64{1}, M{}.Packed(11, 0xfffffffe))),
		onnxtest.Initializer(onnxtest.Tensor("i4short", int(model.Int4), []int64{5}, M{}.Packed(5, 0x21))),
	)
	dir := t.TempDir()
	path := filepath.Join(dir, "packed.onnx")
	if err := os.WriteFile(path, onnxtest.Model(g), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"f8": "38b87e", "i4": "210f", "u4raw": "2103", "bf16": "803f00c0", "neg16": "ffff", "u32": "feffffff"}
	for _, v := range m.Graphs[0].Initializers {
		tt := v.Initializer
		if v.Name == "i4short" {
			if tt.Warning == "" || tt.Loader != nil {
				t.Errorf("i4short: 5 int4 need 3 stored values, got no warning")
			}
			continue
		}
		b, err := tt.Load()
		if err != nil || hex.EncodeToString(b) != want[v.Name] {
			t.Errorf("%s: %x %v, want %s", v.Name, b, err, want[v.Name])
		}
		if int64(len(b)) != tt.Length {
			t.Errorf("%s: Length %d, loaded %d", v.Name, tt.Length, len(b))
		}
	}
	if m.Path != path {
		t.Errorf("Path %q, want %q", m.Path, path)
	}
}

// TestExternalBytes compares the corpus model's external tensors with the
// bytes of weights.bin at the recorded offsets.
func TestExternalBytes(t *testing.T) {
	path := testutil.Corpus(t, "external_data/small_cnn_external.onnx")
	weights, err := os.ReadFile(filepath.Join(filepath.Dir(path), "weights.bin"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, v := range m.Graphs[0].Initializers {
		tt := v.Initializer
		if tt.Location != "external" || tt.ExternalLocation != "weights.bin" {
			t.Fatalf("%s: location %q %q", v.Name, tt.Location, tt.ExternalLocation)
		}
		b, err := tt.Load()
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != string(weights[tt.Offset:tt.Offset+tt.Length]) {
			t.Errorf("%s: bytes differ from weights.bin", v.Name)
		}
		total += tt.Length
	}
	if total != int64(len(weights)) {
		t.Errorf("tensors cover %d of %d bytes", total, len(weights))
	}
}

// TestDepthLimit: 64 nested subgraph levels open, 65 do not, and 10,000
// fail quickly without deep recursion.
func TestDepthLimit(t *testing.T) {
	m, err := parse(onnxtest.Nested(maxGraphDepth), "/nonexistent/m.onnx")
	if err != nil {
		t.Fatalf("64 levels: %v", err)
	}
	g, depth := m.Graphs[0], 0
	for len(g.Nodes) > 0 {
		sub := g.Nodes[0].Subgraphs()[0].Graph
		// "c" is read at every level and defined nowhere: each level
		// captures it from its parent, the top level marks it missing.
		if c := sub.Nodes; len(c) > 0 && c[0].Inputs[0].Outer != g.Nodes[0].Inputs[0] {
			t.Fatalf("level %d: c is not captured from the parent", depth)
		}
		g, depth = sub, depth+1
	}
	if depth != maxGraphDepth || !m.Graphs[0].Nodes[0].Inputs[0].Missing {
		t.Errorf("depth %d", depth)
	}
	for _, n := range []int{maxGraphDepth + 1, 10000} {
		if _, err := parse(onnxtest.Nested(n), "/nonexistent/m.onnx"); err == nil || !strings.Contains(err.Error(), "nested deeper") {
			t.Errorf("%d levels: %v", n, err)
		}
	}
}

func TestCycles(t *testing.T) {
	x := onnxtest.Input(onnxtest.ValueInfo("x", 1, 2))
	cases := map[string]struct {
		graph onnxtest.Msg
		want  string
	}{
		"self loop": {onnxtest.Graph("g", x, onnxtest.Node("Add", "self", []string{"x", "s"}, []string{"s"})), `cycle through node "self"`},
		"two nodes": {onnxtest.Graph("g", x,
			onnxtest.Node("Relu", "head", []string{"x"}, []string{"h"}),
			onnxtest.Node("Add", "a", []string{"h", "b_out"}, []string{"a_out"}),
			onnxtest.Node("Relu", "b", []string{"a_out"}, []string{"b_out"})), `cycle through node "`},
		// Out of file order but acyclic: no warning.
		"reversed": {onnxtest.Graph("g", x,
			onnxtest.Node("Relu", "second", []string{"first_out"}, []string{"y"}),
			onnxtest.Node("Relu", "first", []string{"x"}, []string{"first_out"})), ""},
	}
	for name, c := range cases {
		m, err := parse(onnxtest.Model(c.graph), "/nonexistent/m.onnx")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got := strings.Join(m.Warnings, "\n")
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%s: warnings %q, want %q", name, got, c.want)
		}
	}
}

// TestAttrWithoutValue: a typed attribute missing its value field reads as
// the empty message, so consumers never meet a nil Tensor, Graph or Type.
func TestAttrWithoutValue(t *testing.T) {
	type M = onnxtest.Msg
	attrs := []onnxtest.Msg{
		M{}.Str(1, "value").Varint(20, uint64(model.AttrTensor)),
		M{}.Str(1, "body").Varint(20, uint64(model.AttrGraph)),
		M{}.Str(1, "tp").Varint(20, uint64(model.AttrType)),
		M{}.Str(1, "sp").Varint(20, uint64(model.AttrSparseTensor)),
	}
	g := onnxtest.Graph("g", onnxtest.Node("Constant", "c", nil, []string{"y"}, attrs...))
	m, err := parse(onnxtest.Model(g), "/nonexistent/m.onnx")
	if err != nil {
		t.Fatal(err)
	}
	n := m.Graphs[0].Nodes[0]
	if n.Attr("value").Tensor == nil || n.Attr("body").Graph == nil || n.Attr("tp").Type == nil || n.Attr("sp").Tensor == nil {
		t.Fatalf("nil attribute values: %+v", n.Attrs)
	}
	if sg := n.Subgraphs(); len(sg) != 1 || sg[0].Graph.Owner != n {
		t.Errorf("empty graph not linked")
	}
}

// TestStructureBudget: a file of many tiny messages stops at the memory
// estimate instead of growing ~100 times its size; real models stay far
// below it.
func TestStructureBudget(t *testing.T) {
	gpt := testutil.Corpus(t, "gpt_decoder_48l.onnx")
	data, err := os.ReadFile(gpt)
	if err != nil {
		t.Fatal(err)
	}
	p := &parser{path: gpt, ext: newExternals(filepath.Dir(gpt))}
	if _, err := p.parseModel(data); err != nil {
		t.Fatal(err)
	}
	// The estimate should be in the range of what Open really allocates
	// (8.3 MB for this file, see BenchmarkOpen).
	if p.spent < 2<<20 || p.spent > 32<<20 {
		t.Errorf("estimate for gpt_decoder_48l: %d bytes", p.spent)
	}
	old := maxStructBytes
	maxStructBytes = 1 << 20
	defer func() { maxStructBytes = old }()
	empty := onnxtest.Msg{}.Bytes(1, nil) // an empty NodeProto: 2 bytes
	g := onnxtest.Graph("g")
	for i := 0; i < 100000; i++ {
		g = append(g, empty...)
	}
	if _, err := parse(onnxtest.Model(g), "/nonexistent/m.onnx"); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("100,000 empty nodes under a 1 MiB budget: %v", err)
	}
	// One attribute of 200,000 one-byte ints would take 1.6 MB: refused
	// before it is decoded.
	ints := make([]uint64, 200000)
	attr := onnxtest.Msg{}.Str(1, "ints").Varint(20, uint64(model.AttrInts)).Packed(8, ints...)
	g = onnxtest.Graph("g", onnxtest.Node("Op", "n", nil, []string{"y"}, attr))
	if _, err := parse(onnxtest.Model(g), "/nonexistent/m.onnx"); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("200,000 ints under a 1 MiB budget: %v", err)
	}
	// Names read 60 levels down are captured at every level: linking is
	// charged too.
	var names []string
	var inputs []onnxtest.Msg
	for i := 0; i < 2000; i++ {
		names = append(names, fmt.Sprintf("x%d", i))
		inputs = append(inputs, onnxtest.Input(onnxtest.Msg{}.Str(1, names[i])))
	}
	deep := onnxtest.Graph("leaf", onnxtest.Node("Sum", "sum", names, []string{"s"}))
	for i := 0; i < 60; i++ {
		deep = onnxtest.Graph("g", onnxtest.Node("If", "if", []string{"x0"}, []string{"y"}, onnxtest.GraphAttr("then_branch", deep)))
	}
	top := onnxtest.Graph("top", append(inputs, onnxtest.Node("If", "if", []string{"x0"}, []string{"y"}, onnxtest.GraphAttr("then_branch", deep)))...)
	p = &parser{path: "/nonexistent/m.onnx", ext: newExternals("/nonexistent")}
	if _, err := p.parseModel(onnxtest.Model(top)); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("120,000 captured values under a 1 MiB budget: %v (estimate %d)", err, p.spent)
	}
	// Absurd ranks are refused outright.
	dims := make([]int64, maxRank+1)
	g = onnxtest.Graph("g", onnxtest.Initializer(onnxtest.Tensor("w", 1, dims)))
	if _, err := parse(onnxtest.Model(g), "/nonexistent/m.onnx"); err == nil || !strings.Contains(err.Error(), "dims") {
		t.Errorf("rank %d: %v", len(dims), err)
	}
}

// TestReadFallback: the path taken where mmap is unavailable gives the
// same bytes.
func TestReadFallback(t *testing.T) {
	path := filepath.Join("testdata", "features.onnx")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	for _, read := range []func(*os.File, int64) ([]byte, func(), error){readFile, mapFile} {
		got, release, err := read(fh, int64(len(want)))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Error("bytes differ")
		}
		release()
	}
}
