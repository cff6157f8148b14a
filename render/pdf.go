package render

import (
	"fmt"
	"io"
	"math"
	"sort"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/modelviz/modelviz/view"
)

const (
	// pdfK converts scene units (CSS pixels) to points, so a PDF prints
	// at the size the SVG shows at 96 dpi.
	pdfK = 0.75
	// maxPage is the largest page side in points most PDF readers
	// accept (200 inches); a bigger drawing is split into pages.
	maxPage = 14400.0
	// maxPages bounds the work for huge scenes; beyond it the drawing
	// shrinks.
	maxPages = 400
)

// PDF writes s as a vector PDF with the Go fonts embedded. A drawing
// larger than a 200-inch page is split into a grid of pages, each showing
// its part of the graph (read left to right, top to bottom), cut between
// boxes where it can be.
func PDF(w io.Writer, s *view.Scene, opt Options) error {
	th, err := themeByName(opt.Theme)
	if err != nil {
		return err
	}
	f, err := makeFrame(s, opt)
	if err != nil {
		return err
	}
	// k is points per scene unit: pdfK, less when even maxPages pages
	// would not hold the drawing (it stays vector: readers zoom in).
	k := pdfK
	var cols, rows int
	for {
		tile := maxPage / k
		cols, rows = max(1, int(math.Ceil(f.W/tile))), max(1, int(math.Ceil(f.H/tile)))
		if cols*rows <= maxPages {
			break
		}
		k *= 0.9
	}
	if k < pdfK {
		opt.warn("drawing is %.0f×%.0f in, more than %d pages: scaled to %.0f%%", f.W*pdfK/72, f.H*pdfK/72, maxPages, 100*k/pdfK)
	}
	xs, ys := pageSplits(s, f, maxPage/k, cols, rows)
	if cols*rows > 1 {
		opt.warn("drawing is %.0f×%.0f in, split into %d×%d PDF pages", f.W*k/72, f.H*k/72, cols, rows)
	}
	size := func(c, r int) fpdf.SizeType {
		return fpdf.SizeType{Wd: (xs[c+1] - xs[c]) * k, Ht: (ys[r+1] - ys[r]) * k}
	}

	doc := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "pt", Size: size(0, 0)})
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	doc.SetCompression(true)
	// Fixed dates keep the file byte-identical run to run.
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	doc.SetCreationDate(epoch)
	doc.SetModificationDate(epoch)
	doc.SetCatalogSort(true)
	doc.SetProducer("modelviz", true)
	doc.SetCreator("modelviz", true)
	if f.title != "" {
		doc.SetTitle(f.title, true)
	}
	doc.AddUTF8FontFromBytes("go", "", fontFace(false).ttf)
	doc.AddUTF8FontFromBytes("go", "B", fontFace(true).ttf)
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			doc.AddPageFormat("P", size(c, r))
			pp := &pdfPainter{doc: doc, ox: xs[c], oy: ys[r], k: k}
			drawAll(pp, s, th, f, rect{xs[c], ys[r], xs[c+1], ys[r+1]})
			if doc.Err() {
				return fmt.Errorf("render: pdf: %v", doc.Error())
			}
		}
	}
	return doc.Output(w)
}

type pdfPainter struct {
	doc    *fpdf.Fpdf
	ox, oy float64
	k      float64 // points per scene unit
	alpha  float64
}

func (p *pdfPainter) x(v float64) float64 { return (v - p.ox) * p.k }
func (p *pdfPainter) y(v float64) float64 { return (v - p.oy) * p.k }

func (p *pdfPainter) setAlpha(a uint8) {
	v := float64(a) / 255
	if v != p.alpha || p.alpha == 0 {
		p.doc.SetAlpha(math.Round(v*1000)/1000, "Normal")
		p.alpha = v
	}
}

func (p *pdfPainter) trace(pa *path) {
	for _, s := range pa.segs {
		switch s.Op {
		case 'M':
			p.doc.MoveTo(p.x(s.P[0].X), p.y(s.P[0].Y))
		case 'L':
			p.doc.LineTo(p.x(s.P[0].X), p.y(s.P[0].Y))
		case 'C':
			p.doc.CurveBezierCubicTo(p.x(s.P[0].X), p.y(s.P[0].Y), p.x(s.P[1].X), p.y(s.P[1].Y), p.x(s.P[2].X), p.y(s.P[2].Y))
		case 'Z':
			p.doc.ClosePath()
		}
	}
}

func (p *pdfPainter) fill(pa *path, c rgba) {
	if c.A == 0 || len(pa.segs) == 0 {
		return
	}
	p.setAlpha(c.A)
	p.doc.SetFillColor(int(c.R), int(c.G), int(c.B))
	p.trace(pa)
	p.doc.DrawPath("F")
}

