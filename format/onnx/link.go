package onnx

import (
	"github.com/modelviz/modelviz/model"
)

// scope maps names to the values of one graph; parent is the enclosing
// graph's scope (nil for main graphs and function bodies).
type scope struct {
	p      *parser
	g      *model.Graph
	names  map[string]*model.Value
	parent *scope
}

type funcKey struct{ domain, name, overload string }

// link turns names into values for the main graph and function bodies.
func (p *parser) link(main *graphRaw, funcs []*funcRaw) {
	byKey := map[funcKey]*model.Function{}
	for _, fr := range funcs {
		byKey[funcKey{fr.f.Domain, fr.f.Name, fr.f.Overload}] = fr.f
	}
	p.linkGraph(main, nil, byKey)
	for _, fr := range funcs {
		p.linkGraph(fr.body, nil, byKey)
	}
}

func (s *scope) define(name string) *model.Value {
	if v := s.names[name]; v != nil {
		return v
	}
	s.p.spend(160) // checked by the linking loop and after linking
	v := s.p.newValue()
	v.ID, v.Name = int32(len(s.g.Values)), name
	s.g.Values = append(s.g.Values, v)
	s.names[name] = v
	return v
}

// lookup finds name here or captures it from an enclosing scope; each
// graph in between gets its own value whose Outer is the parent's value.
func (s *scope) lookup(name string) *model.Value {
	if v := s.names[name]; v != nil {
		return v
	}
	if s.parent == nil {
		return nil
	}
	pv := s.parent.lookup(name)
	if pv == nil {
		return nil
	}
	v := s.define(name)
	v.Outer, v.Type = pv, pv.Type
	return v
}

func (p *parser) linkGraph(gr *graphRaw, parent *scope, funcs map[funcKey]*model.Function) {
	g := gr.g
	s := &scope{p: p, g: g, names: make(map[string]*model.Value, len(gr.inputs)+len(gr.inits)+len(gr.nodes)), parent: parent}
	isInput := make(map[*model.Value]bool, len(gr.inputs))
	inputs := make(map[*model.Value]bool, len(gr.inputs))
	gname := g.Name
	for _, vi := range gr.inputs {
		if s.names[vi.name] != nil {
			p.warn("graph %q lists input %q twice", gname, vi.name)
		}
		v := s.define(vi.name)
		v.Type, v.Doc = vi.typ, vi.doc
		isInput[v], inputs[v] = true, true
	}
	for _, t := range gr.inits {
		v := s.define(t.Name)
		if v.Initializer != nil {
			p.warn("graph %q has two initializers named %q", gname, t.Name)
			continue
		}
		v.Initializer = t
		g.Initializers = append(g.Initializers, v)
	}
	// Older exporters list initializers as inputs too; those are weights.
	for _, vi := range gr.inputs {
		// isInput doubles as "not listed yet", so a repeated name counts once.
		if v := s.names[vi.name]; v.Initializer == nil && isInput[v] {
			g.Inputs = append(g.Inputs, v)
			isInput[v] = false
		}
	}
	// Define every node output first, so subgraphs and out-of-order nodes
	// see all of this graph's names.
	for i := range gr.nodes {
		nr := &gr.nodes[i]
		n := nr.n
		n.ID = int32(i)
		g.Nodes = append(g.Nodes, n)
		n.Function = funcs[funcKey{n.Domain, n.Op, n.Overload}]
		start := len(p.vals)
		for _, name := range nr.outputs {
			if name == "" {
				p.vals = append(p.vals, nil)
				continue
			}
			v := s.define(name)
			switch {
			case v.Producer != nil:
				p.warn("value %q is produced by both node %q and node %q", name, v.Producer.Name, n.Name)
			case v.Initializer != nil || inputs[v]:
				p.warn("node %q overwrites graph input or initializer %q", n.Name, name)
			default:
				v.Producer = n
			}
			p.vals = append(p.vals, v)
		}
		n.Outputs = p.vals[start:len(p.vals):len(p.vals)]
	}
	for _, vi := range gr.valueInfo {
		if v := s.names[vi.name]; v != nil && v.Type == nil {
			v.Type = vi.typ
		}
	}
	for i := range gr.nodes {
		if p.spent > maxStructBytes {
			return // values captured from outer scopes went over the budget
		}
		nr := &gr.nodes[i]
		n := nr.n
		start := len(p.vals)
		for _, name := range nr.inputs {
			if name == "" {
				p.vals = append(p.vals, nil)
				continue
			}
			v := s.lookup(name)
			if v == nil {
				v = s.define(name)
				v.Missing = true
				p.warn("node %q reads %q, which nothing produces", n.Name, name)
			}
			p.vals = append(p.vals, v)
		}
		n.Inputs = p.vals[start:len(p.vals):len(p.vals)]
		for _, sub := range nr.subs {
			sub.g.Parent, sub.g.Owner = g, n
			p.linkGraph(sub, s, funcs)
		}
	}
	p.linkConsumers(g)
	for _, vi := range gr.outputs {
		v := s.lookup(vi.name)
		if v == nil {
			v = s.define(vi.name)
			v.Missing = true
			p.warn("graph %q output %q is produced by nothing", gname, vi.name)
		}
		if vi.typ != nil {
			if v.Outer == nil {
				v.Type = vi.typ
			}
		}
		if v.Doc == "" {
			v.Doc = vi.doc
		}
		g.Outputs = append(g.Outputs, v)
	}
	if cyc := findCycle(g); cyc != nil {
		p.warn("graph %q has a cycle through node %q", gname, cyc.Name)
	}
}

