package view

import (
	"strconv"
	"testing"

	"github.com/modelviz/modelviz/model"
)

// fuzzModel decodes bytes into a graph with arbitrary wiring: forward and
// backward references (cycles), self loops, shared and folded constants,
// module paths, and a subgraph reading outer values.
func fuzzModel(data []byte) *model.Model {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := int(data[0])
		data = data[1:]
		return b
	}
	ops := []string{"Conv", "Relu", "Add", "Constant", "Identity", "If", "MatMul", "Custom"}
	n := next()%40 + 1
	g := &model.Graph{Name: "main"}
	vals := make([]*model.Value, 0, n+2)
	for i := 0; i < n+2; i++ {
		v := &model.Value{ID: int32(i), Name: "v" + strconv.Itoa(i%(next()%8+n))}
		if next()%4 == 0 {
			v.Initializer = &model.Tensor{Dims: []int64{int64(next()), int64(next() % 3)}}
			g.Initializers = append(g.Initializers, v)
		}
		if next()%3 == 0 {
			v.Type = &model.Type{Shape: model.Fixed(int64(next()), 4)}
		}
		vals = append(vals, v)
		g.Values = append(g.Values, v)
	}
	g.Inputs = []*model.Value{vals[0], nil}
	for i := 0; i < n; i++ {
		nd := &model.Node{ID: int32(i), Name: "n" + strconv.Itoa(next()%(n+1)), Op: ops[next()%len(ops)]}
		for k := next() % 4; k > 0; k-- {
			v := vals[next()%len(vals)]
			nd.Inputs = append(nd.Inputs, v)
			v.Consumers = append(v.Consumers, nd)
		}
		if next()%8 == 0 {
			nd.Inputs = append(nd.Inputs, nil)
		}
		out := vals[(i+1)%len(vals)]
		if out.Producer == nil && out.Initializer == nil {
			out.Producer = nd
			nd.Outputs = []*model.Value{out}
		}
		for d := next() % 4; d > 0; d-- {
			nd.Group = append(nd.Group, "m"+strconv.Itoa(next()%3))
		}
		if nd.Op == "Constant" && next()%2 == 0 {
			nd.Attrs = []model.Attr{{Name: "value", Kind: model.AttrTensor, Tensor: &model.Tensor{Dims: []int64{3}}}}
		}
		if nd.Op == "If" {
			outer := &model.Value{Name: "outer", Outer: vals[next()%len(vals)]}
			sub := &model.Graph{Name: "then", Values: []*model.Value{outer}}
			sn := &model.Node{Name: "inner", Op: "Relu", Inputs: []*model.Value{outer}}
			outer.Consumers = []*model.Node{sn}
			so := &model.Value{Name: "so", Producer: sn}
			sn.Outputs = []*model.Value{so}
			sub.Nodes = []*model.Node{sn}
			sub.Outputs = []*model.Value{so}
			nd.Attrs = append(nd.Attrs, model.Attr{Name: "then_branch", Kind: model.AttrGraph, Graph: sub})
			if next()%4 == 0 {
				nd.Attrs = append(nd.Attrs, model.Attr{Name: "loop", Kind: model.AttrGraph, Graph: g})
			}
		}
		g.Nodes = append(g.Nodes, nd)
	}
	g.Outputs = []*model.Value{vals[next()%len(vals)], vals[len(vals)-1]}
	return &model.Model{Graphs: []*model.Graph{g}}
}

func FuzzDrawnGraph(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x05\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"))
	f.Add([]byte("\x20\x05\x00\x01\x05\x03\x02\x07\x01\x00\x04\x02\x05\x05\x05\x01\x02\x03\x00\x01\x02\x03\x05\x05\x03\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fuzzModel(data)
		g := Build(m, nil)
		var ids []string
		for _, gi := range g.Groups() {
			ids = append(ids, gi.ID)
		}
		last := byte(0)
		if len(data) > 0 {
			last = data[len(data)-1]
		}
		for _, opt := range []Options{
			{Depth: -1, Weights: true, Attributes: true, Names: true},
			{Depth: int(last % 4), Dir: "LR"},
			{Expanded: ids[:len(ids)/2]},
			{Group: "?", Depth: int(last%3) - 1}, // a group with pills at its border
		} {
			if opt.Group != "" {
				if len(ids) == 0 {
					continue
				}
				opt.Group = ids[int(last)%len(ids)]
			}
			sc, err := g.Layout(opt)
			if err != nil {
				t.Fatal(err)
			}
			checkScene(t, "fuzz", sc)
		}
	})
}
