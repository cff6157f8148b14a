package layout

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// An edge entering a group at the left pushes the title right of it; when
// the top is full of entering edges the group widens to hold the title.
func TestTitleClearOfEdges(t *testing.T) {
	for _, dir := range []Direction{TopToBottom, LeftToRight} {
		in := &Input{
			Nodes: []Node{{W: 60, H: 30, Group: -1}, {W: 60, H: 30, Group: 0}},
			Edges: []Edge{{From: 0, To: 1}},
			// Title wider than the member: the entering edge is under it.
			Groups: []Group{{Parent: -1, LabelW: 100, LabelH: 20}},
			Dir:    dir,
		}
		out := Layout(in)
		check(t, in, out)
		g, ti := out.Groups[0], out.Titles[0]
		if dir == LeftToRight {
			// Edges enter at the left border, below the title band.
			if ti != (Point{g.X, g.Y}) {
				t.Errorf("LR: title at %+v, want the group's corner %v,%v", ti, g.X, g.Y)
			}
			continue
		}
		x := out.Edges[0].Points[len(out.Edges[0].Points)-1].X
		if ti.X < x+titleClear-1e-9 {
			t.Errorf("title at x=%v, edge enters at x=%v: want the title right of it", ti.X, x)
		}
		if ti.X+100 > g.X+g.W+1e-9 {
			t.Errorf("title %v..%v sticks out of the group %+v", ti.X, ti.X+100, g)
		}
	}
	// Many edges entering across the whole top: the title goes right of
	// the last one and the group widens.
	in := &Input{Groups: []Group{{Parent: -1, LabelW: 80, LabelH: 20}}}
	for i := 0; i < 6; i++ {
		in.Nodes = append(in.Nodes, Node{W: 40, H: 30, Group: -1}, Node{W: 40, H: 30, Group: 0})
		in.Edges = append(in.Edges, Edge{From: int32(2 * i), To: int32(2*i + 1)})
	}
	out := Layout(in)
	check(t, in, out)
	maxX := 0.0
	for _, r := range out.Edges {
		maxX = max(maxX, r.Points[len(r.Points)-1].X)
	}
	if ti := out.Titles[0]; ti.X < maxX+titleClear-1e-9 {
		t.Errorf("title at x=%v, last entering edge at x=%v", ti.X, maxX)
	}
}

// labelOverlaps counts labels that overlap another edge's segment or
// another label (top-to-bottom inputs).
func labelOverlaps(in *Input, out *Output) int {
	n := 0
	for e, ed := range in.Edges {
		if ed.LabelW == 0 {
			continue
		}
		l := out.Edges[e].Label
		r := Rect{l.X - ed.LabelW/2 + 0.5, l.Y - ed.LabelH/2 + 0.5, ed.LabelW - 1, ed.LabelH - 1}
		hit := false
		for f, rf := range out.Edges {
			for i := 1; i < len(rf.Points) && f != e; i++ {
				hit = hit || segmentHits(rf.Points[i-1], rf.Points[i], r)
			}
			if f != e && in.Edges[f].LabelW > 0 {
				m := out.Edges[f].Label
				o := Rect{m.X - in.Edges[f].LabelW/2, m.Y - in.Edges[f].LabelH/2, in.Edges[f].LabelW, in.Edges[f].LabelH}
				hit = hit || r.X < o.X+o.W && o.X < r.X+r.W && r.Y < o.Y+o.H && o.Y < r.Y+r.H
			}
		}
		if hit {
			n++
		}
	}
	return n
}

// Squeezenet's Fire module: two branches joining in a Concat, every edge
// labelled. The diagonal's label used to sit on the other branch.
func TestLabelsMissEdges(t *testing.T) {
	in := &Input{}
	node := func(w float64) int32 {
		in.Nodes = append(in.Nodes, Node{W: w, H: 30, Group: -1})
		return int32(len(in.Nodes) - 1)
	}
	edge := func(a, b int32) {
		in.Edges = append(in.Edges, Edge{From: a, To: b, LabelW: 70, LabelH: 12})
	}
	prev := node(90)
	for k := 0; k < 4; k++ {
		sq := node(90)
		edge(prev, sq)
		l, r := node(160), node(160)
		edge(sq, l)
		edge(sq, r)
		l2, r2 := node(60), node(60)
		edge(l, l2)
		edge(r, r2)
		cat := node(90)
		edge(l2, cat)
		edge(r2, cat)
		prev = cat
	}
	out := Layout(in)
	check(t, in, out)
	if n := labelOverlaps(in, out); n != 0 {
		t.Errorf("%d labels overlap another edge or label, want 0", n)
	}
}

