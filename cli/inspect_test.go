package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/onnx/onnxtest"
	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
)

var updateInspect = flag.Bool("update-inspect", false, "rewrite cli/testdata/inspect golden files")

// TestInspectBadInput runs inspect on broken files built here: each is a
// one-line error naming the file (exit 1), or a usable model with
// warnings (exit 0).
func TestInspectBadInput(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	iris, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	rnd := make([]byte, 4096)
	seed := uint32(7)
	for i := range rnd {
		seed = seed*1664525 + 1013904223
		rnd[i] = byte(seed >> 24)
	}
	type M = onnxtest.Msg
	x := onnxtest.Input(onnxtest.ValueInfo("x", 1, 2))
	y := onnxtest.Output(onnxtest.ValueInfo("y", 1, 2))
	ext := func(loc string) []byte {
		return onnxtest.Model(onnxtest.Graph("g", x, y,
			onnxtest.Initializer(onnxtest.Tensor("w", 1, []int64{2}, onnxtest.External(loc, 0, 8))),
			onnxtest.Node("Add", "add", []string{"x", "w"}, []string{"y"})))
	}
	os.WriteFile(filepath.Join(outside, "secret.bin"), make([]byte, 8), 0o600)
	if err := os.Symlink(filepath.Join(outside, "secret.bin"), filepath.Join(dir, "link.bin")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "w.bin"), []byte{0, 0, 128, 63, 0, 0, 0, 64}, 0o600)
	os.WriteFile(filepath.Join(dir, "w:0.bin"), []byte{0, 0, 128, 63, 0, 0, 0, 64}, 0o600)

	cases := []struct {
		name string
		data []byte
		code int
		want string // in the error or in a warning
	}{
		{"empty.onnx", nil, ExitBad, "empty"},
		{"random.onnx", rnd, ExitBad, "malformed"},
		{"random.bin", rnd, ExitBad, ""},
		{"page.onnx", []byte("<!DOCTYPE html>\n<html><head><title>Download</title></head><body>nope</body></html>\n"), ExitBad, "HTML"},
		{"truncated.onnx", iris[:len(iris)/2], ExitBad, "truncated or corrupt"},
		{"length40.onnx", protowireLength40(), ExitBad, "claims 1099511627776 bytes"},
		{"nested.onnx", onnxtest.Nested(10000), ExitBad, "nested deeper than 64"},
		{"huge_init.onnx", onnxtest.Model(onnxtest.Graph("g", x, y,
			onnxtest.Initializer(onnxtest.Tensor("w", 1, []int64{1 << 20, 1 << 20})),
			onnxtest.Node("Add", "add", []string{"x", "w"}, []string{"y"}))), ExitOK, "declares 1099511627776 elements but stores no data"},
		{"ext_parent.onnx", ext("../w.bin"), ExitBad, `".."`},
		{"ext_parent2.onnx", ext("sub/../../w.bin"), ExitBad, `".."`},
		{"ext_abs.onnx", ext(filepath.Join(outside, "secret.bin")), ExitBad, "absolute path"},
		{"ext_symlink.onnx", ext("link.bin"), ExitBad, "symlink leading outside"},
		{"ext_missing.onnx", ext("missing.bin"), ExitOK, `"missing.bin" is missing`},
		{"ext_ok.onnx", ext("w.bin"), ExitOK, ""},
		{"ext_colon.onnx", ext("w:0.bin"), ExitOK, ""},
		{"cycle.onnx", onnxtest.Model(onnxtest.Graph("g", x, y,
			onnxtest.Node("Add", "a", []string{"x", "b_out"}, []string{"a_out"}),
			onnxtest.Node("Relu", "b", []string{"a_out"}, []string{"b_out"}),
			onnxtest.Node("Identity", "c", []string{"b_out"}, []string{"y"}))), ExitOK, `cycle through node "a"`},
		{"dangling.onnx", onnxtest.Model(onnxtest.Graph("g", x, y,
			onnxtest.Node("Add", "add", []string{"x", "ghost"}, []string{"y"}))), ExitOK, `reads "ghost", which nothing produces`},
		{"neg_dims.onnx", onnxtest.Model(onnxtest.Graph("g", x, y,
			onnxtest.Initializer(onnxtest.Tensor("w", 1, []int64{-1, 4}, onnxtest.Raw(make([]byte, 16)))),
			onnxtest.Node("Add", "add", []string{"x", "w"}, []string{"y"}))), ExitOK, "impossible dims [-1 4]"},
		{"size_mismatch.onnx", onnxtest.Model(onnxtest.Graph("g", x, y,
			onnxtest.Initializer(onnxtest.Tensor("w", 1, []int64{3}, onnxtest.Raw(make([]byte, 8)))),
			onnxtest.Node("Add", "add", []string{"x", "w"}, []string{"y"}))), ExitOK, "stores 8 bytes but float32×3 needs 12"},
		{"no_graph.onnx", M{}.Varint(1, 8).Str(2, "p"), ExitBad, "no graph"},
		{"bad_dtype.onnx", onnxtest.Model(onnxtest.Graph("g", onnxtest.Input(onnxtest.ValueInfo("x", 99, 2)))), ExitBad, "unknown tensor data type 99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name)
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run("inspect", path)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errOut)
			}
			if c.code == ExitBad {
				if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, path+": ") || !strings.Contains(errOut, c.want) {
					t.Errorf("want one line naming %s and saying %q, got %q", path, c.want, errOut)
				}
				if strings.Contains(errOut, "internal error") {
					t.Errorf("panic: %s", errOut)
				}
				return
			}
			for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
				if line != "" && (!strings.Contains(line, path+": warning: ")) {
					t.Errorf("stderr line %q does not name the file as a warning", line)
				}
			}
			if c.want != "" && (!strings.Contains(errOut, c.want) || !strings.Contains(out, c.want)) {
				t.Errorf("want warning %q on stderr and in the output; stderr %q", c.want, errOut)
			}
			if c.want == "" && errOut != "" {
				t.Errorf("unexpected stderr %q", errOut)
			}
			// The JSON carries the warning and marks the value.
			code, js, _ := run("inspect", "--json", path)
			var doc struct {
				Warnings []string `json:"warnings"`
				Graphs   []struct {
					Values []struct {
						Name    string `json:"name"`
						Missing bool   `json:"missing"`
					} `json:"values"`
				} `json:"graphs"`
			}
			if code != ExitOK || json.Unmarshal([]byte(js), &doc) != nil {
				t.Fatalf("--json: exit %d", code)
			}
			if c.want != "" && (len(doc.Warnings) == 0 || !strings.Contains(strings.Join(doc.Warnings, "\n"), c.want)) {
				t.Errorf("JSON warnings %q", doc.Warnings)
			}
			if c.name == "dangling.onnx" {
				marked := false
				for _, v := range doc.Graphs[0].Values {
					marked = marked || v.Name == "ghost" && v.Missing
				}
				if !marked {
					t.Errorf("ghost is not marked missing")
				}
			}
		})
	}
}

