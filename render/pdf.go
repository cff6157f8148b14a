package render

import (
	"fmt"
	"io"
	"math"
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
// its part of the graph (read left to right, top to bottom).
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
	// Even tiles look better than a full page and a sliver.
	tw, tht := f.W/float64(cols), f.H/float64(rows)
	if cols*rows > 1 {
		opt.warn("drawing is %.0f×%.0f in, split into %d×%d PDF pages", f.W*k/72, f.H*k/72, cols, rows)
	}

	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: tw * k, Ht: tht * k}})
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
			doc.AddPage()
			x0, y0 := f.X+float64(c)*tw, f.Y+float64(r)*tht
			pp := &pdfPainter{doc: doc, ox: x0, oy: y0, k: k}
			drawAll(pp, s, th, f, rect{x0, y0, x0 + tw, y0 + tht})
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
