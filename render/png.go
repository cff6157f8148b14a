package render

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
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
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
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
	if r, ok := axisRect(p.polys); ok {
		// Solid rectangles (the background) skip the rasterizer.
		if r.Dx() > 0 && r.Dy() > 0 {
			draw.Draw(p.img, r.Intersect(p.img.Rect), image.NewUniform(color.NRGBA(c)), image.Point{}, draw.Over)
		}
		return
	}
	p.rasterize(p.polys, c)
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

// rasterize fills polygons (device pixels, nonzero) with c, in bands so
// the coverage buffer stays small whatever the shape's size.
func (p *rasterPainter) rasterize(polys [][]pt, c rgba) {
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
			nx, ny := -(b.Y-a.Y)/d*hw, (b.X-a.X)/d*hw
			polys = append(polys, []pt{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}})
			if i < len(pts)-1 || pl.closed {
				polys = append(polys, disc(b, hw))
			}
		}
	}
	for _, pl := range polys {
		if area(pl) < 0 {
			for i, j := 0, len(pl)-1; i < j; i, j = i+1, j-1 {
				pl[i], pl[j] = pl[j], pl[i]
			}
		}
	}
	p.rasterize(polys, c)
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
