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

// maxDashes bounds the dashes of one path, so output stays proportional
// to the scene: a route longer than ~1,800 units gets longer dashes, and
// a hostile one millions of units long is not millions of segments.
const maxDashes = 256

// dashed returns p cut into dashes on units long with off-unit gaps,
// measured along the path and stretched to fit it. Curves are split, not
// flattened, so SVG and PDF stay exact, and every backend draws the same
// dashes (SVG's dasharray and PDF's dash pattern would each place them
// their own way).
func (p *path) dashed(on, off float64) *path {
	out := &path{}
	if !(on > 0) || !(off > 0) {
		out.segs = append(out.segs, p.segs...)
		return out
	}
	// Stretch the pattern to a whole number of dashes, so both ends of
	// the path are drawn (an edge touches both its boxes).
	if l := p.length(); l > 0 {
		n := math.Min(maxDashes, math.Max(1, math.Round((l+off)/(on+off))))
		k := l / (n*on + (n-1)*off)
		on, off = on*k, off*k
	}
	var cur, start pt
	d := dasher{out: out, on: on, off: off, left: on, inOn: true}
	for _, s := range p.segs {
		switch s.Op {
		case 'M':
			cur, start = s.P[0], s.P[0]
			d.down = false
		case 'L':
			d.line(cur, s.P[0])
			cur = s.P[0]
		case 'C':
			d.cubic(cur, s.P[0], s.P[1], s.P[2])
			cur = s.P[2]
		case 'Z':
			d.line(cur, start)
			cur = start
		}
	}
	return out
}

// length is the path's length along its curves (closely approximated).
func (p *path) length() float64 {
	var cur, start pt
	total := 0.0
	for _, s := range p.segs {
		switch s.Op {
		case 'M':
			cur, start = s.P[0], s.P[0]
		case 'L':
			total += dist(cur, s.P[0])
			cur = s.P[0]
		case 'C':
			l := cubicLengths(cur, s.P[0], s.P[1], s.P[2])
			total += l[len(l)-1]
			cur = s.P[2]
		case 'Z':
			total += dist(cur, start)
			cur = start
		}
	}
	if !finite(total) {
		return 0
	}
	return total
}

// dasher walks one subpath, emitting the parts that fall in dashes.
type dasher struct {
	out     *path
	on, off float64
	left    float64 // length left in the current dash or gap
	inOn    bool
	down    bool // a dash is open in out: continue it without moveTo
}

// walk advances over a piece of length l, calling emit(s0, s1) for each
// part of it inside a dash; emit starts a new dash when pen is up.
func (d *dasher) walk(l float64, emit func(s0, s1 float64, start bool)) {
	if !(l > 1e-9) || !finite(l) {
		return
	}
	s := 0.0
	// The count bound guards against a step lost to rounding.
	for i := 0; s < l-1e-9 && i < 2*maxDashes+4; i++ {
		step := math.Min(d.left, l-s)
		if d.inOn {
			emit(s, s+step, !d.down)
			d.down = true
		}
		s += step
		d.left -= step
		if d.left <= 1e-9 {
			d.inOn = !d.inOn
			d.down = false
			d.left = d.off
			if d.inOn {
				d.left = d.on
			}
		}
	}
}

func (d *dasher) line(a, b pt) {
	l := dist(a, b)
	at := func(s float64) pt { return pt{a.X + (b.X-a.X)*s/l, a.Y + (b.Y-a.Y)*s/l} }
	d.walk(l, func(s0, s1 float64, start bool) {
		if start {
			q := at(s0)
			d.out.moveTo(q.X, q.Y)
		}
		q := at(s1)
		d.out.lineTo(q.X, q.Y)
	})
}

func (d *dasher) cubic(a, b, c, e pt) {
	lens := cubicLengths(a, b, c, e)
	// tAt maps a length along the curve to its parameter, linearly
	// between the samples.
	tAt := func(s float64) float64 {
		for i := 1; i < len(lens); i++ {
			if s <= lens[i] {
				seg := lens[i] - lens[i-1]
				f := 0.0
				if seg > 0 {
					f = (s - lens[i-1]) / seg
				}
				return (float64(i-1) + f) / float64(len(lens)-1)
			}
		}
		return 1
	}
	d.walk(lens[len(lens)-1], func(s0, s1 float64, start bool) {
		q := subCubic([4]pt{a, b, c, e}, tAt(s0), tAt(s1))
		if start {
			d.out.moveTo(q[0].X, q[0].Y)
		}
		d.out.cubicTo(q[1].X, q[1].Y, q[2].X, q[2].Y, q[3].X, q[3].Y)
	})
}

// cubicLengths samples a cubic's length at 16 equal parameter steps:
// element i is the length from t=0 to t=i/16.
func cubicLengths(a, b, c, d pt) []float64 {
	const n = 16
	out := make([]float64, n+1)
	prev := a
	for i := 1; i <= n; i++ {
		q := cubicAt(a, b, c, d, float64(i)/n)
		out[i] = out[i-1] + dist(prev, q)
		prev = q
	}
	return out
}

// subCubic is the part of cubic q between parameters t0 and t1.
func subCubic(q [4]pt, t0, t1 float64) [4]pt {
	lerp := func(a, b pt, t float64) pt { return pt{a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t} }
	// split returns the part of q before t.
	split := func(q [4]pt, t float64) [4]pt {
		ab, bc, cd := lerp(q[0], q[1], t), lerp(q[1], q[2], t), lerp(q[2], q[3], t)
		abc, bcd := lerp(ab, bc, t), lerp(bc, cd, t)
		return [4]pt{q[0], ab, abc, lerp(abc, bcd, t)}
	}
	head := split(q, t1)
	if t1 <= 0 {
		return [4]pt{q[0], q[0], q[0], q[0]}
	}
	// Reverse, cut off the part before t0 (now the end), reverse back.
	r := split([4]pt{head[3], head[2], head[1], head[0]}, 1-t0/t1)
	return [4]pt{r[3], r[2], r[1], r[0]}
}
