package layout

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// graphFile is testdata/*.graph.json.gz, written by testdata/gen_graph.py
// (the reference benchmark's onnx2graph.py plus node names).
type graphFile struct {
	Nodes []struct {
		ID    int     `json:"id"`
		Label string  `json:"label"`
		Name  string  `json:"name"`
		W     float64 `json:"w"`
		H     float64 `json:"h"`
	} `json:"nodes"`
	Edges []struct {
		Src int32 `json:"src"`
		Dst int32 `json:"dst"`
	} `json:"edges"`
}

func readGraph(tb testing.TB, name string) *graphFile {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".graph.json.gz"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var g graphFile
	if err := json.NewDecoder(zr).Decode(&g); err != nil {
		tb.Fatal(err)
	}
	return &g
}

// Box size modes for graph inputs.
const (
	sizesBench  = iota // the reference engines' sizes (90x30, 110x40)
	sizesViewer        // like the viewer: width from the label, rows for height
)

// inputOf builds a flat Input; with grouped, nodes named /a/b/Op go into
// nested groups a and a/b, as the viewer derives modules.
func inputOf(g *graphFile, sizes int, grouped bool) *Input {
	in := &Input{}
	groupIdx := map[string]int32{}
	var group func(path string) int32
	group = func(path string) int32 {
		if path == "" {
			return -1
		}
		if i, ok := groupIdx[path]; ok {
			return i
		}
		par := int32(-1)
		if k := strings.LastIndexByte(path, '/'); k >= 0 {
			par = group(path[:k])
		}
		i := int32(len(in.Groups))
		in.Groups = append(in.Groups, Group{Parent: par, LabelH: 20, LabelW: 8 * float64(len(path)-strings.LastIndexByte(path, '/')), Key: path})
		groupIdx[path] = i
		return i
	}
	for _, n := range g.Nodes {
		w, h := n.W, n.H
		if sizes == sizesViewer {
			w = min(180, max(90, 24+8*float64(len(n.Label))))
			h = 28 + 16*float64(len(n.Name)%3)
		}
		gr := int32(-1)
		if grouped && strings.HasPrefix(n.Name, "/") {
			if k := strings.LastIndexByte(n.Name, '/'); k > 0 {
				gr = group(n.Name[1:k])
			}
		}
		in.Nodes = append(in.Nodes, Node{W: w, H: h, Group: gr, Key: n.Name})
	}
	for _, e := range g.Edges {
		ed := Edge{From: e.Src, To: e.Dst}
		if sizes == sizesViewer {
			ed.LabelW, ed.LabelH = 60, 14
		}
		in.Edges = append(in.Edges, ed)
	}
	return in
}

