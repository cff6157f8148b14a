package layout

import (
	"fmt"
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
