package view

import (
	"fmt"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// reachable is the set of boxes a path of edges leads to from a box of
// kind "input".
func reachable(sc *Scene) map[string]bool {
	next := map[string][]string{}
	for _, e := range sc.Edges {
		next[e.From] = append(next[e.From], e.To)
	}
	seen := map[string]bool{}
	var stack []string
	for _, b := range sc.Nodes {
		if b.Kind == "input" {
			seen[b.ID] = true
			stack = append(stack, b.ID)
		}
	}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, to := range next[id] {
			if !seen[to] {
				seen[to] = true
				stack = append(stack, to)
			}
		}
	}
	return seen
}

// checkBoundary checks a scoped layout against the full one: every pill
// has an edge, every value crossing the border has its pill, and a box
// fed from a graph input in the full drawing is fed from an input pill.
func checkBoundary(t *testing.T, name string, full, scoped *Scene) {
	t.Helper()
	checkScene(t, name, scoped)
	deg := map[string]int{}
	for _, e := range scoped.Edges {
		deg[e.From]++
		deg[e.To]++
	}
	inside := map[string]bool{}
	pills := map[string]bool{}
	for _, b := range scoped.Nodes {
		if strings.HasPrefix(b.ID, "scope-in:") || strings.HasPrefix(b.ID, "scope-out:") {
			if b.Category != "io" || (b.Kind == "input") != strings.HasPrefix(b.ID, "scope-in:") {
				t.Errorf("%s: pill %s is a %s/%s", name, b.ID, b.Kind, b.Category)
			}
			if deg[b.ID] == 0 {
				t.Errorf("%s: pill %s has no edge", name, b.ID)
			}
			pills[b.Kind+" "+b.Name] = true
			continue
		}
		inside[b.ID] = true
	}
	kind := map[string]string{}
	for _, b := range full.Nodes {
		kind[b.ID] = b.Kind
	}
	for _, e := range full.Edges {
		switch {
		case e.Order || e.Value == "":
		case kind[e.To] == "input" || kind[e.From] == "output":
			// A subgraph body's own inputs and outputs are its border.
		case !inside[e.From] && inside[e.To] && !pills["input "+e.Value]:
			t.Errorf("%s: no input pill for %s (%s->%s)", name, e.Value, e.From, e.To)
		case inside[e.From] && !inside[e.To] && !pills["output "+e.Value]:
			t.Errorf("%s: no output pill for %s (%s->%s)", name, e.Value, e.From, e.To)
		}
	}
	fed, fedScoped := reachable(full), reachable(scoped)
	for id := range inside {
		if fed[id] && !fedScoped[id] {
			t.Errorf("%s: box %s is fed from an input in the full drawing but from no pill", name, id)
		}
	}
}

