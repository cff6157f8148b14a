package render

import (
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// face is one of the two embedded Go fonts with its advances cached, so
// measuring text never touches the sfnt parser after start-up.
type face struct {
	ttf     []byte
	font    *sfnt.Font
	upm     float64
	adv     []float64 // per glyph, in font units
	ascent  float64   // in em
	descent float64   // in em, positive

	mu   sync.RWMutex
	cmap map[rune]sfnt.GlyphIndex
}

var (
	fontsOnce sync.Once
	faces     [2]*face // regular, bold
)

func fontFace(bold bool) *face {
	fontsOnce.Do(func() {
		faces[0] = loadFace(goregular.TTF)
		faces[1] = loadFace(gobold.TTF)
	})
	if bold {
		return faces[1]
	}
	return faces[0]
}

func loadFace(ttf []byte) *face {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		panic("render: embedded Go font does not parse: " + err.Error()) // cannot happen: fixed bytes
	}
	fc := &face{ttf: ttf, font: f, upm: float64(f.UnitsPerEm()), cmap: map[rune]sfnt.GlyphIndex{}}
	var buf sfnt.Buffer
	ppem := fixed.Int26_6(f.UnitsPerEm()) << 6
	fc.adv = make([]float64, f.NumGlyphs())
	for g := range fc.adv {
		a, err := f.GlyphAdvance(&buf, sfnt.GlyphIndex(g), ppem, 0)
		if err == nil {
			fc.adv[g] = float64(a) / 64
		}
	}
	if m, err := f.Metrics(&buf, ppem, 0); err == nil {
		fc.ascent = float64(m.Ascent) / 64 / fc.upm
		fc.descent = float64(m.Descent) / 64 / fc.upm
	}
	return fc
}

// glyph returns the glyph for r, 0 when the font lacks it.
func (f *face) glyph(r rune) sfnt.GlyphIndex {
	f.mu.RLock()
	g, ok := f.cmap[r]
	f.mu.RUnlock()
	if ok {
		return g
	}
	var buf sfnt.Buffer
	g, err := f.font.GlyphIndex(&buf, r)
	if err != nil {
		g = 0
	}
	f.mu.Lock()
	f.cmap[r] = g
	f.mu.Unlock()
	return g
}

// fallbacks replace characters the Go fonts lack with ones they have, so
// no reader of our pictures ever sees a missing-glyph box.
var fallbacks = map[rune]string{
	'⟨': "‹", '⟩': "›", '〈': "‹", '〉': "›",
	'\t': " ", '\u00a0': " ", '\u2009': " ", '\u202f': " ",
	'≤': "<=", '≥': ">=", '≠': "!=", '⇒': "=>", '↦': "->",
	'▸': "›", '▾': "v", '✓': "v", '✗': "x", '•': "·",
	'“': "\"", '”': "\"", '„': "\"",
}

// replacement stands for any other character the fonts lack.
const replacement = "?"

// SafeText returns s with every character the embedded fonts cannot draw
// replaced by a drawable stand-in (see fallbacks; "?" otherwise), and
// invalid UTF-8 and control characters replaced too. Every backend draws
// SafeText(s), so output is identical everywhere and free of tofu.
func SafeText(s string) string {
	reg, bold := fontFace(false), fontFace(true)
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || reg.glyph(r) == 0 && r != ' ' || bold.glyph(r) == 0 && r != ' ' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || (reg.glyph(r) == 0 || bold.glyph(r) == 0) && r != ' ' {
			if f, ok := fallbacks[r]; ok {
				b.WriteString(f)
			} else if r < 0x20 || r == 0x7f {
				b.WriteByte(' ')
			} else {
				b.WriteString(replacement)
			}
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// textWidth measures s (already safe) at size px. The Go fonts have no
// kerning tables, so the sum of advances is exact.
func textWidth(s string, size float64, bold bool) float64 {
	f := fontFace(bold)
	w := 0.0
	for _, r := range s {
		w += f.adv[f.glyph(r)]
	}
	return w * size / f.upm
}

// fitText shortens s with an ellipsis until it is at most maxW wide.
func fitText(s string, size float64, bold bool, maxW float64) string {
	if textWidth(s, size, bold) <= maxW+0.5 {
		return s
	}
	f := fontFace(bold)
	ell := f.adv[f.glyph('…')] * size / f.upm
	w := 0.0
	for i, r := range s {
		a := f.adv[f.glyph(r)] * size / f.upm
		if w+a+ell > maxW+0.5 {
			if i == 0 {
				return ""
			}
			return s[:i] + "…"
		}
		w += a
	}
	return s
}

// baselineFor gives the baseline that centres a line of text vertically
// on cy.
func baselineFor(cy, size float64) float64 {
	f := fontFace(false)
	return cy + (f.ascent-f.descent)/2*size
}
