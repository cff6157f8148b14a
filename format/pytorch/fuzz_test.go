package pytorch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

func seedFiles() [][]byte {
	var out [][]byte
	names, _ := filepath.Glob("testdata/*.pt")
	pkls, _ := filepath.Glob("testdata/*.pkl")
	names = append(names, pkls...)
	corpus := filepath.Join(testutil.RepoRoot(), "..", "shared", "corpus")
	for _, n := range []string{"iris_full.pt", "iris_state_dict.pth", "iris_scripted.pt", "iris_traced.pt"} {
		names = append(names, filepath.Join(corpus, n))
	}
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil && len(b) < 16<<10 {
			out = append(out, b)
		}
	}
	return out
}

// FuzzOpen feeds whole files (zip, legacy, mutated) to the reader, then
// loads every tensor it lists.
func FuzzOpen(f *testing.F) {
	for _, b := range seedFiles() {
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f.pt")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Skip()
		}
		m, err := Open(p)
		if err != nil {
			return
		}
		for _, v := range m.Graphs[0].Initializers {
			if v.Initializer.Length < 1<<20 {
				v.Initializer.Load()
			}
		}
	})
}

// FuzzCode feeds serialized TorchScript code to the parser.
func FuzzCode(f *testing.F) {
	for _, b := range seedFiles() {
		p := filepath.Join(f.TempDir(), "s.pt")
		os.WriteFile(p, b, 0o644)
		a, err := zipx.Open(p)
		if err != nil {
			continue
		}
		for _, e := range a.Entries {
			if strings.HasSuffix(e.Name, ".py") {
				if src, err := a.ReadAll(e, 1<<20); err == nil {
					f.Add(string(src))
				}
			}
		}
		a.Close()
	}
	f.Add("class M(Module):\n  def forward(self, x: Tensor) -> Tensor:\n    if x:\n      y = torch.relu(x)\n    else:\n      y = x\n    for i in range(3):\n      y = torch.add(y, i)\n    return y\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := parseSource(src)
		if err != nil {
			return
		}
		// Build the forward graph of each class, as the root module.
		for name, cls := range file.Classes {
			buildGraph(t, "__torch__.m."+name, file, cls)
		}
	})
}

// buildGraph runs the graph builder on one parsed class with no weights.
func buildGraph(t *testing.T, qual string, file *srcFile, cls *classDef) *model.Model {
	m := newModel("fuzz")
	b := newBuilder(m, false)
	code := &codeBase{files: map[string]*srcFile{"__torch__.m": file}, failed: map[string]bool{},
		warn: func(s string) { m.Warnings = append(m.Warnings, s) }}
	obj := &pickle.Object{Class: pickle.Global{Module: "__torch__.m", Name: cls.Name}, State: &pickle.Dict{}}
	ts := &tsBuilder{b: b, code: code, modules: map[*pickle.Object]*tsModule{}}
	ts.graph(ts.module(obj, "", 0))
	return m
}

func TestRecursionBounded(t *testing.T) {
	// forward calls itself twice per level: 2^48 calls without the step
	// budget, and no nodes to hit the node budget.
	src := "class M(Module):\n  def forward(self, x: Tensor) -> Tensor:\n    _0 = (self).forward(x, )\n    _1 = (self).forward(x, )\n    return x\n"
	file, err := parseSource(src)
	if err != nil {
		t.Fatal(err)
	}
	m := buildGraph(t, "__torch__.m.M", file, file.Classes["M"])
	if len(m.Warnings) == 0 || !strings.Contains(m.Warnings[len(m.Warnings)-1], "graph limited") {
		t.Errorf("warnings %q", m.Warnings)
	}
}

func TestParserLimits(t *testing.T) {
	deep := "def f(x):\n  return " + strings.Repeat("(", 5000) + "x" + strings.Repeat(")", 5000) + "\n"
	elif := "def f(x):\n  if x:\n    pass\n" + strings.Repeat("  elif x:\n    pass\n", 5000)
	nested := "def f(x):\n"
	for i := 1; i < 300; i++ {
		nested += strings.Repeat(" ", i) + "if x:\n"
	}
	nested += strings.Repeat(" ", 300) + "pass\n"
	for name, src := range map[string]string{"parens": deep, "elif": elif, "blocks": nested} {
		if _, err := parseSource(src); err == nil || !strings.Contains(err.Error(), "too deeply") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
