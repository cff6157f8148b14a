package view

import (
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// Box metrics in CSS pixels. Renderers draw with exactly these fonts (Go
// Regular and Go Bold from golang.org/x/image/font/gofont) and sizes, so
// text fits the boxes sized here. Widths are the sum of glyph advances,
// without kerning.
//
// A box is a header line (the label, bold, FontSize) of HeaderHeight,
// then one line per Row of RowHeight: the key in bold, RowKeyGap, then the
// value, both RowFontSize. Text starts PadX from the left border; the box
// is at least MinBoxWidth wide. Inputs and outputs are one header line.
// Edge labels use EdgeFontSize and are EdgeLabelHeight tall with
// EdgeLabelPad on each side. An expanded group's title (bold, FontSize)
// takes GroupLabelHeight at the top of its rectangle.
const (
	FontSize         = 12.0
	RowFontSize      = 10.0
	EdgeFontSize     = 9.0
	HeaderHeight     = 24.0
	RowHeight        = 15.0
	RowsPadBottom    = 4.0 // below the last row
	PadX             = 8.0
	RowKeyGap        = 6.0
	MinBoxWidth      = 48.0
	EdgeLabelHeight  = 12.0
	EdgeLabelPad     = 2.0
	GroupLabelHeight = 20.0
)

// Fonts are parsed once; sfnt.Font is safe for concurrent use with
// separate Buffers.
var (
	fontOnce     sync.Once
	fontErr      error
	regularFont  *sfnt.Font
	boldFont     *sfnt.Font
	regularASCII [128]float64 // advance per rune at 1 px
	boldASCII    [128]float64
	regularMore  sync.Map // rune -> advance at 1 px, outside ASCII
	boldMore     sync.Map
	bufferPool   = sync.Pool{New: func() any { return new(sfnt.Buffer) }}
)

// measurePPEM is large so that fixed-point rounding of advances is far
// below a pixel at any drawn size.
const measurePPEM = 1000

func loadFonts() {
	var err error
	if regularFont, err = sfnt.Parse(goregular.TTF); err != nil {
		fontErr = err
		return
	}
	if boldFont, err = sfnt.Parse(gobold.TTF); err != nil {
		fontErr = err
		return
	}
	for r := rune(0); r < 128; r++ {
		regularASCII[r] = advance(regularFont, r)
		boldASCII[r] = advance(boldFont, r)
	}
}

// advance is r's advance at a 1 px font size; a rune the font lacks gets
// the .notdef glyph's advance, which is what renderers draw.
func advance(f *sfnt.Font, r rune) float64 {
	buf := bufferPool.Get().(*sfnt.Buffer)
	defer bufferPool.Put(buf)
	idx, err := f.GlyphIndex(buf, r)
	if err != nil {
		idx = 0
	}
	adv, err := f.GlyphAdvance(buf, idx, fixed.I(measurePPEM), font.HintingNone)
	if err != nil {
		return 0
	}
	return float64(adv) / 64 / measurePPEM
}

// TextWidth is the drawn width of s in pixels at size px with Go Regular
// (or Go Bold).
func TextWidth(s string, size float64, bold bool) float64 {
	fontOnce.Do(loadFonts)
	if fontErr != nil {
		return float64(len(s)) * size * 0.6
	}
	ascii, more, f := &regularASCII, &regularMore, regularFont
	if bold {
		ascii, more, f = &boldASCII, &boldMore, boldFont
	}
	w := 0.0
	for _, r := range s {
		if r < 128 {
			w += ascii[r]
			continue
		}
		if v, ok := more.Load(r); ok {
			w += v.(float64)
			continue
		}
		a := advance(f, r)
		more.Store(r, a)
		w += a
	}
	return w * size
}
