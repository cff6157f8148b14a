package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/onnx/onnxtest"
)

// inspect --json marks exactly the nodes on a cycle: the members of a
// multi-node loop and a node reading its own output, in the main graph and
// in subgraphs; nodes before or after a loop are not marked.
func TestInspectJSONCycleMarker(t *testing.T) {
	x := onnxtest.Input(onnxtest.ValueInfo("x", 1, 2))
	y := onnxtest.Output(onnxtest.ValueInfo("y", 1, 2))
	body := onnxtest.Graph("body",
		onnxtest.Output(onnxtest.ValueInfo("s_out", 1, 2)),
		onnxtest.Node("Neg", "s_pre", []string{"x"}, []string{"s_in"}),
		onnxtest.Node("Add", "s_self", []string{"s_in", "s_loop"}, []string{"s_loop"}),
		onnxtest.Node("Relu", "s_after", []string{"s_loop"}, []string{"s_out"}))
	data := onnxtest.Model(onnxtest.Graph("g", x, y,
		onnxtest.Node("Neg", "pre", []string{"x"}, []string{"p"}),
		onnxtest.Node("Add", "a", []string{"p", "c_out"}, []string{"a_out"}),
		onnxtest.Node("Relu", "b", []string{"a_out"}, []string{"b_out"}),
		onnxtest.Node("Abs", "c", []string{"b_out"}, []string{"c_out"}),
		onnxtest.Node("Identity", "after", []string{"b_out"}, []string{"q"}),
		onnxtest.Node("If", "if", []string{"q"}, []string{"y"},
			onnxtest.GraphAttr("then_branch", body), onnxtest.GraphAttr("else_branch", body))))
	path := filepath.Join(t.TempDir(), "cycle.onnx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("inspect", "--json", path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var j struct {
		Graphs []*jGraph `json:"graphs"`
	}
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	var marked, all []string
	var walk func(prefix string, g *jGraph)
	walk = func(prefix string, g *jGraph) {
		for _, n := range g.Nodes {
			all = append(all, prefix+n.Name)
			if n.Cycle {
				marked = append(marked, prefix+n.Name)
			}
			for _, s := range n.Subgraphs {
				walk(prefix+n.Name+"/"+s.Attribute+"/", s)
			}
		}
	}
	walk("", j.Graphs[0])
	sort.Strings(marked)
	want := "a b c if/else_branch/s_self if/then_branch/s_self"
	if got := strings.Join(marked, " "); got != want {
		t.Errorf("cycle nodes = %q, want %q (all: %v)", got, want, all)
	}
	if n := strings.Count(out, `"cycle":true`); n != 5 {
		t.Errorf(`"cycle":true appears %d times, want 5`, n)
	}
}