// check verifies the invariants every layout must keep.
func check(tb testing.TB, in *Input, out *Output) {
	tb.Helper()
	const tol = 1e-6
	fail := func(format string, a ...any) {
		tb.Helper()
		tb.Fatalf(format, a...)
	}
	if len(out.Nodes) != len(in.Nodes) || len(out.Groups) != len(in.Groups) || len(out.Edges) != len(in.Edges) {
		fail("output sizes %d/%d/%d, input %d/%d/%d", len(out.Nodes), len(out.Groups), len(out.Edges), len(in.Nodes), len(in.Groups), len(in.Edges))
	}
	ok := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) && x >= -tol }
	rectOK := func(r Rect) bool {
		return ok(r.X) && ok(r.Y) && ok(r.W) && ok(r.H) && r.X+r.W <= out.Width+tol && r.Y+r.H <= out.Height+tol
	}
	if !ok(out.Width) || !ok(out.Height) {
		fail("bad size %v x %v", out.Width, out.Height)
	}
	for i, r := range out.Nodes {
		if !rectOK(r) {
			fail("node %d: bad rect %+v (drawing %v x %v)", i, r, out.Width, out.Height)
		}
		w, h := size(in.Nodes[i].W), size(in.Nodes[i].H)
		if math.Abs(r.W-w) > tol || math.Abs(r.H-h) > tol {
			fail("node %d: size %vx%v, want %vx%v", i, r.W, r.H, w, h)
		}
	}
	for i, r := range out.Groups {
		if !rectOK(r) {
			fail("group %d: bad rect %+v", i, r)
		}
	}
	inside := func(a, b Rect) bool {
		return a.X >= b.X-tol && a.Y >= b.Y-tol && a.X+a.W <= b.X+b.W+tol && a.Y+a.H <= b.Y+b.H+tol
	}
	overlap := func(a, b Rect) bool {
		return a.X < b.X+b.W-tol && b.X < a.X+a.W-tol && a.Y < b.Y+b.H-tol && b.Y < a.Y+a.H-tol
	}
	// The group tree as the engine sanitises it.
	nG := int32(len(in.Groups))
	validParent := func(g int32) int32 {
		p := in.Groups[g].Parent
		if p < 0 || p >= nG || p == g {
			return -1
		}
		return p
	}
	acyclic := true
	for g := int32(0); g < nG && acyclic; g++ {
		steps := int32(0)
		for p := validParent(g); p >= 0; p = validParent(p) {
			if steps++; steps > nG {
				acyclic = false
				break
			}
		}
	}
	nodeGroup := func(i int) int32 {
		g := in.Nodes[i].Group
		if g < 0 || g >= nG {
			return -1
		}
		return g
	}
	if acyclic {
		for i := range in.Nodes {
			if g := nodeGroup(i); g >= 0 && !inside(out.Nodes[i], out.Groups[g]) {
				fail("node %d %+v outside its group %d %+v", i, out.Nodes[i], g, out.Groups[g])
			}
		}
		for g := int32(0); g < nG; g++ {
			if p := validParent(g); p >= 0 && !inside(out.Groups[g], out.Groups[p]) {
				fail("group %d %+v outside its parent %d %+v", g, out.Groups[g], p, out.Groups[p])
			}
			if out.Groups[g].Y+in.Groups[g].LabelH > out.Groups[g].Y+out.Groups[g].H+tol && in.Dir == TopToBottom {
				fail("group %d has no room for its title", g)
			}
		}
		isAncestor := func(g, of int32) bool {
			for p := of; p >= 0; p = validParent(p) {
				if p == g {
					return true
				}
			}
			return false
		}
		// Boxes against groups that do not contain them; sibling groups.
		for g := int32(0); g < nG; g++ {
			for i := range in.Nodes {
				if !isAncestor(g, nodeGroup(i)) && overlap(out.Nodes[i], out.Groups[g]) {
					fail("node %d %+v overlaps group %d %+v", i, out.Nodes[i], g, out.Groups[g])
				}
			}
			for h := g + 1; h < nG; h++ {
				if !isAncestor(g, h) && !isAncestor(h, g) && overlap(out.Groups[g], out.Groups[h]) {
					fail("groups %d %+v and %d %+v overlap", g, out.Groups[g], h, out.Groups[h])
				}
			}
		}
	}
	if len(out.Titles) != len(out.Groups) {
		fail("%d titles for %d groups", len(out.Titles), len(out.Groups))
	}
	titles := make([]Rect, len(out.Titles))
	for g, p := range out.Titles {
		titles[g] = Rect{p.X, p.Y, size(in.Groups[g].LabelW), size(in.Groups[g].LabelH)}
		if acyclic && !inside(titles[g], out.Groups[g]) {
			fail("group %d: title %+v outside the group %+v", g, titles[g], out.Groups[g])
		}
	}
	if k := titleCrossings(out, titles); k >= 0 {
		fail("an edge segment crosses the title %+v of group %d", titles[k], k)
	}
	checkLabels(tb, in, out)
	// No two boxes overlap: sweep by x.
	idx := make([]int, len(out.Nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return out.Nodes[idx[a]].X < out.Nodes[idx[b]].X })
	for a := 0; a < len(idx); a++ {
		ra := out.Nodes[idx[a]]
		for b := a + 1; b < len(idx) && out.Nodes[idx[b]].X < ra.X+ra.W-tol; b++ {
			if overlap(ra, out.Nodes[idx[b]]) && ra.W > 0 && ra.H > 0 && out.Nodes[idx[b]].W > 0 && out.Nodes[idx[b]].H > 0 {
				fail("nodes %d %+v and %d %+v overlap", idx[a], ra, idx[b], out.Nodes[idx[b]])
			}
		}
	}
	onBorder := func(p Point, r Rect) bool {
		const t = 0.5
		in := p.X >= r.X-t && p.X <= r.X+r.W+t && p.Y >= r.Y-t && p.Y <= r.Y+r.H+t
		edge := math.Abs(p.X-r.X) <= t || math.Abs(p.X-r.X-r.W) <= t || math.Abs(p.Y-r.Y) <= t || math.Abs(p.Y-r.Y-r.H) <= t
		return in && edge
	}
	for e, ed := range in.Edges {
		pts := out.Edges[e].Points
		if ed.From < 0 || int(ed.From) >= len(in.Nodes) || ed.To < 0 || int(ed.To) >= len(in.Nodes) {
			if len(pts) != 0 {
				fail("edge %d with bad ends has a route", e)
			}
			continue
		}
		if len(pts) < 2 {
			fail("edge %d has %d points", e, len(pts))
		}
		for _, p := range pts {
			if !ok(p.X) || !ok(p.Y) || p.X > out.Width+tol || p.Y > out.Height+tol {
				fail("edge %d: bad point %+v (drawing %v x %v)", e, p, out.Width, out.Height)
			}
		}
		if lw, lh := size(ed.LabelW), size(ed.LabelH); lw > 0 || lh > 0 {
			l := out.Edges[e].Label
			if !ok(l.X-lw/2) || !ok(l.Y-lh/2) || l.X+lw/2 > out.Width+tol || l.Y+lh/2 > out.Height+tol {
				fail("edge %d: label %+v (%vx%v) outside the drawing %v x %v", e, l, lw, lh, out.Width, out.Height)
			}
		}
		if !onBorder(pts[0], out.Nodes[ed.From]) {
			fail("edge %d starts at %+v, not on node %d %+v", e, pts[0], ed.From, out.Nodes[ed.From])
		}
		if !onBorder(pts[len(pts)-1], out.Nodes[ed.To]) {
			fail("edge %d ends at %+v, not on node %d %+v", e, pts[len(pts)-1], ed.To, out.Nodes[ed.To])
		}
	}
}

