package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"sort"
	"sync"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"github.com/modelviz/modelviz/view"
)

// Bitmap limits: a bigger picture is scaled down to fit, with a warning,
// so a huge graph costs at most maxPixels*4 bytes.
const (
	maxSide   = 16384
	maxPixels = 64 << 20
)

// fastFills enables fillRoundRect; off in tests to compare.
var fastFills = true

// rasterBand bounds the coverage buffer of one shape (in pixels); a
// larger shape is rasterized in horizontal bands. A variable for tests.
var rasterBand = 1 << 20

// PNG writes s as a PNG image at opt.Scale pixels per scene unit (2 by
// default).
func PNG(w io.Writer, s *view.Scene, opt Options) error {
	img, err := Raster(s, &opt)
	if err != nil {
		return err
	}
	return encodePNG(w, img)
}

// Raster draws s into an RGBA image (what PNG encodes).
func Raster(s *view.Scene, opt *Options) (*image.RGBA, error) {
	th, err := themeByName(opt.Theme)
	if err != nil {
		return nil, err
	}
	f, err := makeFrame(s, *opt)
	if err != nil {
		return nil, err
	}
	scale := opt.Scale
	if scale == 0 {
		scale = 2
	}
	if !finite(scale) || scale <= 0 || scale > 64 {
		return nil, fmt.Errorf("render: scale %g out of range (0, 64]", scale)
	}
	scale = fitScale(f.W, f.H, scale, opt)
	W := max(1, int(math.Ceil(f.W*scale)))
	H := max(1, int(math.Ceil(f.H*scale)))
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	rp := &rasterPainter{img: img, scale: scale, ox: f.X, oy: f.Y}
	drawAll(rp, s, th, f, everything)
	return img, nil
}

// fitScale lowers scale until the bitmap fits the limits.
func fitScale(w, h, scale float64, opt *Options) float64 {
	k := 1.0
	if w*scale > maxSide {
		k = math.Min(k, maxSide/(w*scale))
	}
	if h*scale > maxSide {
		k = math.Min(k, maxSide/(h*scale))
	}
	if px := w * h * scale * scale * k * k; px > maxPixels {
		k *= math.Sqrt(maxPixels / px)
	}
	if k < 1 {
		k *= 0.999 // stay under the limit after rounding up
		opt.warn("picture is %.0f×%.0f px, too big for one bitmap: drawn at scale %.3g instead of %.3g (use SVG or PDF for full detail)",
			math.Ceil(w*scale), math.Ceil(h*scale), scale*k, scale)
	}
	return scale * k
}

type rasterPainter struct {
	img    *image.RGBA
	scale  float64
	ox, oy float64 // scene point drawn at pixel (0, 0)
	z      vector.Rasterizer
	buf    sfnt.Buffer
	polys  [][]pt
	spans  []edgeSpan
}

func (p *rasterPainter) dev(q pt) pt {
	return pt{(q.X - p.ox) * p.scale, (q.Y - p.oy) * p.scale}
}

func (p *rasterPainter) begin(string, string, string) {}
func (p *rasterPainter) end()                         {}

func (p *rasterPainter) fill(pa *path, c rgba) {
	if c.A == 0 {
		return
	}
	p.polys = p.polys[:0]
	for _, pl := range pa.flatten(0.15 / p.scale) {
		d := make([]pt, len(pl.pts))
		for i, q := range pl.pts {
			d[i] = p.dev(q)
		}
		p.polys = append(p.polys, d)
	}
	if fastFills && pa.rr != nil && pa.rr[2]*pa.rr[3]*p.scale*p.scale > 1<<14 {
		if p.fillRoundRect(pa.rr, c) {
			return
		}
	}
	if r, ok := axisRect(p.polys); ok {
		// Solid rectangles (the background) skip the rasterizer.
		if r.Dx() > 0 && r.Dy() > 0 {
			draw.Draw(p.img, r.Intersect(p.img.Rect), image.NewUniform(color.NRGBA(c)), image.Point{}, opFor(c))
		}
		return
	}
	p.rasterize(p.polys, c)
}

