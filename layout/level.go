package layout

import (
	"math"
)

// Spacing, in pixels of the top-to-bottom drawing.
const (
	nodeSep  = 20.0 // between boxes of a layer
	edgeSep  = 10.0 // between edge lanes (dummy nodes)
	rankSep  = 24.0 // between layers
	groupPad = 10.0 // inside a group rectangle
	loopW    = 14.0 // how far a self loop sticks out right of its box
	labelGap = 4.0  // between an edge and its label
)

type itemKind uint8

const (
	kindBox itemKind = iota
	kindIn           // port on the top border of the enclosing group
	kindOut          // port on the bottom border
)

// level is one flat graph: the direct children of a group (or of the
// root) plus the ports where edges cross the group's border. Sizes are in
// top-to-bottom coordinates.
type level struct {
	w, h  []float64
	kind  []itemKind
	extra []float64 // room right of an item for its self loops

	from, to       []int32
	srcOff, dstOff []float64 // attach x from the item's left, or -1 for free
	labW, labH     []float64
}

// placed is a level laid out: item top-left corners, one route per level
// edge, label centres, and the bounding size. Never mutated once built,
// so a Cache may share it between calls.
type placed struct {
	x, y   []float64
	routes [][]Point
	labels []Point
	w, h   float64
}

// csr is a compressed adjacency list: the neighbours of v are
// nbr[start[v]:start[v+1]], with the id of the connecting edge in eid.
type csr struct {
	start []int32
	nbr   []int32
	eid   []int32
}

func buildCSR(n int32, from, to []int32, skip func(int32) bool) csr {
	start := make([]int32, n+1)
	cnt := 0
	for e := range from {
		if skip != nil && skip(int32(e)) {
			continue
		}
		start[from[e]+1]++
		cnt++
	}
	for v := int32(0); v < n; v++ {
		start[v+1] += start[v]
	}
	nbr := make([]int32, cnt)
	eid := make([]int32, cnt)
	fill := make([]int32, n)
	copy(fill, start[:n])
	for e := range from {
		if skip != nil && skip(int32(e)) {
			continue
		}
		u := from[e]
		nbr[fill[u]] = to[e]
		eid[fill[u]] = int32(e)
		fill[u]++
	}
	return csr{start, nbr, eid}
}

func (c *csr) of(v int32) []int32 { return c.nbr[c.start[v]:c.start[v+1]] }

// layoutLevel runs the layered algorithm on one level.
func layoutLevel(lv *level) *placed {
	n := int32(len(lv.w))
	m := int32(len(lv.from))
	out := &placed{
		x:      make([]float64, n),
		y:      make([]float64, n),
		routes: make([][]Point, m),
		labels: make([]Point, m),
	}
	if n == 0 {
		return out
	}
	isLoop := func(e int32) bool { return lv.from[e] == lv.to[e] }

	// Orient edges: cycle breaking reverses some of them.
	rev := breakCycles(n, lv.from, lv.to, isLoop)
	uOf := make([]int32, m) // oriented tail
	vOf := make([]int32, m)
	for e := int32(0); e < m; e++ {
		if rev[e] {
			uOf[e], vOf[e] = lv.to[e], lv.from[e]
		} else {
			uOf[e], vOf[e] = lv.from[e], lv.to[e]
		}
	}
	rank := assignLayers(n, uOf, vOf, lv.kind, isLoop)

	g := buildLayered(n, rank, uOf, vOf, isLoop)
	g.portFractions(lv, uOf, vOf, rev)
	g.order(lv)
	xc := g.coords(lv)
	out.place(lv, g, xc, uOf, vOf, rev)
	return out
}