// rectGrid buckets rectangles (or segments' bounding boxes) by cell.
type rectGrid struct {
	cells map[[2]int][]int32
	seen  []int32
	stamp int32
}

const gridCell = 64.0

func cellSpan(a, b float64) (int, int) {
	return int(math.Floor(min(a, b) / gridCell)), int(math.Floor(max(a, b) / gridCell))
}

func (g *rectGrid) add(k int32, r Rect) {
	x0, x1 := cellSpan(r.X, r.X+r.W)
	y0, y1 := cellSpan(r.Y, r.Y+r.H)
	if (x1-x0+1)*(y1-y0+1) > 1e4 {
		return // straight long edge of a hostile graph
	}
	for gx := x0; gx <= x1; gx++ {
		for gy := y0; gy <= y1; gy++ {
			g.cells[[2]int{gx, gy}] = append(g.cells[[2]int{gx, gy}], k)
		}
	}
	for int(k) >= len(g.seen) {
		g.seen = append(g.seen, 0)
	}
}

// near calls f once for each item in the cells r touches.
func (g *rectGrid) near(r Rect, f func(k int32)) {
	g.stamp++
	x0, x1 := cellSpan(r.X, r.X+r.W)
	y0, y1 := cellSpan(r.Y, r.Y+r.H)
	for gx := x0; gx <= x1; gx++ {
		for gy := y0; gy <= y1; gy++ {
			for _, k := range g.cells[[2]int{gx, gy}] {
				if g.seen[k] != g.stamp {
					g.seen[k] = g.stamp
					f(k)
				}
			}
		}
	}
}

