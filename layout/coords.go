package layout

import (
	"cmp"
	"math"
	"slices"
)

// coords assigns x centres with Brandes and Köpf: four alignments of nodes
// with their median neighbours (up/down, left/right) compacted into blocks,
// then balanced. Long edges and the main chain of a network become
// straight vertical lines.
func (g *layered) coords(lv *level) []float64 {
	nn := int32(len(g.rank))
	width := make([]float64, nn)
	half := make([]float64, nn) // half the gap wanted beside the node
	for v := int32(0); v < nn; v++ {
		width[v] = g.width(lv, v)
		if g.isDummy(v) || lv.kind[v] != kindBox {
			half[v] = edgeSep / 2
		} else {
			half[v] = nodeSep / 2
		}
	}
	sep := func(a, b int32) float64 { return (width[a]+width[b])/2 + half[a] + half[b] }
	conflict := g.type1Conflicts()
	// prio: longest path into a node plus longest path out of it, so the
	// main path of a network has the highest.
	prio := make([]int32, nn)
	down := make([]int32, nn)
	for _, layer := range g.layers {
		for _, v := range layer {
			for _, u := range g.up.of(v) {
				prio[v] = max(prio[v], prio[u]+1)
			}
		}
	}
	for l := len(g.layers) - 1; l >= 0; l-- {
		for _, v := range g.layers[l] {
			for _, w := range g.down.of(v) {
				down[v] = max(down[v], down[w]+1)
			}
		}
	}
	for v := range prio {
		prio[v] += down[v]
	}

	var xs [4][]float64
	root := make([]int32, nn)
	align := make([]int32, nn)
	b := &blocks{}
	for k := 0; k < 4; k++ {
		up, right := k < 2, k%2 == 1
		g.align(up, right, conflict, prio, root, align)
		xs[k] = b.compact(g, root, right, sep)
	}

	// Align the four to the narrowest, then take the mean of the medians.
	lo, hi := make([]float64, 4), make([]float64, 4)
	bestK, bestW := 0, math.Inf(1)
	for k := 0; k < 4; k++ {
		lo[k], hi[k] = math.Inf(1), math.Inf(-1)
		for v := int32(0); v < nn; v++ {
			lo[k] = min(lo[k], xs[k][v]-width[v]/2)
			hi[k] = max(hi[k], xs[k][v]+width[v]/2)
		}
		if w := hi[k] - lo[k]; w < bestW {
			bestK, bestW = k, w
		}
	}
	for k := 0; k < 4; k++ {
		d := lo[bestK] - lo[k]
		if k%2 == 1 {
			d = hi[bestK] - hi[k]
		}
		for v := range xs[k] {
			xs[k][v] += d
		}
	}
	// Alignments far wider than the narrowest have drifted sideways
	// (long runs of blocks each pushed a little further), so they are
	// left out of the balance.
	use := make([]int, 0, 4)
	for k := 0; k < 4; k++ {
		if hi[k]-lo[k] <= 2*bestW {
			use = append(use, k)
		}
	}
	x := make([]float64, nn)
	var four [4]float64
	for v := int32(0); v < nn; v++ {
		c := four[:len(use)]
		for i, k := range use {
			c[i] = xs[k][v]
		}
		slices.Sort(c)
		x[v] = (c[(len(c)-1)/2] + c[len(c)/2]) / 2
	}
	// Balancing can bring neighbours closer than their separation.
	for _, layer := range g.layers {
		for i := 1; i < len(layer); i++ {
			a, c := layer[i-1], layer[i]
			x[c] = max(x[c], x[a]+sep(a, c))
		}
	}
	g.straighten(x, prio, sep)
	return x
}