// protowireLength40 is a ModelProto whose graph field claims 2^40 bytes.
func protowireLength40() []byte {
	b := onnxtest.Msg{}.Varint(1, 8)
	b = append(b, 7<<3|2)
	v := uint64(1) << 40
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	b = append(b, byte(v))
	return append(b, "\x12\x04abcd"...)
}

func TestInspectUsage(t *testing.T) {
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	for _, args := range [][]string{
		{"inspect"},
		{"inspect", iris, iris},
		{"inspect", "--bogus", iris},
		{"inspect", "--input", "features=1xZ%", iris},
	} {
		if code, _, errOut := run(args...); code != ExitUsage || strings.Count(errOut, "\n") < 1 {
			t.Errorf("%q: exit %d, want %d (%q)", args, code, ExitUsage, errOut)
		}
	}
	if code, out, _ := run("inspect", "--help"); code != ExitOK || out != "" {
		t.Errorf("--help: exit %d", code)
	}
	if code, _, errOut := run("inspect", filepath.Join(t.TempDir(), "nope.onnx")); code != ExitBad || !strings.Contains(errOut, "nope.onnx: ") {
		t.Errorf("missing file: exit %d %q", code, errOut)
	}
	// Flags may follow the file; --input reaches the analysis.
	code, out, errOut := run("inspect", iris, "--json", "--input", "features=7x4")
	if code != ExitOK || !strings.HasPrefix(out, `{"format":"onnx"`) {
		t.Fatalf("exit %d %q %q", code, errOut, out)
	}
	var doc jModel
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	g := doc.Graphs[0]
	if fmt.Sprint(g.Inputs[0].Shape) != "[45 4]" {
		t.Errorf("inputs must show the recorded shape, got %v", g.Inputs[0].Shape)
	}
	for _, v := range g.Values {
		if v.Name == "/hidden/Gemm_output_0" && fmt.Sprint(v.Shape) != "[7 8]" {
			t.Errorf("values must carry the analysis with --input: %s %v", v.Name, v.Shape)
		}
	}
}

