package analysis

import (
	"strings"
	"testing"

	"github.com/modelviz/modelviz/model"
)

func TestParseInput(t *testing.T) {
	good := []struct{ in, name, shape string }{
		{"x=1x3x224x224", "x", "1×3×224×224"},
		{"input_ids=batch,seq", "input_ids", "batch×seq"},
		{"a=b=2×3", "a=b", "2×3"},
		{"1x3x8x8", "", "1×3×8×8"},
		{"s=", "s", "()"},
		{"s=()", "s", "()"},
		{"t=?x4", "t", "?×4"},
		{"ids=1xseq", "ids", "1×seq"},
		{"x=0x5", "x", "0×5"},
		{"batchx3", "", "batch×3"},
		{"7", "", "7"},
		{"x=batch", "x", "batch"},
	}
	for _, c := range good {
		name, sh, err := ParseInput(c.in)
		if err != nil {
			t.Errorf("ParseInput(%q): %v", c.in, err)
			continue
		}
		if name != c.name || sh.String() != c.shape {
			t.Errorf("ParseInput(%q) = %q %s, want %q %s", c.in, name, sh, c.name, c.shape)
		}
	}
	bad := []string{"", "=1x2", "x=1xx2", "x=-1", "x=1x2.5", "x=99999999999999999999", "x=1x$", "bad", "batch,seq", "?x?"}
	for _, s := range bad {
		if _, _, err := ParseInput(s); err == nil {
			t.Errorf("ParseInput(%q): no error", s)
		}
	}
	if _, err := ParseInputs([]string{"x=1", "x=2"}); err == nil {
		t.Error("duplicate name accepted")
	}
}

func TestCheckInputs(t *testing.T) {
	g := &model.Graph{}
	x := &model.Value{Name: "x", Type: &model.Type{Kind: model.TensorType, DType: model.Float32, Shape: model.Fixed(2, 4)}}
	ids := &model.Value{Name: "ids"} // TorchScript-style: no recorded type
	g.Inputs = []*model.Value{x, ids}
	m := &model.Model{Graphs: []*model.Graph{g}}
	ok := []map[string]model.Shape{
		nil,
		{"x": model.Fixed(8, 4)},
		{"": model.Fixed(8, 4)},
		{"ids": model.Fixed(1, 2, 3)}, // no recorded rank: any rank
	}
	for _, in := range ok {
		if err := CheckInputs(m, in); err != nil {
			t.Errorf("CheckInputs(%v): %v", in, err)
		}
	}
	bad := []struct {
		in   map[string]model.Shape
		want string
	}{
		{map[string]model.Shape{"y": model.Fixed(1)}, `no input named "y"; its inputs are: x, ids`},
		{map[string]model.Shape{"x": model.Fixed(1, 2, 3)}, "rank 3"},
		{map[string]model.Shape{"": model.Fixed(4)}, "rank 1"},
		{map[string]model.Shape{"x": {}}, "rank 0"},
	}
	for _, c := range bad {
		err := CheckInputs(m, c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckInputs(%v) = %v, want %q", c.in, err, c.want)
		}
	}
	if err := CheckInputs(&model.Model{}, map[string]model.Shape{"": model.Fixed(1)}); err == nil {
		t.Error("a model without graph inputs accepted a bare shape")
	}
}
