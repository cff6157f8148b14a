package render

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"
)

func TestCuts(t *testing.T) {
	boxes := []span{{90, 130}, {170, 210}, {250, 290}}
	for _, c := range []struct {
		size, max float64
		n         int
		want      []float64
	}{
		{300, 300, 1, []float64{0, 300}},
		{300, 200, 2, []float64{0, 150, 300}},      // 150 is free: the even cut
		{400, 250, 2, []float64{0, 170, 400}},      // 200 is in a box: its top
		{400, 210, 2, []float64{0, 200, 400}},      // its top would leave 230 to the end: even
		{300, 110, 3, []float64{0, 90, 200, 300}},  // the second box top would leave 130: even
		{300, 101, 3, []float64{0, 100, 200, 300}}, // no room to back off: even cuts
		{400, 400, 2, []float64{0, 170, 400}},
	} {
		got := cuts(0, c.size, c.max, c.n, boxes)
		if len(got) != len(c.want) {
			t.Errorf("size %g max %g n %d: %v, want %v", c.size, c.max, c.n, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("size %g max %g n %d: %v, want %v", c.size, c.max, c.n, got, c.want)
				break
			}
		}
	}
	// Hostile spans neither panic nor block.
	if got := cuts(0, 100, 60, 2, []span{{math.NaN(), 60}, {math.Inf(-1), math.Inf(1)}, {70, 20}}); got[1] != 50 {
		t.Errorf("hostile spans: %v", got)
	}
}

var mediaBoxRE = regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`)

// On a tall model every page cut passes between boxes, pages stay within
// the size limit, and together they cover the drawing.
func TestPDFPagesCutBetweenBoxes(t *testing.T) {
	s := corpusScene(t, "gpt_decoder_48l.onnx", true)
	f, err := makeFrame(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := int(math.Ceil(f.H * pdfK / maxPage))
	if rows < 3 {
		t.Fatalf("gpt_decoder_48l flat is %g units tall: %d pages, want a test over several", f.H, rows)
	}
	xs, ys := pageSplits(s, f, maxPage/pdfK, 1, rows)
	if len(xs) != 2 || xs[0] != f.X || xs[1] != f.X+f.W {
		t.Errorf("x splits %v", xs)
	}
	moved := 0
	for i := 1; i < rows; i++ {
		c := ys[i]
		if c != f.Y+float64(i)*f.H/float64(rows) {
			moved++
		}
		for j := range s.Nodes {
			b := &s.Nodes[j]
			if b.Y < c && c < b.Y+b.H+stackOffset {
				t.Errorf("cut %d at y=%g splits %s %q (%g..%g)", i, c, b.ID, b.Label, b.Y, b.Y+b.H)
			}
		}
	}
	if moved == 0 {
		t.Error("no cut moved off its even position: the test shows nothing")
	}
	var buf bytes.Buffer
	if err := PDF(&buf, s, Options{}); err != nil {
		t.Fatal(err)
	}
	if n := len(pageRE.FindAll(buf.Bytes(), -1)); n != rows {
		t.Errorf("%d pages, want %d", n, rows)
	}
	// Every page but the first has its own MediaBox; the first has the
	// document's.
	total, boxes := 0.0, mediaBoxRE.FindAllSubmatch(buf.Bytes(), -1)
	if len(boxes) != rows {
		t.Fatalf("%d MediaBoxes, want %d", len(boxes), rows)
	}
	for _, m := range boxes {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		if h > maxPage || math.Abs(w-f.W*pdfK) > 0.01 {
			t.Errorf("page %gx%g pt", w, h)
		}
		total += h
	}
	if math.Abs(total-f.H*pdfK) > 0.01*float64(rows) {
		t.Errorf("pages are %g pt tall together, want %g", total, f.H*pdfK)
	}
	t.Logf("%d pages, %d of %d cuts moved off the even position", rows, moved, rows-1)
}