// opFor is Src for opaque colours: the same result as Over, faster.
func opFor(c rgba) draw.Op {
	if c.A == 255 {
		return draw.Src
	}
	return draw.Over
}

// axisRect reports whether polys is one pixel-aligned rectangle.
func axisRect(polys [][]pt) (image.Rectangle, bool) {
	if len(polys) != 1 || len(polys[0]) < 4 || len(polys[0]) > 5 {
		return image.Rectangle{}, false
	}
	q := polys[0]
	x0, y0, x1, y1 := q[0].X, q[0].Y, q[0].X, q[0].Y
	for _, v := range q {
		if v.X != x0 && v.X != x1 {
			if x1 != x0 {
				return image.Rectangle{}, false
			}
			x1 = v.X
		}
		if v.Y != y0 && v.Y != y1 {
			if y1 != y0 {
				return image.Rectangle{}, false
			}
			y1 = v.Y
		}
	}
	r := image.Rect(int(math.Round(x0)), int(math.Round(y0)), int(math.Round(x1)), int(math.Round(y1)))
	aligned := func(v float64) bool { return math.Abs(v-math.Round(v)) < 1e-6 }
	if !aligned(x0) || !aligned(x1) || !aligned(y0) || !aligned(y1) {
		return image.Rectangle{}, false
	}
	return r.Canon(), true
}

// fillRoundRect fills a big rounded rectangle: the rasterizer draws the
// rounded top and bottom, plain spans the straight middle, so a group
// the size of the picture costs a fill, not a scan of coverage.
func (p *rasterPainter) fillRoundRect(rr *[5]float64, c rgba) bool {
	x0, y0 := (rr[0]-p.ox)*p.scale, (rr[1]-p.oy)*p.scale
	x1, y1 := x0+rr[2]*p.scale, y0+rr[3]*p.scale
	r := rr[4] * p.scale
	top, bot := int(math.Ceil(y0+r)), int(math.Floor(y1-r))
	if top >= bot || !finite(x0) || !finite(x1) || !finite(y0) || !finite(y1) {
		return false
	}
	p.rasterizeRows(p.polys, c, math.MinInt, top, false)
	p.rasterizeRows(p.polys, c, bot, math.MaxInt, false)
	lo, hi := max(top, p.img.Rect.Min.Y), min(bot, p.img.Rect.Max.Y)
	if lo >= hi {
		return true
	}
	span := func(a, b int, cov float64) {
		if cov <= 0 || a >= b {
			return
		}
		col := c
		col.A = uint8(float64(c.A)*math.Min(cov, 1) + 0.5)
		rc := image.Rect(a, lo, b, hi).Intersect(p.img.Rect)
		if !rc.Empty() && col.A > 0 {
			draw.Draw(p.img, rc, image.NewUniform(color.NRGBA(col)), image.Point{}, opFor(col))
		}
	}
	l, rgt := int(math.Floor(x0)), int(math.Floor(x1))
	if l == rgt {
		span(l, l+1, x1-x0)
		return true
	}
	span(l, l+1, float64(l+1)-x0)
	span(l+1, rgt, 1)
	span(rgt, rgt+1, x1-float64(rgt))
	return true
}

// rasterize fills polygons (device pixels, nonzero) with c.
func (p *rasterPainter) rasterize(polys [][]pt, c rgba) {
	p.rasterizeRows(polys, c, math.MinInt, math.MaxInt, false)
}

// bandRows is the height of the bands a large shape is rasterized in:
// each band's coverage buffer spans only the columns the shape has in
// those rows, so cost follows the pixels drawn, not the bounding box.
const bandRows = 32

