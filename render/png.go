package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
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
}

func (p *rasterPainter) dev(q pt) pt {
	return pt{(q.X - p.ox) * p.scale, (q.Y - p.oy) * p.scale}
}

func (p *rasterPainter) begin(string, string) {}
func (p *rasterPainter) end()                 {}

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
	p.rasterizeRows(p.polys, c, math.MinInt, top)
	p.rasterizeRows(p.polys, c, bot, math.MaxInt)
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

// rasterize fills polygons (device pixels, nonzero) with c, in bands so
// the coverage buffer stays small whatever the shape's size.
func (p *rasterPainter) rasterize(polys [][]pt, c rgba) {
	p.rasterizeRows(polys, c, math.MinInt, math.MaxInt)
}

// rasterizeRows is rasterize limited to pixel rows [ry0, ry1).
func (p *rasterPainter) rasterizeRows(polys [][]pt, c rgba, ry0, ry1 int) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, pl := range polys {
		for _, q := range pl {
			x0, y0 = math.Min(x0, q.X), math.Min(y0, q.Y)
			x1, y1 = math.Max(x1, q.X), math.Max(y1, q.Y)
		}
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
	bw := b.Dx()
	band := max(1, rasterBand/bw)
	for top := b.Min.Y; top < b.Max.Y; top += band {
		bh := min(band, b.Max.Y-top)
		p.z.Reset(bw, bh)
		ox, oy := float32(b.Min.X), float32(top)
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
		p.z.Draw(p.img, image.Rect(b.Min.X, top, b.Max.X, top+bh), src, image.Point{})
	}
}

// stroke outlines the path: a quad per segment plus a small disc at each
// joint, all wound the same way so overlaps do not cancel.
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
		pts := make([]pt, 0, len(pl.pts)+1)
		for _, q := range pl.pts {
			pts = append(pts, p.dev(q))
		}
		if pl.closed && len(pts) > 1 {
			pts = append(pts, pts[0])
		}
		for i := 1; i < len(pts); i++ {
			a, b := pts[i-1], pts[i]
			d := dist(a, b)
			if d < 1e-9 {
				continue
			}
			ux, uy := (b.X-a.X)/d, (b.Y-a.Y)/d
			nx, ny := -uy*hw, ux*hw
			// A long slanted segment is cut into short pieces, so no
			// rasterization scans its whole bounding box. Pieces overlap
			// by half a pixel: no seams (strokes here are opaque or
			// axis-aligned).
			pieces := 1
			if math.Abs(b.X-a.X) > 8 && math.Abs(b.Y-a.Y) > 8 {
				pieces = int(math.Ceil(d / 32))
			}
			for k := 0; k < pieces; k++ {
				t0, t1 := d*float64(k)/float64(pieces), d*float64(k+1)/float64(pieces)
				if k > 0 {
					t0 -= 0.5
				}
				if k < pieces-1 {
					t1 += 0.5
				}
				s0 := pt{a.X + ux*t0, a.Y + uy*t0}
				s1 := pt{a.X + ux*t1, a.Y + uy*t1}
				polys = append(polys, []pt{{s0.X + nx, s0.Y + ny}, {s1.X + nx, s1.Y + ny}, {s1.X - nx, s1.Y - ny}, {s0.X - nx, s0.Y - ny}})
			}
			if i < len(pts)-1 || pl.closed {
				polys = append(polys, disc(b, hw))
			}
		}
	}
	// Rasterize in batches of nearby pieces: one batch for a long edge
	// or a big group outline would scan its whole bounding box.
	var batch [][]pt
	var bx0, by0, bx1, by1, sum float64
	flush := func() {
		if len(batch) > 0 {
			p.rasterize(batch, c)
			batch = batch[:0]
		}
	}
	for _, pl := range polys {
		if area(pl) < 0 {
			for i, j := 0, len(pl)-1; i < j; i, j = i+1, j-1 {
				pl[i], pl[j] = pl[j], pl[i]
			}
		}
		x0, y0, x1, y1 := polyBounds(pl)
		a := (x1 - x0 + 2) * (y1 - y0 + 2)
		if len(batch) > 0 {
			ux0, uy0 := math.Min(bx0, x0), math.Min(by0, y0)
			ux1, uy1 := math.Max(bx1, x1), math.Max(by1, y1)
			if ua := (ux1 - ux0 + 2) * (uy1 - uy0 + 2); ua > 4*(sum+a) && ua > 4096 {
				flush()
			} else {
				bx0, by0, bx1, by1, sum = ux0, uy0, ux1, uy1, sum+a
				batch = append(batch, pl)
				continue
			}
		}
		bx0, by0, bx1, by1, sum = x0, y0, x1, y1, a
		batch = append(batch, pl)
	}
	flush()
}

func polyBounds(pl []pt) (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = pl[0].X, pl[0].Y, pl[0].X, pl[0].Y
	for _, q := range pl[1:] {
		x0, y0 = math.Min(x0, q.X), math.Min(y0, q.Y)
		x1, y1 = math.Max(x1, q.X), math.Max(y1, q.Y)
	}
	return
}

func disc(c pt, r float64) []pt {
	const n = 8
	out := make([]pt, n)
	for i := range out {
		a := float64(i) * 2 * math.Pi / n
		out[i] = pt{c.X + r*math.Cos(a), c.Y + r*math.Sin(a)}
	}
	return out
}

func area(pl []pt) float64 {
	s := 0.0
	for i := range pl {
		j := (i + 1) % len(pl)
		s += pl[i].X*pl[j].Y - pl[j].X*pl[i].Y
	}
	return s
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
)

const glyphCacheMax = 20000

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
	if len(glyphCache) >= glyphCacheMax {
		clear(glyphCache)
	}
	glyphCache[key] = gm
	glyphMu.Unlock()
	return gm
}