// A gap crowded with labelled edges (a wide fan-out with labels) stays
// fast and keeps the invariants.
func TestLabelsCrowdedGap(t *testing.T) {
	for _, n := range []int{50, 3000, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := &Input{Nodes: []Node{{W: 40, H: 20, Group: -1}}}
			for i := 0; i < n; i++ {
				in.Nodes = append(in.Nodes, Node{W: 30, H: 20, Group: -1})
				in.Edges = append(in.Edges, Edge{From: 0, To: int32(i + 1), LabelW: 50, LabelH: 12})
			}
			out := Layout(in)
			check(t, in, out)
		})
	}
}

// checkEndsApart: edges from distinct nodes arriving at the same side of
// a box (the top in TB, the left in LR) end at least headSep apart, or
// evenly spread over the side less crowdMargin at each corner when it is
// too narrow for that, so that their arrowheads do not stack. For inputs
// without groups: edges entering a group from outside share its port.
func checkEndsApart(tb testing.TB, in *Input, out *Output) {
	tb.Helper()
	lr := in.Dir == LeftToRight
	// along is a point's position along a box's entry side and its
	// distance from that side; size the side's length.
	along := func(p Point, r Rect) (float64, float64) {
		if lr {
			return p.Y - r.Y, math.Abs(p.X - r.X)
		}
		return p.X - r.X, math.Abs(p.Y - r.Y)
	}
	type end struct {
		from int32
		x    float64
	}
	ins := make([][]end, len(in.Nodes))
	count := make([]int, len(in.Nodes)) // route ends on the entry side
	for e, ed := range in.Edges {
		pts := out.Edges[e].Points
		if len(pts) < 2 || ed.From == ed.To {
			continue
		}
		if x, d := along(pts[len(pts)-1], out.Nodes[ed.To]); d < 0.5 {
			ins[ed.To] = append(ins[ed.To], end{ed.From, x})
			count[ed.To]++
		}
		if _, d := along(pts[0], out.Nodes[ed.From]); d < 0.5 {
			count[ed.From]++
		}
	}
	for v, es := range ins {
		w := out.Nodes[v].W
		if lr {
			w = out.Nodes[v].H
		}
		k := count[v]
		for i := range es {
			for j := i + 1; j < len(es); j++ {
				if es[i].from == es[j].from {
					continue
				}
				want := min(headSep, (w-2*min(w/4, crowdMargin))/float64(k-1))
				if d := math.Abs(es[i].x - es[j].x); d < want-1e-6 {
					tb.Fatalf("node %d (%v wide, %d ends on its side): edges from %d and %d end %v apart, want %v",
						v, w, k, es[i].from, es[j].from, d, want)
				}
			}
		}
	}
}

// Distinct in-edges of a box end apart, on the corpus graphs and random
// acyclic graphs, in both directions; a fan-in onto a narrow box spreads
// over its width, and an edge from straight above stays straight.
func TestEndsApart(t *testing.T) {
	for _, name := range corpusGraphs {
		g := readGraph(t, name)
		for _, dir := range []Direction{TopToBottom, LeftToRight} {
			for _, sizes := range []int{sizesBench, sizesViewer} {
				in := inputOf(g, sizes, false)
				in.Dir = dir
				checkEndsApart(t, in, Layout(in))
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200; i++ {
		n := r.IntN(40)
		in := randomGraph(r, n, r.IntN(3*n+1), 0, false, i%3 == 0)
		if i%2 == 0 {
			in.Dir = LeftToRight
		}
		out := Layout(in)
		check(t, in, out)
		checkEndsApart(t, in, out)
	}
	// Four wide sources over a 48 px box: ends at least 10 px apart.
	in := &Input{}
	for i := 0; i < 4; i++ {
		in.Nodes = append(in.Nodes, Node{W: 120, H: 30, Group: -1})
		in.Edges = append(in.Edges, Edge{From: int32(i), To: 4})
	}
	in.Nodes = append(in.Nodes, Node{W: 48, H: 24, Group: -1})
	out := Layout(in)
	check(t, in, out)
	checkEndsApart(t, in, out)
	xs := make([]float64, 4)
	for i := range xs {
		pts := out.Edges[i].Points
		xs[i] = pts[len(pts)-1].X
	}
	slices.Sort(xs)
	for i := 1; i < 4; i++ {
		if xs[i]-xs[i-1] < 10 {
			t.Fatalf("ends at %v: want them at least 10 px apart", xs)
		}
	}
	// A chain with a side input: the chain's edges stay vertical.
	in = &Input{Nodes: []Node{{W: 100, H: 30, Group: -1}, {W: 100, H: 30, Group: -1}, {W: 100, H: 30, Group: -1}, {W: 60, H: 30, Group: -1}}}
	in.Edges = []Edge{{From: 0, To: 1}, {From: 1, To: 2}, {From: 3, To: 2}, {From: 0, To: 2}}
	out = Layout(in)
	check(t, in, out)
	checkEndsApart(t, in, out)
	for _, e := range []int{0, 1} {
		pts := out.Edges[e].Points
		if len(pts) != 2 || pts[0].X != pts[1].X {
			t.Errorf("chain edge %d: route %v, want one vertical segment", e, pts)
		}
	}
}