// rasterizeRows fills polys in pixel rows [ry0, ry1). With spans set
// (stroke outlines, whose separate parts enclose nothing), each band is
// further cut into the column spans its edges occupy.
func (p *rasterPainter) rasterizeRows(polys [][]pt, c rgba, ry0, ry1 int, spans bool) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	nEdges := 0
	for _, pl := range polys {
		for _, q := range pl {
			x0, y0 = math.Min(x0, q.X), math.Min(y0, q.Y)
			x1, y1 = math.Max(x1, q.X), math.Max(y1, q.Y)
		}
		nEdges += len(pl)
	}
	if !finite(x0) || !finite(y0) || !finite(x1) || !finite(y1) {
		return
	}
	b := image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1))+1, int(math.Ceil(y1))+1).Intersect(p.img.Rect)
	b.Min.Y, b.Max.Y = max(b.Min.Y, ry0), min(b.Max.Y, ry1)
	if b.Empty() {
		return
	}
	src := image.NewUniform(color.NRGBA(c))
	if b.Dx()*b.Dy() <= 1<<16 {
		p.fillBand(polys, src, b, nil)
		return
	}
	bh := max(1, min(bandRows, rasterBand/b.Dx()))
	for top := b.Min.Y; top < b.Max.Y; top += bh {
		band := image.Rect(b.Min.X, top, b.Max.X, min(top+bh, b.Max.Y))
		// Column extent of every edge within the band's rows.
		p.spans = p.spans[:0]
		ya, yb := float64(band.Min.Y), float64(band.Max.Y)
		for pi, pl := range polys {
			for i := range pl {
				a, q := pl[i], pl[(i+1)%len(pl)]
				lo, hi, ok := clipX(a, q, ya, yb)
				if ok {
					p.spans = append(p.spans, edgeSpan{lo, hi, int32(pi), int32(i)})
				}
			}
		}
		if len(p.spans) == 0 {
			continue
		}
		if !spans {
			lo, hi := math.Inf(1), math.Inf(-1)
			for _, e := range p.spans {
				lo, hi = math.Min(lo, e.lo), math.Max(hi, e.hi)
			}
			r := image.Rect(int(math.Floor(lo))-1, band.Min.Y, int(math.Ceil(hi))+2, band.Max.Y).Intersect(band)
			p.fillBand(polys, src, r, nil)
			continue
		}
		sort.Slice(p.spans, func(i, j int) bool { return p.spans[i].lo < p.spans[j].lo })
		for i := 0; i < len(p.spans); {
			lo, hi := p.spans[i].lo, p.spans[i].hi
			j := i + 1
			for j < len(p.spans) && p.spans[j].lo <= hi+3 {
				hi = math.Max(hi, p.spans[j].hi)
				j++
			}
			r := image.Rect(int(math.Floor(lo))-1, band.Min.Y, int(math.Ceil(hi))+2, band.Max.Y).Intersect(band)
			p.fillBand(polys, src, r, p.spans[i:j])
			i = j
		}
	}
}

// edgeSpan is the column extent of edge I of polygon P within a band.
type edgeSpan struct {
	lo, hi float64
	P, I   int32
}

// clipX gives the x extent of segment a-q within rows [ya, yb).
func clipX(a, q pt, ya, yb float64) (lo, hi float64, ok bool) {
	if math.Max(a.Y, q.Y) < ya || math.Min(a.Y, q.Y) > yb {
		return 0, 0, false
	}
	xa, xb := a.X, q.X
	if a.Y != q.Y {
		at := func(y float64) float64 { return a.X + (q.X-a.X)*(y-a.Y)/(q.Y-a.Y) }
		t0, t1 := math.Max(math.Min(a.Y, q.Y), ya), math.Min(math.Max(a.Y, q.Y), yb)
		xa, xb = at(t0), at(t1)
	}
	return math.Min(xa, xb), math.Max(xa, xb), true
}

// fillBand rasterizes into rectangle r: whole polygons when edges is
// nil, else just the listed edges (whose rows balance, being both sides
// of a stroke).
func (p *rasterPainter) fillBand(polys [][]pt, src *image.Uniform, r image.Rectangle, edges []edgeSpan) {
	if r.Empty() {
		return
	}
	p.z.Reset(r.Dx(), r.Dy())
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	if edges == nil {
		for _, pl := range polys {
			if len(pl) < 3 {
				continue
			}
			p.z.MoveTo(float32(pl[0].X)-ox, float32(pl[0].Y)-oy)
			for _, q := range pl[1:] {
				p.z.LineTo(float32(q.X)-ox, float32(q.Y)-oy)
			}
			p.z.ClosePath()
		}
	} else {
		for _, e := range edges {
			pl := polys[e.P]
			a, q := pl[e.I], pl[(int(e.I)+1)%len(pl)]
			p.z.MoveTo(float32(a.X)-ox, float32(a.Y)-oy)
			p.z.LineTo(float32(q.X)-ox, float32(q.Y)-oy)
		}
	}
	p.z.Draw(p.img, r, src, image.Point{})
}

