// Package analysis derives facts the file does not state: shapes of every
// value, and params, MACs and activation bytes per node, module and model.
// Results live in side tables; the model is never modified.
package analysis

import "github.com/modelviz/modelviz/model"

// Options tune the analysis.
type Options struct {
	// Inputs overrides graph input shapes by name (`--input x=1x3x224x224`,
	// see ParseInput). The name "" means the first graph input.
	Inputs map[string]model.Shape
}

// Cost is what one node, module or model costs.
type Cost struct {
	Params          int64 `json:"params"`
	MACs            int64 `json:"macs"`
	ActivationBytes int64 `json:"activation_bytes"`
}

// Info holds the results for one model.
type Info struct {
	types map[*model.Value]*model.Type
	costs map[*model.Node]Cost
	total Cost
}

// Analyze infers what it can. It never fails: an unknown op gives an
// unknown shape.
//
// PLACEHOLDER (issue 7 replaces it): only recorded types, no costs.
func Analyze(m *model.Model, opt Options) *Info {
	in := &Info{types: map[*model.Value]*model.Type{}, costs: map[*model.Node]Cost{}}
	return in
}

// Type is the best known type of v: inferred, else recorded, else nil.
func (in *Info) Type(v *model.Value) *model.Type {
	if v == nil {
		return nil
	}
	if in != nil {
		if t, ok := in.types[v]; ok {
			return t
		}
	}
	return v.Type
}

// Cost of one node (zero when unknown).
func (in *Info) Cost(n *model.Node) Cost {
	if in == nil {
		return Cost{}
	}
	return in.costs[n]
}

// Total over the model.
func (in *Info) Total() Cost {
	if in == nil {
		return Cost{}
	}
	return in.total
}

// GroupCost sums the costs of every node whose Group starts with path
// (the module and everything inside it). An empty path is the whole model.
func (in *Info) GroupCost(path []string) Cost {
	if in == nil {
		return Cost{}
	}
	return Cost{}
}

// PeakActivationBytes estimates peak activation memory: nodes run in file
// (topological) order and each value is freed after its last consumer.
func (in *Info) PeakActivationBytes() int64 {
	if in == nil {
		return 0
	}
	return 0
}