// checkLabels: labels miss every box, and a label of a non-loop edge that
// overlaps another edge or label had no free spot right beside its edge,
// on either side (with the engine's clearances; checked when all labels
// have one height, so every gap's band is the label's).
func checkLabels(tb testing.TB, in *Input, out *Output) {
	tb.Helper()
	const tol = 0.5
	lr := in.Dir == LeftToRight
	tp := func(p Point) Point {
		if lr {
			return Point{p.Y, p.X}
		}
		return p
	}
	nN := int32(len(in.Nodes))
	type label struct {
		e    int32
		r    Rect // in top-to-bottom coordinates
		loop bool
	}
	var labels []label
	uniform, h0 := true, -1.0
	for e, ed := range in.Edges {
		if ed.From < 0 || ed.From >= nN || ed.To < 0 || ed.To >= nN {
			continue
		}
		lw, lh := size(ed.LabelW), size(ed.LabelH)
		if lr {
			lw, lh = lh, lw
		}
		if lw == 0 && lh == 0 {
			continue
		}
		c := tp(out.Edges[e].Label)
		labels = append(labels, label{int32(e), Rect{c.X - lw/2, c.Y - lh/2, lw, lh}, ed.From == ed.To})
		if h0 >= 0 && lh != h0 {
			uniform = false
		}
		h0 = lh
	}
	if len(labels) == 0 || len(labels) > maxGapLabels {
		return
	}
	overlap := func(a, b Rect, t float64) bool {
		return a.X < b.X+b.W-t && b.X < a.X+a.W-t && a.Y < b.Y+b.H-t && b.Y < a.Y+a.H-t
	}
	boxes := &rectGrid{cells: map[[2]int][]int32{}}
	nodeRect := func(i int32) Rect {
		r := out.Nodes[i]
		if lr {
			r = Rect{r.Y, r.X, r.H, r.W}
		}
		return r
	}
	for i := int32(0); i < nN; i++ {
		boxes.add(i, nodeRect(i))
	}
	for _, l := range labels {
		boxes.near(l.r, func(i int32) {
			if r := nodeRect(i); overlap(l.r, r, tol) && r.W > 0 && r.H > 0 {
				tb.Fatalf("edge %d: label %+v overlaps node %d %+v", l.e, l.r, i, r)
			}
		})
	}
	if !uniform {
		return
	}
	type seg struct {
		e    int32
		a, b Point
	}
	var segs []seg
	segGrid := &rectGrid{cells: map[[2]int][]int32{}}
	for e, r := range out.Edges {
		for i := 1; i < len(r.Points); i++ {
			a, b := tp(r.Points[i-1]), tp(r.Points[i])
			segGrid.add(int32(len(segs)), Rect{min(a.X, b.X), min(a.Y, b.Y), math.Abs(b.X - a.X), math.Abs(b.Y - a.Y)})
			segs = append(segs, seg{int32(e), a, b})
		}
	}
	labGrid := &rectGrid{cells: map[[2]int][]int32{}}
	for k, l := range labels {
		labGrid.add(int32(k), l.r)
	}
	for k, l := range labels {
		if l.loop {
			continue
		}
		r := l.r
		// The edge's extent in the band, as the engine clips it.
		band := Rect{r.X - 1e4, r.Y - labelBandPad, 2e4, r.H + 2*labelBandPad}
		own := span{math.Inf(1), math.Inf(-1)}
		pts := out.Edges[l.e].Points
		for i := 1; i < len(pts); i++ {
			a, b := tp(pts[i-1]), tp(pts[i])
			if max(a.Y, b.Y) > band.Y && min(a.Y, b.Y) < band.Y+band.H {
				x0, x1 := clipX(a, b, band.Y, band.Y+band.H)
				own = span{min(own.lo, x0), max(own.hi, x1)}
			}
		}
		if own.lo > own.hi {
			continue
		}
		hits := false
		segGrid.near(r, func(s int32) {
			if segs[s].e != l.e && segmentHits(segs[s].a, segs[s].b, Rect{r.X + tol, r.Y + tol, r.W - 2*tol, r.H - 2*tol}) {
				hits = true
			}
		})
		labGrid.near(r, func(o int32) {
			if o != int32(k) && overlap(r, labels[o].r, tol) {
				hits = true
			}
		})
		if !hits {
			continue
		}
		// Free: no other edge within labelGap and no other label within
		// labelSep (a hair more, so that rounding only makes it stricter).
		free := func(x float64) bool {
			const s = 1e-6
			ok := true
			area := Rect{x - labelGap + s, r.Y - labelBandPad, r.W + 2*labelGap - 2*s, r.H + 2*labelBandPad}
			segGrid.near(area, func(q int32) {
				if segs[q].e != l.e && segmentHits(segs[q].a, segs[q].b, Rect{area.X - 2*s, area.Y - s, area.W + 4*s, area.H + 2*s}) {
					ok = false
				}
			})
			room := Rect{x - labelSep, r.Y, r.W + 2*labelSep, r.H}
			labGrid.near(room, func(o int32) {
				if o != int32(k) && overlap(room, labels[o].r, -s) {
					ok = false
				}
			})
			return ok
		}
		if x := own.hi + labelGap; free(x) {
			tb.Fatalf("edge %d: label %+v overlaps an edge or label, but x=%v right of its edge was free", l.e, r, x)
		}
		if x := own.lo - labelGap - r.W; free(x) {
			tb.Fatalf("edge %d: label %+v overlaps an edge or label, but x=%v left of its edge was free", l.e, r, x)
		}
	}
}

