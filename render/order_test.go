package render

import (
	"bytes"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/modelviz/modelviz/view"
)

// dashes splits a dashed path into its subpaths' end points and lengths.
func dashes(t *testing.T, p *path) (starts, ends []pt, lens []float64) {
	t.Helper()
	var cur pt
	for _, s := range p.segs {
		switch s.Op {
		case 'M':
			cur = s.P[0]
			starts = append(starts, cur)
			ends = append(ends, cur)
			lens = append(lens, 0)
		case 'L':
			lens[len(lens)-1] += dist(cur, s.P[0])
			cur = s.P[0]
		case 'C':
			l := cubicLengths(cur, s.P[0], s.P[1], s.P[2])
			lens[len(lens)-1] += l[len(l)-1]
			cur = s.P[2]
		default:
			t.Fatalf("dashed path has op %c", s.Op)
		}
		ends[len(ends)-1] = cur
	}
	return
}

func TestDashedLine(t *testing.T) {
	var l path
	l.moveTo(10, 0)
	l.lineTo(10, 100)
	d := l.dashed(4, 3)
	starts, ends, lens := dashes(t, d)
	// round(103/7) = 15 dashes, stretched to start and end on the line's
	// ends.
	if len(starts) != 15 {
		t.Fatalf("%d dashes, want 15", len(starts))
	}
	if starts[0] != (pt{10, 0}) || dist(ends[14], pt{10, 100}) > 1e-9 {
		t.Errorf("dashes run %v..%v, want the whole line", starts[0], ends[14])
	}
	k := 100 / (15*4 + 14*3.0)
	for i := range lens {
		if math.Abs(lens[i]-4*k) > 1e-9 {
			t.Errorf("dash %d is %g long, want %g", i, lens[i], 4*k)
		}
		if i > 0 && math.Abs(starts[i].Y-ends[i-1].Y-3*k) > 1e-9 {
			t.Errorf("gap before dash %d is %g, want %g", i, starts[i].Y-ends[i-1].Y, 3*k)
		}
	}
}

// A dash across a bend continues round it; dashes on a curve are pieces
// of the curve itself.
func TestDashedCurve(t *testing.T) {
	var c path
	c.moveTo(0, 0)
	c.lineTo(0, 20)
	c.cubicTo(0, 20+8*kappa, 8-8*kappa, 28, 8, 28) // quarter circle, r 8
	c.lineTo(40, 28)
	total := c.length()
	if want := 20 + 4*math.Pi + 32; math.Abs(total-want) > 0.01 {
		t.Errorf("length %g, want %g", total, want)
	}
	d := c.dashed(4, 3)
	starts, ends, lens := dashes(t, d)
	n := math.Round((total + 3) / 7)
	if float64(len(starts)) != n {
		t.Fatalf("%d dashes, want %g", len(starts), n)
	}
	sum := 0.0
	for _, l := range lens {
		sum += l
	}
	if want := total * 4 * n / (4*n + 3*(n-1)); math.Abs(sum-want) > 0.01 {
		t.Errorf("dashes total %g, want %g", sum, want)
	}
	if dist(ends[len(ends)-1], pt{40, 28}) > 1e-9 {
		t.Errorf("last dash ends at %v", ends[len(ends)-1])
	}
	curves := 0
	var cur pt
	for _, s := range d.segs {
		if s.Op == 'C' {
			curves++
			// A piece of the bend stays on its circle (centre 8,20).
			for _, tt := range []float64{0.25, 0.5, 0.75} {
				q := cubicAt(cur, s.P[0], s.P[1], s.P[2], tt)
				if r := dist(q, pt{8, 20}); math.Abs(r-8) > 0.01 {
					t.Errorf("dash point %v is %g from the centre, want 8", q, r)
				}
			}
			cur = s.P[2]
			continue
		}
		cur = s.P[0]
	}
	if curves == 0 {
		t.Error("no dash follows the bend")
	}
}

// A route millions of units long gets longer dashes, not millions.
func TestDashedBounded(t *testing.T) {
	var l path
	l.moveTo(0, 0)
	l.lineTo(0, 1e9)
	starts, _, _ := dashes(t, l.dashed(4, 3))
	if len(starts) != maxDashes {
		t.Errorf("%d dashes, want %d", len(starts), maxDashes)
	}
	var short path
	short.moveTo(0, 0)
	short.lineTo(0, 2)
	if starts, _, _ := dashes(t, short.dashed(4, 3)); len(starts) != 1 {
		t.Errorf("a 2-unit line has %d dashes, want 1 solid", len(starts))
	}
}

// recPainter records what drawScene asks for.
type recPainter struct {
	fills, strokes []*path
	widths         []float64
	colors         []rgba
}