// TestInspectGolden compares inspect output (without the analysis, which
// has its own tests) with testdata/inspect; -update-inspect rewrites.
func TestInspectGolden(t *testing.T) {
	files := map[string]string{
		"iris":     filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx"),
		"features": filepath.Join(testutil.RepoRoot(), "format", "onnx", "testdata", "features.onnx"),
	}
	corpus := filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(corpus, "control_flow.onnx")); err == nil {
		files["control_flow"] = filepath.Join(corpus, "control_flow.onnx")
	}
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m, err := registry.Open(files[name])
			if err != nil {
				t.Fatal(err)
			}
			var text, js bytes.Buffer
			writeInspectText(&text, m, nil)
			enc := json.NewEncoder(&js)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", " ")
			if err := enc.Encode(inspectJSON(m, nil)); err != nil {
				t.Fatal(err)
			}
			for ext, got := range map[string][]byte{".txt": text.Bytes(), ".json": js.Bytes()} {
				golden := filepath.Join("testdata", "inspect", name+ext)
				if *updateInspect {
					os.MkdirAll(filepath.Dir(golden), 0o755)
					if err := os.WriteFile(golden, got, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test ./cli -run TestInspectGolden -update-inspect)", err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s differs from the output; run with -update-inspect and review the diff", golden)
				}
			}
		})
	}
}

