package analysis

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/format/onnx"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

// onnxShapes is testdata/onnx_shapes.json (gen_onnx_shapes.py).
type onnxShapes struct {
	Version string                                         `json:"onnx_version"`
	Models  map[string]map[string]map[string]onnxValueType `json:"models"`
	// Fixed input shapes for the "<file>@fixed" entries.
	Fixed map[string]map[string][]int64 `json:"fixed_inputs"`
}

type onnxValueType struct {
	DType string `json:"dtype"`
	Shape []any  `json:"shape"` // float64, string or nil per dim; nil: no shape
	HasSh bool   `json:"-"`
}

func (t *onnxValueType) UnmarshalJSON(b []byte) error {
	var raw struct {
		DType string          `json:"dtype"`
		Shape json.RawMessage `json:"shape"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	t.DType = raw.DType
	if len(raw.Shape) > 0 && string(raw.Shape) != "null" {
		t.HasSh = true
		return json.Unmarshal(raw.Shape, &t.Shape)
	}
	return nil
}

func loadOnnxShapes(t *testing.T) *onnxShapes {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "onnx_shapes.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s onnxShapes
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

// scopes maps the fixture's scope names to graphs ("" is the main graph;
// "<node name or #i>/<attribute>" a subgraph, nested with "/").
func scopes(g *model.Graph, prefix string, out map[string]*model.Graph, depth int) {
	out[prefix] = g
	if depth > 16 {
		return
	}
	for i, n := range g.Nodes {
		subs := n.Subgraphs()
		count := map[string]int{}
		for _, s := range subs {
			count[s.Attribute]++
		}
		seen := map[string]int{}
		for _, s := range subs {
			name := n.Name
			if name == "" {
				name = fmt.Sprintf("#%d", i)
			}
			key := name + "/" + s.Attribute
			if prefix != "" {
				key = prefix + "/" + key
			}
			if count[s.Attribute] > 1 {
				key += fmt.Sprintf("[%d]", seen[s.Attribute])
				seen[s.Attribute]++
			}
			scopes(s.Graph, key, out, depth+1)
		}
	}
}

func valueByName(g *model.Graph, name string) *model.Value {
	for _, v := range g.Values {
		if v != nil && v.Name == name && v.Outer == nil {
			return v
		}
	}
	return nil
}

// fullShape: every dim is a number or one of the model's own symbols.
// Symbols onnx invents ("unk__0", "X_dim_0") stand for unknown dims.
func fullShape(t onnxValueType, syms map[string]bool) bool {
	if !t.HasSh {
		return false
	}
	for _, d := range t.Shape {
		switch w := d.(type) {
		case float64:
		case string:
			if !syms[w] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// inputSymbols are the dim names the model's graph inputs declare.
func inputSymbols(m *model.Model) map[string]bool {
	syms := map[string]bool{}
	for _, v := range m.Graphs[0].Inputs {
		if v.Type != nil {
			for _, d := range v.Type.Shape {
				if d.Param != "" {
					syms[d.Param] = true
				}
			}
		}
	}
	return syms
}

// dimMatches compares one of our dims with one of onnx's (int or symbol).
func dimMatches(d model.Dim, want any) bool {
	switch w := want.(type) {
	case float64:
		return d.Known && d.Value == int64(w)
	case string:
		return !d.Known && d.Param == w
	}
	return false
}

func describe(t onnxValueType) string {
	if !t.HasSh {
		return t.DType + " ?"
	}
	parts := make([]string, len(t.Shape))
	for i, d := range t.Shape {
		switch w := d.(type) {
		case float64:
			parts[i] = fmt.Sprint(int64(w))
		case string:
			parts[i] = w
		default:
			parts[i] = "?"
		}
	}
	return t.DType + " " + strings.Join(parts, "×")
}

// TestShapesMatchOnnx: with recorded types ignored, every value onnx's
// own shape inference (data_prop on) gives a full shape must get the same
// dtype and dims from Analyze.
func TestShapesMatchOnnx(t *testing.T) {
	dir := testutil.CorpusDir(t)
	fx := loadOnnxShapes(t)
	names := make([]string, 0, len(fx.Models))
	for k := range fx.Models {
		names = append(names, k)
	}
	sort.Strings(names)
	var total, agree, extra int
	for _, file := range names {
		base, _, _ := strings.Cut(file, "@")
		fixed := fx.Fixed[file] != nil
		path := filepath.Join(dir, filepath.FromSlash(base))
		if strings.HasPrefix(base, "testdata/") {
			path = filepath.FromSlash(base) // a model of this package's testdata
		}
		if _, err := os.Stat(path); err != nil {
			continue
		}
		m, err := onnx.Open(path)
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		opt := Options{IgnoreRecorded: true}
		if fixed {
			opt.Inputs = map[string]model.Shape{}
			for name, dims := range fx.Fixed[file] {
				opt.Inputs[name] = model.Fixed(dims...)
			}
		}
		info := Analyze(m, opt)
		syms := inputSymbols(m)
		gs := map[string]*model.Graph{}
		scopes(m.Graphs[0], "", gs, 0)
		var mt, ma int
		var bad []string
		for scope, vals := range fx.Models[file] {
			g := gs[scope]
			if g == nil {
				t.Errorf("%s: scope %q not found", file, scope)
				continue
			}
			for name, want := range vals {
				v := valueByName(g, name)
				if v == nil {
					continue
				}
				got := info.Type(v)
				if !fullShape(want, syms) {
					if got != nil && fullyKnown(got.Shape) {
						extra++
					}
					continue
				}
				mt++
				ok := got != nil && got.Kind == model.TensorType && got.DType.String() == want.DType &&
					got.Shape != nil && len(got.Shape) == len(want.Shape)
				if ok {
					for i, d := range want.Shape {
						if !dimMatches(got.Shape[i], d) {
							ok = false
						}
					}
				}
				if ok {
					ma++
					continue
				}
				op := "input"
				if v.Producer != nil {
					op = v.Producer.Op
				}
				gs := "nil"
				if got != nil {
					gs = got.DType.String() + " " + got.Shape.String()
				}
				bad = append(bad, fmt.Sprintf("%s %q (%s): got %s, onnx %s", scope, name, op, gs, describe(want)))
			}
		}
		total += mt
		agree += ma
		sort.Strings(bad)
		if len(bad) > 0 {
			if len(bad) > 5 {
				bad = append(bad[:5], fmt.Sprintf("... %d more", len(bad)-5))
			}
			t.Errorf("%s: %d/%d values agree with onnx:\n  %s", file, ma, mt, strings.Join(bad, "\n  "))
		} else if !strings.Contains(file, "/") {
			t.Logf("%s: %d/%d values agree with onnx", file, ma, mt)
		}
	}
	t.Logf("all models: %d/%d values agree with onnx %s; %d more values fully known where onnx has no full shape", agree, total, fx.Version, extra)
}
