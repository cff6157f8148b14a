package render

import (
	"sync"

	"bytes"
	"encoding/base64"
	"fmt"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/view"
)

// SVG writes s as a standalone SVG document. The Go fonts are embedded as
// @font-face data URIs, cut down to the glyphs used, so the file looks
// the same in every viewer.
func SVG(w io.Writer, s *view.Scene, opt Options) error {
	return svgDocument(w, s, opt, false)
}

// svgDocument writes the SVG; inline leaves out the XML prolog and fixed
// size, for embedding in HTML. The drawing is built in memory first (the
// style sheet and fonts before it depend on it), then written once.
func svgDocument(w io.Writer, s *view.Scene, opt Options, inline bool) error {
	th, err := themeByName(opt.Theme)
	if err != nil {
		return err
	}
	f, err := makeFrame(s, opt)
	if err != nil {
		return err
	}
	sp := &svgPainter{used: [2]map[uint16]bool{{}, {}}, classes: map[string]string{}, paths: opt.TextPaths && !inline}
	sp.body.Grow(256 + 400*len(s.Nodes) + 200*len(s.Edges))
	drawAll(sp, s, th, f, everything)

	var out bytes.Buffer
	out.Grow(16 << 10)
	vb := num(f.X) + " " + num(f.Y) + " " + num(f.W) + " " + num(f.H)
	if inline {
		fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%s" data-width="%s" data-height="%s" class="mv-graph">`, vb, num(f.W), num(f.H))
	} else {
		out.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
		fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="%s">`, num(f.W), num(f.H), vb)
	}
	out.WriteByte('\n')
	if f.title != "" {
		out.WriteString("<title>")
		xmlEscape(&out, f.title)
		out.WriteString("</title>\n")
	}
	if !sp.paths {
		out.WriteString("<style>\n")
	}
	for i, name := range [2]string{"regular", "bold"} {
		if len(sp.used[i]) == 0 {
			continue
		}
		sub, err := subsetTTF(fontFace(i == 1).ttf, sp.used[i])
		if err != nil {
			return fmt.Errorf("render: font subset: %v", err)
		}
		weight := 400
		if i == 1 {
			weight = 700
		}
		fmt.Fprintf(&out, "@font-face{font-family:'Go modelviz';font-weight:%d;src:url(data:font/ttf;base64,", weight)
		enc := base64.NewEncoder(base64.StdEncoding, &out)
		enc.Write(sub)
		enc.Close()
		fmt.Fprintf(&out, ") format('truetype')} /* Go %s, BSD licence */\n", name)
	}
	if !sp.paths {
		out.WriteString("text{font-family:'Go modelviz';white-space:pre;font-kerning:none}\n")
	}
	// Classes in first-use order: deterministic.
	keys := make([]string, 0, len(sp.classes))
	for k := range sp.classes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return sp.classes[keys[i]] < sp.classes[keys[j]] })
	for _, k := range keys {
		fmt.Fprintf(&out, ".%s{%s}\n", sp.classes[k], k)
	}
	if !sp.paths {
		out.WriteString("</style>\n")
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return err
	}
	sp.body.WriteString("</svg>\n")
	_, err = w.Write(sp.body.Bytes())
	return err
}

type svgPainter struct {
	body    bytes.Buffer
	used    [2]map[uint16]bool
	classes map[string]string // CSS declaration -> class name
	depth   int
	scratch []byte
	paths   bool // text as glyph outlines (Options.TextPaths)
}

// textPath draws s as one path of glyph outlines.
func (p *svgPainter) textPath(x, y float64, s string, size float64, bold bool, c rgba, a anchor) {
	switch a {
	case anchorMiddle:
		x -= textWidth(s, size, bold) / 2
	case anchorEnd:
		x -= textWidth(s, size, bold)
	}
	f := fontFace(bold)
	k := size / f.upm
	decl := "fill:" + c.css()
	if c.A < 255 {
		decl += ";fill-opacity:" + num3(float64(c.A)/255)
	}
	start := p.body.Len()
	p.openPath(decl)
	mark := p.body.Len()
	b := &p.body
	pen := x
	for _, r := range s {
		g := f.glyph(r)
		open := false
		for _, sg := range glyphOutline(f, bold, g) {
			n := 1
			switch sg.op {
			case 'M':
				if open {
					b.WriteByte('Z')
				}
				open = true
			case 'Q':
				n = 2
			case 'C':
				n = 3
			}
			b.WriteByte(sg.op)
			for i := 0; i < n; i++ {
				if i > 0 {
					b.WriteByte(' ')
				}
				p.num(pen + sg.p[i].X*k)
				b.WriteByte(' ')
				p.num(y + sg.p[i].Y*k)
			}
		}
		if open {
			b.WriteByte('Z')
		}
		pen += f.adv[g] * k
	}
	if p.body.Len() == mark { // only spaces: no element
		p.body.Truncate(start)
		return
	}
	p.body.WriteString("\"/>\n")
}

// outlineSeg is a glyph outline command in font units, y down.
type outlineSeg struct {
	op byte // M L Q C
	p  [3]pt
}

var outlines sync.Map // [2]int{bold, glyph} -> []outlineSeg

func glyphOutline(f *face, bold bool, g sfnt.GlyphIndex) []outlineSeg {
	key := [2]int{0, int(g)}
	if bold {
		key[0] = 1
	}
	if v, ok := outlines.Load(key); ok {
		return v.([]outlineSeg)
	}
	var buf sfnt.Buffer
	segs, err := f.font.LoadGlyph(&buf, g, fixed.Int26_6(f.upm*64), nil)
	var out []outlineSeg
	if err == nil {
		out = make([]outlineSeg, 0, len(segs))
		for _, sg := range segs {
			o := outlineSeg{}
			switch sg.Op {
			case sfnt.SegmentOpMoveTo:
				o.op = 'M'
			case sfnt.SegmentOpLineTo:
				o.op = 'L'
			case sfnt.SegmentOpQuadTo:
				o.op = 'Q'
			case sfnt.SegmentOpCubeTo:
				o.op = 'C'
			}
			for i := range o.p {
				o.p[i] = pt{float64(sg.Args[i].X) / 64, float64(sg.Args[i].Y) / 64}
			}
			out = append(out, o)
		}
	}
	outlines.Store(key, out)
	return out
}

func (p *svgPainter) class(decl string) string {
	c, ok := p.classes[decl]
	if !ok {
		c = fmt.Sprintf("s%d", len(p.classes))
		p.classes[decl] = c
	}
	return c
}

func (p *svgPainter) pathData(pa *path) {
	b := &p.body
	for _, s := range pa.segs {
		switch s.Op {
		case 'M', 'L':
			b.WriteByte(s.Op)
			p.num(s.P[0].X)
			b.WriteByte(' ')
			p.num(s.P[0].Y)
		case 'C':
			b.WriteByte('C')
			for i, q := range s.P {
				if i > 0 {
					b.WriteByte(' ')
				}
				p.num(q.X)
				b.WriteByte(' ')
				p.num(q.Y)
			}
		case 'Z':
			b.WriteByte('Z')
		}
	}
}

func (p *svgPainter) fill(pa *path, c rgba) {
	if c.A == 0 || len(pa.segs) == 0 {
		return
	}
	decl := "fill:" + c.css()
	if c.A < 255 {
		decl += ";fill-opacity:" + num3(float64(c.A)/255)
	}
	p.openPath(decl)
	p.pathData(pa)
	p.body.WriteString("\"/>\n")
}

func (p *svgPainter) openPath(decl string) {
	if p.paths {
		// Compatibility mode: presentation attributes, which every SVG
		// reader applies, unlike a <style> sheet.
		p.body.WriteString(`<path`)
		for _, kv := range strings.Split(decl, ";") {
			k, v, _ := strings.Cut(kv, ":")
			p.body.WriteString(` ` + k + `="` + v + `"`)
		}
		if !strings.Contains(decl, "stroke:") {
			p.body.WriteString(` stroke="none"`) // ImageMagick strokes by default
		}
		p.body.WriteString(` d="`)
		return
	}
	p.body.WriteString(`<path class="`)
	p.body.WriteString(p.class(decl))
	p.body.WriteString(`" d="`)
}

