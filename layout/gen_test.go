package layout

import (
	"fmt"
	"math/rand/v2"
)

// randomGraph makes a graph with n nodes and about m edges. With cyclic,
// edges may point anywhere (cycles, self loops, duplicates); otherwise
// they point from lower to higher index. With groups > 0 it adds a random
// group tree and puts nodes into it.
func randomGraph(r *rand.Rand, n, m, groups int, cyclic bool, labels bool) *Input {
	in := &Input{}
	for g := 0; g < groups; g++ {
		p := int32(-1)
		if g > 0 && r.IntN(3) > 0 {
			p = int32(r.IntN(g))
		}
		in.Groups = append(in.Groups, Group{Parent: p, LabelH: float64(r.IntN(3) * 10), LabelW: float64(r.IntN(120))})
	}
	for i := 0; i < n; i++ {
		gr := int32(-1)
		if groups > 0 && r.IntN(4) > 0 {
			gr = int32(r.IntN(groups))
		}
		in.Nodes = append(in.Nodes, Node{W: float64(20 + r.IntN(160)), H: float64(10 + r.IntN(50)), Group: gr})
	}
	if n == 0 {
		return in
	}
	for k := 0; k < m; k++ {
		a, b := int32(r.IntN(n)), int32(r.IntN(n))
		if !cyclic {
			if a == b {
				continue
			}
			if a > b {
				a, b = b, a
			}
		}
		e := Edge{From: a, To: b}
		if labels && r.IntN(2) == 0 {
			e.LabelW, e.LabelH = float64(r.IntN(80)), float64(r.IntN(20))
		}
		in.Edges = append(in.Edges, e)
	}
	return in
}

// network makes a deep-learning-like graph of about n nodes: a main path
// of residual blocks, each with a normalisation chain, a three-way
// attention-like branch, and constants feeding operators. blocksPerGroup
// > 0 puts each run of that many blocks into a group, with a subgroup
// per branch.
func network(n int, blocksPerGroup int) *Input {
	in := &Input{}
	// Widths vary a little by block so that groups differ (as the names
	// in real boxes do) and the per-call reuse of identical groups does
	// not flatter the benchmarks.
	block := 0
	node := func(g int32, w float64) int32 {
		w += float64(block%1000) * 0.05
		in.Nodes = append(in.Nodes, Node{W: w, H: 40, Group: g, Key: fmt.Sprint(len(in.Nodes))})
		return int32(len(in.Nodes) - 1)
	}
	edge := func(a, b int32) { in.Edges = append(in.Edges, Edge{From: a, To: b, LabelW: 70, LabelH: 14}) }
	group := func(p int32, h float64) int32 {
		in.Groups = append(in.Groups, Group{Parent: p, LabelH: h, LabelW: 80, Key: fmt.Sprint("g", len(in.Groups))})
		return int32(len(in.Groups) - 1)
	}
	cur := node(-1, 90)
	outer := int32(-1)
	for b := 0; len(in.Nodes) < n; b++ {
		block = b
		if blocksPerGroup > 0 && b%blocksPerGroup == 0 {
			outer = group(-1, 24)
		}
		g := outer
		norm := g
		if blocksPerGroup > 0 {
			norm = group(outer, 20)
		}
		x := cur
		for i := 0; i < 4; i++ { // layer norm
			y := node(norm, 110)
			edge(x, y)
			if i == 1 {
				edge(cur, y)
			}
			if i%2 == 0 {
				c := node(norm, 90)
				edge(c, y)
			}
			x = y
		}
		att := g
		if blocksPerGroup > 0 {
			att = group(outer, 20)
		}
		var heads [3]int32
		for h := 0; h < 3; h++ {
			y := x
			for i := 0; i < 3; i++ {
				z := node(att, 120)
				edge(y, z)
				if i == 0 {
					c := node(att, 90)
					edge(c, z)
				}
				y = z
			}
			heads[h] = y
		}
		m1 := node(att, 100)
		edge(heads[0], m1)
		edge(heads[1], m1)
		m2 := node(att, 100)
		edge(m1, m2)
		edge(heads[2], m2)
		add := node(g, 80)
		edge(m2, add)
		edge(cur, add)
		cur = add
	}
	return in
}

// collapse returns a copy of in with group g drawn as one box: its nodes
// and subgroups are removed and edges to them go to the box.
func collapse(in *Input, g int32) *Input {
	inside := func(gr int32) bool {
		for ; gr >= 0; gr = in.Groups[gr].Parent {
			if gr == g {
				return true
			}
		}
		return false
	}
	out := &Input{Dir: in.Dir}
	gmap := make([]int32, len(in.Groups))
	for i, gr := range in.Groups {
		if inside(int32(i)) {
			gmap[i] = -2
			continue
		}
		gmap[i] = int32(len(out.Groups))
		out.Groups = append(out.Groups, gr)
	}
	for i := range out.Groups {
		if p := out.Groups[i].Parent; p >= 0 {
			out.Groups[i].Parent = gmap[p]
		}
	}
	nmap := make([]int32, len(in.Nodes))
	box := int32(-1)
	for i, nd := range in.Nodes {
		if inside(nd.Group) {
			if box < 0 {
				box = int32(len(out.Nodes))
				par := in.Groups[g].Parent
				if par >= 0 {
					par = gmap[par]
				}
				out.Nodes = append(out.Nodes, Node{W: 140, H: 48, Group: par, Key: in.Groups[g].Key})
			}
			nmap[i] = box
			continue
		}
		if nd.Group >= 0 {
			nd.Group = gmap[nd.Group]
		}
		nmap[i] = int32(len(out.Nodes))
		out.Nodes = append(out.Nodes, nd)
	}
	for _, e := range in.Edges {
		a, b := nmap[e.From], nmap[e.To]
		if a == b && a == box {
			continue
		}
		e.From, e.To = a, b
		out.Edges = append(out.Edges, e)
	}
	return out
}