// straighten removes the small bends balancing leaves in chains: a node
// moves onto its main neighbour's x (the one on the longest path, when it
// is that neighbour's main neighbour too) if its layer has room. Passes go
// down then up so a straightened link pulls the next one.
func (g *layered) straighten(x []float64, prio []int32, sep func(a, c int32) float64) {
	// Main neighbour above and below each node, found once: degrees can
	// be huge (a star), so never per visit.
	nn := int32(len(x))
	mainOf := func(adj *csr) []int32 {
		m := make([]int32, nn)
		for v := int32(0); v < nn; v++ {
			best := int32(-1)
			for _, u := range adj.of(v) {
				if best < 0 || prio[u] > prio[best] {
					best = u
				}
			}
			m[v] = best
		}
		return m
	}
	mainUp, mainDown := mainOf(&g.up), mainOf(&g.down)
	L := len(g.layers)
	for pass := 0; pass < 4; pass++ {
		down := pass%2 == 0
		toward, back := mainUp, mainDown
		if !down {
			toward, back = mainDown, mainUp
		}
		for k := 0; k < L; k++ {
			l := k
			if !down {
				l = L - 1 - k
			}
			layer := g.layers[l]
			for i, v := range layer {
				u := toward[v]
				if u < 0 || back[u] != v || x[u] == x[v] {
					continue
				}
				t := x[u]
				if i > 0 && t < x[layer[i-1]]+sep(layer[i-1], v) {
					continue
				}
				if i+1 < len(layer) && t > x[layer[i+1]]-sep(v, layer[i+1]) {
					continue
				}
				x[v] = t
			}
		}
	}
}

// type1Conflicts marks layered edges that cross an inner segment (between
// two dummies), so alignment prefers keeping long edges straight.
func (g *layered) type1Conflicts() []bool {
	conflict := make([]bool, len(g.up.nbr))
	for l := 1; l < len(g.layers); l++ {
		layer := g.layers[l]
		prevLen := int32(len(g.layers[l-1]))
		k0, scan := int32(0), 0
		for i, v := range layer {
			k1 := int32(-1)
			if g.isDummy(v) {
				if ps := g.up.of(v); len(ps) == 1 && g.isDummy(ps[0]) {
					k1 = g.pos[ps[0]]
				}
			}
			if k1 < 0 && i != len(layer)-1 {
				continue
			}
			if k1 < 0 {
				k1 = prevLen
			}
			for _, s := range layer[scan : i+1] {
				for j := g.up.start[s]; j < g.up.start[s+1]; j++ {
					u := g.up.nbr[j]
					p := g.pos[u]
					if (p < k0 || p > k1) && !(g.isDummy(u) && g.isDummy(s)) {
						conflict[g.up.eid[j]] = true
					}
				}
			}
			scan = i + 1
			k0 = k1
		}
	}
	return conflict
}

// align fills root and align (blocks as cyclic lists) for one of the four
// directions: up uses predecessors sweeping down, right mirrors the order.
func (g *layered) align(up, right bool, conflict []bool, prio []int32, root, align []int32) {
	for v := range root {
		root[v] = int32(v)
		align[v] = int32(v)
	}
	L := len(g.layers)
	adj := &g.down
	if up {
		adj = &g.up
	}
	var cand []int32
	for k := 1; k < L; k++ {
		l, nl := k, k-1
		if !up {
			l, nl = L-1-k, L-k
		}
		layer := g.layers[l]
		nlen := int32(len(g.layers[nl]))
		mpos := func(w int32) int32 {
			if right {
				return nlen - 1 - g.pos[w]
			}
			return g.pos[w]
		}
		r := int32(-1)
		for k2 := range layer {
			v := layer[k2]
			if right {
				v = layer[len(layer)-1-k2]
			}
			lo, hi := adj.start[v], adj.start[v+1]
			d := hi - lo
			if d == 0 {
				continue
			}
			cand = cand[:0]
			for i := lo; i < hi; i++ {
				cand = append(cand, i)
			}
			slices.SortFunc(cand, func(a, b int32) int {
				return cmp.Or(cmp.Compare(mpos(adj.nbr[a]), mpos(adj.nbr[b])), cmp.Compare(a, b))
			})
			// Of two medians, align first with the one on the longer path
			// into it, so side inputs (constants, weights) do not bend
			// the main path.
			m0, m1 := (d-1)/2, d/2
			if m0 != m1 && prio[adj.nbr[cand[m1]]] > prio[adj.nbr[cand[m0]]] {
				m0, m1 = m1, m0
			}
			for _, mi := range [2]int32{m0, m1} {
				i := cand[mi]
				w := adj.nbr[i]
				if align[v] == v && r < mpos(w) && !conflict[adj.eid[i]] {
					align[w] = v
					root[v] = root[w]
					align[v] = root[v]
					r = mpos(w)
				}
			}
		}
	}
}

