package diff

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/modelviz/modelviz/format/registry"
	"github.com/modelviz/modelviz/internal/testutil"
	"github.com/modelviz/modelviz/model"
)

func open(t *testing.T, name string) *model.Model {
	t.Helper()
	m, err := registry.Open(testutil.Corpus(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSameModelHasNoDifferences(t *testing.T) {
	a, b := open(t, "iris.onnx"), open(t, "iris.onnx")
	r := Compare(a, b, Options{Weights: true})
	if !r.Empty() || len(r.Warnings) > 0 {
		t.Fatalf("iris vs iris: %+v", r)
	}
	if r.A.Params != 67 || r.A.Nodes != 3 {
		t.Fatalf("side: %+v", r.A)
	}
}

// The same SmallCNN exported at opset 9 and 17: the exporter emits
// different op sequences (e.g. Upsample vs Resize), weights are the same.
func TestOpsetNineVersusSeventeen(t *testing.T) {
	a, b := open(t, "small_cnn_opset9.onnx"), open(t, "small_cnn_opset17.onnx")
	r := Compare(a, b, Options{Weights: true})
	if r.Empty() {
		t.Fatal("no differences found between opset 9 and opset 17 exports")
	}
	if len(r.Ops) == 0 {
		t.Errorf("op counts equal, but the exports have %d and %d nodes", r.A.Nodes, r.B.Nodes)
	}
	if r.A.Params != r.B.Params {
		t.Errorf("params %d vs %d: same model, should be equal", r.A.Params, r.B.Params)
	}
	if len(r.WeightsAdded)+len(r.WeightsRemoved) != 0 {
		t.Errorf("weights added/removed: %+v %+v", r.WeightsAdded, r.WeightsRemoved)
	}
	// The folded Conv weights get counter names that differ between the
	// exports; they are paired through the Conv that reads them, and their
	// values are equal.
	renamed := 0
	for _, c := range r.WeightsChanged {
		if c.Values {
			t.Errorf("%s: values differ, but it is the same trained model", c.Name)
		}
		if c.RenamedTo != "" {
			renamed++
		}
	}
	if renamed != 2 {
		t.Errorf("renamed weights: %+v", r.WeightsChanged)
	}
}

func tensor(name string, vals ...float32) *model.Value {
	b := make([]byte, 4*len(vals))
	for i, v := range vals {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	t := &model.Tensor{Name: name, DType: model.Float32, Dims: []int64{int64(len(vals))}, Length: int64(len(b)),
		Loader: func() ([]byte, error) { return b, nil }}
	return &model.Value{Name: name, Initializer: t}
}

func graphModel(nodes []*model.Node, inits ...*model.Value) *model.Model {
	return &model.Model{Format: "test", Graphs: []*model.Graph{{Nodes: nodes, Initializers: inits}}}
}

func TestNodeAndWeightChanges(t *testing.T) {
	w1, w2 := tensor("w", 1, 2, 3), tensor("w", 1, 2.5, 3)
	a := graphModel([]*model.Node{
		{Name: "conv", Op: "Conv", Inputs: []*model.Value{nil, w1}, Attrs: []model.Attr{{Name: "group", Kind: model.AttrInt, Int: 1}}},
		{Name: "relu", Op: "Relu"},
	}, w1, tensor("gone", 1))
	b := graphModel([]*model.Node{
		{Name: "conv", Op: "Conv", Inputs: []*model.Value{nil, w2}, Attrs: []model.Attr{{Name: "group", Kind: model.AttrInt, Int: 2}}},
		{Name: "sig", Op: "Sigmoid"},
	}, w2)
	r := Compare(a, b, Options{Weights: true})
	if len(r.NodesAdded) != 1 || r.NodesAdded[0].Op != "Sigmoid" || len(r.NodesRemoved) != 1 || r.NodesRemoved[0].Name != "relu" {
		t.Errorf("added %v removed %v", r.NodesAdded, r.NodesRemoved)
	}
	if len(r.NodesChanged) != 1 || r.NodesChanged[0].Changes[0] != "attribute group 1 -> 2" {
		t.Errorf("changed %+v", r.NodesChanged)
	}
	if len(r.WeightsRemoved) != 1 || r.WeightsRemoved[0].Name != "gone" {
		t.Errorf("removed weights %+v", r.WeightsRemoved)
	}
	if len(r.WeightsChanged) != 1 || !r.WeightsChanged[0].Values || r.WeightsChanged[0].MaxAbs != 0.5 {
		t.Errorf("changed weights %+v", r.WeightsChanged)
	}
	// Without Options.Weights only dtype and shape are compared.
	if r := Compare(a, b, Options{}); len(r.WeightsChanged) != 0 {
		t.Errorf("values compared without --weights: %+v", r.WeightsChanged)
	}
}

func TestUnnamedNodesMatchByOccurrence(t *testing.T) {
	a := graphModel([]*model.Node{{Op: "Relu"}, {Op: "Relu"}, {Op: "Add"}})
	b := graphModel([]*model.Node{{Op: "Relu"}, {Op: "Add"}})
	r := Compare(a, b, Options{})
	if len(r.NodesRemoved) != 1 || r.NodesRemoved[0].Op != "Relu" || len(r.NodesAdded) != 0 {
		t.Fatalf("%+v", r)
	}
}