func (p *pdfPainter) stroke(pa *path, c rgba, width float64) {
	if c.A == 0 || len(pa.segs) == 0 {
		return
	}
	p.setAlpha(c.A)
	p.doc.SetDrawColor(int(c.R), int(c.G), int(c.B))
	p.doc.SetLineWidth(width * p.k)
	p.doc.SetLineJoinStyle("round")
	p.trace(pa)
	p.doc.DrawPath("D")
}

func (p *pdfPainter) text(x, y float64, s string, size float64, bold bool, c rgba, a anchor) {
	if s == "" || c.A == 0 {
		return
	}
	switch a {
	case anchorMiddle:
		x -= textWidth(s, size, bold) / 2
	case anchorEnd:
		x -= textWidth(s, size, bold)
	}
	style := ""
	if bold {
		style = "B"
	}
	p.setAlpha(c.A)
	p.doc.SetFont("go", style, size*p.k)
	p.doc.SetTextColor(int(c.R), int(c.G), int(c.B))
	p.doc.Text(p.x(x), p.y(y), s)
}

func (p *pdfPainter) begin(string, string, string) {}
func (p *pdfPainter) end()                         {}

// span is a stretch [A, B] of one axis that a page cut must not cross.
type span struct{ A, B float64 }

// cutPad keeps a cut this far from a box: clear of its border and of
// the arrowheads touching it.
const cutPad = arrowLen + 1

// pageSplits gives the page boundaries of a cols×rows split of frame f
// (cols+1 x positions, rows+1 y positions). Each cut goes between boxes
// and group titles where it can (see cuts).
func pageSplits(s *view.Scene, f frame, maxSide float64, cols, rows int) (xs, ys []float64) {
	m := sceneMetrics()
	var bx, by []span
	for i := range s.Nodes {
		b := &s.Nodes[i]
		bx = append(bx, span{b.X - cutPad, b.X + b.W + stackOffset + cutPad})
		by = append(by, span{b.Y - cutPad, b.Y + b.H + stackOffset + cutPad})
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		x := titleX(g, m)
		w := textWidth(SafeText(g.Label), m.GroupLabelSize, true)
		bx = append(bx, span{x - cutPad, math.Min(x+w, g.X+g.W) + cutPad})
		by = append(by, span{g.Y - cutPad, g.Y + m.GroupLabelH + cutPad})
	}
	return cuts(f.X, f.W, maxSide, cols, bx), cuts(f.Y, f.H, maxSide, rows, by)
}

// cuts splits [from, from+size] into n pages of at most maxSide each.
// Cut i goes at the largest position at or before the even cut
// from+i*size/n that no blocked span covers, as long as every page still
// fits maxSide; where no such position exists, at the even cut itself.
func cuts(from, size, maxSide float64, n int, blocked []span) []float64 {
	out := make([]float64, n+1)
	out[0], out[n] = from, from+size
	if n == 1 {
		return out
	}
	merged := mergeSpans(blocked)
	for i := 1; i < n; i++ {
		even := from + float64(i)*size/float64(n)
		// The pages after this cut must fit: (n-i) of them from here to
		// the end, and the next one up to its even cut.
		lo := math.Max(from+size-float64(n-i)*maxSide, from+float64(i+1)*size/float64(n)-maxSide)
		lo = math.Max(lo, out[i-1]+1)
		out[i] = even
		if c := freeAtOrBefore(merged, even); c >= lo {
			out[i] = c
		}
	}
	return out
}

// mergeSpans sorts spans and joins overlapping ones; non-finite spans
// are dropped.
func mergeSpans(in []span) []span {
	sp := make([]span, 0, len(in))
	for _, s := range in {
		if finite(s.A) && finite(s.B) && s.A < s.B {
			sp = append(sp, s)
		}
	}
	sort.Slice(sp, func(i, j int) bool { return sp[i].A < sp[j].A || sp[i].A == sp[j].A && sp[i].B < sp[j].B })
	out := sp[:0]
	for _, s := range sp {
		if n := len(out); n > 0 && s.A <= out[n-1].B {
			out[n-1].B = math.Max(out[n-1].B, s.B)
			continue
		}
		out = append(out, s)
	}
	return out
}

// freeAtOrBefore is the largest position <= v inside no span: v itself,
// or the start of the span covering v.
func freeAtOrBefore(merged []span, v float64) float64 {
	// The last span starting before v.
	i := sort.Search(len(merged), func(i int) bool { return merged[i].A >= v }) - 1
	if i < 0 || merged[i].B <= v {
		return v
	}
	return merged[i].A
}
