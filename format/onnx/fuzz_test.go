package onnx

import (
	"errors"
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
