package layout

import (
	"math"
	"slices"
	"sort"
)

// Label placement. Every label of a gap between two layers has the same
// centre y, and the gap holds no boxes, so per gap this is a 1-D problem:
// the obstacles are the x-extents of route segments clipped to the gap's
// label band (widened for arrowheads) and the labels already placed.

const (
	labelBandPad = 2.0 // above and below the label band, for arrowheads
	labelSep     = 2.0 // between two labels
	// maxGapLabels bounds the labels of one gap that search for a free
	// spot; beyond it (hostile graphs) they go right of their edge.
	maxGapLabels = 4096
	// maxBandsPerSegment bounds the bands a segment without dummies is an
	// obstacle in: only the straight long edges of hostile graphs, past
	// the dummy budget, cross more. Other segments are paid for by dummies.
	maxBandsPerSegment = 8
)

type span struct{ lo, hi float64 }

// placeLabels puts the label of each edge in the gap below its upper end:
// right of the edge if that is free of other edges and labels, else left
// of it, else the nearest free spot within about a label's width on
// either side, else right of the edge anyway.
func (p *placed) placeLabels(lv *level, g *layered, top, layerH, gapH []float64, uOf, vOf []int32, rev []bool) {
	rank := g.rank
	m := int32(len(uOf))
	L := int32(len(top))
	count := make([]int32, L+1)
	hasLabel := func(e int32) bool { return uOf[e] != vOf[e] && (lv.labW[e] > 0 || lv.labH[e] > 0) }
	any := false
	for e := int32(0); e < m; e++ {
		if hasLabel(e) {
			count[rank[uOf[e]]+1]++
			any = true
		}
	}
	if !any {
		return
	}
	yc := make([]float64, L)
	lo := make([]float64, L)
	hi := make([]float64, L)
	for l := int32(0); l < L; l++ {
		yc[l] = top[l] + layerH[l] + (rankSep+gapH[l])/2
		lo[l] = yc[l] - gapH[l]/2 - labelBandPad
		hi[l] = yc[l] + gapH[l]/2 + labelBandPad
	}
	own := make([]span, m)
	for e := range own {
		own[e] = span{math.Inf(1), math.Inf(-1)}
	}
	nextLab := make([]int32, L+1) // first gap >= l holding labels
	nextLab[L] = L
	for k := L - 1; k >= 0; k-- {
		nextLab[k] = nextLab[k+1]
		if count[k+1] > 0 {
			nextLab[k] = k
		}
	}
	// bands calls f for each band of a gap with labels that a segment of
	// e crosses.
	bands := func(e int32, f func(k int32, a, b Point)) {
		r := p.routes[e]
		// The gap below the end box the route starts from, or above it
		// for a reversed edge, whose route runs up from the lower end.
		l := rank[uOf[e]]
		if rev[e] {
			l = max(rank[vOf[e]]-1, 0)
		}
		for i := 1; i < len(r); i++ {
			a, b := r[i-1], r[i]
			y0, y1 := min(a.Y, b.Y), max(a.Y, b.Y)
			// First band ending below y0: usually l or a neighbour, as
			// routes are walked in order.
			switch {
			case l < L && hi[l] > y0 && (l == 0 || hi[l-1] <= y0):
			case l+1 < L && hi[l+1] > y0 && hi[l] <= y0:
				l++
			case l > 0 && l-1 < L && hi[l-1] > y0 && (l == 1 || hi[l-2] <= y0):
				l--
			default:
				l = int32(sort.Search(int(L), func(k int) bool { return hi[k] > y0 }))
			}
			n := 0
			for k := nextLab[l]; k < L && lo[k] < y1 && (n < maxBandsPerSegment || !g.direct[e]); k = nextLab[k+1] {
				n++
				f(k, a, b)
			}
		}
	}
	// Count the obstacles of each gap, then clip the segments into place:
	// grouped by gap without sorting them all.
	obsAt := make([]int32, L+1)
	for e := int32(0); e < m; e++ {
		bands(e, func(k int32, _, _ Point) { obsAt[k+1]++ })
	}
	for k := int32(0); k < L; k++ {
		obsAt[k+1] += obsAt[k]
	}
	obs := make([]span, obsAt[L])
	fill := slices.Clone(obsAt[:L])
	for e := int32(0); e < m; e++ {
		mine := int32(-1)
		if hasLabel(e) {
			mine = rank[uOf[e]]
		}
		bands(e, func(k int32, a, b Point) {
			x0, x1 := clipX(a, b, lo[k], hi[k])
			if k == mine {
				own[e] = span{min(own[e].lo, x0), max(own[e].hi, x1)}
			}
			obs[fill[k]] = span{x0 - labelGap, x1 + labelGap}
			fill[k]++
		})
	}
	// Labels by gap, then by their edge's x.
	for l := int32(0); l < L; l++ {
		count[l+1] += count[l]
	}
	byGap := make([]int32, count[L])
	copy(fill, count[:L])
	for e := int32(0); e < m; e++ {
		if hasLabel(e) {
			l := rank[uOf[e]]
			byGap[fill[l]] = e
			fill[l]++
		}
	}
	var free, labSpans []span // merged obstacles of one gap, sorted
	for l := int32(0); l < L; l++ {
		labs := byGap[count[l]:count[l+1]]
		if len(labs) == 0 {
			continue
		}
		gap := obs[obsAt[l]:obsAt[l+1]]
		slices.SortFunc(gap, func(a, b span) int { return cmpFloat(a.lo, b.lo) })
		free, labSpans = free[:0], labSpans[:0]
		for _, o := range gap {
			if n := len(free); n > 0 && o.lo <= free[n-1].hi {
				free[n-1].hi = max(free[n-1].hi, o.hi)
			} else {
				free = append(free, o)
			}
		}
		for _, e := range labs {
			if own[e].lo > own[e].hi { // route misses the band: hostile sizes
				x := xAt(p.routes[e], yc[l])
				own[e] = span{x, x}
			}
		}
		if len(labs) > 1 {
			slices.SortStableFunc(labs, func(a, b int32) int { return cmpFloat(own[a].lo, own[b].lo) })
		}
		search := len(labs) <= maxGapLabels
		withLabs := false // labSpans kept up to date, once a label needed it
		for i, e := range labs {
			w := lv.labW[e]
			x := own[e].hi + labelGap
			if search {
				var ok bool
				if x, ok = bestSpot(free, own[e], w); !ok {
					if !withLabs {
						withLabs = true
						for _, f := range labs[:i] {
							lx := p.labels[f].X - lv.labW[f]/2
							labSpans = insertSpan(labSpans, span{lx - labelSep, lx + lv.labW[f] + labelSep})
						}
					}
					if x, ok = bestSpot(labSpans, own[e], w); !ok {
						x = own[e].hi + labelGap
					}
				}
			}
			p.labels[e] = Point{x + w/2, yc[l]}
			if search {
				free = insertSpan(free, span{x - labelSep, x + w + labelSep})
				if withLabs {
					labSpans = insertSpan(labSpans, span{x - labelSep, x + w + labelSep})
				}
			}
		}
	}
}

