package dot

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGraphvizCounts checks node and edge counts against Graphviz's gc on
// real files: Graphviz's own examples and onnx's net_drawer output.
func TestGraphvizCounts(t *testing.T) {
	f, err := os.Open("testdata/counts.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		name := fields[0]
		wantNodes, _ := strconv.Atoi(fields[1])
		wantEdges, _ := strconv.Atoi(fields[2])
		m, err := Open(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		g := m.Graphs[0]
		if len(g.Nodes) != wantNodes || len(g.Values) != wantEdges {
			t.Errorf("%s: %d nodes, %d edges; gc says %d, %d", name, len(g.Nodes), len(g.Values), wantNodes, wantEdges)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("only %d fixtures checked", n)
	}
}

func TestClustersBecomeGroups(t *testing.T) {
	m, err := Open("testdata/clust4.gv")
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string]string{}
	for _, n := range m.Graphs[0].Nodes {
		groups[n.Name] = strings.Join(n.Group, "/")
	}
	if groups["a0"] != "process #1" || groups["b2"] != "process #2" || groups["start"] != "" {
		t.Fatalf("groups: %v", groups)
	}
}

func TestNetDrawerLabels(t *testing.T) {
	m, err := Open("testdata/iris_net_drawer.dot")
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, n := range m.Graphs[0].Nodes {
		ops = append(ops, n.Op)
	}
	got := strings.Join(ops, ",")
	for _, want := range []string{"/hidden/Gemm/Gemm (op#0)", "/act/Relu/Relu (op#1)", "features"} {
		if !strings.Contains(got, want) {
			t.Errorf("ops %q lack %q", got, want)
		}
	}
}

func TestEdgeChainAttributes(t *testing.T) {
	m, err := Parse([]byte(`digraph { a -> b -> c [label="x"]; {d e} -> f }`))
	if err != nil {
		t.Fatal(err)
	}
	g := m.Graphs[0]
	if len(g.Values) != 4 || g.Values[0].Name != "x" || g.Values[1].Name != "x" {
		t.Fatalf("values: %d %+v", len(g.Values), g.Values)
	}
}

func TestBadInput(t *testing.T) {
	for _, src := range []string{
		"", "digraph {", "digraph { a -> }", `digraph { a [label="x }`, "graph { /* x",
		"digraph " + strings.Repeat("{ subgraph ", 5000), "digraph { a -> b -> }",
	} {
		if _, err := Parse([]byte(src)); err == nil {
			t.Errorf("%.40q: no error", src)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("multi-line error %q", err)
		}
	}
}

func TestProbe(t *testing.T) {
	for src, want := range map[string]bool{
		"digraph G {":             true,
		"// c\nstrict graph {":    true,
		"/* x */ digraph \"a\" {": true,
		"<html>":                  false,
		"\x08\x07":                false,
	} {
		if Probe([]byte(src)) != want {
			t.Errorf("Probe(%q) != %v", src, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*v")
	more, _ := filepath.Glob("testdata/*.dot")
	for _, p := range append(files, more...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Parse(b)
		if err == nil && len(m.Graphs) != 1 {
			t.Fatal("no graph")
		}
		Probe(b)
	})
}
