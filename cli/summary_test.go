package cli

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// -update rewrites golden files. Another test file of this package may
// define the flag too; share it then.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "summary", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -run Summary -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -update if intended):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestSummaryGolden(t *testing.T) {
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	cases := []struct {
		name   string
		args   []string
		corpus string
	}{
		{"iris.txt", []string{iris}, ""},
		{"iris.json", []string{"--json", iris}, ""},
		{"squeezenet1_1_depth1.txt", []string{"--depth", "1"}, "squeezenet1_1.onnx"},
		{"squeezenet1_1_depth1.json", []string{"--depth=1", "--json"}, "squeezenet1_1.onnx"},
		{"tiny_transformer.txt", []string{"--input", "tokens=1x16"}, "tiny_transformer.onnx"},
		{"gpt_decoder_48l_depth1.txt", []string{"--depth", "1"}, "gpt_decoder_48l.onnx"},
	}
	for _, c := range cases {
		args := append([]string{"summary"}, c.args...)
		file := ""
		if c.corpus != "" {
			file = testutil.Corpus(t, c.corpus)
			args = append(args, file)
		}
		code, out, errOut := run(args...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		if file != "" {
			out = strings.ReplaceAll(out, file, c.corpus)
		}
		golden(t, c.name, out)
	}
}

// The table's numbers are the analysis numbers: root row = totals, the
// JSON agrees with the text, depth collapses rows without changing sums.
func TestSummaryJSONMatchesAnalysis(t *testing.T) {
	file := testutil.Corpus(t, "mobilenet_v3_small.onnx")
	var deep, shallow struct {
		Totals struct {
			Params, MACs, FLOPs int64
			Peak                int64 `json:"peak_activation_bytes"`
		} `json:"totals"`
		Rows []struct {
			Depth  int      `json:"depth"`
			Name   string   `json:"name"`
			Path   []string `json:"path"`
			Params int64    `json:"params"`
			MACs   *int64   `json:"macs"`
			Shape  []any    `json:"output_shape"`
		} `json:"rows"`
	}
	for _, c := range []struct {
		depth string
		v     any
	}{{"9", &deep}, {"1", &shallow}} {
		code, out, errOut := run("summary", "--json", "--depth", c.depth, file)
		if code != ExitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if err := json.Unmarshal([]byte(out), c.v); err != nil {
			t.Fatal(err)
		}
	}
	if deep.Totals.MACs != 56510400 || deep.Totals.FLOPs != 2*56510400 || deep.Totals.Params != 2529712 {
		t.Errorf("totals %+v", deep.Totals)
	}
	if deep.Totals.Peak <= 0 {
		t.Error("no peak activation estimate")
	}
	if len(shallow.Rows) >= len(deep.Rows) {
		t.Errorf("--depth 1 gave %d rows, --depth 9 %d", len(shallow.Rows), len(deep.Rows))
	}
	var sumMACs, sumParams int64
	for _, r := range shallow.Rows {
		if r.Depth > 1 {
			t.Errorf("row %q at depth %d with --depth 1", r.Name, r.Depth)
		}
		if r.Depth == 1 {
			sumMACs += *r.MACs
			sumParams += r.Params
		}
	}
	if sumMACs != deep.Totals.MACs || sumParams != deep.Totals.Params {
		t.Errorf("depth-1 rows sum to %d MACs, %d params; totals %d, %d", sumMACs, sumParams, deep.Totals.MACs, deep.Totals.Params)
	}
	if r := deep.Rows[0]; r.Depth != 0 || *r.MACs != deep.Totals.MACs || len(r.Shape) != 2 {
		t.Errorf("root row %+v", r)
	}
}

func TestSummaryModuleTreeOnly(t *testing.T) {
	w := func(name string, dims ...int64) *model.Value {
		return &model.Value{Name: name, Initializer: &model.Tensor{Name: name, DType: model.Float32, Dims: dims}}
	}
	h := func(name string, dims ...int64) *model.Value {
		return &model.Value{Name: name, Initializer: &model.Tensor{Name: name, DType: model.Float16, Dims: dims}}
	}
	m := &model.Model{Format: "pytorch", Kind: "state_dict", Modules: &model.Module{
		Type: "__main__.Net",
		Children: []*model.Module{
			{Name: "encoder", Path: "encoder", Type: "torch.nn.modules.container.Sequential", Children: []*model.Module{
				{Name: "0", Path: "encoder.0", Type: "torch.nn.modules.linear.Linear", Tensors: []*model.Value{w("encoder.0.weight", 8, 4), w("encoder.0.bias", 8)}},
				{Name: "1", Path: "encoder.1", Tensors: []*model.Value{h("encoder.1.weight", 8), h("encoder.1.bias", 8)}},
			}},
			{Name: "head", Path: "head", Tensors: []*model.Value{w("head.weight", 3, 8)}},
		},
	}}
	info := analysis.Analyze(m, analysis.Options{})
	s := buildSummary(m, info, "net.pth", 3)
	var b bytes.Buffer
	s.writeText(&b)
	golden(t, "module_tree.txt", b.String())
	if info.Total().Params != 32+8+16+24 {
		t.Errorf("total params %d", info.Total().Params)
	}
	s = buildSummary(m, info, "net.pth", 1)
	if len(s.rows) != 3 {
		t.Errorf("--depth 1: %d rows, want 3", len(s.rows))
	}
}

func TestSummaryErrors(t *testing.T) {
	iris := filepath.Join(testutil.RepoRoot(), "examples", "iris.onnx")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.onnx")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--help"}, ExitOK, ""},
		{[]string{}, ExitUsage, "want exactly one FILE"},
		{[]string{iris, iris}, ExitUsage, "want exactly one FILE"},
		{[]string{"--depth", "-1", iris}, ExitUsage, "--depth"},
		{[]string{"--bogus", iris}, ExitUsage, ""},
		{[]string{"--input", "features=4x", iris}, ExitUsage, "empty dim"},
		{[]string{"--input", "nope=1x4", iris}, ExitUsage, "no input named"},
		{[]string{filepath.Join(dir, "missing.onnx")}, ExitBad, "missing.onnx: "},
		{[]string{empty}, ExitBad, "empty.onnx: file is empty"},
	}
	for _, c := range cases {
		code, _, errOut := run(append([]string{"summary"}, c.args...)...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, code, c.code, errOut)
		}
		if c.msg != "" && !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errOut, c.msg)
		}
		if c.code == ExitBad && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: error is not one line: %q", c.args, errOut)
		}
	}
	// --input fixes a dim and changes the costs.
	_, a, _ := run("summary", "--json", iris)
	_, b, _ := run("summary", "--json", "--input", "features=90x4", iris)
	if !strings.Contains(a, `"macs":2520`) || !strings.Contains(b, `"macs":5040`) {
		t.Errorf("--input features=90x4 should double the MACs:\n%s\n%s", a, b)
	}
}
