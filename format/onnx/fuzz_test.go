package onnx

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelviz/modelviz/format/onnx/onnxtest"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// FuzzParse feeds arbitrary bytes to the reader: it must return a model or
// an error, never panic, and every model must hold together.
func FuzzParse(f *testing.F) {
	seeds := []string{
		filepath.Join("testdata", "features.onnx"),
		filepath.Join("testdata", "backend", "test_loop16_seq_none.onnx"),
		filepath.Join("testdata", "backend", "test_if_opt.onnx"),
		filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx"),
	}
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	corpus := filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus")
	for _, name := range []string{"control_flow.onnx", "gru.onnx", "two_inputs_two_outputs.onnx", "external_data/small_cnn_external.onnx"} {
		if b, err := os.ReadFile(filepath.Join(corpus, name)); err == nil {
			f.Add(b)
		}
	}
	backend, _ := filepath.Glob(filepath.Join("testdata", "backend", "*.onnx"))
	for _, s := range backend {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	x := onnxtest.Input(onnxtest.ValueInfo("x", 1, 2))
	f.Add([]byte(onnxtest.Model(onnxtest.Graph("cycle", x,
		onnxtest.Node("Add", "a", []string{"x", "b_out"}, []string{"a_out"}),
		onnxtest.Node("Relu", "b", []string{"a_out"}, []string{"b_out"})))))
	f.Add([]byte(onnxtest.Model(onnxtest.Graph("typed", x,
		onnxtest.Initializer(onnxtest.Tensor("i4", int(model.Int4), []int64{3}, onnxtest.Msg{}.Packed(5, 0x21, 0x0f))),
		onnxtest.Initializer(onnxtest.Tensor("big", 1, []int64{1 << 20, 1 << 20}))))))
	f.Add([]byte(onnxtest.Nested(3)))
	f.Add([]byte(onnxtest.Model(onnxtest.Graph("g",
		onnxtest.Initializer(onnxtest.Tensor("w", 1, []int64{2}, onnxtest.External("w.bin", 0, 8)))))))
	// Loaders read the input from memory: writing a file per input
	// stalls the fuzz workers.
	const path = "/nonexistent/fuzz/m.onnx"
	var current []byte
	readRange = func(file string, off, length int64) ([]byte, error) {
		if file != path {
			return readFileRange(file, off, length)
		}
		if off < 0 || length < 0 || off+length > int64(len(current)) {
			return nil, errors.New("out of range")
		}
		return append([]byte(nil), current[off:off+length]...), nil
	}
	f.Cleanup(func() { readRange = readFileRange })
	f.Fuzz(func(t *testing.T, data []byte) {
		current = data
		m, err := parse(data, path)
		if err != nil {
			if m != nil {
				t.Fatal("model and error")
			}
			return
		}
		for _, g := range m.Graphs {
			checkFuzzGraph(t, g, 0)
		}
		for _, fn := range m.Functions {
			checkFuzzGraph(t, fn.Body, 0)
		}
	})
}

func checkFuzzGraph(t *testing.T, g *model.Graph, depth int) {
	if depth > maxGraphDepth+1 {
		t.Fatalf("graph depth %d beyond the limit", depth)
	}
	for i, v := range g.Values {
		if int(v.ID) != i {
			t.Fatalf("value %q: ID %d at %d", v.Name, v.ID, i)
		}
		if tt := v.Initializer; tt != nil && tt.Loader != nil && tt.Length >= 0 && tt.Length < 1<<20 {
			b, err := tt.Load()
			if err == nil && tt.DType != model.String && !tt.Sparse && int64(len(b)) != tt.Length {
				t.Fatalf("tensor %q: loaded %d bytes, Length %d", tt.Name, len(b), tt.Length)
			}
		}
	}
	for i, n := range g.Nodes {
		if int(n.ID) != i {
			t.Fatalf("node %q: ID %d at %d", n.Name, n.ID, i)
		}
		for _, v := range n.Inputs {
			if v != nil && g.Values[v.ID] != v {
				t.Fatalf("node %q reads a value of another graph", n.Name)
			}
		}
		for _, s := range n.Subgraphs() {
			if s.Graph.Parent != g || s.Graph.Owner != n {
				t.Fatal("subgraph Parent/Owner")
			}
			checkFuzzGraph(t, s.Graph, depth+1)
		}
	}
}

// FuzzLink builds graphs whose wiring comes from the fuzz bytes (names
// reused, missing, duplicated, cycles, subgraphs reading outer names), so
// the linker meets topologies that byte mutation of real files rarely
// reaches. The model must open and hold together.
func FuzzLink(f *testing.F) {
	f.Add([]byte{3, 1, 2, 0, 1, 1, 2, 3, 5, 1, 4, 6, 2, 0, 7})
	f.Add([]byte{0, 5, 1, 1, 1, 15, 3, 3, 3, 0, 0, 9, 9, 9, 1, 2})
	f.Add([]byte{2, 4, 10, 3, 2, 1, 0, 11, 12, 13, 14, 0, 3, 2, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := &byteReader{b: data}
		var fields []onnxtest.Msg
		for i, n := 0, int(r.next()%4); i < n; i++ {
			fields = append(fields, onnxtest.Input(onnxtest.ValueInfo(r.name(), 1, 2)))
		}
		for i, n := 0, int(r.next()%3); i < n; i++ {
			fields = append(fields, onnxtest.Initializer(onnxtest.Tensor(r.name(), 1, []int64{1}, onnxtest.Raw([]byte{0, 0, 0, 0}))))
		}
		fields = append(fields, r.nodes(0)...)
		for i, n := 0, int(r.next()%3); i < n; i++ {
			fields = append(fields, onnxtest.Output(onnxtest.ValueInfo(r.name(), 1, 2)))
		}
		m, err := parse(onnxtest.Model(onnxtest.Graph("g", fields...)), "/nonexistent/m.onnx")
		if err != nil {
			t.Fatalf("a well-formed model failed: %v", err)
		}
		checkFuzzGraph(t, m.Graphs[0], 0)
		checkWiring(t, m.Graphs[0])
	})
}

// byteReader hands out fuzz bytes, then zeros.
type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) next() byte {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

// name picks one of 16 names, or "" (an omitted input or output).
func (r *byteReader) name() string {
	c := r.next()
	if c%17 == 16 {
		return ""
	}
	return fmt.Sprintf("v%d", c%17)
}

func (r *byteReader) nodes(depth int) []onnxtest.Msg {
	var out []onnxtest.Msg
	for i, n := 0, int(r.next()%6); i < n && r.i < len(r.b); i++ {
		var ins, outs []string
		for k, m := 0, int(r.next()%4); k < m; k++ {
			ins = append(ins, r.name())
		}
		for k, m := 0, int(r.next()%3); k < m; k++ {
			outs = append(outs, r.name())
		}
		var attrs []onnxtest.Msg
		if depth < 3 && r.next()%4 == 0 {
			sub := r.nodes(depth + 1)
			sub = append(sub, onnxtest.Output(onnxtest.ValueInfo(r.name(), 1)))
			attrs = append(attrs, onnxtest.GraphAttr("body", onnxtest.Graph(fmt.Sprintf("sub%d", depth), sub...)))
		}
		out = append(out, onnxtest.Node("Op", fmt.Sprintf("n%d_%d", depth, i), ins, outs, attrs...))
	}
	return out
}

// checkWiring: every edge agrees from both ends, and each value is
// exactly one of produced, input, initializer, outer or missing.
func checkWiring(t *testing.T, g *model.Graph) {
	for _, v := range g.Values {
		kinds := 0
		for _, k := range []bool{v.Producer != nil, v.Outer != nil, v.Missing} {
			if k {
				kinds++
			}
		}
		if kinds > 1 {
			t.Fatalf("value %q: producer %v outer %v missing %v", v.Name, v.Producer != nil, v.Outer != nil, v.Missing)
		}
		if v.Producer != nil && !containsValue(v.Producer.Outputs, v) {
			t.Fatalf("value %q: its producer does not list it", v.Name)
		}
		for _, c := range v.Consumers {
			if !containsValue(c.Inputs, v) {
				t.Fatalf("value %q: consumer %q does not read it", v.Name, c.Name)
			}
		}
		if v.Outer != nil && (g.Parent == nil || g.Parent.Values[v.Outer.ID] != v.Outer) {
			t.Fatalf("value %q: Outer is not a value of the parent graph", v.Name)
		}
	}
	for _, n := range g.Nodes {
		for _, v := range n.Inputs {
			if v != nil && !containsNode(v.Consumers, n) {
				t.Fatalf("node %q reads %q but is not its consumer", n.Name, v.Name)
			}
		}
		for _, s := range n.Subgraphs() {
			checkWiring(t, s.Graph)
		}
	}
}

func containsNode(list []*model.Node, n *model.Node) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
