// Package render draws a laid-out view.Scene as SVG, PNG, PDF, DOT or a
// self-contained HTML page. One drawing routine (drawScene) paints onto a
// small painter interface with an SVG, a raster and a PDF backend, so
// every format shows the same picture with the same embedded Go fonts.
//
// Use Write(w, scene, format, opt) when the format is chosen at run time
// (the CLI, the web server's export), or SVG/PNG/PDF/DOT/HTML directly.
package render

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/modelviz/modelviz/view"
)

// Format is an output format.
type Format uint8

const (
	FormatSVG Format = iota
	FormatPNG
	FormatPDF
	FormatDOT
	FormatHTML
)

var formatNames = [...]string{"svg", "png", "pdf", "dot", "html"}
var formatMIME = [...]string{"image/svg+xml", "image/png", "application/pdf", "text/vnd.graphviz; charset=utf-8", "text/html; charset=utf-8"}

func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", f)
}

// MIME is the Content-Type to serve f with.
func (f Format) MIME() string {
	if int(f) < len(formatMIME) {
		return formatMIME[f]
	}
	return "application/octet-stream"
}

// ParseFormat accepts "svg", "png", "pdf", "dot" (or "gv") and "html"
// (or "htm"), in any case.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimPrefix(s, ".")) {
	case "svg":
		return FormatSVG, nil
	case "png":
		return FormatPNG, nil
	case "pdf":
		return FormatPDF, nil
	case "dot", "gv":
		return FormatDOT, nil
	case "html", "htm":
		return FormatHTML, nil
	}
	return 0, fmt.Errorf("unknown format %q (want svg, png, pdf, dot or html)", s)
}

// FormatFromPath picks the format from a file name's extension.
func FormatFromPath(p string) (Format, bool) {
	f, err := ParseFormat(filepath.Ext(p))
	return f, err == nil
}

// Options tune a picture. The zero value draws the light theme, PNG at 2
// pixels per scene unit, without a title.
type Options struct {
	Theme string  // "light" (default) or "dark"
	Scale float64 // PNG pixels per scene unit; 0 means 2
	Title string  // drawn above the graph and used as the document title
	// TextPaths makes SVG text glyph outlines instead of <text> with an
	// embedded font, and styles presentation attributes instead of CSS:
	// larger and not selectable, but drawn identically by tools that
	// ignore @font-face or <style> (Inkscape, librsvg, ImageMagick).
	TextPaths bool
	// Warn receives one-line warnings (a PNG scaled down to fit, PDF
	// split into pages); nil drops them.
	Warn func(msg string)
	// Details adds model facts (attributes, tensor types, doc links) to
	// the HTML side panel; nil shows what the Scene alone knows.
	// ModelDetails builds one from a model.
	Details func(b *view.Box) *NodeDetails
}

func (o *Options) warn(format string, args ...any) {
	if o.Warn != nil {
		o.Warn(fmt.Sprintf(format, args...))
	}
}

// Write renders s in format f.
func Write(w io.Writer, s *view.Scene, f Format, opt Options) error {
	switch f {
	case FormatSVG:
		return SVG(w, s, opt)
	case FormatPNG:
		return PNG(w, s, opt)
	case FormatPDF:
		return PDF(w, s, opt)
	case FormatDOT:
		return DOT(w, s, opt)
	case FormatHTML:
		return HTML(w, s, opt)
	}
	return fmt.Errorf("unknown format %v", f)
}

// margin surrounds the graph in every picture.
const (
	margin     = 20.0
	titleSize  = 16.0
	titleSpace = 30.0
)

// frame is the picture's extent in scene units.
type frame struct {
	X, Y, W, H float64
	title      string
}

// maxCoord bounds scene coordinates we accept. No backend allocates by
// the drawing's size (bitmaps and page counts are capped), so this only
// rejects nonsense; a 100,000-box chain is ~1e7 units tall.
const maxCoord = 1e9

func makeFrame(s *view.Scene, opt Options) (frame, error) {
	if s == nil {
		return frame{}, fmt.Errorf("render: no scene")
	}
	w, h := s.Width, s.Height
	// Trust the content over the declared size: a box outside the
	// declared area still gets drawn.
	for i := range s.Nodes {
		b := &s.Nodes[i]
		w, h = math.Max(w, b.X+b.W+stackOffset), math.Max(h, b.Y+b.H+stackOffset)
	}
	for i := range s.Groups {
		g := &s.Groups[i]
		w, h = math.Max(w, g.X+g.W), math.Max(h, g.Y+g.H)
	}
	if !finite(w) || !finite(h) || w < 0 || h < 0 || w > maxCoord || h > maxCoord {
		return frame{}, fmt.Errorf("render: scene size %gx%g is out of range", w, h)
	}
	f := frame{X: -margin, Y: -margin, W: w + 2*margin, H: h + 2*margin}
	if t := SafeText(strings.TrimSpace(opt.Title)); t != "" {
		f.title = t
		f.Y -= titleSpace
		f.H += titleSpace
		// A narrow graph widens to show its whole title.
		f.W = math.Max(f.W, math.Min(textWidth(t, titleSize, true), 2000)+2*margin)
	}
	return f, nil
}

// drawAll paints the background, the title and the scene.
func drawAll(p painter, s *view.Scene, th *theme, f frame, clip rect) {
	var bg path
	bg.rect(f.X, f.Y, f.W, f.H)
	p.fill(&bg, th.bg)
	if f.title != "" {
		t := fitText(f.title, titleSize, true, f.W-2*margin)
		p.text(0, f.Y+margin+titleSize*0.8, t, titleSize, true, th.rowKey, anchorStart)
	}
	drawScene(p, s, th, clip)
}
