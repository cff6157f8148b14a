package view

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/modelviz/modelviz/layout"
)

// Options choose what a layout shows.
type Options struct {
	// Depth expands groups above nesting level Depth. The graph (or the
	// Group laid out) is level 0 and top-level groups level 1, as in
	// summary: 0 draws everything as one collapsed box between the inputs
	// and outputs, 1 shows top-level groups collapsed, 2 opens them to show
	// their children collapsed; -1 expands everything, subgraphs too.
	// Subgraph bodies stay collapsed at any Depth >= 0 unless listed in
	// Expanded.
	Depth int
	// Expanded, when non-nil, lists the expanded group IDs and overrides
	// Depth. A group inside a collapsed group stays hidden.
	Expanded []string
	// Dir is "TB" (default) or "LR".
	Dir string
	// Attributes, Weights and Names add rows to op boxes: attribute
	// values, folded weights ("W 8×4") and the node name.
	Attributes bool
	Weights    bool
	Names      bool
	// Group, when set, lays out only that group's contents (any name
	// FindGroup accepts); Depth then counts from it. Values crossing its
	// border are drawn as input and output pills.
	Group string
	// Cache, when set, reuses the layouts of unchanged groups between calls.
	Cache *layout.Cache
}

// DefaultOptions is what the viewer and the CLI start from: default
// expansion for the graph's size, top to bottom, weights shown.
func DefaultOptions(g *Graph) Options {
	return Options{Depth: DefaultDepth(g), Dir: "TB", Weights: true}
}

// MaxFirstView is how many boxes the first view of a model may show.
const MaxFirstView = 300

// DefaultDepth is the depth a model first opens at: the deepest depth
// whose drawing shows at most MaxFirstView boxes, at least 1 (0, the
// model as one box, is only ever asked for). A small
// model thus opens with every module expanded; subgraph bodies start
// collapsed at any depth.
func DefaultDepth(g *Graph) int { return g.defaultDepth(-1) }

// DefaultGroupDepth is DefaultDepth for a layout of one group
// (Options.Group), whose levels count from it: a block of a large model
// opens fully when it fits. An unknown group gives DefaultDepth.
func DefaultGroupDepth(g *Graph, group string) int {
	scope, err := g.findGroup(group)
	if err != nil {
		scope = -1
	}
	return g.defaultDepth(scope)
}

func (g *Graph) defaultDepth(scope int32) int {
	base := 0
	if scope >= 0 {
		base = g.groups[scope].level
	}
	maxLevel := 0
	for _, gr := range g.groups {
		maxLevel = max(maxLevel, gr.level-base)
	}
	best := 1
	for d := 2; d <= maxLevel+1; d++ {
		if g.visibleCount(d, scope) > MaxFirstView {
			break
		}
		best = d
	}
	return best
}

// visibleCount is the number of boxes drawn at depth d in scope (no
// subgraphs, no pills).
func (g *Graph) visibleCount(d int, scope int32) int {
	opt := Options{Depth: d}
	exp := g.expansion(&opt, scope)
	n := 0
	for _, x := range g.boxes {
		switch gi := x.group; {
		case scope >= 0 && (gi < 0 || exp.rep[gi] == -2):
		case gi < 0 || exp.rep[gi] == -1:
			n++
		}
	}
	for i, gr := range g.groups {
		if exp.rep[i] == int32(i) && (gr.parent < 0 || exp.rep[gr.parent] == -1) {
			n++
		}
	}
	return n
}

// expansion says, per group, how it is drawn: rep[i] == -1 expanded and
// visible; rep[i] == i collapsed into its own box; rep[i] == j another
// collapsed group j encloses it; rep[i] == -2 outside the laid-out scope.
type expansion struct{ rep []int32 }

func (g *Graph) expansion(opt *Options, scope int32) expansion {
	var set map[string]bool
	if opt.Expanded != nil {
		set = make(map[string]bool, len(opt.Expanded))
		for _, id := range opt.Expanded {
			set[id] = true
		}
	}
	base := 0
	if scope >= 0 {
		base = g.groups[scope].level
	}
	rep := make([]int32, len(g.groups))
	for i, gr := range g.groups { // parents come before children
		p := gr.parent
		switch {
		case int32(i) == scope:
			rep[i] = -1
			if set == nil && opt.Depth == 0 {
				rep[i] = scope
			}
			continue
		case scope >= 0 && (p < 0 || rep[p] == -2):
			rep[i] = -2
			continue
		case p >= 0 && rep[p] >= 0:
			rep[i] = rep[p]
			continue
		}
		var open bool
		switch {
		case set != nil:
			open = set[gr.id]
		case opt.Depth < 0:
			open = true
		default:
			open = !gr.sub && gr.level-base < opt.Depth
		}
		if open {
			rep[i] = -1
		} else {
			rep[i] = int32(i)
		}
	}
	return expansion{rep}
}

// Layout lays the graph out as opt says.
func (g *Graph) Layout(opt Options) (sc *Scene, err error) {
	start := time.Now()
	scope := int32(-1)
	if opt.Group != "" {
		if scope, err = g.findGroup(opt.Group); err != nil {
			return nil, err
		}
	}
	dir := layout.TopToBottom
	switch opt.Dir {
	case "", "TB":
	case "LR":
		dir = layout.LeftToRight
	default:
		return nil, fmt.Errorf("direction %q: want TB or LR", opt.Dir)
	}
	exp := g.expansion(&opt, scope)
	rep := exp.rep

	// Layout nodes: visible boxes and collapsed groups, in first-seen order
	// so the engine starts from file order.
	const none = int32(-1)
	boxNode := make([]int32, len(g.boxes))
	groupNode := make([]int32, len(g.groups))
	for i := range groupNode {
		groupNode[i] = none
	}
	// Layout groups: expanded, visible, in scope (the scope group itself is
	// the root and not drawn).
	lgroup := make([]int32, len(g.groups))
	in := &layout.Input{Dir: dir, Nodes: make([]layout.Node, 0, len(g.boxes)),
		Edges: make([]layout.Edge, 0, len(g.edges))}
	var sceneGroups []int32
	for i, gr := range g.groups {
		lgroup[i] = none
		if rep[i] != -1 || int32(i) == scope {
			continue
		}
		parent := none
		if gr.parent >= 0 {
			parent = lgroup[gr.parent]
		}
		lgroup[i] = int32(len(in.Groups))
		in.Groups = append(in.Groups, layout.Group{Parent: parent, LabelH: GroupLabelHeight,
			LabelW: gr.headW + 2*PadX, Key: gr.id})
		sceneGroups = append(sceneGroups, int32(i))
	}
	// origin is what a layout node draws: a box, a collapsed group, the
	// whole graph collapsed (all -1) or a pill.
	type origin struct{ box, group, pill int32 }
	var origins []origin
	var pills *boundary
	if scope >= 0 {
		pills = g.boundary(rep)
		for k := range pills.ins {
			pills.ins[k].node = int32(len(in.Nodes))
			in.Nodes = append(in.Nodes, pills.ins[k].layoutNode())
			origins = append(origins, origin{-1, -1, int32(k)})
		}
	}
	rootNode := none
	wholeGraph := scope < 0 && opt.Expanded == nil && opt.Depth == 0
	for i, x := range g.boxes {
		boxNode[i] = none
		gi := x.group
		switch {
		case gi >= 0 && rep[gi] == -2, gi < 0 && scope >= 0:
			continue
		case wholeGraph && !(gi < 0 && (x.kind == "input" || x.kind == "output")):
			if rootNode == none {
				rootNode = int32(len(in.Nodes))
				w, h := boxSize(g.root.headW, g.root.rowsW, len(g.root.rows))
				in.Nodes = append(in.Nodes, layout.Node{W: w, H: h, Group: none, Key: g.root.id})
				origins = append(origins, origin{-1, -1, -1})
			}
			boxNode[i] = rootNode
		case gi >= 0 && rep[gi] >= 0:
			c := rep[gi]
			if groupNode[c] == none {
				groupNode[c] = int32(len(in.Nodes))
				gr := &g.groups[c]
				w, h := boxSize(gr.headW, gr.rowsW, len(gr.rows))
				parent := none
				if gr.parent >= 0 {
					parent = lgroup[gr.parent]
				}
				in.Nodes = append(in.Nodes, layout.Node{W: w, H: h, Group: parent, Key: gr.id})
				origins = append(origins, origin{-1, c, -1})
			}
			boxNode[i] = groupNode[c]
		default:
			boxNode[i] = int32(len(in.Nodes))
			w, h := g.size(&g.boxes[i], &opt)
			lg := none
			if gi >= 0 {
				lg = lgroup[gi]
			}
			in.Nodes = append(in.Nodes, layout.Node{W: w, H: h, Group: lg, Key: x.id})
			origins = append(origins, origin{int32(i), -1, -1})
		}
	}
	if pills != nil {
		for k := range pills.outs {
			pills.outs[k].node = int32(len(in.Nodes))
			in.Nodes = append(in.Nodes, pills.outs[k].layoutNode())
			origins = append(origins, origin{-1, -1, int32(len(pills.ins) + k)})
		}
	}

	// Edges between visible ends; parallel edges merge and keep their label
	// only when all carry the same tensor.
	type merged struct {
		e          int32 // first graph edge
		from, to   int32 // layout nodes
		same       bool
		unlabelled bool // another edge of the tensor carries its label
	}
	edges := make([]merged, 0, len(g.edges))
	seen := make(map[uint64]int32, len(g.edges))
	for i, e := range g.edges {
		f, t := boxNode[e.from], boxNode[e.to]
		if pills != nil && f == none && t != none {
			f = pills.inNode(&e)
		} else if pills != nil && t == none && f != none {
			t = pills.outNode(&e)
		}
		if f == none || t == none || f == t {
			continue
		}
		key := uint64(uint32(f))<<32 | uint64(uint32(t))
		if k, ok := seen[key]; ok {
			if g.edges[edges[k].e].value != e.value {
				edges[k].same = false
			}
			continue
		}
		seen[key] = int32(len(edges))
		edges = append(edges, merged{e: int32(i), from: f, to: t, same: true})
	}
	// A tensor fanning out to several consumers is labelled once per
	// level: its edges there all leave the same gap, so more labels
	// would repeat the shape side by side.
	type fan struct {
		from, level int32
		value       string
	}
	labelled := make(map[fan]bool)
	for k := range edges {
		m := &edges[k]
		e := &g.edges[m.e]
		le := layout.Edge{From: m.from, To: m.to}
		if m.same && e.label != "" {
			f := fan{le.From, commonGroup(in, in.Nodes[le.From].Group, in.Nodes[le.To].Group), e.value}
			if labelled[f] {
				m.unlabelled = true
			} else {
				labelled[f] = true
				le.LabelW, le.LabelH = e.labelW+2*EdgeLabelPad, EdgeLabelHeight
			}
		}
		in.Edges = append(in.Edges, le)
	}

	out, err := runLayout(in, opt.Cache)
	if err != nil {
		return nil, err
	}
	if len(out.Nodes) != len(in.Nodes) || len(out.Groups) != len(in.Groups) || len(out.Edges) != len(in.Edges) ||
		len(out.Titles) != len(in.Groups) {
		return nil, errors.New("layout engine returned a result of the wrong size")
	}

	sc = &Scene{Direction: "TB", Width: out.Width, Height: out.Height,
		Nodes: make([]Box, len(in.Nodes)), Edges: make([]Edge, len(in.Edges)),
		Groups: make([]GroupBox, len(sceneGroups))}
	if dir == layout.LeftToRight {
		sc.Direction = "LR"
	}
	groupID := func(gi int32) string {
		if gi < 0 || gi == scope || rep[gi] == -2 {
			return ""
		}
		return g.groups[gi].id
	}
	for k, o := range origins {
		r := out.Nodes[k]
		b := Box{X: r.X, Y: r.Y, W: r.W, H: r.H, Node: -1}
		switch {
		case o.pill >= 0:
			b = pills.box(o.pill, r)
		case o.box < 0 && o.group < 0:
			b.ID, b.Label, b.Kind, b.Category = g.root.id, g.root.label, "group", "group"
			b.Params, b.MACs, b.Rows = g.root.params, g.root.macs, g.root.rows
		case o.box >= 0:
			x := &g.boxes[o.box]
			b.ID, b.Label, b.Kind, b.Category, b.Name = x.id, x.label, x.kind, x.category, x.name
			b.Group, b.Params, b.MACs, b.Graph, b.Node = groupID(x.group), x.params, x.macs, x.graph, x.node
			b.Rows = g.rows(x, &opt)
		default:
			gr := &g.groups[o.group]
			b.ID, b.Label, b.Kind, b.Category = gr.id, gr.label, "group", "group"
			b.Group, b.Params, b.MACs = groupID(gr.parent), gr.params, gr.macs
			b.Rows = gr.rows
		}
		sc.Nodes[k] = b
	}
	for k, m := range edges {
		e := &g.edges[m.e]
		r := out.Edges[k]
		se := Edge{From: sc.Nodes[m.from].ID, To: sc.Nodes[m.to].ID,
			Points: make([][2]float64, len(r.Points)), Order: e.order}
		if m.same {
			se.Value = e.value
			if e.label != "" && !m.unlabelled {
				se.Label = e.label
				se.LabelX, se.LabelY = r.Label.X, r.Label.Y
			}
		}
		for j, p := range r.Points {
			se.Points[j] = [2]float64{p.X, p.Y}
		}
		sc.Edges[k] = se
	}
	for k, gi := range sceneGroups {
		gr := &g.groups[gi]
		r := out.Groups[k]
		sc.Groups[k] = GroupBox{ID: gr.id, Label: gr.label, Path: gr.path, Parent: groupID(gr.parent),
			X: r.X, Y: r.Y, W: r.W, H: r.H, LabelX: out.Titles[k].X + PadX, Ops: gr.ops, Params: gr.params, MACs: gr.macs}
	}
	sc.Stats = Stats{Ms: float64(time.Since(start).Microseconds()) / 1000, Nodes: len(sc.Nodes), Edges: len(sc.Edges)}
	return sc, nil
}

// commonGroup is the innermost layout group holding both a and b (-1 for
// the root).
func commonGroup(in *layout.Input, a, b int32) int32 {
	depth := func(g int32) int {
		d := 0
		for ; g >= 0; g = in.Groups[g].Parent {
			d++
		}
		return d
	}
	da, db := depth(a), depth(b)
	for ; da > db; da-- {
		a = in.Groups[a].Parent
	}
	for ; db > da; db-- {
		b = in.Groups[b].Parent
	}
	for a != b {
		a, b = in.Groups[a].Parent, in.Groups[b].Parent
	}
	return a
}

// runLayout calls the engine, turning a panic (a bug on hostile input)
// into an error so a server keeps running.
func runLayout(in *layout.Input, cache *layout.Cache) (out *layout.Output, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("layout failed: %v", r)
		}
	}()
	if cache != nil {
		out = cache.Layout(in)
	} else {
		out = layout.Layout(in)
	}
	if out == nil {
		return nil, errors.New("layout engine returned nothing")
	}
	return out, nil
}

// size is a box's width and height for the rows opt shows.
func (g *Graph) size(x *gbox, opt *Options) (float64, float64) {
	if x.kind == "input" || x.kind == "output" {
		return math.Ceil(max(MinBoxWidth, x.headW+2*PadX)), HeaderHeight
	}
	n, w := 0, 0.0
	if opt.Weights {
		n += len(x.weights)
		w = max(w, x.weightW)
	}
	if opt.Attributes {
		n += len(x.attrs)
		w = max(w, x.attrW)
	}
	if opt.Names && x.name != "" {
		n++
		w = max(w, x.nameW)
	}
	return boxSize(x.headW, w, n)
}

func boxSize(headW, rowsW float64, rows int) (float64, float64) {
	// Whole pixels keep the JSON short and text a little clear of borders.
	w := math.Ceil(max(MinBoxWidth, headW+2*PadX, rowsW+2*PadX))
	h := HeaderHeight
	if rows > 0 {
		h += float64(rows)*RowHeight + RowsPadBottom
	}
	return w, h
}

// rows are the rows opt shows for x, in the order size counted them.
func (g *Graph) rows(x *gbox, opt *Options) []Row {
	if opt.Weights && !opt.Attributes && !opt.Names {
		return x.weights // shared: Scenes are read-only
	}
	var rows []Row
	if opt.Weights {
		rows = append(rows, x.weights...)
	}
	if opt.Attributes {
		rows = append(rows, x.attrs...)
	}
	if opt.Names && x.name != "" && (x.kind == "op" || x.kind == "group") {
		rows = append(rows, Row{Key: "name", Value: clip(x.name)})
	}
	return rows
}