func TestScopeBoundaryPills(t *testing.T) {
	g := build(open(t, testutil.Corpus(t, "mobilenet_v3_small.onnx")))
	full := mustLayout(t, g, flatOpts())
	opt := flatOpts()
	opt.Group = "features.3"
	sc := mustLayout(t, g, opt)
	checkBoundary(t, "features.3", full, sc)
	var ins, outs []string
	for _, e := range sc.Edges {
		if strings.HasPrefix(e.From, "scope-in:") {
			ins = append(ins, e.To)
		}
		if strings.HasPrefix(e.To, "scope-out:") {
			outs = append(outs, e.From)
		}
	}
	// The block's input feeds its first conv and the residual Add; the
	// Add is its one output.
	first, last := sc.Nodes[1].ID, sc.Nodes[len(sc.Nodes)-2].ID
	if fmt.Sprint(ins) != fmt.Sprintf("[%s /features/features.3/Add]", first) || first != "/features/features.3/block/block.0/block.0.0/Conv" {
		t.Errorf("input pill feeds %v, first box %s", ins, first)
	}
	if fmt.Sprint(outs) != "[/features/features.3/Add]" || last != "/features/features.3/Add" {
		t.Errorf("output pill fed by %v, last box %s", outs, last)
	}
	if b := sc.Nodes[0]; b.Kind != "input" || b.ID != "scope-in:/features/features.2/block/block.2/block.2.0/Conv_output_0" ||
		b.Label != "features.2.block.2.0 · Conv" || b.Name != "/features/features.2/block/block.2/block.2.0/Conv_output_0" {
		t.Errorf("input pill %+v", b)
	}
	if b := sc.Nodes[len(sc.Nodes)-1]; b.Kind != "output" || b.Label != "features.3 · Add" || b.Name != "/features/features.3/Add_output_0" {
		t.Errorf("output pill %+v", b)
	}
	for _, e := range sc.Edges {
		if e.From == sc.Nodes[0].ID && e.To == first && e.Label != "1×24×28×28" {
			t.Errorf("input pill edge label %q, want the shape", e.Label)
		}
	}

	// Every group of a few models, flat and at depth 0 and 1 (the group
	// collapsed; its children collapsed).
	for _, name := range []string{"mobilenet_v3_small.onnx", "squeezenet1_1.onnx", "tiny_transformer.onnx", "control_flow.onnx"} {
		g := build(open(t, testutil.Corpus(t, name)))
		full := mustLayout(t, g, flatOpts())
		for _, gi := range g.Groups() {
			for _, depth := range []int{-1, 0, 1} {
				opt := Options{Depth: depth, Weights: true, Group: gi.ID}
				sc := mustLayout(t, g, opt)
				if depth == -1 {
					checkBoundary(t, name+" "+gi.ID, full, sc)
					continue
				}
				checkScene(t, fmt.Sprintf("%s %s depth %d", name, gi.ID, depth), sc)
				if depth == 0 {
					n := 0
					for _, b := range sc.Nodes {
						if b.Kind == "group" {
							n++
							if b.ID != gi.ID || b.Group != "" {
								t.Errorf("%s %s depth 0: box %+v", name, gi.ID, b)
							}
						} else if b.Kind != "input" && b.Kind != "output" {
							t.Errorf("%s %s depth 0: box %s beside the group", name, gi.ID, b.ID)
						}
					}
					if n != 1 || len(sc.Groups) != 0 {
						t.Errorf("%s %s depth 0: %d group boxes, %d groups", name, gi.ID, n, len(sc.Groups))
					}
				}
			}
		}
	}
}

// Pill IDs stay unique and distinct from every other ID, even when ops
// are named like pills and two values share a name.
func TestScopePillIDs(t *testing.T) {
	g := makeGraph([]string{"x"}, []string{"y"}, nil, []spec{
		{"Relu", "scope-in:x", []string{"x"}, []string{"t"}, []string{"a"}},
		{"Relu", "/a/r2", []string{"t"}, []string{"u"}, []string{"a", "b"}},
		{"Relu", "/a/r3", []string{"u"}, []string{"v"}, []string{"a", "b"}},
		{"Add", "/Add", []string{"v", "x"}, []string{"y"}, nil},
	})
	dg := Build(&model.Model{Graphs: []*model.Graph{g}}, nil)
	sc := mustLayout(t, dg, Options{Depth: -1, Group: "a/b"})
	if got := boxIDs(sc); got != "scope-in:t /a/r2 /a/r3 scope-out:v" {
		t.Errorf("--group a/b boxes %s", got)
	}
	sc = mustLayout(t, dg, Options{Depth: -1, Group: "a"})
	if got := boxIDs(sc); got != "scope-in:x n:0 /a/r2 /a/r3 scope-out:v" {
		t.Errorf("--group a boxes %s", got)
	}
	checkScene(t, "pill ids", sc)
}

