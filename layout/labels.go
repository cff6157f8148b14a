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
	labelSep     = 8.0 // between two labels, so that neighbours read as two
	// maxGapLabels bounds the labels of one gap that search for a free
	// spot; beyond it (hostile graphs) they go right of their edge.
	maxGapLabels = 4096
	// maxBandsPerSegment bounds the bands a segment without dummies is an
	// obstacle in: only the straight long edges of hostile graphs, past
	// the dummy budget, cross more. Other segments are paid for by dummies.
	maxBandsPerSegment = 8
)

type span struct{ lo, hi float64 }

// segRef is the segment ending at point i of the route of edge e.
type segRef struct{ e, i int32 }

// upperGap is the room above a gap's upper label band, and below its
// lower one.
const upperGap = 4.0

// placeLabels puts the label of each edge in the gap below its upper end.
// A gap has three label bands: the middle, and a higher and a lower one
// for when the middle is crowded (a flat diagonal crosses them at
// different x). In the middle band, then the upper, then the lower, a
// label goes right of its edge if that is free of other edges and
// labels, else left of it, else to the nearest free spot within about a
// label's width; failing every band, to a spot in the middle that only
// crosses edges, else right of the edge.
func (p *placed) placeLabels(lv *level, g *layered, top, layerH, gapH []float64, uOf, vOf []int32, rev []bool) {
	rank := g.rank
	m := int32(len(uOf))
	L := int32(len(top))
	count := make([]int32, L+1)
	any := false
	for e := int32(0); e < m; e++ {
		if uOf[e] != vOf[e] && (lv.labW[e] > 0 || lv.labH[e] > 0) {
			count[rank[uOf[e]]+1]++
			any = true
		}
	}
	if !any {
		return
	}
	// Band centres: yc[3l] the middle of gap l, yc[3l+1] the upper band,
	// yc[3l+2] the lower. lo..hi spans the bands with their padding.
	yc := make([]float64, 3*L)
	lo := make([]float64, L)
	hi := make([]float64, L)
	for l := int32(0); l < L; l++ {
		gapTop := top[l] + layerH[l]
		yc[3*l] = gapTop + (rankSep+gapH[l])/2
		yc[3*l+1] = gapTop + upperGap + gapH[l]/2
		yc[3*l+2] = gapTop + rankSep + gapH[l] - upperGap - gapH[l]/2
		lo[l] = yc[3*l+1] - gapH[l]/2 - labelBandPad
		hi[l] = yc[3*l+2] + gapH[l]/2 + labelBandPad
	}
	band := func(b int32) (float64, float64) {
		h := gapH[b/3]/2 + labelBandPad
		return yc[b] - h, yc[b] + h
	}
	nextLab := make([]int32, L+1) // first gap >= l holding labels
	nextLab[L] = L
	for k := L - 1; k >= 0; k-- {
		nextLab[k] = nextLab[k+1]
		if count[k+1] > 0 {
			nextLab[k] = k
		}
	}
	// bands calls f for each gap with labels whose bands a segment of e
	// crosses.
	bands := func(e int32, f func(k, i int32)) {
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
			// First gap whose bands end below y0: usually l or a
			// neighbour, as routes are walked in order.
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
				f(k, int32(i))
			}
		}
	}
	// The segments near each gap's bands, grouped by gap: count, then fill.
	refAt := make([]int32, L+1)
	for e := int32(0); e < m; e++ {
		bands(e, func(k, _ int32) { refAt[k+1]++ })
	}
	for k := int32(0); k < L; k++ {
		refAt[k+1] += refAt[k]
	}
	refs := make([]segRef, refAt[L])
	fill := slices.Clone(refAt[:L])
	for e := int32(0); e < m; e++ {
		bands(e, func(k, i int32) {
			refs[fill[k]] = segRef{e, i}
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
		if uOf[e] != vOf[e] && (lv.labW[e] > 0 || lv.labH[e] > 0) {
			l := rank[uOf[e]]
			byGap[fill[l]] = e
			fill[l]++
		}
	}
	ownAt := make([]int32, m) // a labelled edge's index in own, in its gap
	// ownIn is the x-extent of e's route in band b.
	ownIn := func(e, b int32) span {
		y0, y1 := band(b)
		o := span{math.Inf(1), math.Inf(-1)}
		r := p.routes[e]
		for i := 1; i < len(r); i++ {
			if a, c := r[i-1], r[i]; min(a.Y, c.Y) < y1 && max(a.Y, c.Y) > y0 {
				x0, x1 := clipX(a, c, y0, y1)
				o = span{min(o.lo, x0), max(o.hi, x1)}
			}
		}
		if o.lo > o.hi { // route misses the band: hostile sizes
			x := xAt(r, yc[b])
			o = span{x, x}
		}
		return o
	}
	// spansIn merges the gap's segments clipped to band b, widened by
	// labelGap, and the labels placed so far into buf.
	// In the middle band it also sets the extents in own of the edges
	// labelled in this gap (ownAt[e] indexes own).
	// With raw set, they come unsorted and unmerged, without the labels.
	spansIn := func(buf []span, gap []segRef, b int32, placed []span, own []labelAt, raw bool) []span {
		y0, y1 := band(b)
		buf = buf[:0]
		for _, sr := range gap {
			r := p.routes[sr.e]
			a, c := r[sr.i-1], r[sr.i]
			if min(a.Y, c.Y) < y1 && max(a.Y, c.Y) > y0 {
				x0, x1 := clipX(a, c, y0, y1)
				buf = append(buf, span{x0 - labelGap, x1 + labelGap})
				if j := ownAt[sr.e]; own != nil && j >= 0 && j < int32(len(own)) && own[j].e == sr.e {
					own[j].o = span{min(own[j].o.lo, x0), max(own[j].o.hi, x1)}
				}
			}
		}
		if raw {
			return buf
		}
		return merge(append(buf, placed...))
	}
	var own []labelAt
	var rawMid, mid, upper, lower, labSpans, placed []span
	for l := int32(0); l < L; l++ {
		labs := byGap[count[l]:count[l+1]]
		if len(labs) == 0 {
			continue
		}
		gap := refs[refAt[l]:refAt[l+1]]
		own = own[:0]
		for j, e := range labs {
			own = append(own, labelAt{e, span{math.Inf(1), math.Inf(-1)}})
			ownAt[e] = int32(j)
		}
		placed = placed[:0]
		rawMid = spansIn(rawMid, gap, 3*l, nil, own, true)
		for j := range own {
			if own[j].o.lo > own[j].o.hi { // route misses the band: hostile sizes
				x := xAt(p.routes[own[j].e], yc[3*l])
				own[j].o = span{x, x}
			}
		}
		if len(own) > 1 {
			slices.SortStableFunc(own, func(a, b labelAt) int { return cmpFloat(a.o.lo, b.o.lo) })
		}
		// Built once a label needs them; until then a label right at its
		// edge is checked against rawMid and placed by a plain scan.
		withMid, withUpper, withLower, withLabs := false, false, false, false
		// spot finds a free spot for e's label in the middle, upper or
		// lower band, within reach of its edge.
		spot := func(e int32, o span, w, reach float64) (float64, int32, bool) {
			x := o.hi + labelGap
			if !withMid && len(rawMid)+len(placed) <= maxScan && free(rawMid, x, w) && free(placed, x, w) {
				return x, 3 * l, true
			}
			if !withMid {
				withMid = true
				mid = merge(append(append(mid[:0], rawMid...), placed...))
			}
			if x, ok := bestSpot(mid, o, w, reach); ok {
				return x, 3 * l, true
			}
			if !withUpper {
				withUpper = true
				upper = spansIn(upper, gap, 3*l+1, placed, nil, false)
			}
			if x, ok := bestSpot(upper, ownIn(e, 3*l+1), w, reach); ok {
				return x, 3*l + 1, true
			}
			if !withLower {
				withLower = true
				lower = spansIn(lower, gap, 3*l+2, placed, nil, false)
			}
			if x, ok := bestSpot(lower, ownIn(e, 3*l+2), w, reach); ok {
				return x, 3*l + 2, true
			}
			return 0, 0, false
		}
		put := func(e int32, x float64, b int32) {
			w := lv.labW[e]
			p.labels[e] = Point{x + w/2, yc[b]}
			// A label blocks its x-range in every band: they overlap.
			s := span{x - labelSep, x + w + labelSep}
			placed = append(placed, s)
			if withMid {
				mid = insertSpan(mid, s)
			}
			if withUpper {
				upper = insertSpan(upper, s)
			}
			if withLower {
				lower = insertSpan(lower, s)
			}
			if withLabs {
				labSpans = insertSpan(labSpans, s)
			}
		}
		if len(labs) > maxGapLabels {
			for _, la := range own {
				put(la.e, la.o.hi+labelGap, 3*l)
			}
			continue
		}
		for _, la := range own {
			e, o, w := la.e, la.o, lv.labW[la.e]
			reach := max(w, 40) + 2*labelGap
			// Right beside the edge in any band beats a spot slid along.
			x, b, ok := spot(e, o, w, 0)
			if !ok {
				x, b, ok = spot(e, o, w, reach)
			}
			if !ok {
				if !withLabs {
					withLabs = true
					labSpans = merge(append(labSpans[:0], placed...))
				}
				b = 3 * l
				if x, ok = bestSpot(labSpans, o, w, reach); !ok {
					x = o.hi + labelGap
				}
			}
			put(e, x, b)
		}
	}
}

// maxScan is how many spans a gap may have for labels to be checked by a
// plain scan rather than in merged sorted spans.
const maxScan = 16

// free says whether [x, x+w] misses every span, as slideRight sees it.
func free(sp []span, x, w float64) bool {
	for _, s := range sp {
		if s.hi > x+eps && s.lo < x+w-eps {
			return false
		}
	}
	return true
}

// labelAt is a label's edge and the edge's extent in the middle band.
type labelAt struct {
	e int32
	o span
}

// merge sorts spans and merges overlapping ones, in place.
func merge(sp []span) []span {
	slices.SortFunc(sp, func(a, b span) int { return cmpFloat(a.lo, b.lo) })
	out := sp[:0]
	for _, o := range sp {
		if n := len(out); n > 0 && o.lo <= out[n-1].hi {
			out[n-1].hi = max(out[n-1].hi, o.hi)
		} else {
			out = append(out, o)
		}
	}
	return out
}

// bestSpot is the left end of a label w wide beside an edge whose band
// extent is o, missing the merged spans sp (which may include the edge):
// right of the edge beats left, and a spot right at the edge beats one
// slid along, at most reach. placeLabels asks first with the spans of
// edges and labels, then, if nothing is free, with those of labels alone.
func bestSpot(sp []span, o span, w, reach float64) (float64, bool) {
	r0, l0 := o.hi+labelGap, o.lo-labelGap-w
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