type blocks struct {
	start, nbr, indeg, topo []int32
	wt                      []float64
}

// compact places blocks as far left as their separations allow, then
// pulls each right towards its right neighbour, as in dagre.
func (b *blocks) compact(g *layered, root []int32, right bool, sep func(a, c int32) float64) []float64 {
	nn := int32(len(root))
	b.start = append(b.start[:0], make([]int32, nn+1)...)
	b.indeg = append(b.indeg[:0], make([]int32, nn)...)
	each := func(f func(a, c int32)) {
		for _, layer := range g.layers {
			for i := 1; i < len(layer); i++ {
				a, c := layer[i-1], layer[i]
				if right {
					a, c = layer[len(layer)-i], layer[len(layer)-1-i]
				}
				f(a, c)
			}
		}
	}
	each(func(a, c int32) { b.start[root[a]+1]++ })
	for v := int32(0); v < nn; v++ {
		b.start[v+1] += b.start[v]
	}
	m := b.start[nn]
	b.nbr = append(b.nbr[:0], make([]int32, m)...)
	b.wt = append(b.wt[:0], make([]float64, m)...)
	fill := slices.Clone(b.start[:nn])
	each(func(a, c int32) {
		ra := root[a]
		b.nbr[fill[ra]] = root[c]
		b.wt[fill[ra]] = sep(a, c)
		fill[ra]++
		b.indeg[root[c]]++
	})
	b.topo = b.topo[:0]
	for v := int32(0); v < nn; v++ {
		if root[v] == v && b.indeg[v] == 0 {
			b.topo = append(b.topo, v)
		}
	}
	for i := 0; i < len(b.topo); i++ {
		r := b.topo[i]
		for j := b.start[r]; j < b.start[r+1]; j++ {
			w := b.nbr[j]
			b.indeg[w]--
			if b.indeg[w] == 0 {
				b.topo = append(b.topo, w)
			}
		}
	}
	// A cycle among blocks cannot arise from a valid alignment; should one
	// appear, its blocks are placed anyway and the caller's separation pass
	// removes any overlap.
	for v := int32(0); v < nn; v++ {
		if root[v] == v && b.indeg[v] > 0 {
			b.topo = append(b.topo, v)
			b.indeg[v] = 0
		}
	}
	xs := make([]float64, nn)
	for _, r := range b.topo {
		for j := b.start[r]; j < b.start[r+1]; j++ {
			w := b.nbr[j]
			xs[w] = max(xs[w], xs[r]+b.wt[j])
		}
	}
	for i := len(b.topo) - 1; i >= 0; i-- {
		r := b.topo[i]
		if b.start[r] == b.start[r+1] {
			continue
		}
		lim := math.Inf(1)
		for j := b.start[r]; j < b.start[r+1]; j++ {
			lim = min(lim, xs[b.nbr[j]]-b.wt[j])
		}
		xs[r] = max(xs[r], lim)
	}
	x := make([]float64, nn)
	for v := int32(0); v < nn; v++ {
		x[v] = xs[root[v]]
		if right {
			x[v] = -x[v]
		}
	}
	return x
}
