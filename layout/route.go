package layout

import (
	"math"
	"slices"
)

const eps = 1e-9

// place turns layers and x centres into item corners, edge routes and
// label centres, then shifts everything so the level starts at (0, 0).
//
// Routes never cross a box: inside a layer band an edge runs vertically at
// its dummy's x (dummies are spaced like boxes), and it changes x only in
// the gaps between layers, which hold no boxes. Labels sit in the first
// gap of their edge, whose height makes room for them.
func (p *placed) place(lv *level, g *layered, xc []float64, uOf, vOf []int32, rev []bool) {
	L := len(g.layers)
	n := g.nItems
	m := int32(len(uOf))
	rank := g.rank
	layerH := make([]float64, L)
	for v := int32(0); v < n; v++ {
		layerH[rank[v]] = max(layerH[rank[v]], lv.h[v])
	}
	// A self loop's label sits beside its box, so the box's layer must be
	// as tall as the label.
	for e := int32(0); e < m; e++ {
		if uOf[e] == vOf[e] && lv.labH[e] > 0 {
			l := rank[uOf[e]]
			layerH[l] = max(layerH[l], lv.labH[e])
		}
	}
	gapH := make([]float64, L)
	for e := int32(0); e < m; e++ {
		if uOf[e] != vOf[e] && lv.labH[e] > 0 {
			l := rank[uOf[e]]
			gapH[l] = max(gapH[l], lv.labH[e])
		}
	}
	top := make([]float64, L)
	y := 0.0
	for l := 0; l < L; l++ {
		top[l] = y
		y += layerH[l] + rankSep + gapH[l]
	}
	p.h = top[L-1] + layerH[L-1]
	for v := int32(0); v < n; v++ {
		p.x[v] = xc[v] - g.width(lv, v)/2
		p.y[v] = top[rank[v]] + (layerH[rank[v]]-lv.h[v])/2
	}

	margin := func(v int32) float64 { return min(lv.w[v]/4, 10) }
	attach := func(v int32, off, toward float64) float64 {
		l, r := p.x[v], p.x[v]+lv.w[v]
		if off >= 0 {
			return min(l+off, r)
		}
		return min(max(toward, l+margin(v)), r-margin(v))
	}
	loopsSeen := make([]int32, n)
	minY, maxY, maxX := 0.0, 0.0, math.Inf(-1) // reach of detours
	// Where each edge leaves its upper end and reaches its lower end
	// (oriented), before and after spreading the ends sharing a side.
	xs := make([]float64, 2*m)
	for e := int32(0); e < m; e++ {
		u, v := uOf[e], vOf[e]
		if u == v {
			k := loopsSeen[u]
			loopsSeen[u] = k + 1
			k = min(k, 3)
			r := p.x[u] + lv.w[u]
			d := loopW * float64(k+1)
			y0 := p.y[u] + lv.h[u]*(0.3-0.05*float64(k))
			y1 := p.y[u] + lv.h[u]*(0.7+0.05*float64(k))
			p.routes[e] = []Point{{r, y0}, {r + d, y0}, {r + d, y1}, {r, y1}}
			if lv.labW[e] > 0 || lv.labH[e] > 0 {
				p.labels[e] = Point{r + d + labelGap + lv.labW[e]/2, (y0 + y1) / 2}
			}
			continue
		}
		offU, offV := lv.srcOff[e], lv.dstOff[e]
		if rev[e] {
			offU, offV = offV, offU
		}
		chain := g.dummies[g.chainAt[e]:g.chainAt[e+1]]
		if g.direct[e] {
			chain = nil
		}
		cu, cv := p.x[u]+lv.w[u]/2, p.x[v]+lv.w[v]/2
		var xu, xv float64
		switch {
		case len(chain) > 0:
			xu = attach(u, offU, xc[chain[0]])
			xv = attach(v, offV, xc[chain[len(chain)-1]])
		case offU < 0 && offV < 0:
			lo := max(p.x[u]+margin(u), p.x[v]+margin(v))
			hi := min(p.x[u]+lv.w[u]-margin(u), p.x[v]+lv.w[v]-margin(v))
			if lo <= hi {
				xu = min(max((cu+cv)/2, lo), hi)
				xv = xu
			} else {
				xu = attach(u, -1, cv)
				xv = attach(v, -1, cu)
			}
		case offU >= 0:
			xu = attach(u, offU, 0)
			xv = attach(v, offV, xu)
		default:
			xv = attach(v, offV, 0)
			xu = attach(u, -1, xv)
		}
		xs[2*e], xs[2*e+1] = xu, xv
	}
	p.spreadEnds(lv, g, xc, xs, uOf, vOf, rev)
	var pts []Point
	for e := int32(0); e < m; e++ {
		u, v := uOf[e], vOf[e]
		if u == v {
			continue
		}
		chain := g.dummies[g.chainAt[e]:g.chainAt[e+1]]
		if g.direct[e] {
			chain = nil
		}
		xu, xv := xs[2*e], xs[2*e+1]
		pts = pts[:0]
		ru, rv := rank[u], rank[v]
		pts = append(pts, Point{xu, p.y[u] + lv.h[u]})
		if !g.direct[e] || len(chain) > 0 {
			pts = append(pts, Point{xu, top[ru] + layerH[ru]})
		}
		for _, d := range chain {
			t := top[rank[d]]
			pts = append(pts, Point{xc[d], t}, Point{xc[d], t + layerH[rank[d]]})
		}
		if !g.direct[e] || len(chain) > 0 {
			pts = append(pts, Point{xv, top[rv]})
		}
		pts = append(pts, Point{xv, p.y[v]})
		if rev[e] && !g.direct[e] {
			// A reversed edge reaches the original source from above and
			// leaves the original target downwards. Where that end is a
			// port of a child group (fixed offset), the port is on the
			// other border, so the route goes round the group's right side
			// through the gap beyond it.
			if lv.dstOff[e] >= 0 {
				xs := p.x[u] + g.width(lv, u) + edgeSep/2
				ya := top[ru] - rankSep/2
				minY = min(minY, ya)
				maxX = max(maxX, xs)
				head := []Point{{xu, p.y[u]}, {xu, ya}, {xs, ya}, {xs, top[ru] + layerH[ru]}}
				pts = append(head, pts[2:]...)
			}
			if lv.srcOff[e] >= 0 {
				xs := p.x[v] + g.width(lv, v) + edgeSep/2
				yb := top[rv] + layerH[rv] + rankSep/2
				maxY = max(maxY, yb)
				maxX = max(maxX, xs)
				pts = append(pts[:len(pts)-2], Point{xs, top[rv]}, Point{xs, yb}, Point{xv, yb}, Point{xv, p.y[v] + lv.h[v]})
			}
		}
		route := simplify(pts)
		if rev[e] {
			slices.Reverse(route)
		}
		p.routes[e] = route
	}

	p.placeLabels(lv, g, top, layerH, gapH, uOf, vOf, rev)

	// Shift to the origin.
	lo, hi := math.Inf(1), math.Inf(-1)
	for v := int32(0); v < n; v++ {
		lo = min(lo, p.x[v])
		hi = max(hi, p.x[v]+g.width(lv, v))
	}
	for _, d := range g.dummies {
		lo = min(lo, xc[d])
		hi = max(hi, xc[d])
	}
	hi = max(hi, maxX)
	for e := int32(0); e < m; e++ {
		if lv.labW[e] > 0 || lv.labH[e] > 0 {
			lo = min(lo, p.labels[e].X-lv.labW[e]/2)
			hi = max(hi, p.labels[e].X+lv.labW[e]/2)
		}
	}
	for v := range p.x {
		p.x[v] -= lo
	}
	for _, r := range p.routes {
		for i := range r {
			r[i].X -= lo
		}
	}
	for e := int32(0); e < m; e++ {
		if lv.labW[e] > 0 || lv.labH[e] > 0 {
			p.labels[e].X -= lo
		}
	}
	p.w = hi - lo
	p.h = max(p.h, maxY)
	if minY < 0 {
		for v := range p.y {
			p.y[v] -= minY
		}
		for _, r := range p.routes {
			for i := range r {
				r[i].Y -= minY
			}
		}
		for e := int32(0); e < m; e++ {
			if lv.labW[e] > 0 || lv.labH[e] > 0 {
				p.labels[e].Y -= minY
			}
		}
		p.h -= minY
	}
}

