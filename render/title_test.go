package render

import (
	"math"
	"testing"

	"github.com/modelviz/modelviz/view"
)

// textRec is one text call.
type textRec struct {
	x, size float64
	s       string
	bold    bool
}

type textPainter struct {
	recPainter
	texts []textRec
}

func (p *textPainter) text(x, y float64, s string, size float64, bold bool, c rgba, a anchor) {
	p.texts = append(p.texts, textRec{x, size, s, bold})
}

// A group's title starts at LabelX and is cut to end inside the group.
func TestGroupTitleAtLabelX(t *testing.T) {
	th, _ := themeByName("")
	m := sceneMetrics()
	long := "a_module_name_much_too_long_for_the_space_left"
	for _, c := range []struct {
		label         string
		labelX, wantX float64
		cut           bool
	}{
		{"encoder", 250, 250, false},
		{long, 250, 250, true},
		{"encoder", 0, 100 + m.PadX, false},   // unset (old scenes): X+PadX
		{"encoder", 900, 100 + m.PadX, false}, // outside the group
		{"encoder", math.NaN(), 100 + m.PadX, false},
	} {
		g := view.GroupBox{ID: "g", Label: c.label, X: 100, Y: 50, W: 300, H: 200, LabelX: c.labelX}
		p := &textPainter{}
		drawGroup(p, &g, th, m)
		if len(p.texts) != 1 {
			t.Fatalf("%q at %g: %d texts", c.label, c.labelX, len(p.texts))
		}
		r := p.texts[0]
		if r.x != c.wantX {
			t.Errorf("%q with LabelX %g drawn at %g, want %g", c.label, c.labelX, r.x, c.wantX)
		}
		if end := r.x + textWidth(r.s, r.size, r.bold); end > g.X+g.W-m.PadX+0.5 {
			t.Errorf("%q with LabelX %g ends at %g, past the group's padding %g", c.label, c.labelX, end, g.X+g.W-m.PadX)
		}
		if cut := r.s != c.label; cut != c.cut {
			t.Errorf("%q with LabelX %g drawn as %q", c.label, c.labelX, r.s)
		}
	}
}