// bestSpot is the left end of a label w wide beside an edge whose band
// extent is o, missing the merged spans sp (which may include the edge):
// right of the edge beats left, and a spot right at the edge beats one
// slid along. placeLabels asks first with the spans of edges and labels,
// then, if nothing is free, with those of labels alone.
func bestSpot(sp []span, o span, w float64) (float64, bool) {
	r0, l0 := o.hi+labelGap, o.lo-labelGap-w
	reach := max(w, 40) + 2*labelGap
	r, okR := slideRight(sp, r0, w, reach)
	if okR && r == r0 {
		return r, true
	}
	l, okL := slideLeft(sp, l0, w, reach)
	switch {
	case okL && l == l0:
		return l, true
	case okR && (!okL || r-r0 <= l0-l):
		return r, true
	case okL:
		return l, true
	}
	return r0, false
}

// slideRight is the first x >= x0, at most reach beyond, where [x, x+w]
// misses every span.
func slideRight(sp []span, x0, w, reach float64) (float64, bool) {
	for x := x0; x-x0 <= reach; {
		i := sort.Search(len(sp), func(i int) bool { return sp[i].hi > x+eps })
		if i == len(sp) || sp[i].lo >= x+w-eps {
			return x, true
		}
		x = sp[i].hi
	}
	return x0, false
}

// slideLeft is slideRight going left.
func slideLeft(sp []span, x0, w, reach float64) (float64, bool) {
	for x := x0; x0-x <= reach; {
		i := sort.Search(len(sp), func(i int) bool { return sp[i].lo >= x+w-eps }) - 1
		if i < 0 || sp[i].hi <= x+eps {
			return x, true
		}
		x = sp[i].lo - w
	}
	return x0, false
}

// insertSpan adds s to the sorted disjoint spans, merging overlaps.
func insertSpan(sp []span, s span) []span {
	if n := len(sp); n == 0 || sp[n-1].hi < s.lo {
		return append(sp, s) // labels mostly come left to right
	}
	i := sort.Search(len(sp), func(i int) bool { return sp[i].hi >= s.lo })
	j := i
	for j < len(sp) && sp[j].lo <= s.hi {
		s = span{min(s.lo, sp[j].lo), max(s.hi, sp[j].hi)}
		j++
	}
	return slices.Replace(sp, i, j, s)
}

// clipX is the x-extent of segment ab between heights y0 and y1.
func clipX(a, b Point, y0, y1 float64) (float64, float64) {
	if math.Abs(b.Y-a.Y) < eps {
		return min(a.X, b.X), max(a.X, b.X)
	}
	t0 := (y0 - a.Y) / (b.Y - a.Y)
	t1 := (y1 - a.Y) / (b.Y - a.Y)
	t0, t1 = min(max(min(t0, t1), 0), 1), min(max(max(t0, t1), 0), 1)
	x0, x1 := a.X+(b.X-a.X)*t0, a.X+(b.X-a.X)*t1
	return min(x0, x1), max(x0, x1)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