// stroke outlines each subpath as one polygon (left offset forward,
// right offset back; a ring for closed subpaths) with mitred joins, so
// every pixel's coverage is exact: overlapping pieces would overshoot
// at anti-aliased borders.
func (p *rasterPainter) stroke(pa *path, c rgba, width float64) {
	if c.A == 0 {
		return
	}
	hw := width * p.scale / 2
	if hw < 0.35 {
		// Thinner than a pixel: draw a hairline with reduced alpha.
		c.A = uint8(float64(c.A) * hw / 0.35)
		hw = 0.35
	}
	var polys [][]pt
	for _, pl := range pa.flatten(0.15 / p.scale) {
		pts := make([]pt, 0, len(pl.pts))
		for _, q := range pl.pts {
			d := p.dev(q)
			if len(pts) == 0 || dist(pts[len(pts)-1], d) > 1e-6 {
				pts = append(pts, d)
			}
		}
		closed := pl.closed
		if closed && len(pts) > 1 && dist(pts[0], pts[len(pts)-1]) < 1e-6 {
			pts = pts[:len(pts)-1]
		}
		if len(pts) < 2 || closed && len(pts) < 3 {
			continue
		}
		left := offsetLine(pts, hw, closed)
		right := offsetLine(pts, -hw, closed)
		if closed {
			reverse(right)
			polys = append(polys, left, right)
		} else {
			reverse(right)
			polys = append(polys, append(left, right...))
		}
	}
	p.rasterizeRows(polys, c, math.MinInt, math.MaxInt, true)
}

// offsetLine shifts a polyline sideways by d (left of travel when
// positive), mitring joins up to twice d and bevelling sharper ones.
func offsetLine(pts []pt, d float64, closed bool) []pt {
	n := len(pts)
	normal := func(i int) pt { // of segment i -> i+1
		a, b := pts[i], pts[(i+1)%n]
		l := dist(a, b)
		return pt{-(b.Y - a.Y) / l, (b.X - a.X) / l}
	}
	out := make([]pt, 0, n+4)
	for i := 0; i < n; i++ {
		v := pts[i]
		var n0, n1 pt
		switch {
		case !closed && i == 0:
			n0 = normal(0)
			n1 = n0
		case !closed && i == n-1:
			n0 = normal(n - 2)
			n1 = n0
		default:
			n0, n1 = normal((i-1+n)%n), normal(i)
		}
		m := pt{n0.X + n1.X, n0.Y + n1.Y}
		ml := math.Hypot(m.X, m.Y)
		if ml < 1e-9 {
			out = append(out, pt{v.X + n0.X*d, v.Y + n0.Y*d}, pt{v.X + n1.X*d, v.Y + n1.Y*d})
			continue
		}
		m = pt{m.X / ml, m.Y / ml}
		cos := m.X*n0.X + m.Y*n0.Y
		if cos < 0.5 { // miter longer than 2d: bevel
			out = append(out, pt{v.X + n0.X*d, v.Y + n0.Y*d}, pt{v.X + n1.X*d, v.Y + n1.Y*d})
			continue
		}
		out = append(out, pt{v.X + m.X*d/cos, v.Y + m.Y*d/cos})
	}
	return out
}

