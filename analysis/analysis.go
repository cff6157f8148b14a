// Package analysis derives facts the file does not state: shapes of every
// value, and params, MACs and activation bytes per node, module and model.
// Results live in side tables; the model is never modified.
//
// Shapes come from ONNX shape inference written here (infer.go) with
// constant folding of small shape computations (const.go), so Reshape
// targets built from Shape → Gather → Concat chains resolve to concrete or
// symbolic dims. Costs follow the MAC convention in cost.go.
package analysis

import (
	"sort"

	"github.com/modelviz/modelviz/model"
)

// Options tune the analysis.
type Options struct {
	// Inputs overrides graph input shapes by name (`--input x=1x3x224x224`,
	// see ParseInput). The name "" means the first graph input.
	Inputs map[string]model.Shape
	// IgnoreRecorded infers every node output from scratch, ignoring the
	// types the file records for them (value_info, graph outputs). Graph
	// input types are still used. For tests and debugging.
	IgnoreRecorded bool
}

// Cost is what one node, module or model costs.
type Cost struct {
	Params          int64 `json:"params"`
	MACs            int64 `json:"macs"`
	ActivationBytes int64 `json:"activation_bytes"`
}

// Info holds the results for one model.
type Info struct {
	types      map[*model.Value]*model.Type
	costs      map[*model.Node]Cost
	total      Cost
	groups     map[string]Cost
	unknown    map[*model.Node]bool
	unknownOps int
	groupsUnk  map[string]int
	modules    map[*model.Module]Cost
	peak       int64
	assumed    []string
	panics     int
	firstPanic string
}

// Analyze infers what it can. It never fails: an unknown op gives an
// unknown shape.
func Analyze(m *model.Model, opt Options) *Info {
	in := &Info{
		types:     map[*model.Value]*model.Type{},
		costs:     map[*model.Node]Cost{},
		groups:    map[string]Cost{},
		unknown:   map[*model.Node]bool{},
		groupsUnk: map[string]int{},
		modules:   map[*model.Module]Cost{},
	}
	if m == nil {
		return in
	}
	e := newEngine(m, opt)
	defer e.close()
	for gi, g := range m.Graphs {
		if g == nil {
			continue
		}
		var ov map[string]model.Shape
		if gi == 0 {
			ov = opt.Inputs
		}
		e.runGraph(g, ov)
	}
	in.types = make(map[*model.Value]*model.Type, len(e.vals))
	for v, t := range e.vals {
		if ty := t.toType(); ty != nil {
			in.types[v] = ty
		}
	}
	in.costs = e.costs
	in.unknown = e.unknown
	in.panics, in.firstPanic = e.panics, e.firstPanic

	// Totals, group sums and peak memory over top-level nodes; subgraph
	// and function costs are already inside their owner's cost.
	nodes := 0
	for _, g := range m.Graphs {
		if g == nil {
			continue
		}
		for _, n := range g.Nodes {
			if n == nil {
				continue
			}
			nodes++
			c := e.costs[n]
			in.total = addCost(in.total, c)
			unk := e.unknown[n]
			if unk {
				in.unknownOps++
			}
			for k := 0; k <= len(n.Group); k++ {
				key := joinPath(n.Group[:k])
				in.groups[key] = addCost(in.groups[key], c)
				if unk {
					in.groupsUnk[key]++
				}
			}
		}
		// Weights no node reads still count towards the model's params.
		for _, v := range g.Initializers {
			if v != nil && v.Initializer != nil && !e.seenW[v] {
				e.seenW[v] = true
				if k := v.Initializer.NumElements(); k > 0 {
					in.total.Params = satAdd(in.total.Params, k)
				}
			}
		}
		in.peak = max(in.peak, e.peakOf(g))
	}
	if m.Modules != nil {
		in.moduleCost(m.Modules)
		if nodes == 0 {
			in.total.Params = in.modules[m.Modules].Params
		}
	}
	for p := range e.assume {
		in.assumed = append(in.assumed, p)
	}
	sort.Strings(in.assumed)
	return in
}

// moduleCost sums the element counts of module tensors, recursively.
func (in *Info) moduleCost(mod *model.Module) Cost {
	var c Cost
	for _, v := range mod.Tensors {
		if v != nil && v.Initializer != nil {
			if k := v.Initializer.NumElements(); k > 0 {
				c.Params = satAdd(c.Params, k)
			}
		}
	}
	for _, ch := range mod.Children {
		if ch != nil {
			c = addCost(c, in.moduleCost(ch))
		}
	}
	in.modules[mod] = c
	return c
}

