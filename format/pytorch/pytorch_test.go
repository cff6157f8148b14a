package pytorch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/pickle"
	"github.com/modelviz/modelviz/format/zipx"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

type oracleTensor struct {
	Key    string  `json:"key"`
	DType  string  `json:"dtype"`
	Shape  []int64 `json:"shape"`
	Numel  int64   `json:"numel"`
	SHA256 string  `json:"sha256"`
}

type oracle struct {
	Kind           string         `json:"kind"`
	Container      string         `json:"container"`
	Tensors        []oracleTensor `json:"tensors"`
	TotalParams    int64          `json:"total_params"`
	DataPklGlobals []string       `json:"data_pkl_globals"`
	Hierarchy      []struct {
		Path          string `json:"path"`
		Type          string `json:"type"`
		OriginalName  string `json:"original_name"`
		QualifiedType string `json:"qualified_type"`
	} `json:"module_hierarchy"`
	AtenOps map[string]int `json:"aten_ops"`
}

func readOracle(t *testing.T, path string) *oracle {
	t.Helper()
	b, err := os.ReadFile(path + ".oracle.json")
	if err != nil {
		t.Fatal(err)
	}
	var o oracle
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return &o
}

var kindNames = map[string]string{"checkpoint_dict": "checkpoint"}

// extraTensors are tensors in the file that torch's state_dict() leaves
// out: a scripted quantized Conv2d pickles its int8 weight and bias in
// the tuple its __getstate__ returns, which we list by position.
var extraTensors = map[string][]oracleTensor{
	"quantized_scripted.pt": {
		{Key: "conv.10", DType: "int8", Shape: []int64{4, 3, 3, 3}, Numel: 108},
		{Key: "conv.11", DType: "float32", Shape: []int64{4}, Numel: 4},
	},
}

func modulesByPath(m *model.Module, out map[string]*model.Module) {
	out[m.Path] = m
	for _, c := range m.Children {
		modulesByPath(c, out)
	}
}