// titleCrossings returns a group whose title rectangle an edge segment
// passes through (more than half a pixel deep), or -1.
func titleCrossings(out *Output, titles []Rect) int {
	const cell, t = 200.0, 0.5
	grid := map[[2]int][]int{}
	span := func(a, b float64) (int, int) {
		return int(math.Floor(min(a, b) / cell)), int(math.Floor(max(a, b) / cell))
	}
	for g, r := range titles {
		if r.W <= 2*t || r.H <= 2*t {
			continue
		}
		x0, x1 := span(r.X, r.X+r.W)
		y0, y1 := span(r.Y, r.Y+r.H)
		for gx := x0; gx <= x1; gx++ {
			for gy := y0; gy <= y1; gy++ {
				grid[[2]int{gx, gy}] = append(grid[[2]int{gx, gy}], g)
			}
		}
	}
	if len(grid) == 0 {
		return -1
	}
	for _, e := range out.Edges {
		for i := 1; i < len(e.Points); i++ {
			a, b := e.Points[i-1], e.Points[i]
			x0, x1 := span(a.X, b.X)
			y0, y1 := span(a.Y, b.Y)
			if (x1-x0+1)*(y1-y0+1) > 1e4 {
				continue // straight long edge of a hostile graph
			}
			for gx := x0; gx <= x1; gx++ {
				for gy := y0; gy <= y1; gy++ {
					for _, g := range grid[[2]int{gx, gy}] {
						r := titles[g]
						if segmentHits(a, b, Rect{r.X + t, r.Y + t, r.W - 2*t, r.H - 2*t}) {
							return g
						}
					}
				}
			}
		}
	}
	return -1
}