// peakOf walks g's nodes in order: a node's outputs are allocated while
// its inputs are live; a value is freed after its last consumer. Graph
// inputs are live from the start; graph outputs are never freed;
// initializers are params, not activations.
func (e *engine) peakOf(g *model.Graph) int64 {
	last := make(map[*model.Value]int, 2*len(g.Nodes))
	size := func(v *model.Value) int64 {
		t := e.vals[v]
		if t == nil || t.kind != model.TensorType {
			return 0
		}
		n, ok := elems(t.shape, nil)
		if !ok {
			return 0
		}
		return bytesOf(n, t.dtype)
	}
	var mark func(sg *model.Graph, i int, depth int)
	mark = func(sg *model.Graph, i int, depth int) {
		if depth > maxDepth {
			return
		}
		for _, n := range sg.Nodes {
			if n == nil {
				continue
			}
			for _, v := range n.Inputs {
				if r := root(v); r != nil {
					last[r] = i
				}
			}
			for _, s := range n.Subgraphs() {
				mark(s.Graph, i, depth+1)
			}
		}
	}
	for i, n := range g.Nodes {
		if n == nil {
			continue
		}
		for _, v := range n.Inputs {
			if v != nil {
				last[root(v)] = i
			}
		}
		for _, s := range n.Subgraphs() {
			if s.Graph != nil {
				mark(s.Graph, i, 1)
			}
		}
	}
	keep := map[*model.Value]bool{}
	for _, v := range g.Outputs {
		keep[v] = true
	}
	var live, peak int64
	for _, v := range g.Inputs {
		if v != nil && v.Initializer == nil {
			live = satAdd(live, size(v))
		}
	}
	peak = live
	freeAt := make([][]*model.Value, len(g.Nodes))
	for v, i := range last {
		if v.Initializer == nil && !keep[v] && i < len(freeAt) {
			freeAt[i] = append(freeAt[i], v)
		}
	}
	for i, n := range g.Nodes {
		if n == nil {
			continue
		}
		for _, v := range n.Outputs {
			if v != nil {
				live = satAdd(live, size(v))
			}
		}
		peak = max(peak, live)
		for _, v := range freeAt[i] {
			if v.Producer != nil || isInput(g, v) {
				live -= size(v)
			}
		}
		// Outputs nobody reads are dropped at once (unless graph outputs).
		for _, v := range n.Outputs {
			if v != nil && !keep[v] {
				if _, used := last[v]; !used {
					live -= size(v)
				}
			}
		}
	}
	return peak
}

func isInput(g *model.Graph, v *model.Value) bool {
	for _, x := range g.Inputs {
		if x == v {
			return true
		}
	}
	return false
}

// inferredOnly is what inference gave v (nil when nothing), without the
// recorded fallback Type applies. For tests.
func (in *Info) inferredOnly(v *model.Value) *model.Type {
	return in.types[v]
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

// Cost of one node (zero when unknown). The cost of a node holding
// subgraphs (If, Loop, Scan) or calling a function includes the nodes
// inside them, counted once (a loop body is not multiplied by its trip
// count).
func (in *Info) Cost(n *model.Node) Cost {
	if in == nil {
		return Cost{}
	}
	return in.costs[n]
}

// UnknownMACs reports whether n's MACs (as in Cost) are incomplete: n, or
// a node in its subgraphs or function body, is an op that does MACs but
// the shapes it needs are unknown, so Cost counts it as 0.
func (in *Info) UnknownMACs(n *model.Node) bool {
	return in != nil && in.unknown[n]
}

// UnknownMACsOps counts the top-level nodes whose MACs are unknown (see
// UnknownMACs); Total's MACs leave them out.
func (in *Info) UnknownMACsOps() int {
	if in == nil {
		return 0
	}
	return in.unknownOps
}

// GroupUnknownMACs counts the top-level nodes under path (as in
// GroupCost) whose MACs are unknown.
func (in *Info) GroupUnknownMACs(path []string) int {
	if in == nil {
		return 0
	}
	return in.groupsUnk[joinPath(path)]
}

// Total over the model. Params also count initializers no node reads.
func (in *Info) Total() Cost {
	if in == nil {
		return Cost{}
	}
	return in.total
}

// GroupCost sums the costs of every top-level node whose Group starts with
// path (the module and everything inside it). An empty path is the sum
// over all nodes.
func (in *Info) GroupCost(path []string) Cost {
	if in == nil {
		return Cost{}
	}
	return in.groups[joinPath(path)]
}

// ModuleCost is the params held by a module of Model.Modules and all its
// descendants (formats with a module tree and no graph).
func (in *Info) ModuleCost(mod *model.Module) Cost {
	if in == nil {
		return Cost{}
	}
	return in.modules[mod]
}

// PeakActivationBytes estimates peak activation memory: nodes run in file
// (topological) order and each value is freed after its last consumer.
func (in *Info) PeakActivationBytes() int64 {
	if in == nil {
		return 0
	}
	return in.peak
}

// Assumed lists the symbolic dims (sorted) that costs took as 1 because
// nothing fixed them; "" stands for dims with no name. Pass --input to fix
// them.
func (in *Info) Assumed() []string {
	if in == nil {
		return nil
	}
	return in.assumed
}