// checkOracle compares an opened model with the python-made facts.
func checkOracle(t *testing.T, path string) *model.Model {
	t.Helper()
	o := readOracle(t, path)
	m, err := Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	want := o.Kind
	if k, ok := kindNames[want]; ok {
		want = k
	}
	if m.Kind != want {
		t.Errorf("%s: kind %q, want %q", path, m.Kind, want)
	}
	for _, x := range extraTensors[filepath.Base(path)] {
		o.Tensors = append(o.Tensors, x)
		o.TotalParams += x.Numel
	}
	inits := m.Graphs[0].Initializers
	if len(inits) != len(o.Tensors) {
		t.Errorf("%s: %d tensors, want %d", path, len(inits), len(o.Tensors))
	}
	byName := map[string]*model.Value{}
	var total int64
	for _, v := range inits {
		byName[v.Name] = v
		total += v.Initializer.NumElements()
	}
	if total != o.TotalParams {
		t.Errorf("%s: total params %d, want %d", path, total, o.TotalParams)
	}
	for i, ot := range o.Tensors {
		v := byName[ot.Key]
		if v == nil {
			t.Errorf("%s: tensor %q missing", path, ot.Key)
			continue
		}
		if m.Kind != "torchscript" && i < len(inits) && inits[i].Name != ot.Key {
			t.Errorf("%s: tensor %d is %q, want %q (state_dict order)", path, i, inits[i].Name, ot.Key)
		}
		tt := v.Initializer
		if tt.DType.String() != strings.Replace(ot.DType, "complex64", "complex64", 1) {
			t.Errorf("%s: %s dtype %s, want %s", path, ot.Key, tt.DType, ot.DType)
		}
		if fmt.Sprint(tt.Dims) != fmt.Sprint(ot.Shape) && !(len(tt.Dims) == 0 && len(ot.Shape) == 0) {
			t.Errorf("%s: %s shape %v, want %v", path, ot.Key, tt.Dims, ot.Shape)
		}
		if tt.NumElements() != ot.Numel {
			t.Errorf("%s: %s numel %d, want %d", path, ot.Key, tt.NumElements(), ot.Numel)
		}
		if tt.Warning != "" {
			t.Errorf("%s: %s warning %q", path, ot.Key, tt.Warning)
		}
		if ot.SHA256 != "" {
			b, err := tt.Load()
			if err != nil {
				t.Errorf("%s: %s load: %v", path, ot.Key, err)
				continue
			}
			if int64(len(b)) != tt.Length {
				t.Errorf("%s: %s loaded %d bytes, Length %d", path, ot.Key, len(b), tt.Length)
			}
			sum := sha256.Sum256(b)
			if hex.EncodeToString(sum[:]) != ot.SHA256 {
				t.Errorf("%s: %s bytes differ from torch's", path, ot.Key)
			}
		}
	}
	if len(o.Hierarchy) > 0 {
		mods := map[string]*model.Module{}
		modulesByPath(m.Modules, mods)
		for _, h := range o.Hierarchy {
			mod := mods[h.Path]
			if mod == nil {
				t.Errorf("%s: module %q missing", path, h.Path)
				continue
			}
			switch {
			case h.Type != "" && mod.Type != h.Type:
				t.Errorf("%s: module %q type %q, want %q", path, h.Path, mod.Type, h.Type)
			case h.QualifiedType != "" && mod.Type != demangle(h.QualifiedType):
				t.Errorf("%s: module %q type %q, want %q", path, h.Path, mod.Type, demangle(h.QualifiedType))
			case h.OriginalName != "" && !strings.HasSuffix(mod.Type, "."+h.OriginalName):
				t.Errorf("%s: module %q type %q, want class %q", path, h.Path, mod.Type, h.OriginalName)
			}
		}
		// Only modules: the tree holds nothing else for these kinds.
		if len(mods) != len(o.Hierarchy) {
			t.Errorf("%s: %d modules, want %d", path, len(mods), len(o.Hierarchy))
		}
	}
	if len(o.DataPklGlobals) > 0 {
		seen := map[string]bool{}
		for _, g := range dataPklGlobals(t, path) {
			seen[g] = true
		}
		for _, g := range o.DataPklGlobals {
			if !seen[g] {
				t.Errorf("%s: global %s not seen", path, g)
			}
		}
	}
	if o.AtenOps != nil {
		got := map[string]int{}
		countOps(m.Graphs[0], got)
		// torch's inlined_graph drops BatchNorm's _check_input_dim call
		// (its result is unused); we keep that shape check, which holds
		// 2 dim, 1 ne and 1 format per BatchNorm.
		for op, n := range inlinerDrops[filepath.Base(path)] {
			got[op] -= n
			if got[op] == 0 {
				delete(got, op)
			}
		}
		if fmt.Sprint(sortedOps(got)) != fmt.Sprint(sortedOps(o.AtenOps)) {
			t.Errorf("%s: aten ops\n got %v\nwant %v", path, sortedOps(got), sortedOps(o.AtenOps))
		}
	}
	return m
}

var inlinerDrops = map[string]map[string]int{
	"mobilenet_scripted.pt": {"dim": 64, "ne": 32, "format": 32},
}

func sortedOps(m map[string]int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(out)
	return out
}

func countOps(g *model.Graph, out map[string]int) {
	for _, n := range g.Nodes {
		if n.Domain == "aten" {
			out[n.Op]++
		}
		for _, sg := range n.Subgraphs() {
			countOps(sg.Graph, out)
		}
	}
}

func dataPklGlobals(t *testing.T, path string) []string {
	a, err := zipx.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, e := range a.Entries {
		if strings.HasSuffix(e.Name, "/data.pkl") {
			b, err := a.ReadAll(e, 1<<30)
			if err != nil {
				t.Fatal(err)
			}
			res, err := pickle.Load(b, nil)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, g := range res.Globals {
				out = append(out, g.String())
			}
			return out
		}
	}
	t.Fatal("no data.pkl")
	return nil
}

func TestCorpus(t *testing.T) {
	for _, name := range []string{"iris_full.pt", "iris_state_dict.pth", "iris_scripted.pt", "iris_traced.pt"} {
		t.Run(name, func(t *testing.T) {
			checkOracle(t, testutil.Corpus(t, name))
		})
	}
}

func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.pt")
	pkls, _ := filepath.Glob("testdata/*.pkl")
	files = append(files, pkls...)
	n := 0
	for _, f := range files {
		if _, err := os.Stat(f + ".oracle.json"); err != nil {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) { checkOracle(t, f) })
	}
	if n < 7 {
		t.Fatalf("only %d fixtures with oracles", n)
	}
}