// segmentHits says whether segment ab meets the inside of r (Liang-Barsky).
func segmentHits(a, b Point, r Rect) bool {
	t0, t1 := 0.0, 1.0
	clip := func(p, q float64) bool {
		if p == 0 {
			return q > 0
		}
		u := q / p
		if p < 0 {
			if u > t1 {
				return false
			}
			t0 = max(t0, u)
		} else {
			if u < t0 {
				return false
			}
			t1 = min(t1, u)
		}
		return true
	}
	dx, dy := b.X-a.X, b.Y-a.Y
	return clip(-dx, a.X-r.X) && clip(dx, r.X+r.W-a.X) && clip(-dy, a.Y-r.Y) && clip(dy, r.Y+r.H-a.Y) && t0 < t1
}

// crossings counts pairs of edges whose polylines properly cross, as
// ../shared/bench/crossings.py does (grid buckets of 200 px; segments
// sharing an endpoint do not count).
func crossings(out *Output) int {
	type seg struct {
		k              int
		ax, ay, bx, by float64
	}
	var S []seg
	for k, r := range out.Edges {
		for i := 1; i < len(r.Points); i++ {
			a, b := r.Points[i-1], r.Points[i]
			S = append(S, seg{k, a.X, a.Y, b.X, b.Y})
		}
	}
	orient := func(ax, ay, bx, by, cx, cy float64) int {
		v := (bx-ax)*(cy-ay) - (by-ay)*(cx-ax)
		switch {
		case v > 1e-9:
			return 1
		case v < -1e-9:
			return -1
		}
		return 0
	}
	cross := func(s, t seg) bool {
		ps := [2][2]float64{{s.ax, s.ay}, {s.bx, s.by}}
		qs := [2][2]float64{{t.ax, t.ay}, {t.bx, t.by}}
		for _, p := range ps {
			for _, q := range qs {
				if math.Abs(p[0]-q[0]) < 1e-6 && math.Abs(p[1]-q[1]) < 1e-6 {
					return false
				}
			}
		}
		return orient(s.ax, s.ay, s.bx, s.by, t.ax, t.ay)*orient(s.ax, s.ay, s.bx, s.by, t.bx, t.by) < 0 &&
			orient(t.ax, t.ay, t.bx, t.by, s.ax, s.ay)*orient(t.ax, t.ay, t.bx, t.by, s.bx, s.by) < 0
	}
	const cell = 200.0
	grid := map[[2]int][]int{}
	var keys [][2]int
	for i, s := range S {
		for gx := int(math.Floor(min(s.ax, s.bx) / cell)); gx <= int(math.Floor(max(s.ax, s.bx)/cell)); gx++ {
			for gy := int(math.Floor(min(s.ay, s.by) / cell)); gy <= int(math.Floor(max(s.ay, s.by)/cell)); gy++ {
				k := [2]int{gx, gy}
				if _, ok := grid[k]; !ok {
					keys = append(keys, k)
				}
				grid[k] = append(grid[k], i)
			}
		}
	}
	pairs := map[[2]int]bool{}
	edgePairs := map[[2]int]bool{}
	for _, k := range keys {
		ids := grid[k]
		for x := 0; x < len(ids); x++ {
			for y := x + 1; y < len(ids); y++ {
				i, j := ids[x], ids[y]
				if S[i].k == S[j].k || pairs[[2]int{i, j}] {
					continue
				}
				if cross(S[i], S[j]) {
					pairs[[2]int{i, j}] = true
					edgePairs[[2]int{S[i].k, S[j].k}] = true
				}
			}
		}
	}
	return len(edgePairs)
}

// writeLayoutJSON writes out in the shape crossings.py reads.
func writeLayoutJSON(path string, out *Output, ms float64) error {
	var b strings.Builder
	b.WriteString(`{"nodes":[`)
	for i, r := range out.Nodes {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d,"x":%g,"y":%g,"width":%g,"height":%g}`, i, r.X, r.Y, r.W, r.H)
	}
	b.WriteString(`],"edges":[`)
	for i, r := range out.Edges {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"points":[`)
		for j, p := range r.Points {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `[%g,%g]`, p.X, p.Y)
		}
		b.WriteString(`]}`)
	}
	fmt.Fprintf(&b, `],"stats":{"ms":%g}}`, ms)
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