// breakCycles reverses the back edges of a depth-first search that starts
// at sources in index order, so graphs given in topological order keep
// every edge pointing down.
func breakCycles(n int32, from, to []int32, skip func(int32) bool) []bool {
	m := len(from)
	rev := make([]bool, m)
	adj := buildCSR(n, from, to, skip)
	indeg := make([]int32, n)
	for e := range from {
		if !skip(int32(e)) {
			indeg[to[e]]++
		}
	}
	state := make([]uint8, n) // 0 new, 1 on stack, 2 done
	type frame struct{ v, next int32 }
	var stack []frame
	visit := func(s int32) {
		state[s] = 1
		stack = append(stack[:0], frame{s, adj.start[s]})
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == adj.start[f.v+1] {
				state[f.v] = 2
				stack = stack[:len(stack)-1]
				continue
			}
			i := f.next
			f.next++
			w := adj.nbr[i]
			switch state[w] {
			case 0:
				state[w] = 1
				stack = append(stack, frame{w, adj.start[w]})
			case 1:
				rev[adj.eid[i]] = true
			}
		}
	}
	for v := int32(0); v < n; v++ {
		if indeg[v] == 0 && state[v] == 0 {
			visit(v)
		}
	}
	for v := int32(0); v < n; v++ {
		if state[v] == 0 {
			visit(v)
		}
	}
	return rev
}

// assignLayers gives every item a layer so that each oriented edge goes
// down at least one layer: longest path from the sources, then every node
// with more outgoing than incoming edges sinks next to its nearest
// successor (the step that puts a Constant right above its consumer),
// then empty layers are squeezed out. In-ports take layer 0 and out-ports
// the last layer.
func assignLayers(n int32, uOf, vOf []int32, kind []itemKind, skip func(int32) bool) []int32 {
	succ := buildCSR(n, uOf, vOf, skip)
	pred := buildCSR(n, vOf, uOf, skip)
	// Kahn's order; the oriented graph is acyclic.
	indeg := make([]int32, n)
	for v := int32(0); v < n; v++ {
		indeg[v] = pred.start[v+1] - pred.start[v]
	}
	topo := make([]int32, 0, n)
	for v := int32(0); v < n; v++ {
		if indeg[v] == 0 {
			topo = append(topo, v)
		}
	}
	for i := 0; i < len(topo); i++ {
		for _, w := range succ.of(topo[i]) {
			indeg[w]--
			if indeg[w] == 0 {
				topo = append(topo, w)
			}
		}
	}
	rank := make([]int32, n)
	for _, v := range topo {
		for _, w := range succ.of(v) {
			if rank[v]+1 > rank[w] {
				rank[w] = rank[v] + 1
			}
		}
	}
	// A node is floating when everything above it is a tree feeding only
	// it (weights, constants and their casts): the whole tree can sink
	// with it at no cost.
	floating := make([]bool, n)
	for _, v := range topo {
		f := true
		for _, u := range pred.of(v) {
			if !floating[u] || succ.start[u+1]-succ.start[u] != 1 {
				f = false
				break
			}
		}
		floating[v] = f
	}
	for i := len(topo) - 1; i >= 0; i-- {
		v := topo[i]
		if kind[v] != kindBox {
			continue
		}
		nout := succ.start[v+1] - succ.start[v]
		nin := pred.start[v+1] - pred.start[v]
		if nout == 0 || (nout <= nin && !floating[v]) {
			continue
		}
		lo := int32(math.MaxInt32)
		for _, w := range succ.of(v) {
			lo = min(lo, rank[w])
		}
		if lo-1 > rank[v] {
			rank[v] = lo - 1
		}
	}
	// Squeeze out layers holding no box.
	var maxR int32
	for v := int32(0); v < n; v++ {
		if kind[v] == kindBox {
			maxR = max(maxR, rank[v])
		}
	}
	used := make([]int32, maxR+2)
	for v := int32(0); v < n; v++ {
		if kind[v] == kindBox {
			used[rank[v]] = 1
		}
	}
	hasIn, hasOut := false, false
	for v := int32(0); v < n; v++ {
		hasIn = hasIn || kind[v] == kindIn
		hasOut = hasOut || kind[v] == kindOut
	}
	next := int32(0)
	if hasIn {
		next = 1
	}
	for r := range used {
		if used[r] == 1 {
			used[r] = next
			next++
		} else {
			used[r] = -1
		}
	}
	last := next
	if !hasOut {
		last = next - 1
	}
	for v := int32(0); v < n; v++ {
		switch kind[v] {
		case kindIn:
			rank[v] = 0
		case kindOut:
			rank[v] = last
		default:
			rank[v] = used[rank[v]]
		}
	}
	return rank
}