// TestInspectConformance checks inspect --json against the reference
// onnx library's facts for every ONNX file of the corpus.
func TestInspectConformance(t *testing.T) {
	dir := testutil.CorpusDir(t)
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".onnx") {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) < 150 {
		t.Fatalf("only %d ONNX files in the corpus", len(files))
	}
	for _, file := range files {
		rel, _ := filepath.Rel(dir, file)
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(file + ".oracle.json")
			if err != nil {
				t.Fatal(err)
			}
			var o struct {
				ProducerName    string `json:"producer_name"`
				ProducerVersion string `json:"producer_version"`
				IRVersion       int64  `json:"ir_version"`
				OpsetImport     []struct {
					Domain  string `json:"domain"`
					Version int64  `json:"version"`
				} `json:"opset_import"`
				GraphName    string       `json:"graph_name"`
				Inputs       []oracleVal  `json:"inputs"`
				InputsExcl   []string     `json:"inputs_excluding_initializers"`
				Outputs      []oracleVal  `json:"outputs"`
				Nodes        []oracleNode `json:"nodes"`
				NodeTotal    int          `json:"node_count_total"`
				TotalParams  int64        `json:"total_params"`
				Initializers []struct {
					Name     string  `json:"name"`
					DataType string  `json:"data_type"`
					Dims     []int64 `json:"dims"`
				} `json:"initializers"`
				Metadata map[string]string `json:"metadata_props"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run("inspect", "--json", file)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got jModel
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			eq := func(what string, a, b any) {
				t.Helper()
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s: got %v, want %v", what, a, b)
				}
			}
			eq("producer", got.Producer, strings.TrimSpace(o.ProducerName+" "+o.ProducerVersion))
			eq("ir_version", got.IRVersion, o.IRVersion)
			opsets := map[string]int64{}
			for _, op := range o.OpsetImport {
				opsets[op.Domain] = op.Version
			}
			eq("opsets", got.Opsets, opsets)
			eq("params", got.Params, o.TotalParams)
			if o.Metadata == nil {
				o.Metadata = map[string]string{}
			}
			eq("metadata", got.Metadata, o.Metadata)
			g := got.Graphs[0]
			eq("graph name", g.Name, o.GraphName)
			byName := map[string]oracleVal{}
			for _, v := range o.Inputs {
				byName[v.Name] = v
			}
			var want []oracleVal
			for _, n := range o.InputsExcl {
				want = append(want, byName[n])
			}
			eq("inputs", valsOf(g.Inputs), fmtVals(want))
			eq("outputs", valsOf(g.Outputs), fmtVals(o.Outputs))
			var inits, wantInits []string
			for _, in := range g.Initializers {
				inits = append(inits, fmt.Sprintf("%s %s %v", in.Name, in.DType, in.Shape))
			}
			for _, in := range o.Initializers {
				dims := make([]any, len(in.Dims))
				for i, d := range in.Dims {
					dims[i] = float64(d)
				}
				wantInits = append(wantInits, fmt.Sprintf("%s %s %v", in.Name, dtypeOf(in.DataType), dims))
			}
			eq("initializers", inits, wantInits)
			total := compareNodes(t, "", g.Nodes, o.Nodes)
			eq("node_count_total", total, o.NodeTotal)
			eq("node_count_total field", got.NodeCountTotal, o.NodeTotal)
			eq("node_count field", got.NodeCount, len(o.Nodes))
		})
	}
}

type oracleVal struct {
	Name     string `json:"name"`
	ElemType string `json:"elem_type"`
	Shape    []any  `json:"shape"`
	TypeKind string `json:"type_kind"`
}

type oracleNode struct {
	Name      string      `json:"name"`
	OpType    string      `json:"op_type"`
	Domain    string      `json:"domain"`
	Inputs    []string    `json:"inputs"`
	Outputs   []string    `json:"outputs"`
	Attrs     []string    `json:"attributes"`
	Subgraphs []oracleSub `json:"subgraphs"`
}

type oracleSub struct {
	Attribute string       `json:"attribute"`
	Name      string       `json:"name"`
	Nodes     []oracleNode `json:"nodes"`
}

// dtypeOf maps ONNX names (FLOAT, INT64) to numpy-style names.
func dtypeOf(onnxName string) string {
	switch onnxName {
	case "FLOAT":
		return "float32"
	case "DOUBLE":
		return "float64"
	}
	return strings.ToLower(onnxName)
}

func fmtVals(vs []oracleVal) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s %s %v", v.Name, dtypeOf(v.ElemType), v.Shape))
	}
	return out
}

// valsOf formats decoded JSON values like fmtVals (numbers as float64).
func valsOf(vs []*jValue) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%s %s %v", v.Name, v.DType, v.Shape))
	}
	return out
}

func compareNodes(t *testing.T, where string, got []*jNode, want []oracleNode) int {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d nodes, want %d", where, len(got), len(want))
		return len(got)
	}
	total := 0
	for i, w := range want {
		n := got[i]
		total++
		id := fmt.Sprintf("%snode %d %q", where, i, w.Name)
		var attrs []string
		for k := range n.Attributes {
			attrs = append(attrs, k)
		}
		sort.Strings(attrs)
		wantAttrs := append([]string{}, w.Attrs...)
		sort.Strings(wantAttrs)
		if len(attrs) == 0 {
			attrs = []string{}
		}
		if n.Name != w.Name || n.Op != w.OpType || n.Domain != w.Domain ||
			!reflect.DeepEqual(n.Inputs, nonNilStrings(w.Inputs)) || !reflect.DeepEqual(n.Outputs, nonNilStrings(w.Outputs)) ||
			!reflect.DeepEqual(attrs, wantAttrs) {
			t.Errorf("%s: got %s %s %q %q %q, want %s %s %q %q %q", id, n.Name, n.Op, n.Inputs, n.Outputs, attrs,
				w.Name, w.OpType, w.Inputs, w.Outputs, wantAttrs)
		}
		if len(n.Subgraphs) != len(w.Subgraphs) {
			t.Errorf("%s: %d subgraphs, want %d", id, len(n.Subgraphs), len(w.Subgraphs))
			continue
		}
		for k, ws := range w.Subgraphs {
			s := n.Subgraphs[k]
			if s.Attribute != ws.Attribute || s.Name != ws.Name {
				t.Errorf("%s: subgraph %s %s, want %s %s", id, s.Attribute, s.Name, ws.Attribute, ws.Name)
			}
			total += compareNodes(t, id+"/"+ws.Attribute+": ", s.Nodes, ws.Nodes)
		}
	}
	return total
}

// TestInspectOtherFormats: inspect shows any registry format, including
// weight-only files whose structure is a module tree.
func TestInspectOtherFormats(t *testing.T) {
	files := []string{
		filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus", "iris_state_dict.pth"),
		filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus", "iris_scripted.pt"),
		filepath.Join(testutil.RepoRoot(), "format", "gguf", "testdata", "tiny_llama.gguf"),
	}
	ran := 0
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			continue
		}
		ran++
		code, out, errOut := run("inspect", "--json", f)
		if code != ExitOK {
			t.Errorf("%s: exit %d %s", f, code, errOut)
			continue
		}
		var doc jModel
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if doc.Format == "onnx" || doc.Params <= 0 {
			t.Errorf("%s: format %q params %d", f, doc.Format, doc.Params)
		}
		if strings.HasSuffix(f, ".pth") && (doc.Modules == nil || doc.Params != 67) {
			t.Errorf("%s: modules %v params %d", f, doc.Modules, doc.Params)
		}
		if code, text, _ := run("inspect", f); code != ExitOK || !strings.Contains(text, "format:    "+doc.Format) {
			t.Errorf("%s: text exit %d", f, code)
		}
	}
	if ran == 0 {
		t.Skip("no non-ONNX files found")
	}
}