func (r *recPainter) fill(p *path, c rgba) { r.fills = append(r.fills, p) }
func (r *recPainter) stroke(p *path, c rgba, w float64) {
	r.strokes = append(r.strokes, p)
	r.widths = append(r.widths, w)
	r.colors = append(r.colors, c)
}
func (r *recPainter) text(float64, float64, string, float64, bool, rgba, anchor) {}
func (r *recPainter) begin(string, string, string)                               {}
func (r *recPainter) end()                                                       {}

// orderScene is two boxes joined by one module-order edge.
func orderScene() *view.Scene {
	return &view.Scene{Direction: "TB", Width: 100, Height: 200,
		Nodes: []view.Box{
			{ID: "a", Label: "a", Kind: "op", Category: "layer", X: 0, Y: 0, W: 100, H: 40, Node: -1},
			{ID: "b", Label: "b", Kind: "op", Category: "layer", X: 0, Y: 160, W: 100, H: 40, Node: -1},
		},
		Edges: []view.Edge{{From: "a", To: "b", Order: true, Points: [][2]float64{{50, 40}, {50, 160}}}},
	}
}

func TestOrderEdgePainter(t *testing.T) {
	s := orderScene()
	th, _ := themeByName("")
	for _, order := range []bool{true, false} {
		s.Edges[0].Order = order
		r := &recPainter{}
		drawEdge(r, &s.Edges[0], th)
		if len(r.strokes) != 1 {
			t.Fatalf("order=%v: %d strokes", order, len(r.strokes))
		}
		starts, ends, _ := dashes(t, r.strokes[0])
		if order {
			if len(r.fills) != 0 {
				t.Error("module-order edge has an arrowhead")
			}
			if len(starts) < 10 || r.widths[0] >= edgeWidth || r.colors[0].A >= th.edge.A {
				t.Errorf("module-order edge: %d dashes, width %g, alpha %d: want dashed, thinner, fainter", len(starts), r.widths[0], r.colors[0].A)
			}
			if starts[0] != (pt{50, 40}) || dist(ends[len(ends)-1], pt{50, 160}) > 1e-9 {
				t.Errorf("dashes run %v..%v, want box to box", starts[0], ends[len(ends)-1])
			}
		} else if len(r.fills) != 1 || len(starts) != 1 {
			t.Errorf("data edge: %d fills, %d subpaths; want a solid line and a head", len(r.fills), len(starts))
		}
	}
}

// The PNG shows the dashes: down the edge's line, pixels alternate
// between edge and background, and none is drawn beside it (no head).
func TestOrderEdgePNG(t *testing.T) {
	var buf bytes.Buffer
	if err := PNG(&buf, orderScene(), Options{Scale: 1}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	x := int(50 + margin)
	runs, inked := 0, false
	for y := int(45 + margin); y < int(155+margin); y++ {
		r, _, _, _ := img.At(x, y).RGBA()
		ink := r>>8 < 230 // background is white in the light theme
		if ink && !inked {
			runs++
		}
		inked = ink
	}
	if runs < 10 {
		t.Errorf("%d dashes along the edge, want at least 10", runs)
	}
	// An arrowhead would be 3.4 units either side of the tip.
	for _, dx := range []int{-3, 3} {
		if r, _, _, _ := img.At(x+dx, int(157+margin)).RGBA(); r>>8 < 230 {
			t.Errorf("ink beside the edge's end at dx=%d: an arrowhead?", dx)
		}
	}
}

var orderGroupRE = regexp.MustCompile(`<g class="edge order"[^>]*>\n(?:<title>[^<]*</title>\n)?((?:<path[^>]*>\n)*)</g>`)

// A state dict has no operators: its modules are chained in file order
// with dashed, headless edges in SVG and DOT.
func TestOrderEdgesStateDict(t *testing.T) {
	s := corpusScene(t, "iris_state_dict.pth", false)
	n := 0
	for _, e := range s.Edges {
		if e.Order {
			n++
		}
	}
	if n == 0 {
		t.Fatal("iris_state_dict.pth has no module-order edges")
	}
	var buf bytes.Buffer
	if err := SVG(&buf, s, Options{}); err != nil {
		t.Fatal(err)
	}
	groups := orderGroupRE.FindAllStringSubmatch(buf.String(), -1)
	if len(groups) != n {
		t.Fatalf("%d dashed edge groups in the SVG, want %d", len(groups), n)
	}
	for _, g := range groups {
		// One stroked path, many subpaths, no filled head.
		if strings.Count(g[1], "<path") != 1 || strings.Count(g[1], "M") < 2 {
			t.Errorf("module-order edge drawn as %q", g[1])
		}
	}
	buf.Reset()
	if err := DOT(&buf, s, Options{}); err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(buf.String(), "[style=dashed, arrowhead=none, color="); c != n {
		t.Errorf("%d dashed edges in DOT, want %d", c, n)
	}
}
