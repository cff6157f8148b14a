package layout

import (
	"math"
	"slices"
)

// Edge ends sharing a side of a box. Each end first aims at the x its
// edge comes from (clamped into the box), so edges arriving from the
// same side of a narrow box all end on its margin, one arrowhead on top
// of another. spreadEnds moves them apart along the side, in the order
// of where they come from (so no crossing is added), as little as it
// can: an end already clear of its neighbours stays where it was.

const (
	// headSep is the distance wanted between the ends of two edges on
	// one side of a box, so that their arrowheads (about 7 px wide) read
	// as two.
	headSep = 12.0
	// crowdMargin is the least room left between an end and a corner of
	// the box when a side is too narrow for its ends at headSep.
	crowdMargin = 7.0
)

// sideEnd is an edge's end on one side of a box.
type sideEnd struct {
	key float64 // x of the edge in the next layer: orders the ends
	e   int32
	nb  int32 // the item at the other end of a chainless edge, else -1
}

// spreadEnds spreads the free ends (no fixed port offset) of distinct
// edges sharing a box side. xs holds each edge's x at its upper end
// (xs[2e]) and lower end (xs[2e+1]), oriented. The top side of a box
// holds its incoming oriented edges: arrivals, and the departures of
// reversed edges. The bottom side holds outgoing ones; there only
// sides that an arrowhead reaches (a reversed edge) are spread, as edges
// leaving a box from one point are its fan-out.
//
// Duplicate edges (same items, no dummies) keep one end: their routes
// coincide anyway.
func (p *placed) spreadEnds(lv *level, g *layered, xc, xs []float64, uOf, vOf []int32, rev []bool) {
	n := g.nItems
	m := int32(len(uOf))
	// Ends per side: side 2v is the top of v, 2v+1 its bottom.
	start := make([]int32, 2*n+2)
	revAt := make([]bool, n) // a reversed edge ends at the bottom of v
	free := func(e int32) (top, bot bool) {
		if uOf[e] == vOf[e] {
			return false, false
		}
		offU, offV := lv.srcOff[e], lv.dstOff[e]
		if rev[e] {
			offU, offV = offV, offU
		}
		return offV < 0, offU < 0
	}
	crowded := false
	for e := int32(0); e < m; e++ {
		top, bot := free(e)
		if top {
			start[2*vOf[e]+1]++
			crowded = crowded || start[2*vOf[e]+1] > 1
		}
		if bot {
			start[2*uOf[e]+2]++
			if rev[e] {
				revAt[uOf[e]] = true
			}
		}
	}
	for v := int32(0); v < n; v++ {
		if !revAt[v] {
			start[2*v+2] = 0
		} else {
			crowded = crowded || start[2*v+2] > 1
		}
	}
	if !crowded {
		return
	}
	// Only sides with two ends or more are kept.
	for i := 1; i < len(start); i++ {
		if start[i] < 2 {
			start[i] = 0
		}
	}
	for i := int32(0); i < 2*n; i++ {
		start[i+1] += start[i]
	}
	ends := make([]sideEnd, start[2*n])
	fill := slices.Clone(start[:2*n])
	for e := int32(0); e < m; e++ {
		top, bot := free(e)
		chain := g.dummies[g.chainAt[e]:g.chainAt[e+1]]
		if g.direct[e] {
			chain = nil
		}
		if s := 2 * vOf[e]; top && fill[s] < start[s+1] {
			se := sideEnd{key: xs[2*e], e: e, nb: uOf[e]}
			if len(chain) > 0 {
				se = sideEnd{key: xc[chain[len(chain)-1]], e: e, nb: -1}
			}
			ends[fill[s]] = se
			fill[s]++
		}
		if s := 2*uOf[e] + 1; bot && fill[s] < start[s+1] {
			se := sideEnd{key: xs[2*e+1], e: e, nb: vOf[e]}
			if len(chain) > 0 {
				se = sideEnd{key: xc[chain[0]], e: e, nb: -1}
			}
			ends[fill[s]] = se
			fill[s]++
		}
	}
	var d []float64
	var first []int32 // each slot's first end in side
	var blocks []block
	for s := int32(0); s < 2*n; s++ {
		side := ends[start[s]:start[s+1]]
		if len(side) < 2 {
			continue
		}
		v, at := s/2, 1-s%2 // this end is xs[2e+at]: the lower end on top
		slices.SortFunc(side, func(a, b sideEnd) int {
			if c := cmpFloat(a.key, b.key); c != 0 {
				return c
			}
			return int(a.e - b.e)
		})
		d, first = d[:0], first[:0]
		for i, se := range side {
			if k := len(first); k > 0 {
				f := side[first[k-1]]
				if f.nb >= 0 && f.nb == se.nb && math.Abs(f.key-se.key) < eps {
					continue // a duplicate of the slot's edge
				}
			}
			first = append(first, int32(i))
			d = append(d, xs[2*se.e+at])
		}
		k := len(d)
		if k < 2 {
			continue
		}
		l, w := p.x[v], lv.w[v]
		mg := min(w/4, 10)
		if w-2*mg < float64(k-1)*headSep {
			mg = min(w/4, crowdMargin)
		}
		lo, hi := l+mg, l+w-mg
		sep := min(headSep, (hi-lo)/float64(k-1))
		clear := true
		for i := 1; i < k && clear; i++ {
			clear = d[i]-d[i-1] >= sep-eps
		}
		if clear {
			continue
		}
		blocks = spreadSorted(d, lo, hi, sep, blocks)
		for j, i0 := range first {
			i1 := len(side)
			if j+1 < len(first) {
				i1 = int(first[j+1])
			}
			for _, se := range side[i0:i1] {
				xs[2*se.e+at] = d[j]
			}
		}
	}
}

type block struct {
	sum float64
	n   int
}

// spreadSorted moves the positions d, in this order, to the nearest (in
// least squares) positions within [lo, hi] that are at least sep apart
// in the same order: with q_i = d_i - i*sep this is isotonic regression
// of q (pool adjacent violators), clamped to the shifted interval.
// hi-lo must be at least (len(d)-1)*sep.
func spreadSorted(d []float64, lo, hi, sep float64, blocks []block) []block {
	k := len(d)
	blocks = blocks[:0]
	for i, x := range d {
		blocks = append(blocks, block{x - float64(i)*sep, 1})
		for b := len(blocks); b >= 2 && blocks[b-2].sum*float64(blocks[b-1].n) > blocks[b-1].sum*float64(blocks[b-2].n); b-- {
			blocks[b-2].sum += blocks[b-1].sum
			blocks[b-2].n += blocks[b-1].n
			blocks = blocks[:b-1]
		}
	}
	top := hi - float64(k-1)*sep
	i := 0
	for _, b := range blocks {
		z := min(max(b.sum/float64(b.n), lo), top)
		for j := 0; j < b.n; j++ {
			d[i] = z + float64(i)*sep
			i++
		}
	}
	return blocks
}