func TestFindGroup(t *testing.T) {
	g := build(open(t, testutil.Corpus(t, "mobilenet_v3_small.onnx")))
	for _, c := range []struct{ name, want string }{
		{"features.3", "g:features/features.3"},
		{"features/features.3", "g:features/features.3"},
		{"/features/features.3/", "g:features/features.3"},
		{"g:features/features.3", "g:features/features.3"},
		{"features.features.3", "g:features/features.3"},
		{"features.3.block.0", "g:features/features.3/block/block.0"},
		{"features/features.3/block/block.0", "g:features/features.3/block/block.0"},
		{"classifier", "g:classifier"},
	} {
		id, err := g.FindGroup(c.name)
		if id != c.want || err != nil {
			t.Errorf("FindGroup(%q) = %q, %v; want %q", c.name, id, err, c.want)
		}
		opt := Options{Group: c.name}
		sc := mustLayout(t, g, opt)
		opt.Group = c.want
		if a, b := boxIDs(sc), boxIDs(mustLayout(t, g, opt)); a != b {
			t.Errorf("--group %s draws %s, --group %s draws %s", c.name, a, c.want, b)
		}
	}
	for _, c := range []struct{ name, want string }{
		{"features.33", `no group "features.33" (did you mean features.3, features.0, features.1?)`},
		{"Features.3", `no group "Features.3" (did you mean features.3, `},
		{"block.0.0", `no group "block.0.0" (did you mean features.1.block.0, features.2.block.0, features.3.block.0?)`},
		{"block", `group name "block" is ambiguous: features.1.block, features.2.block, features.3.block and 8 more`},
		{"zzzz", `no group "zzzz"`},
		{strings.Repeat("features.", 2000), `no group "features.features.`},
		{"", `no group ""`},
	} {
		id, err := g.FindGroup(c.name)
		if id != "" || err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("FindGroup(%q) = %q, %v; want error %s", c.name, id, err, c.want)
		}
		if _, err := g.Layout(Options{Group: c.name}); err == nil && c.name != "" {
			t.Errorf("Layout --group %q: no error", c.name)
		}
	}
	// Every group is found by its own name as suggestions print it, and
	// subgraph bodies by their ID.
	for _, name := range []string{"mobilenet_v3_small.onnx", "gpt_decoder_48l.onnx", "control_flow.onnx"} {
		g := build(open(t, testutil.Corpus(t, name)))
		for _, gi := range g.Groups() {
			short := g.groupName(g.index(gi.ID))
			if id, err := g.FindGroup(short); id != gi.ID || err != nil {
				t.Errorf("%s: FindGroup(%q) = %q, %v; want %s", name, short, id, err, gi.ID)
			}
			if gi.Subgraph && short != gi.ID {
				t.Errorf("%s: subgraph %s named %q", name, gi.ID, short)
			}
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"classifer", "classifier", 2, 1},
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 3}, // over the limit: limit+1
		{"", "abc", 3, 3},
		{strings.Repeat("a", 65), strings.Repeat("a", 65), 3, 4}, // too long to compare
	} {
		if got := editDistance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
	if got := torchName([]string{"features", "features.3", "block", "block.0"}); got != "features.3.block.0" {
		t.Errorf("torchName = %q", got)
	}
	if got := torchName([]string{"encoder", "layers.0", "self_attn"}); got != "encoder.layers.0.self_attn" {
		t.Errorf("torchName = %q", got)
	}
}

func (g *Graph) index(id string) int32 {
	for i, gr := range g.groups {
		if gr.id == id {
			return int32(i)
		}
	}
	return -1
}