// linkConsumers fills Value.Consumers from node inputs, a node reading a
// value twice listed once, all from one allocation per graph.
func (p *parser) linkConsumers(g *model.Graph) {
	count := make([]int32, len(g.Values))
	last := make([]int32, len(g.Values)) // ID+1 of the last node counted
	total := 0
	for _, n := range g.Nodes {
		for _, v := range n.Inputs {
			if v != nil && last[v.ID] != n.ID+1 {
				last[v.ID] = n.ID + 1
				count[v.ID]++
				total++
			}
		}
	}
	slab := make([]*model.Node, total)
	at := 0
	for i, v := range g.Values {
		c := int(count[i])
		v.Consumers = slab[at : at : at+c]
		at += c
	}
	for _, n := range g.Nodes {
		for _, v := range n.Inputs {
			if v != nil && (len(v.Consumers) == 0 || v.Consumers[len(v.Consumers)-1] != n) {
				v.Consumers = append(v.Consumers, n)
			}
		}
	}
	for _, v := range g.Values {
		if len(v.Consumers) == 0 {
			v.Consumers = nil
		}
	}
}

// findCycle returns a node on a cycle, or nil. Kahn's algorithm over
// distinct (value, consumer) edges, linear in the graph's size: nodes
// never freed are on a cycle or downstream of one.
func findCycle(g *model.Graph) *model.Node {
	indeg := make([]int32, len(g.Nodes))
	stamp := make([]int32, len(g.Values)) // node ID+1 that last counted the value
	for _, n := range g.Nodes {
		for _, v := range n.Inputs {
			if v != nil && v.Producer != nil && stamp[v.ID] != n.ID+1 {
				stamp[v.ID] = n.ID + 1
				indeg[n.ID]++
			}
		}
	}
	queue := make([]int32, 0, len(g.Nodes))
	for i, d := range indeg {
		if d == 0 {
			queue = append(queue, int32(i))
		}
	}
	done := 0
	for len(queue) > 0 {
		n := g.Nodes[queue[0]]
		queue = queue[1:]
		done++
		for _, v := range n.Outputs {
			if v == nil || v.Producer != n {
				continue
			}
			// Consumers lists each node once, matching the distinct count.
			for _, c := range v.Consumers {
				if indeg[c.ID]--; indeg[c.ID] == 0 {
					queue = append(queue, c.ID)
				}
			}
		}
	}
	if done == len(g.Nodes) {
		return nil
	}
	// Walk producers among the left-over nodes until one repeats: that
	// node is on a cycle.
	seen := make([]bool, len(g.Nodes))
	for i, d := range indeg {
		if d <= 0 {
			continue
		}
		n := g.Nodes[i]
		for !seen[n.ID] {
			seen[n.ID] = true
			var next *model.Node
			for _, v := range n.Inputs {
				if v != nil && v.Producer != nil && indeg[v.Producer.ID] > 0 {
					next = v.Producer
					break
				}
			}
			if next == nil {
				break
			}
			n = next
		}
		return n
	}
	return nil
}
