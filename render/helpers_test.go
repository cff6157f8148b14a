package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelviz/modelviz/view"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// handScene is a small scene made by hand: every box kind, a nested
// group, labelled and bent edges, a module-order edge, and text the
// fonts lack.
func handScene() *view.Scene {
	return &view.Scene{
		Direction: "TB", Width: 420, Height: 420,
		Groups: []view.GroupBox{
			{ID: "g:encoder", Label: "encoder", Path: []string{"encoder"}, X: 100, Y: 70, W: 300, H: 250, Ops: 3},
			{ID: "g:encoder.attn", Label: "attn ⟨self⟩", Path: []string{"encoder", "attn"}, Parent: "g:encoder", X: 115, Y: 100, W: 270, H: 110, Ops: 2},
		},
		Nodes: []view.Box{
			{ID: "in:x", Label: "x", Kind: "input", Category: "io", Name: "x", X: 170, Y: 0, W: 48, H: 24, Node: -1},
			{ID: "n0", Label: "MatMul", Kind: "op", Category: "layer", Name: "/encoder/attn/MatMul", Group: "g:encoder.attn",
				X: 130, Y: 130, W: 110, H: 58, Rows: []view.Row{{Key: "B", Value: "16×16"}, {Key: "name", Value: "Ünïcödé 中文"}}, Node: 0},
			{ID: "n1", Label: "Softmax", Kind: "op", Category: "activation", Group: "g:encoder.attn", X: 270, Y: 140, W: 70, H: 24, Node: 1},
			{ID: "n2", Label: "LayerNormalization", Kind: "op", Category: "norm", Group: "g:encoder", X: 150, Y: 240, W: 140, H: 43,
				Rows: []view.Row{{Key: "scale", Value: "⟨16⟩"}}, Node: 2},
			{ID: "g:decoder", Label: "decoder", Kind: "group", Category: "group", X: 20, Y: 330, W: 120, H: 43,
				Rows: []view.Row{{Key: "ops", Value: "12"}}, Node: -1},
			{ID: "n3", Label: "com.example::Fancy", Kind: "op", Category: "custom", X: 200, Y: 340, W: 150, H: 24, Node: 3},
			{ID: "out:y", Label: "y", Kind: "output", Category: "io", Name: "y", X: 340, Y: 396, W: 48, H: 24, Node: -1},
		},
		Edges: []view.Edge{
			{From: "in:x", To: "n0", Value: "x", Label: "1×16", Points: [][2]float64{{194, 24}, {194, 80}, {185, 100}, {185, 130}}, LabelX: 215, LabelY: 60},
			{From: "n0", To: "n1", Value: "t0", Label: "1×16", Points: [][2]float64{{240, 150}, {270, 152}}},
			{From: "n1", To: "n2", Value: "t1", Points: [][2]float64{{305, 164}, {305, 220}, {220, 220}, {220, 240}}},
			{From: "n2", To: "g:decoder", Label: "batch×16", Points: [][2]float64{{180, 283}, {180, 310}, {80, 310}, {80, 330}}, LabelX: 130, LabelY: 300},
			{From: "n2", To: "n3", Points: [][2]float64{{260, 283}, {275, 340}}},
			{From: "n3", To: "out:y", Label: "?", Points: [][2]float64{{275, 364}, {364, 396}}, LabelX: 330, LabelY: 375},
			{From: "g:decoder", To: "n3", Order: true, Points: [][2]float64{{140, 352}, {170, 352}, {170, 346}, {200, 346}}},
		},
	}
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		out := filepath.Join(t.TempDir(), name)
		os.WriteFile(out, got, 0o644)
		t.Errorf("%s differs from the golden file (got written to %s; -update rewrites testdata)", name, out)
	}
}