// num appends a coordinate as num formats it, without allocating.
func (p *svgPainter) num(v float64) {
	if !finite(v) {
		p.body.WriteByte('0')
		return
	}
	v = math.Round(v*100) / 100
	if v == 0 {
		p.body.WriteByte('0')
		return
	}
	p.scratch = strconv.AppendFloat(p.scratch[:0], v, 'f', -1, 64)
	p.body.Write(p.scratch)
}

func (p *svgPainter) stroke(pa *path, c rgba, width float64) {
	if c.A == 0 || len(pa.segs) == 0 {
		return
	}
	decl := "fill:none;stroke:" + c.css() + ";stroke-width:" + num(width) + ";stroke-linejoin:round"
	if c.A < 255 {
		decl += ";stroke-opacity:" + num3(float64(c.A)/255)
	}
	p.openPath(decl)
	p.pathData(pa)
	p.body.WriteString("\"/>\n")
}

func (p *svgPainter) text(x, y float64, s string, size float64, bold bool, c rgba, a anchor) {
	if p.paths {
		p.textPath(x, y, s, size, bold, c, a)
		return
	}
	fi := 0
	weight := ""
	if bold {
		fi = 1
		weight = ";font-weight:700"
	}
	f := fontFace(bold)
	for _, r := range s {
		p.used[fi][uint16(f.glyph(r))] = true
	}
	decl := "font-size:" + num(size) + "px" + weight + ";fill:" + c.css()
	if c.A < 255 {
		decl += ";fill-opacity:" + num3(float64(c.A)/255)
	}
	switch a {
	case anchorMiddle:
		decl += ";text-anchor:middle"
	case anchorEnd:
		decl += ";text-anchor:end"
	}
	p.body.WriteString(`<text class="`)
	p.body.WriteString(p.class(decl))
	p.body.WriteString(`" x="`)
	p.num(x)
	p.body.WriteString(`" y="`)
	p.num(y)
	p.body.WriteString(`">`)
	xmlEscape(&p.body, s)
	p.body.WriteString("</text>\n")
}

func (p *svgPainter) begin(class, id, tip string) {
	p.body.WriteString(`<g class="`)
	p.body.WriteString(class)
	p.body.WriteString(`" data-id="`)
	xmlEscape(&p.body, id)
	p.body.WriteString("\">\n")
	if tip != "" {
		p.body.WriteString("<title>")
		xmlEscape(&p.body, clip(tip))
		p.body.WriteString("</title>\n")
	}
	p.depth++
}

func (p *svgPainter) end() {
	if p.depth > 0 {
		p.body.WriteString("</g>\n")
		p.depth--
	}
}

// num formats a coordinate with at most two decimals, the same on every
// machine.
func num(v float64) string {
	if !finite(v) {
		return "0"
	}
	v = math.Round(v*100) / 100
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func num3(v float64) string { return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64) }

type byteWriter interface {
	WriteString(string) (int, error)
}

// xmlEscape writes s for XML text and attribute values.
func xmlEscape(w byteWriter, s string) {
	s = strings.ToValidUTF8(s, "?")
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '"':
			rep = "&quot;"
		case '\'':
			rep = "&#39;"
		default:
			if s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' {
				rep = " "
			} else {
				continue
			}
		}
		w.WriteString(s[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.WriteString(s[last:])
}