// simplify copies pts without repeated points and without the middle of
// three collinear points.
func simplify(pts []Point) []Point {
	out := make([]Point, 0, len(pts))
	for _, q := range pts {
		k := len(out)
		if k > 0 && math.Abs(out[k-1].X-q.X) < eps && math.Abs(out[k-1].Y-q.Y) < eps {
			continue
		}
		if k >= 2 {
			a, b := out[k-2], out[k-1]
			if math.Abs((b.X-a.X)*(q.Y-a.Y)-(b.Y-a.Y)*(q.X-a.X)) < 1e-6 &&
				(b.X-a.X)*(q.X-b.X)+(b.Y-a.Y)*(q.Y-b.Y) >= 0 {
				out[k-1] = q
				continue
			}
		}
		out = append(out, q)
	}
	if len(out) == 1 {
		out = append(out, out[0])
	}
	return out
}

// xAt is the x where the route (going down) first reaches height y.
func xAt(r []Point, y float64) float64 {
	for i := 1; i < len(r); i++ {
		a, b := r[i-1], r[i]
		if (a.Y-y)*(b.Y-y) <= 0 {
			if math.Abs(b.Y-a.Y) < eps {
				return a.X
			}
			return a.X + (b.X-a.X)*(y-a.Y)/(b.Y-a.Y)
		}
	}
	return r[0].X
}
