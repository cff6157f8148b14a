package view

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/layout"
	"github.com/modelviz/modelviz/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func open(t testing.TB, path string) *model.Model {
	t.Helper()
	m, err := registry.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func build(m *model.Model) *Graph {
	return Build(m, analysis.Analyze(m, analysis.Options{}))
}

func flatOpts() Options { return Options{Depth: -1, Weights: true} }

func mustLayout(t testing.TB, g *Graph, opt Options) *Scene {
	t.Helper()
	sc, err := g.Layout(opt)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func irisPath() string { return filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx") }

func TestIrisFlat(t *testing.T) {
	sc := mustLayout(t, build(open(t, irisPath())), flatOpts())
	var ops []string
	ids := map[string]Box{}
	for _, b := range sc.Nodes {
		ids[b.ID] = b
		if b.Kind == "op" {
			ops = append(ops, b.Label)
		}
	}
	if got := strings.Join(ops, ","); got != "Gemm,Relu,Gemm" {
		t.Errorf("ops %s, want Gemm,Relu,Gemm", got)
	}
	if b, ok := ids["in:features"]; !ok || b.Kind != "input" || b.Label != "features" {
		t.Errorf("no input box for features: %+v", b)
	}
	if b, ok := ids["out:logits"]; !ok || b.Kind != "output" {
		t.Errorf("no output box for logits: %+v", b)
	}
	g := ids["/hidden/Gemm"]
	want := []Row{{"W", "8×4"}, {"B", "8"}}
	if fmt.Sprint(g.Rows) != fmt.Sprint(want) || g.Params != 40 || g.Category != "layer" {
		t.Errorf("first Gemm: rows %v params %d category %s", g.Rows, g.Params, g.Category)
	}
	if len(sc.Edges) != 4 {
		t.Errorf("%d edges, want 4", len(sc.Edges))
	}
	for _, e := range sc.Edges {
		if e.From == "in:features" && e.Label != "45×4" {
			t.Errorf("features edge label %q, want 45×4", e.Label)
		}
	}
	checkScene(t, "iris", sc)
}

// corpusModels opens every model in the corpus the registry can read.
func corpusModels(t *testing.T) map[string]*model.Model {
	dir := testutil.CorpusDir(t)
	out := map[string]*model.Model{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".md") ||
			strings.HasSuffix(p, ".bin") || strings.HasSuffix(p, ".data") {
			return err
		}
		m, err := registry.Open(p)
		if err != nil {
			if strings.HasSuffix(p, ".onnx") {
				t.Errorf("%v", err)
			}
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		out[rel] = m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 150 {
		t.Fatalf("only %d corpus models opened", len(out))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Every corpus model, flat, at its default depth and flat left to right
// with every row shown: the scene keeps its invariants, and flat draws
// every operator exactly once.
func TestCorpusInvariants(t *testing.T) {
	models := corpusModels(t)
	for _, name := range sortedKeys(models) {
		m := models[name]
		g := build(m)
		flat := mustLayout(t, g, flatOpts())
		checkScene(t, name+" flat", flat)
		checkEveryOp(t, name, m, flat)
		opt := DefaultOptions(g)
		checkScene(t, fmt.Sprintf("%s depth %d", name, opt.Depth), mustLayout(t, g, opt))
		lr := flatOpts()
		lr.Dir, lr.Attributes, lr.Names = "LR", true, true
		checkScene(t, name+" flat LR", mustLayout(t, g, lr))
	}
}

const eps = 0.5

// checkScene: boxes do not overlap, edges start and end on their boxes'
// borders, boxes and groups lie inside their groups, IDs are unique.
func checkScene(t *testing.T, name string, sc *Scene) {
	t.Helper()
	boxes := map[string]Box{}
	for _, b := range sc.Nodes {
		if _, dup := boxes[b.ID]; dup {
			t.Errorf("%s: duplicate box ID %q", name, b.ID)
		}
		boxes[b.ID] = b
		if !(b.W > 0 && b.H > 0) || math.IsNaN(b.X) || math.IsNaN(b.Y) || b.X < -eps || b.Y < -eps {
			t.Errorf("%s: box %s has a bad rectangle %v,%v %vx%v", name, b.ID, b.X, b.Y, b.W, b.H)
		}
	}
	groups := map[string]GroupBox{}
	for _, gr := range sc.Groups {
		groups[gr.ID] = gr
	}
	// Overlap: sort by X, compare while the next box starts before this ends.
	idx := make([]int, len(sc.Nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return sc.Nodes[idx[a]].X < sc.Nodes[idx[b]].X })
	overlaps := 0
	for i, a := range idx {
		A := sc.Nodes[a]
		for _, b := range idx[i+1:] {
			B := sc.Nodes[b]
			if B.X >= A.X+A.W-eps {
				break
			}
			if B.Y < A.Y+A.H-eps && A.Y < B.Y+B.H-eps {
				if overlaps++; overlaps <= 3 {
					t.Errorf("%s: boxes %s and %s overlap", name, A.ID, B.ID)
				}
			}
		}
	}
	for _, e := range sc.Edges {
		from, ok1 := boxes[e.From]
		to, ok2 := boxes[e.To]
		if !ok1 || !ok2 {
			t.Errorf("%s: edge %s->%s has an unknown end", name, e.From, e.To)
			continue
		}
		if len(e.Points) < 2 {
			t.Errorf("%s: edge %s->%s has %d points", name, e.From, e.To, len(e.Points))
			continue
		}
		if !onBorder(from, e.Points[0]) {
			t.Errorf("%s: edge %s->%s starts at %v, off its box %+v", name, e.From, e.To, e.Points[0], rect(from))
		}
		if p := e.Points[len(e.Points)-1]; !onBorder(to, p) {
			t.Errorf("%s: edge %s->%s ends at %v, off its box %+v", name, e.From, e.To, p, rect(to))
		}
	}
	for _, b := range sc.Nodes {
		if b.Group == "" {
			continue
		}
		gr, ok := groups[b.Group]
		if !ok {
			t.Errorf("%s: box %s in unknown group %s", name, b.ID, b.Group)
		} else if !inside(b.X, b.Y, b.W, b.H, gr) {
			t.Errorf("%s: box %s %v sticks out of group %s %v", name, b.ID, rect(b), gr.ID, [4]float64{gr.X, gr.Y, gr.W, gr.H})
		}
	}
	for _, gr := range sc.Groups {
		if gr.Parent == "" {
			continue
		}
		if p, ok := groups[gr.Parent]; !ok || !inside(gr.X, gr.Y, gr.W, gr.H, p) {
			t.Errorf("%s: group %s is outside its parent %s", name, gr.ID, gr.Parent)
		}
	}
}

func rect(b Box) [4]float64 { return [4]float64{b.X, b.Y, b.W, b.H} }

func inside(x, y, w, h float64, g GroupBox) bool {
	return x >= g.X-eps && y >= g.Y-eps && x+w <= g.X+g.W+eps && y+h <= g.Y+g.H+eps
}

func onBorder(b Box, p [2]float64) bool {
	x, y := p[0], p[1]
	inX := x >= b.X-eps && x <= b.X+b.W+eps
	inY := y >= b.Y-eps && y <= b.Y+b.H+eps
	nearX := math.Abs(x-b.X) <= eps || math.Abs(x-b.X-b.W) <= eps
	nearY := math.Abs(y-b.Y) <= eps || math.Abs(y-b.Y-b.H) <= eps
	return (inX && nearY) || (inY && nearX)
}

// checkEveryOp: flat, each node of every graph is one box, except
// Constants and Identities of weights folded into their single consumer,
// which shows them as a row.
func checkEveryOp(t *testing.T, name string, m *model.Model, sc *Scene) {
	t.Helper()
	drawn := map[string]int{}
	rowsOf := map[string]int{}
	for _, b := range sc.Nodes {
		if b.Kind == "op" && b.Node >= 0 {
			k := b.Graph + "#" + fmt.Sprint(b.Node)
			drawn[k]++
			rowsOf[k] = len(b.Rows)
		}
	}
	var walk func(gr *model.Graph, path string)
	walk = func(gr *model.Graph, path string) {
		for _, n := range gr.Nodes {
			k := path + "#" + fmt.Sprint(n.ID)
			switch c := drawn[k]; {
			case c > 1:
				t.Errorf("%s: node %s drawn %d times", name, k, c)
			case c == 0:
				idInit := n.Op == "Identity" && len(n.Inputs) == 1 && weight(n.Inputs[0]) != nil
				if n.Op != "Constant" && !idInit || len(n.Outputs) != 1 || n.Outputs[0] == nil || len(n.Outputs[0].Consumers) == 0 {
					t.Errorf("%s: node %s (%s) not drawn", name, k, n.Op)
					continue
				}
				cons := n.Outputs[0].Consumers[0]
				if rowsOf[path+"#"+fmt.Sprint(cons.ID)] == 0 {
					t.Errorf("%s: folded constant %s has no row in its consumer", name, k)
				}
			}
			delete(drawn, k)
			sub := func(g *model.Graph, attr string) {
				p := fmt.Sprint(n.ID) + "/" + attr
				if path != "" {
					p = path + "|" + p
				}
				walk(g, p)
			}
			for _, s := range n.Subgraphs() {
				sub(s.Graph, s.Attribute)
			}
			if n.Function != nil && n.Function.Body != nil {
				sub(n.Function.Body, "@function")
			}
		}
	}
	if len(m.Graphs) > 0 && len(m.Graphs[0].Nodes) > 0 {
		walk(m.Graphs[0], "")
		for k := range drawn {
			t.Errorf("%s: box for %s matches no node", name, k)
		}
	}
}

func sceneJSON(t testing.TB, sc *Scene) []byte {
	t.Helper()
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDeterministic(t *testing.T) {
	for _, name := range []string{"gpt_decoder_48l.onnx", "control_flow.onnx", "shufflenet_v2_x0_5.onnx"} {
		p := testutil.Corpus(t, name)
		var prev []byte
		for i := 0; i < 2; i++ {
			g := build(open(t, p))
			for _, opt := range []Options{flatOpts(), DefaultOptions(g)} {
				sc := mustLayout(t, g, opt)
				sc.Stats.Ms = 0
				b := sceneJSON(t, sc)
				if i == 0 {
					prev = append(prev, b...)
				} else if !bytes.Contains(prev, b) {
					t.Errorf("%s: second run differs", name)
				}
			}
		}
	}
}

// drawnGraph is a Scene without the engine's coordinates: what this
// package decides (boxes, sizes, rows, edges, labels, groups). Goldens
// hold it, so engine improvements do not churn them; the invariants above
// check the coordinates.
func drawnGraph(sc *Scene) *Scene {
	c := *sc
	c.Width, c.Height, c.Stats.Ms = 0, 0, 0
	c.Nodes = append([]Box(nil), sc.Nodes...)
	for i := range c.Nodes {
		c.Nodes[i].X, c.Nodes[i].Y = 0, 0
	}
	c.Edges = append([]Edge(nil), sc.Edges...)
	for i := range c.Edges {
		c.Edges[i].Points, c.Edges[i].LabelX, c.Edges[i].LabelY = nil, 0, 0
	}
	c.Groups = append([]GroupBox(nil), sc.Groups...)
	for i := range c.Groups {
		c.Groups[i].X, c.Groups[i].Y, c.Groups[i].W, c.Groups[i].H = 0, 0, 0, 0
	}
	return &c
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name, path string
		opt        Options
	}{
		{"iris_flat", irisPath(), flatOpts()},
		{"iris_attrs_names_lr", irisPath(), Options{Depth: -1, Dir: "LR", Weights: true, Attributes: true, Names: true}},
		{"function_flat", "testdata/function.onnx", flatOpts()},
		{"function_depth1", "testdata/function.onnx", Options{Depth: 1, Weights: true}},
	}
	dir := filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus")
	if _, err := os.Stat(dir); err == nil {
		cases = append(cases,
			struct {
				name, path string
				opt        Options
			}{"small_cnn_opset17_flat", filepath.Join(dir, "small_cnn_opset17.onnx"), flatOpts()},
			struct {
				name, path string
				opt        Options
			}{"control_flow_flat", filepath.Join(dir, "control_flow.onnx"), flatOpts()},
			struct {
				name, path string
				opt        Options
			}{"control_flow_default", filepath.Join(dir, "control_flow.onnx"), Options{Depth: 1, Weights: true}})
	}
	for _, c := range cases {
		// Recorded types only, so goldens do not follow analysis changes.
		sc := mustLayout(t, Build(open(t, c.path), nil), c.opt)
		got, err := json.MarshalIndent(drawnGraph(sc), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		file := filepath.Join("testdata", c.name+".json")
		if *update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run go test ./view -run Golden -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s (run with -update after checking the change)", c.name, file)
		}
	}
}

// Collapsing one group changes only that group: its contents become one
// box and every other box stays.
func TestCollapseOneGroup(t *testing.T) {
	g := build(open(t, testutil.Corpus(t, "mobilenet_v3_small.onnx")))
	var all []string
	var target GroupInfo
	for _, gi := range g.Groups() {
		all = append(all, gi.ID)
		if gi.Level == 2 && gi.Ops > 3 && target.ID == "" {
			target = gi
		}
	}
	if target.ID == "" {
		t.Fatal("no level-2 group with more than 3 ops")
	}
	opened := mustLayout(t, g, Options{Expanded: all, Weights: true})
	var rest []string
	for _, id := range all {
		if id != target.ID {
			rest = append(rest, id)
		}
	}
	closed := mustLayout(t, g, Options{Expanded: rest, Weights: true})
	checkScene(t, "collapsed", closed)
	inTarget := map[string]bool{}
	for _, gr := range opened.Groups {
		if gr.ID == target.ID || inTarget[gr.Parent] {
			inTarget[gr.ID] = true
		}
	}
	want := map[string]bool{target.ID: true}
	hidden := 0
	for _, b := range opened.Nodes {
		if inTarget[b.Group] {
			hidden++
			continue
		}
		want[b.ID] = true
	}
	got := map[string]bool{}
	for _, b := range closed.Nodes {
		got[b.ID] = true
		if b.ID == target.ID && (b.Kind != "group" || b.Label != target.Label) {
			t.Errorf("collapsed group box %+v", b)
		}
	}
	if hidden != target.Ops {
		t.Errorf("group %s held %d boxes, reports %d ops", target.ID, hidden, target.Ops)
	}
	if fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
		t.Errorf("collapsing %s changed other boxes: got %d boxes, want %d", target.ID, len(got), len(want))
	}
	if len(closed.Groups) != len(opened.Groups)-len(inTarget) {
		t.Errorf("%d groups left, want %d", len(closed.Groups), len(opened.Groups)-len(inTarget))
	}
	// Edges into the collapsed group attach to its box.
	n := 0
	for _, e := range closed.Edges {
		if e.To == target.ID || e.From == target.ID {
			n++
		}
	}
	if n == 0 {
		t.Errorf("no edge reaches the collapsed group %s", target.ID)
	}
}

// The readers' own fixtures (DOT, GGUF, safetensors, pt2, PyTorch...) are
// files of every other format the registry opens: the same invariants
// hold for them.
func TestReaderFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(testutil.RepoRoot(), "format", "*", "testdata", "*"))
	opened := 0
	for _, p := range files {
		st, err := os.Stat(p)
		if err != nil || st.IsDir() || st.Size() > 8<<20 {
			continue
		}
		switch filepath.Ext(p) {
		case ".json", ".py", ".sh", ".mjs", ".txt", ".go", ".md":
			continue
		}
		m, err := registry.Open(p)
		if err != nil {
			continue // fixtures of broken files, or formats not registered
		}
		opened++
		g := build(m)
		name := filepath.Base(filepath.Dir(filepath.Dir(p))) + "/" + filepath.Base(p)
		checkScene(t, name+" flat", mustLayout(t, g, flatOpts()))
		checkScene(t, name+" default", mustLayout(t, g, DefaultOptions(g)))
	}
	t.Logf("%d fixtures laid out", opened)
}

// Model-local functions and If branches: bodies are groups, collapsed at
// any depth, expanded flat; a function's body takes the call's inputs.
func TestFunctionsAndSubgraphs(t *testing.T) {
	m := open(t, "testdata/function.onnx")
	g := build(m)
	var ids []string
	for _, gi := range g.Groups() {
		if !gi.Subgraph {
			t.Errorf("group %s is not a subgraph", gi.ID)
		}
		ids = append(ids, gi.ID+"="+gi.Label)
	}
	if got := strings.Join(ids, " "); got != "sg:0/@function=Scale sg:3/else_branch=else_branch sg:3/then_branch=then_branch sg:4/@function=Scale" {
		t.Errorf("groups %s", got)
	}
	flat := mustLayout(t, g, flatOpts())
	checkScene(t, "function flat", flat)
	checkEveryOp(t, "function", m, flat)
	edges := map[string]string{}
	for _, e := range flat.Edges {
		edges[e.From+">"+e.To] = e.Label
	}
	for _, want := range []string{"in:x>in:0/@function:X", "out:0/@function:Y>scale1", "scale1>neg", "out:3/then_branch:o1>if"} {
		if _, ok := edges[want]; !ok {
			t.Errorf("no edge %s", want)
		}
	}
	d := mustLayout(t, g, Options{Depth: 5, Weights: true})
	for _, b := range d.Nodes {
		if b.Graph != "" {
			t.Errorf("depth 5 shows subgraph box %s", b.ID)
		}
	}
	ex := mustLayout(t, g, Options{Expanded: []string{"sg:3/then_branch"}})
	n := 0
	for _, b := range ex.Nodes {
		if b.Graph == "3/then_branch" {
			n++
		}
	}
	if n != 2 || len(ex.Groups) != 1 {
		t.Errorf("expanding then_branch shows %d of its boxes, %d groups", n, len(ex.Groups))
	}
}

// A layout cache changes the speed, never the picture: toggling groups
// with a cache gives the same scenes as fresh layouts.
func TestCacheSameScene(t *testing.T) {
	g := build(open(t, testutil.Corpus(t, "mobilenet_v3_small.onnx")))
	var all []string
	for _, gi := range g.Groups() {
		all = append(all, gi.ID)
	}
	cache := layout.NewCache()
	for i, ex := range [][]string{all, all[1:], all[:len(all)/2], all, {}, all[1:]} {
		opt := Options{Expanded: ex, Weights: true}
		fresh := mustLayout(t, g, opt)
		opt.Cache = cache
		cached := mustLayout(t, g, opt)
		fresh.Stats.Ms, cached.Stats.Ms = 0, 0
		if !bytes.Equal(sceneJSON(t, fresh), sceneJSON(t, cached)) {
			t.Errorf("step %d: cached layout differs from a fresh one", i)
		}
	}
}