// Each depth from 0 to one past the deepest level draws more boxes;
// deeper ones draw the same. Depth 0 is the whole model as one box.
func TestDepthLevels(t *testing.T) {
	for _, name := range []string{"mobilenet_v3_small.onnx", "gpt_decoder_48l.onnx", "iris.onnx"} {
		g := build(open(t, testutil.Corpus(t, name)))
		maxLevel := 0
		for _, gi := range g.Groups() {
			maxLevel = max(maxLevel, gi.Level)
		}
		var counts []int
		for d := 0; d <= maxLevel+2; d++ {
			counts = append(counts, len(mustLayout(t, g, Options{Depth: d}).Nodes))
		}
		for d := 1; d <= maxLevel+1; d++ {
			if counts[d] <= counts[d-1] {
				t.Errorf("%s: boxes by depth %v: depth %d draws no more than %d", name, counts, d, d-1)
			}
		}
		if counts[maxLevel+2] != counts[maxLevel+1] || counts[maxLevel+1] != len(mustLayout(t, g, Options{Depth: -1}).Nodes) && !hasSubgraphs(g) {
			t.Errorf("%s: boxes by depth %v, flat %d", name, counts, len(mustLayout(t, g, Options{Depth: -1}).Nodes))
		}
		d0 := mustLayout(t, g, Options{Depth: 0})
		checkScene(t, name+" depth 0", d0)
		for _, b := range d0.Nodes {
			if b.Kind != "input" && b.Kind != "output" && (b.ID != "g:" || b.Label != "model" || b.Kind != "group") {
				t.Errorf("%s depth 0: box %+v", name, b)
			}
		}
		if dd := DefaultDepth(g); dd < 1 || dd > maxLevel+1 {
			t.Errorf("%s: default depth %d, levels %d", name, dd, maxLevel)
		}
		t.Logf("%s: boxes by depth %v", name, counts)
	}
}

// A group of a large model opens as deep as fits, counting from it.
func TestDefaultGroupDepth(t *testing.T) {
	g := build(open(t, testutil.Corpus(t, "gpt_decoder_48l.onnx")))
	if d := DefaultDepth(g); d != 1 {
		t.Errorf("gpt_decoder_48l default depth %d, want 1 (48 blocks collapsed)", d)
	}
	d := DefaultGroupDepth(g, "h.0")
	sc := mustLayout(t, g, Options{Depth: d, Group: "h.0"})
	flat := mustLayout(t, g, Options{Depth: -1, Group: "h.0"})
	if len(sc.Nodes) != len(flat.Nodes) || len(sc.Nodes) < 50 {
		t.Errorf("--group h.0 at its default depth %d: %d boxes, flat %d", d, len(sc.Nodes), len(flat.Nodes))
	}
	if got := DefaultGroupDepth(g, "nope"); got != DefaultDepth(g) {
		t.Errorf("unknown group: default depth %d", got)
	}
	// The whole model's depth is DefaultDepth's, computed the same way.
	g = build(open(t, testutil.Corpus(t, "mobilenet_v3_small.onnx")))
	if a, b := DefaultGroupDepth(g, "features"), DefaultDepth(g); a != b-1 {
		t.Errorf("mobilenet: features opens at %d, the model at %d", a, b)
	}
}

func hasSubgraphs(g *Graph) bool {
	for _, gi := range g.Groups() {
		if gi.Subgraph {
			return true
		}
	}
	return false
}

// Pills of values that are graph outputs keep the output's name; others
// are named by the producer's module relative to the scope.
func TestPillLabels(t *testing.T) {
	g := makeGraph([]string{"x"}, []string{"y"}, nil, []spec{
		{"Relu", "/enc/a/Relu", []string{"x"}, []string{"/enc/a/Relu_output_0"}, []string{"enc", "a"}},
		{"Neg", "/enc/b/Neg", []string{"/enc/a/Relu_output_0"}, []string{""}, []string{"enc", "b"}},
		{"Sigmoid", "/enc/b/Sigmoid", []string{"/enc/a/Relu_output_0"}, []string{"y"}, []string{"enc", "b"}},
		{"Exp", "/enc/b/Exp", []string{"y"}, []string{"z"}, []string{"enc", "b"}},
		{"Abs", "/dec/Abs", []string{"z"}, []string{"w"}, []string{"dec"}},
	})
	g.Outputs = append(g.Outputs, g.Values[len(g.Values)-1])
	sc := mustLayout(t, Build(&model.Model{Graphs: []*model.Graph{g}}, nil), Options{Depth: -1, Group: "enc/b"})
	var got []string
	for _, b := range sc.Nodes {
		if b.Kind != "op" {
			got = append(got, b.ID+"="+b.Label)
		}
	}
	want := "scope-in:/enc/a/Relu_output_0=a · Relu scope-out:y=y scope-out:z=b · z"
	if strings.Join(got, " ") != want {
		t.Errorf("pills %s, want %s", strings.Join(got, " "), want)
	}
}
