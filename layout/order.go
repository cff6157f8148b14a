package layout

import (
	"cmp"
	"slices"
)

// Crossing reduction works in sweeps; each costs about nodes+edges, and
// the whole phase stays within this many units of work.
const (
	orderWork    = 40_000_000
	maxSweeps    = 24
	maxStale     = 4 // sweeps without improvement before stopping
	transposeCap = 4096
)

// order sets layers and pos: a depth-first initial order (it keeps the
// chains of a network together), then alternating barycenter sweeps with
// adjacent transpositions, keeping the best order seen.
func (g *layered) order(lv *level) {
	nn := int32(len(g.rank))
	seen := make([]bool, nn)
	var stack []int32
	add := func(v int32) {
		seen[v] = true
		g.pos[v] = int32(len(g.layers[g.rank[v]]))
		g.layers[g.rank[v]] = append(g.layers[g.rank[v]], v)
	}
	dfs := func(s int32) {
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[v] {
				continue
			}
			add(v)
			ws := g.down.of(v)
			for i := len(ws) - 1; i >= 0; i-- {
				if !seen[ws[i]] {
					stack = append(stack, ws[i])
				}
			}
		}
	}
	// Start from items in rank order so that upper layers are seeded first.
	starts := make([]int32, 0, g.nItems)
	for v := int32(0); v < g.nItems; v++ {
		if g.up.start[v+1] == g.up.start[v] {
			starts = append(starts, v)
		}
	}
	slices.SortStableFunc(starts, func(a, b int32) int { return cmp.Compare(g.rank[a], g.rank[b]) })
	for _, s := range starts {
		dfs(s)
	}
	for v := int32(0); v < nn; v++ {
		if !seen[v] {
			dfs(v)
		}
	}
	if len(g.layers) < 2 {
		return
	}

	edges := int64(len(g.down.nbr))
	sweeps := maxSweeps
	if per := int64(nn) + 2*edges; per > 0 {
		sweeps = int(min(int64(maxSweeps), orderWork/per))
	}
	best := g.crossings()
	if best == 0 || sweeps == 0 {
		return
	}
	bestPos := slices.Clone(g.pos)
	s := newSweeper(g)
	stale := 0
	for it := 0; it < sweeps && stale < maxStale; it++ {
		down := it%2 == 0
		s.sweep(down)
		s.transpose()
		c := g.crossings()
		if c < best {
			best = c
			copy(bestPos, g.pos)
			stale = 0
			if c == 0 {
				break
			}
		} else {
			stale++
		}
	}
	copy(g.pos, bestPos)
	var tmp []int32
	for _, layer := range g.layers {
		tmp = append(tmp[:0], layer...)
		for _, v := range tmp {
			layer[g.pos[v]] = v
		}
	}
}

type baryItem struct {
	b float64
	v int32
}

type sweeper struct {
	g     *layered
	items []baryItem
	fixed []bool
	buf   []int32
}

func newSweeper(g *layered) *sweeper { return &sweeper{g: g} }

// sweep reorders each layer by the mean position of its neighbours in the
// previous layer of the sweep. Nodes without such neighbours keep their
// slot.
func (s *sweeper) sweep(down bool) {
	g := s.g
	L := len(g.layers)
	for k := 1; k < L; k++ {
		l := k
		adj := &g.up
		if !down {
			l = L - 1 - k
			adj = &g.down
		}
		layer := g.layers[l]
		s.items = s.items[:0]
		s.fixed = append(s.fixed[:0], make([]bool, len(layer))...)
		for i, v := range layer {
			ns := adj.of(v)
			if len(ns) == 0 {
				s.fixed[i] = true
				continue
			}
			var sum float64
			for _, u := range ns {
				sum += float64(g.pos[u])
			}
			s.items = append(s.items, baryItem{sum / float64(len(ns)), v})
		}
		slices.SortStableFunc(s.items, func(a, b baryItem) int { return cmp.Compare(a.b, b.b) })
		j := 0
		s.buf = append(s.buf[:0], layer...)
		for i := range layer {
			if s.fixed[i] {
				layer[i] = s.buf[i]
				continue
			}
			layer[i] = s.items[j].v
			j++
		}
		for i, v := range layer {
			g.pos[v] = int32(i)
		}
	}
}

// pairCross counts crossings between the edges of u and of v towards one
// neighbour layer if u is left of v; -1 when too costly to count.
func (g *layered) pairCross(adj *csr, u, v int32) int {
	nu, nv := adj.of(u), adj.of(v)
	if len(nu)*len(nv) > transposeCap {
		return -1
	}
	c := 0
	for _, a := range nu {
		pa := g.pos[a]
		for _, b := range nv {
			if pa > g.pos[b] {
				c++
			}
		}
	}
	return c
}

// transpose swaps neighbours in a layer while that removes crossings.
func (s *sweeper) transpose() {
	g := s.g
	for pass := 0; pass < 4; pass++ {
		improved := false
		for _, layer := range g.layers {
			for i := 0; i+1 < len(layer); i++ {
				u, v := layer[i], layer[i+1]
				a1, a2 := g.pairCross(&g.up, u, v), g.pairCross(&g.up, v, u)
				b1, b2 := g.pairCross(&g.down, u, v), g.pairCross(&g.down, v, u)
				if a1 < 0 || a2 < 0 || b1 < 0 || b2 < 0 {
					continue
				}
				if a2+b2 < a1+b1 {
					layer[i], layer[i+1] = v, u
					g.pos[u], g.pos[v] = int32(i+1), int32(i)
					improved = true
				}
			}
		}
		if !improved {
			return
		}
	}
}

// crossings counts edge crossings between all adjacent layers with an
// accumulator tree (Barth, Jünger, Mutzel).
func (g *layered) crossings() int64 {
	var total int64
	var tree []int64
	var ps []int32
	for l := 0; l+1 < len(g.layers); l++ {
		south := len(g.layers[l+1])
		first := 1
		for first < south {
			first <<= 1
		}
		size := 2*first - 1
		first--
		if cap(tree) < size {
			tree = make([]int64, size)
		}
		tree = tree[:size]
		clear(tree)
		for _, u := range g.layers[l] {
			ps = ps[:0]
			for _, w := range g.down.of(u) {
				ps = append(ps, g.pos[w])
			}
			slices.Sort(ps)
			for _, p := range ps {
				i := int(p) + first
				tree[i]++
				for i > 0 {
					if i%2 == 1 {
						total += tree[i+1]
					}
					i = (i - 1) / 2
					tree[i]++
				}
			}
		}
	}
	return total
}
