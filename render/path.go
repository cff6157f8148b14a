package render

import "math"

// pt is a point in scene units (CSS pixels).
type pt struct{ X, Y float64 }

// seg is one path command: 'M' and 'L' use P[0]; 'C' uses P[0..2]; 'Z'
// closes the subpath.
type seg struct {
	Op byte
	P  [3]pt
}

// path is the one shape type every backend draws, so that SVG, PNG and
// PDF agree on geometry.
type path struct {
	segs []seg
	// rr is set when the path is exactly one rounded rectangle with equal
	// corners (x, y, w, h, r): the raster backend fills big ones fast.
	rr *[5]float64
}

func (p *path) moveTo(x, y float64) {
	p.rr = nil
	p.segs = append(p.segs, seg{Op: 'M', P: [3]pt{{x, y}}})
}
func (p *path) lineTo(x, y float64) { p.segs = append(p.segs, seg{Op: 'L', P: [3]pt{{x, y}}}) }
func (p *path) cubicTo(x1, y1, x2, y2, x, y float64) {
	p.segs = append(p.segs, seg{Op: 'C', P: [3]pt{{x1, y1}, {x2, y2}, {x, y}}})
}
func (p *path) close() { p.segs = append(p.segs, seg{Op: 'Z'}) }

// kappa places cubic control points for a quarter circle.
const kappa = 0.5522847498

// roundRect adds a rectangle whose corners (top-left, top-right,
// bottom-right, bottom-left) have the given radii, clockwise on screen.
func (p *path) roundRect(x, y, w, h, tl, tr, br, bl float64) {
	lim := math.Min(w, h) / 2
	tl, tr, br, bl = math.Min(tl, lim), math.Min(tr, lim), math.Min(br, lim), math.Min(bl, lim)
	only := len(p.segs) == 0 && tl == tr && tr == br && br == bl && tl >= 0
	if p.segs == nil {
		p.segs = make([]seg, 0, 10)
	}
	k := kappa
	p.moveTo(x+tl, y)
	p.lineTo(x+w-tr, y)
	if tr > 0 {
		p.cubicTo(x+w-tr+tr*k, y, x+w, y+tr-tr*k, x+w, y+tr)
	}
	p.lineTo(x+w, y+h-br)
	if br > 0 {
		p.cubicTo(x+w, y+h-br+br*k, x+w-br+br*k, y+h, x+w-br, y+h)
	}
	p.lineTo(x+bl, y+h)
	if bl > 0 {
		p.cubicTo(x+bl-bl*k, y+h, x, y+h-bl+bl*k, x, y+h-bl)
	}
	p.lineTo(x, y+tl)
	if tl > 0 {
		p.cubicTo(x, y+tl-tl*k, x+tl-tl*k, y, x+tl, y)
	}
	p.close()
	if only {
		p.rr = &[5]float64{x, y, w, h, tl}
	}
}

func (p *path) rect(x, y, w, h float64) { p.roundRect(x, y, w, h, 0, 0, 0, 0) }

// bounds returns the box around every point (control points included).
func (p *path) bounds() (x0, y0, x1, y1 float64) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	for _, s := range p.segs {
		n := 0
		switch s.Op {
		case 'M', 'L':
			n = 1
		case 'C':
			n = 3
		}
		for _, q := range s.P[:n] {
			x0, y0 = math.Min(x0, q.X), math.Min(y0, q.Y)
			x1, y1 = math.Max(x1, q.X), math.Max(y1, q.Y)
		}
	}
	return
}

// poly is a flattened subpath.
type poly struct {
	pts    []pt
	closed bool
}

// flatten turns curves into line segments no further than tol from the
// curve.
func (p *path) flatten(tol float64) []poly {
	var out []poly
	var cur poly
	var last, start pt
	flush := func() {
		if len(cur.pts) > 0 {
			out = append(out, cur)
		}
		cur = poly{}
	}
	for _, s := range p.segs {
		switch s.Op {
		case 'M':
			flush()
			last, start = s.P[0], s.P[0]
			cur.pts = append(cur.pts, last)
		case 'L':
			if len(cur.pts) == 0 {
				cur.pts = append(cur.pts, last)
			}
			last = s.P[0]
			cur.pts = append(cur.pts, last)
		case 'C':
			if len(cur.pts) == 0 {
				cur.pts = append(cur.pts, last)
			}
			// Segment count from the control polygon's length: cheap
			// and bounded.
			l := dist(last, s.P[0]) + dist(s.P[0], s.P[1]) + dist(s.P[1], s.P[2])
			n := int(math.Ceil(math.Sqrt(l / tol / 2)))
			n = max(1, min(n, 64))
			for i := 1; i <= n; i++ {
				t := float64(i) / float64(n)
				cur.pts = append(cur.pts, cubicAt(last, s.P[0], s.P[1], s.P[2], t))
			}
			last = s.P[2]
		case 'Z':
			cur.closed = true
			flush()
			last = start
		}
	}
	flush()
	return out
}

func cubicAt(a, b, c, d pt, t float64) pt {
	u := 1 - t
	w0, w1, w2, w3 := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return pt{w0*a.X + w1*b.X + w2*c.X + w3*d.X, w0*a.Y + w1*b.Y + w2*c.Y + w3*d.Y}
}

func dist(a, b pt) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }
