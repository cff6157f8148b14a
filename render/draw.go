package render

import (
	"math"
	"strings"

	"github.com/modelviz/modelviz/view"
)

// painter is the drawing abstraction every backend implements. drawScene
// is the only code that decides what a picture looks like, so SVG, PNG
// and PDF agree.
type painter interface {
	fill(p *path, c rgba)
	stroke(p *path, c rgba, width float64)
	// text draws one line of safe text whose baseline is at y; x is the
	// left end, centre or right end depending on anchor.
	text(x, y float64, s string, size float64, bold bool, c rgba, a anchor)
	// begin and end bracket one scene element (SVG keeps them as <g>
	// for the HTML viewer, with tip as a hover tooltip); other backends
	// ignore them.
	begin(class, id, tip string)
	end()
}

type anchor uint8

const (
	anchorStart anchor = iota
	anchorMiddle
	anchorEnd
)

// rect is an axis-aligned area in scene units.
type rect struct{ X0, Y0, X1, Y1 float64 }

func (r rect) hits(x, y, w, h float64) bool {
	return x <= r.X1 && y <= r.Y1 && x+w >= r.X0 && y+h >= r.Y0
}

var everything = rect{math.Inf(-1), math.Inf(-1), math.Inf(1), math.Inf(1)}

// Measures of the drawing. Boxes are sized by view with the same fonts;
// these say where inside a box things go.
const (
	cornerR   = 5.0
	groupR    = 9.0
	edgeWidth = 1.1
	// Module-order edges: thinner, fainter, dashed, without a head.
	orderWidth  = 0.9
	orderAlpha  = 0.6
	orderDash   = 4.0
	orderGap    = 3.0
	arrowLen    = 7.5
	arrowHalfW  = 3.4
	bendR       = 8.0
	stackOffset = 3.5
)

// drawScene draws s onto p. Only elements meeting clip are drawn, so a
// tiled backend pays for what each tile shows.
func drawScene(p painter, s *view.Scene, th *theme, clip rect) {
	m := sceneMetrics()
	for i := range s.Groups {
		g := &s.Groups[i]
		if !clip.hits(g.X, g.Y, g.W, g.H) {
			continue
		}
		p.begin("cluster", g.ID, strings.Join(g.Path, "."))
		drawGroup(p, g, th, m)
		p.end()
	}
	for i := range s.Edges {
		e := &s.Edges[i]
		if len(e.Points) < 2 || !clip.hits(pointsBounds(e.Points)) {
			continue
		}
		class := "edge"
		if e.Order {
			class = "edge order"
		}
		p.begin(class, e.From+"->"+e.To, strings.TrimSpace(e.Value+" "+e.Label))
		drawEdge(p, e, th)
		p.end()
	}
	// Labels go where the layout put them: view labels a fanned-out
	// tensor once and the engine keeps labels clear of edges and of each
	// other, so there is nothing to de-collide here.
	for i := range s.Edges {
		e := &s.Edges[i]
		if e.Label == "" || len(e.Points) < 2 {
			continue
		}
		lx, ly := labelPos(e)
		txt := SafeText(e.Label)
		w := textWidth(txt, m.EdgeLabelSize, false)
		h := m.EdgeLabelSize * 1.25
		if !clip.hits(lx-w/2-2, ly-h/2, w+4, h) {
			continue
		}
		var bg path
		bg.roundRect(lx-w/2-2, ly-h/2, w+4, h, 2, 2, 2, 2)
		p.fill(&bg, th.bg.alpha(0.82))
		p.text(lx, baselineFor(ly, m.EdgeLabelSize), txt, m.EdgeLabelSize, false, th.edgeLabel, anchorMiddle)
	}
	for i := range s.Nodes {
		b := &s.Nodes[i]
		if !clip.hits(b.X-1, b.Y-1, b.W+stackOffset+2, b.H+stackOffset+2) {
			continue
		}
		tip := b.Label
		if b.Name != "" && b.Name != b.Label {
			tip += " " + b.Name
		}
		p.begin("node "+b.Kind, b.ID, tip)
		switch b.Kind {
		case "input", "output":
			drawPill(p, b, th, m)
		case "group":
			drawCollapsed(p, b, th, m)
		default:
			drawOp(p, b, th, m)
		}
		p.end()
	}
}

func pointsBounds(pts [][2]float64) (x, y, w, h float64) {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range pts {
		x0, y0 = math.Min(x0, q[0]), math.Min(y0, q[1])
		x1, y1 = math.Max(x1, q[0]), math.Max(y1, q[1])
	}
	return x0 - arrowLen, y0 - arrowLen, x1 - x0 + 2*arrowLen, y1 - y0 + 2*arrowLen
}

// labelPos is where an edge label is centred: the layout's place for it,
// else the middle of the route.
func labelPos(e *view.Edge) (float64, float64) {
	if e.LabelX != 0 || e.LabelY != 0 {
		return e.LabelX, e.LabelY
	}
	total := 0.0
	for i := 1; i < len(e.Points); i++ {
		total += dist(pt{e.Points[i-1][0], e.Points[i-1][1]}, pt{e.Points[i][0], e.Points[i][1]})
	}
	half := total / 2
	for i := 1; i < len(e.Points); i++ {
		a, b := pt{e.Points[i-1][0], e.Points[i-1][1]}, pt{e.Points[i][0], e.Points[i][1]}
		d := dist(a, b)
		if d >= half && d > 0 {
			t := half / d
			return a.X + (b.X-a.X)*t, a.Y + (b.Y-a.Y)*t
		}
		half -= d
	}
	q := e.Points[0]
	return q[0], q[1]
}

// headerHeight is the part of a box under its header line: all of it
// without rows, else view.HeaderHeight (less if the box is too short).
func headerHeight(b *view.Box, m metrics) float64 {
	if len(b.Rows) == 0 {
		return b.H
	}
	return math.Max(0, math.Min(m.HeaderH, b.H-float64(len(b.Rows))*m.RowH))
}

func drawOp(p painter, b *view.Box, th *theme, m metrics) {
	head := th.headerColor(b.Category)
	hh := headerHeight(b, m)
	var body path
	body.roundRect(b.X, b.Y, b.W, b.H, cornerR, cornerR, cornerR, cornerR)
	if len(b.Rows) == 0 {
		p.fill(&body, head)
	} else {
		p.fill(&body, th.nodeFill)
		var hp path
		hp.roundRect(b.X, b.Y, b.W, hh, cornerR, cornerR, 0, 0)
		p.fill(&hp, head)
		p.stroke(&body, th.nodeStroke, 0.8)
	}
	drawLabel(p, b.Label, b.X+b.W/2, b.Y+hh/2, b.W-2*m.PadX, m.LabelSize, true, th.headerText)
	drawRows(p, b, b.Y+hh, th.rowKey, th.rowText, m, false)
}

func drawPill(p painter, b *view.Box, th *theme, m metrics) {
	r := b.H / 2
	if len(b.Rows) > 0 {
		r = math.Min(r, 12)
	}
	var body path
	body.roundRect(b.X, b.Y, b.W, b.H, r, r, r, r)
	p.fill(&body, th.ioFill)
	p.stroke(&body, th.ioStroke, 1)
	hh := headerHeight(b, m)
	pad := math.Max(m.PadX, r*0.6)
	drawLabel(p, b.Label, b.X+b.W/2, b.Y+hh/2, b.W-2*pad, m.LabelSize, true, th.ioText)
	drawRows(p, b, b.Y+hh, th.ioRow, th.ioRow, m, true)
}

func drawCollapsed(p painter, b *view.Box, th *theme, m metrics) {
	if isSubgraph(b.ID) {
		t := *th
		t.collHead = th.categories["control"]
		t.collStroke = t.collHead
		th = &t
	}
	// A second card behind the box says "there is more inside".
	var back path
	back.roundRect(b.X+stackOffset, b.Y+stackOffset, b.W, b.H, cornerR, cornerR, cornerR, cornerR)
	p.fill(&back, th.collFill)
	p.stroke(&back, th.collStroke.alpha(0.6), 0.9)
	hh := headerHeight(b, m)
	var body path
	body.roundRect(b.X, b.Y, b.W, b.H, cornerR, cornerR, cornerR, cornerR)
	p.fill(&body, th.collFill)
	var hp path
	if len(b.Rows) == 0 {
		hp.roundRect(b.X, b.Y, b.W, b.H, cornerR, cornerR, cornerR, cornerR)
	} else {
		hp.roundRect(b.X, b.Y, b.W, hh, cornerR, cornerR, 0, 0)
	}
	p.fill(&hp, th.collHead)
	p.stroke(&body, th.collStroke, 1.2)
	drawLabel(p, b.Label, b.X+b.W/2, b.Y+hh/2, b.W-2*m.PadX, m.LabelSize, true, th.headerText)
	drawRows(p, b, b.Y+hh, th.rowKey, th.rowText, m, false)
}

// isSubgraph tells subgraph bodies (If branches, Loop bodies, functions;
// view gives them "sg:" IDs) from modules: they take the control-flow
// colour.
func isSubgraph(id string) bool { return strings.HasPrefix(id, "sg:") }

func drawGroup(p painter, g *view.GroupBox, th *theme, m metrics) {
	fill, line, text := th.groupFill, th.groupLine, th.groupText
	if isSubgraph(g.ID) {
		c := th.categories["control"]
		fill, line, text = c.alpha(float64(fill.A)/255), c.alpha(float64(line.A)/255), c
	}
	var r path
	r.roundRect(g.X, g.Y, g.W, g.H, groupR, groupR, groupR, groupR)
	p.fill(&r, fill)
	p.stroke(&r, line, 1)
	x := titleX(g, m)
	txt := fitText(SafeText(g.Label), m.GroupLabelSize, true, g.X+g.W-m.PadX-x)
	if txt != "" {
		p.text(x, baselineFor(g.Y+m.GroupLabelH/2+1, m.GroupLabelSize), txt, m.GroupLabelSize, true, text, anchorStart)
	}
}

// titleX is where a group's title starts: LabelX, which the layout moves
// clear of edges entering the group, or X+PadX when LabelX is not inside
// the group (scenes made before it existed, or by hand).
func titleX(g *view.GroupBox, m metrics) float64 {
	if finite(g.LabelX) && g.LabelX >= g.X && g.LabelX < g.X+g.W-m.PadX {
		return g.LabelX
	}
	return g.X + m.PadX
}

func drawLabel(p painter, s string, cx, cy, maxW, size float64, bold bool, c rgba) {
	txt := fitText(SafeText(s), size, bold, maxW)
	if txt == "" {
		return
	}
	p.text(cx, baselineFor(cy, size), txt, size, bold, c, anchorMiddle)
}

// drawRows writes "key value" lines below the header, key in bold, laid
// out as view measured them.
func drawRows(p painter, b *view.Box, top float64, keyC, valC rgba, m metrics, centred bool) {
	if len(b.Rows) == 0 {
		return
	}
	rh := math.Min(m.RowH, (b.Y+b.H-top)/float64(len(b.Rows)))
	avail := b.W - 2*m.PadX
	for i, r := range b.Rows {
		base := baselineFor(top+rh*(float64(i)+0.5), m.RowSize)
		key := SafeText(r.Key)
		val := SafeText(r.Value)
		kw := 0.0
		if key != "" {
			key = fitText(key, m.RowSize, true, avail)
			kw = textWidth(key, m.RowSize, true) + m.RowKeyGap
		}
		val = fitText(val, m.RowSize, false, avail-kw)
		x := b.X + m.PadX
		if centred {
			x = b.X + (b.W-kw-textWidth(val, m.RowSize, false))/2
		}
		if key != "" {
			p.text(x, base, key, m.RowSize, true, keyC, anchorStart)
		}
		if val != "" {
			p.text(x+kw, base, val, m.RowSize, false, valC, anchorStart)
		}
	}
}

// drawEdge draws a route with softly rounded bends and an arrowhead; a
// module-order edge is dashed and headless, as it carries no data.
func drawEdge(p painter, e *view.Edge, th *theme) {
	pts := make([]pt, 0, len(e.Points))
	for _, q := range e.Points {
		if !finite(q[0]) || !finite(q[1]) {
			return
		}
		c := pt{q[0], q[1]}
		if len(pts) > 0 && dist(pts[len(pts)-1], c) < 1e-6 {
			continue
		}
		pts = append(pts, c)
	}
	if len(pts) < 2 {
		return
	}
	tip := pts[len(pts)-1]
	prev := pts[len(pts)-2]
	d := dist(prev, tip)
	ux, uy := (tip.X-prev.X)/d, (tip.Y-prev.Y)/d
	al := math.Min(arrowLen, d*0.9)
	base := pt{tip.X - ux*al, tip.Y - uy*al}
	if !e.Order {
		pts[len(pts)-1] = pt{base.X + ux*0.6, base.Y + uy*0.6} // tuck under the head
	}

	var line path
	line.moveTo(pts[0].X, pts[0].Y)
	for i := 1; i < len(pts)-1; i++ {
		a, c, nx := pts[i-1], pts[i], pts[i+1]
		r := math.Min(bendR, math.Min(dist(a, c), dist(c, nx))/2)
		if r < 0.5 {
			line.lineTo(c.X, c.Y)
			continue
		}
		in := toward(c, a, r)
		out := toward(c, nx, r)
		line.lineTo(in.X, in.Y)
		// Quadratic bend through the corner, as a cubic.
		line.cubicTo(in.X+(c.X-in.X)*2/3, in.Y+(c.Y-in.Y)*2/3, out.X+(c.X-out.X)*2/3, out.Y+(c.Y-out.Y)*2/3, out.X, out.Y)
	}
	last := pts[len(pts)-1]
	line.lineTo(last.X, last.Y)
	if e.Order {
		p.stroke(line.dashed(orderDash, orderGap), th.edge.alpha(orderAlpha), orderWidth)
		return
	}
	p.stroke(&line, th.edge, edgeWidth)

	var head path
	head.moveTo(tip.X, tip.Y)
	head.lineTo(base.X-uy*arrowHalfW, base.Y+ux*arrowHalfW)
	head.lineTo(base.X+uy*arrowHalfW, base.Y-ux*arrowHalfW)
	head.close()
	p.fill(&head, th.edge)
}

func toward(from, to pt, r float64) pt {
	d := dist(from, to)
	return pt{from.X + (to.X-from.X)/d*r, from.Y + (to.Y-from.Y)/d*r}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