// layered is the proper layered graph: items plus dummy nodes, edges only
// between adjacent layers.
type layered struct {
	nItems int32
	rank   []int32
	layers [][]int32
	pos    []int32
	up     csr // predecessors in the layer above
	down   csr // successors in the layer below
	// chain of dummies of each level edge: dummies[chainAt[e]:chainAt[e+1]];
	// an edge with span > 1 and no chain (work bound hit) is drawn straight.
	chainAt []int32
	dummies []int32
	direct  []bool  // level edge has no layered edges (loop or bound hit)
	segAt   []int32 // first layered edge of each level edge
	// Where a layered edge attaches to a child group's port, the port's
	// offset from the group's centre as a fraction of its width, at the
	// upper and at the lower end; nil when the level has no ports. The
	// sweeps use it so sources line up with the ports they feed.
	fracUp, fracDown []float64
}

// maxDummies bounds the dummy nodes of one level: hostile graphs with
// many long edges would otherwise need quadratic memory.
func maxDummies(n, m int32) int64 {
	return min(int64(n+m)*4+100_000, 4_000_000)
}

func buildLayered(n int32, rank, uOf, vOf []int32, skip func(int32) bool) *layered {
	m := int32(len(uOf))
	g := &layered{nItems: n, chainAt: make([]int32, m+1), direct: make([]bool, m), segAt: make([]int32, m)}
	budget := maxDummies(n, m)
	var total int64
	for e := int32(0); e < m; e++ {
		g.chainAt[e] = int32(total)
		if skip(e) {
			g.direct[e] = true
			continue
		}
		span := int64(rank[vOf[e]] - rank[uOf[e]] - 1)
		if total+span > budget {
			g.direct[e] = true
			continue
		}
		total += span
	}
	g.chainAt[m] = int32(total)
	nn := n + int32(total)
	g.rank = make([]int32, nn)
	copy(g.rank, rank)
	g.dummies = make([]int32, total)
	var lf, lt []int32
	lf = make([]int32, 0, int(m)+int(total))
	lt = make([]int32, 0, int(m)+int(total))
	d := n
	for e := int32(0); e < m; e++ {
		g.segAt[e] = int32(len(lf))
		if g.direct[e] {
			continue
		}
		prev := uOf[e]
		for i := g.chainAt[e]; i < g.chainAt[e+1]; i++ {
			g.dummies[i] = d
			g.rank[d] = g.rank[prev] + 1
			lf = append(lf, prev)
			lt = append(lt, d)
			prev = d
			d++
		}
		lf = append(lf, prev)
		lt = append(lt, vOf[e])
	}
	g.down = buildCSR(nn, lf, lt, nil)
	g.up = buildCSR(nn, lt, lf, nil)
	var nl int32
	for _, r := range g.rank {
		nl = max(nl, r+1)
	}
	g.layers = make([][]int32, nl)
	g.pos = make([]int32, nn)
	return g
}

func (g *layered) isDummy(v int32) bool { return v >= g.nItems }

// width of a layered node as seen by the separation rules.
func (g *layered) width(lv *level, v int32) float64 {
	if g.isDummy(v) {
		return 0
	}
	return lv.w[v] + lv.extra[v]
}

func (g *layered) portFractions(lv *level, uOf, vOf []int32, rev []bool) {
	for e := range lv.from {
		if g.direct[e] || lv.srcOff[e] < 0 && lv.dstOff[e] < 0 {
			continue
		}
		if g.fracUp == nil {
			g.fracUp = make([]float64, len(g.up.nbr))
			g.fracDown = make([]float64, len(g.up.nbr))
		}
		offU, offV := lv.srcOff[e], lv.dstOff[e]
		if rev[e] {
			offU, offV = offV, offU
		}
		first := g.segAt[e]
		last := first + g.chainAt[e+1] - g.chainAt[e]
		if u := uOf[e]; offU >= 0 && lv.w[u] > 0 {
			g.fracUp[first] = min(max(offU/lv.w[u]-0.5, -0.49), 0.49)
		}
		if v := vOf[e]; offV >= 0 && lv.w[v] > 0 {
			g.fracDown[last] = min(max(offV/lv.w[v]-0.5, -0.49), 0.49)
		}
	}
}