func reverse(p []pt) {
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// glyphKey identifies a rendered glyph: font, glyph, size in 1/64 px and
// a quarter-pixel horizontal phase.
type glyphKey struct {
	bold  bool
	g     sfnt.GlyphIndex
	size  int32
	phase uint8
}

type glyphMask struct {
	mask   *image.Alpha
	dx, dy int // mask origin relative to the pen position
}

var (
	glyphMu    sync.Mutex
	glyphCache = map[glyphKey]*glyphMask{}
	glyphBytes int
)

// The cache is dropped whole when it passes either bound: glyphs at
// --scale 64 are 600 KB each.
const (
	glyphCacheMax      = 20000
	glyphCacheMaxBytes = 64 << 20
)

func (p *rasterPainter) text(x, y float64, s string, size float64, bold bool, c rgba, a anchor) {
	if s == "" || c.A == 0 {
		return
	}
	switch a {
	case anchorMiddle:
		x -= textWidth(s, size, bold) / 2
	case anchorEnd:
		x -= textWidth(s, size, bold)
	}
	f := fontFace(bold)
	px := size * p.scale
	if px < 1 {
		return // below a pixel: nothing legible to draw
	}
	o := p.dev(pt{x, y})
	pen := o.X
	by := int(math.Round(o.Y))
	src := image.NewUniform(color.NRGBA(c))
	k := px / f.upm
	for _, r := range s {
		g := f.glyph(r)
		ix := int(math.Floor(pen))
		phase := uint8((pen - float64(ix)) * 4)
		gm := p.glyph(f, glyphKey{bold, g, int32(px * 64), phase})
		if gm != nil {
			dr := gm.mask.Rect.Add(image.Pt(ix+gm.dx, by+gm.dy))
			draw.DrawMask(p.img, dr, src, image.Point{}, gm.mask, image.Point{}, draw.Over)
		}
		pen += f.adv[g] * k
	}
}

func (p *rasterPainter) glyph(f *face, key glyphKey) *glyphMask {
	glyphMu.Lock()
	gm, ok := glyphCache[key]
	glyphMu.Unlock()
	if ok {
		return gm
	}
	segs, err := f.font.LoadGlyph(&p.buf, key.g, fixed.Int26_6(key.size), nil)
	if err != nil || len(segs) == 0 {
		gm = nil
	} else {
		b := segs.Bounds()
		shift := float32(key.phase) / 4
		x0 := int(math.Floor(float64(b.Min.X)/64 + float64(shift)))
		y0 := int(math.Floor(float64(b.Min.Y) / 64))
		x1 := int(math.Ceil(float64(b.Max.X)/64+float64(shift))) + 1
		y1 := int(math.Ceil(float64(b.Max.Y)/64)) + 1
		w, h := x1-x0, y1-y0
		if w > 0 && h > 0 && w*h < 1<<22 {
			var z vector.Rasterizer
			z.Reset(w, h)
			tx := func(v fixed.Int26_6) float32 { return float32(v)/64 + shift - float32(x0) }
			ty := func(v fixed.Int26_6) float32 { return float32(v)/64 - float32(y0) }
			for _, s := range segs {
				a := s.Args
				switch s.Op {
				case sfnt.SegmentOpMoveTo:
					z.MoveTo(tx(a[0].X), ty(a[0].Y))
				case sfnt.SegmentOpLineTo:
					z.LineTo(tx(a[0].X), ty(a[0].Y))
				case sfnt.SegmentOpQuadTo:
					z.QuadTo(tx(a[0].X), ty(a[0].Y), tx(a[1].X), ty(a[1].Y))
				case sfnt.SegmentOpCubeTo:
					z.CubeTo(tx(a[0].X), ty(a[0].Y), tx(a[1].X), ty(a[1].Y), tx(a[2].X), ty(a[2].Y))
				}
			}
			z.ClosePath()
			m := image.NewAlpha(image.Rect(0, 0, w, h))
			z.Draw(m, m.Rect, image.Opaque, image.Point{})
			gm = &glyphMask{mask: m, dx: x0, dy: y0}
		}
	}
	glyphMu.Lock()
	if len(glyphCache) >= glyphCacheMax || glyphBytes >= glyphCacheMaxBytes {
		clear(glyphCache)
		glyphBytes = 0
	}
	glyphCache[key] = gm
	if gm != nil {
		glyphBytes += len(gm.mask.Pix)
	}
	glyphMu.Unlock()
	return gm
}
