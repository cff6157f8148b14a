package view

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/model"
	"github.com/modelviz/modelviz/opmeta"
)

// Graph is the drawn graph of a model before layout: every box that can be
// shown, with all groups expanded. Layout chooses which groups to collapse.
// It is immutable after Build, so one Graph serves concurrent Layout calls.
type Graph struct {
	boxes  []gbox
	edges  []gedge
	groups []ggroup
	// root is the whole graph as one collapsed box (Depth 0): every box
	// but the main graph's inputs and outputs.
	root ggroup
	// Warnings are limits hit while building (subgraph budget, recursion).
	Warnings []string
	// mods are the group paths before singleton groups were elided, so a
	// box still knows its own module (gbox.mod).
	mods [][]string
}

type gbox struct {
	id, label, kind, category, name string
	group                           int32 // innermost group, -1 for the root
	mod                             int32 // group before singletons were elided: Graph.mods
	weights, attrs                  []Row
	weightW, attrW                  float64 // widest row of each kind
	nameW, headW                    float64
	params, macs                    int64
	graph                           string
	node                            int32
}

type gedge struct {
	from, to     int32
	value, label string
	labelW       float64
	order        bool // module order, not data flow
}

type ggroup struct {
	id, label string
	path      []string
	parent    int32
	level     int  // 1 for a top-level group
	sub       bool // a subgraph or function body: collapsed by default
	ops       int
	params    int64
	macs      int64
	headW     float64
	rows      []Row
	rowsW     float64
}

// GroupInfo describes one group of a Graph, for viewers that offer
// expand and collapse.
type GroupInfo struct {
	ID       string
	Label    string
	Parent   string // "" at the top
	Level    int    // 1 for a top-level group
	Subgraph bool   // an If/Loop/Scan body or function body
	Ops      int
	Params   int64
	MACs     int64
}

// Groups lists every group, parents before children.
func (g *Graph) Groups() []GroupInfo {
	out := make([]GroupInfo, len(g.groups))
	for i, gr := range g.groups {
		p := ""
		if gr.parent >= 0 {
			p = g.groups[gr.parent].id
		}
		out[i] = GroupInfo{gr.id, gr.label, p, gr.level, gr.sub, gr.ops, gr.params, gr.macs}
	}
	return out
}

// NumBoxes is the number of boxes drawn when every group is expanded.
func (g *Graph) NumBoxes() int { return len(g.boxes) }

// Limits that keep hostile files (deep or recursive subgraphs, huge names)
// to bounded work and output.
const (
	maxBoxes     = 2_000_000
	maxNesting   = 16
	maxLabelRune = 64
	maxRows      = 32
	// maxModuleDepth cuts module paths deeper than any real network.
	maxModuleDepth = 64
	// maxSubgraphBoxes bounds the boxes of all subgraph and function
	// bodies together (a function calling another twice, 16 levels deep,
	// would otherwise draw 2^16 copies).
	maxSubgraphBoxes = 250_000
)

type builder struct {
	g       *Graph
	info    *analysis.Info
	nodeBox map[*model.Node]int32
	valBox  map[*model.Value]int32 // graph inputs
	outBox  map[*model.Value]int32 // graph outputs
	folded  map[*model.Node]bool
	loads   int              // tensors read for their values (bounded by maxLoads)
	modGrp  map[string]int32 // module path (NUL-joined) -> group
	stack   []*model.Graph
	budget  bool
	// mainBoxes is the box count of the main graph; bodies drawn beyond
	// it are budgeted, since shared functions can multiply them.
	mainBoxes int
	subBudget bool
}

// Build makes the drawn graph of m's main graph. info may be nil (no
// inferred shapes, no costs). For formats with a module tree but no
// operators (PyTorch state_dicts), each module holding tensors becomes a
// box, nested in groups by path and chained by edges in module order.
func Build(m *model.Model, info *analysis.Info) *Graph {
	g := &Graph{}
	b := &builder{g: g, info: info, nodeBox: map[*model.Node]int32{},
		valBox: map[*model.Value]int32{}, outBox: map[*model.Value]int32{}, folded: map[*model.Node]bool{},
		modGrp: map[string]int32{}}
	if m == nil {
		return g
	}
	if len(m.Graphs) > 0 && m.Graphs[0] != nil && (len(m.Graphs[0].Nodes) > 0 || m.Modules == nil) {
		b.graph(m.Graphs[0], "", -1, 0)
	} else if m.Modules != nil {
		b.modules(m.Modules)
	}
	b.elideSingletons()
	b.aggregate()
	b.uniqueIDs()
	return g
}

func (b *builder) addBox(x gbox) int32 {
	x.label = clip(x.label)
	x.headW = TextWidth(x.label, FontSize, true)
	if x.kind == "op" || x.kind == "group" {
		if x.name != "" {
			x.nameW = rowWidth(Row{Key: "name", Value: clip(x.name)})
		}
	}
	for _, r := range x.weights {
		x.weightW = max(x.weightW, rowWidth(r))
	}
	for _, r := range x.attrs {
		x.attrW = max(x.attrW, rowWidth(r))
	}
	b.g.boxes = append(b.g.boxes, x)
	return int32(len(b.g.boxes) - 1)
}

func rowWidth(r Row) float64 {
	w := TextWidth(r.Value, RowFontSize, false)
	if r.Key != "" {
		w += TextWidth(r.Key, RowFontSize, true) + RowKeyGap
	}
	return w
}

func (b *builder) addGroup(x ggroup) int32 {
	x.label = clip(x.label)
	x.headW = TextWidth(x.label, FontSize, true)
	b.g.groups = append(b.g.groups, x)
	return int32(len(b.g.groups) - 1)
}

// graph adds the boxes of gr (path gp, inside group parent) and returns
// nothing; subgraphs recurse with one more nesting level.
func (b *builder) graph(gr *model.Graph, gp string, parent int32, nesting int) {
	b.stack = append(b.stack, gr)
	defer func() { b.stack = b.stack[:len(b.stack)-1] }()

	outputs := make(map[*model.Value]bool, len(gr.Outputs))
	for _, v := range gr.Outputs {
		if v != nil {
			outputs[v] = true
		}
	}
	for _, n := range gr.Nodes {
		if n != nil && foldable(n, outputs) {
			b.folded[n] = true
		}
	}
	for _, v := range gr.Inputs {
		if v == nil || b.full() {
			continue
		}
		b.valBox[v] = b.addBox(gbox{id: ioID("in:", gp, v.Name), label: v.Name, kind: "input",
			category: opmeta.IO, name: v.Name, group: parent, graph: gp, node: -1})
	}
	var subs []*model.Node
	for _, n := range gr.Nodes {
		if n == nil || b.folded[n] || b.full() {
			continue
		}
		grp := parent
		if gp == "" && len(n.Group) > 0 {
			grp = b.moduleGroup(n.Group)
		}
		x := gbox{id: n.Name, label: n.Op, kind: "op", category: opmeta.Category(n.Domain, n.Op),
			name: n.Name, group: grp, graph: gp, node: n.ID}
		x.weights = b.weights(n)
		x.attrs = b.attrRows(n)
		// Costs of a node include its subgraphs and function body.
		c := b.info.Cost(n)
		x.params, x.macs = c.Params, c.MACs
		b.nodeBox[n] = b.addBox(x)
		if len(n.Attrs) > 0 || n.Function != nil {
			subs = append(subs, n)
		}
	}
	outBox := b.outBox
	for _, v := range gr.Outputs {
		if v == nil || b.full() {
			continue
		}
		outBox[v] = b.addBox(gbox{id: ioID("out:", gp, v.Name), label: v.Name, kind: "output",
			category: opmeta.IO, name: v.Name, group: parent, graph: gp, node: -1})
	}
	for _, n := range gr.Nodes {
		me, ok := b.nodeBox[n]
		if !ok {
			continue
		}
		var seen map[*model.Value]bool // only for wide nodes: no quadratic scan
		if len(n.Inputs) > 16 {
			seen = make(map[*model.Value]bool, len(n.Inputs))
		}
		for i, v := range n.Inputs {
			if v == nil {
				continue
			}
			if seen != nil {
				if seen[v] {
					continue
				}
				seen[v] = true
			} else if dupInput(n.Inputs[:i], v) {
				continue
			}
			if src := b.source(v); src >= 0 {
				b.addEdge(src, me, v)
			}
		}
	}
	for _, v := range gr.Outputs {
		if o, ok := outBox[v]; ok {
			if src := b.source(v); src >= 0 {
				b.addEdge(src, o, v)
			}
		}
	}
	if gp == "" {
		b.mainBoxes = len(b.g.boxes)
	}
	for _, n := range subs {
		b.subgraphs(n, gp, nesting)
	}
}

func (b *builder) full() bool {
	if len(b.g.boxes) >= maxBoxes {
		if !b.budget {
			b.budget = true
			b.g.Warnings = append(b.g.Warnings, "too many boxes: the drawing stops at "+strconv.Itoa(maxBoxes))
		}
		return true
	}
	return false
}

// subgraphs adds n's attribute graphs and function body as groups beside
// n's box; their outputs feed n.
func (b *builder) subgraphs(n *model.Node, gp string, nesting int) {
	owner := b.nodeBox[n]
	type body struct {
		attr, label string
		g           *model.Graph
	}
	var bodies []body
	for _, s := range n.Subgraphs() {
		bodies = append(bodies, body{s.Attribute, s.Attribute, s.Graph})
	}
	if n.Function != nil && n.Function.Body != nil {
		bodies = append(bodies, body{"@function", n.Function.Name, n.Function.Body})
	}
	for _, s := range bodies {
		if s.g == nil || b.full() {
			continue
		}
		if len(b.g.boxes)-b.mainBoxes > maxSubgraphBoxes {
			if !b.subBudget {
				b.subBudget = true
				b.g.Warnings = append(b.g.Warnings, "too many subgraph and function boxes: bodies past "+
					strconv.Itoa(maxSubgraphBoxes)+" boxes are not drawn")
			}
			continue
		}
		if nesting+1 > maxNesting || b.onStack(s.g) {
			b.g.Warnings = append(b.g.Warnings, "subgraph "+strconv.Quote(s.label)+" of node "+
				strconv.Quote(n.Name)+" nested too deep or recursive: not drawn")
			continue
		}
		path := strconv.Itoa(int(n.ID)) + "/" + s.attr
		if gp != "" {
			path = gp + "|" + path
		}
		parent := b.g.boxes[owner].group
		level := 1
		if parent >= 0 {
			level = b.g.groups[parent].level + 1
		}
		gi := b.addGroup(ggroup{id: "sg:" + path, label: s.label, parent: parent, level: level, sub: true,
			path: append(b.groupPath(parent), s.label)})
		first := int32(len(b.g.boxes))
		b.graph(s.g, path, gi, nesting+1)
		// Loop and Scan bodies and function bodies take the node's inputs
		// by position.
		if s.attr == "@function" || (s.attr == "body" && (n.Op == "Loop" || n.Op == "Scan")) {
			for i, v := range s.g.Inputs {
				if i >= len(n.Inputs) || n.Inputs[i] == nil || v == nil {
					continue
				}
				to, ok := b.valBox[v]
				if src := b.source(n.Inputs[i]); ok && src >= 0 {
					b.addEdge(src, to, n.Inputs[i])
				}
			}
		}
		// Body outputs feed the owner.
		for _, v := range s.g.Outputs {
			if o, ok := b.outBox[v]; ok && o >= first {
				b.addEdge(o, owner, v)
			}
		}
	}
}

func (b *builder) onStack(g *model.Graph) bool {
	for _, s := range b.stack {
		if s == g {
			return true
		}
	}
	return false
}

func (b *builder) groupPath(gi int32) []string {
	if gi < 0 {
		return nil
	}
	return append([]string(nil), b.g.groups[gi].path...)
}

// source is the box that produces v, or -1 when v is folded or unknown.
func (b *builder) source(v *model.Value) int32 {
	for i := 0; v.Outer != nil && i < 64; i++ {
		v = v.Outer
	}
	if v.Producer != nil {
		if x, ok := b.nodeBox[v.Producer]; ok {
			return x
		}
		return -1
	}
	if x, ok := b.valBox[v]; ok {
		return x
	}
	return -1
}

func (b *builder) addEdge(from, to int32, v *model.Value) {
	e := gedge{from: from, to: to, value: v.Name}
	if t := b.info.Type(v); t != nil && t.Kind == model.TensorType && t.Shape != nil {
		e.label = clip(ShapeLabel(t.Shape))
		e.labelW = math.Ceil(TextWidth(e.label, EdgeFontSize, false))
	}
	b.g.edges = append(b.g.edges, e)
}

func dupInput(prev []*model.Value, v *model.Value) bool {
	for _, p := range prev {
		if p == v {
			return true
		}
	}
	return false
}

// weight is the initializer v holds, looking through outer scopes.
func weight(v *model.Value) *model.Value {
	for i := 0; v != nil && v.Outer != nil && i < 64; i++ {
		v = v.Outer
	}
	if v == nil || v.Initializer == nil {
		return nil
	}
	return v
}

// foldable: a standard Constant whose one output feeds one node and is
// not a graph output is drawn as a row of that node, as Netron does.
// An Identity of an initializer (PyTorch exports shared weights that way)
// folds the same way.
func foldable(n *model.Node, outputs map[*model.Value]bool) bool {
	if (n.Domain != "" && n.Domain != "ai.onnx") || len(n.Outputs) != 1 {
		return false
	}
	switch {
	case n.Op == "Constant":
	case n.Op == "Identity" && len(n.Inputs) == 1 && weight(n.Inputs[0]) != nil:
	default:
		return false
	}
	v := n.Outputs[0]
	if v == nil || outputs[v] || len(v.Consumers) == 0 {
		return false
	}
	for _, c := range v.Consumers {
		if c != v.Consumers[0] {
			return false
		}
	}
	return true
}

// weights lists n's folded inputs (initializers, folded constants and
// identities of initializers) as rows. Params come from analysis, which
// decides what counts as a weight.
func (b *builder) weights(n *model.Node) []Row {
	var rows []Row
	layer := opmeta.Category(n.Domain, n.Op) == opmeta.Layer
	for i, v := range n.Inputs {
		if v == nil || len(rows) >= maxRows {
			continue
		}
		for j := 0; v.Outer != nil && j < 64; j++ {
			v = v.Outer
		}
		if p := v.Producer; p != nil && b.folded[p] && p.Op == "Identity" {
			v = weight(p.Inputs[0])
		}
		var t *model.Tensor
		switch {
		case v.Initializer != nil:
			t = v.Initializer
		case v.Producer != nil && b.folded[v.Producer]:
			if t = constantTensor(v.Producer); t == nil {
				rows = append(rows, Row{Key: role(n, i), Value: clip(constantText(v.Producer))})
				continue
			}
		default:
			continue
		}
		rows = append(rows, Row{Key: role(n, i), Value: clip(b.tensorText(t, layer))})
	}
	return rows
}

// constantTensor is the tensor a Constant node holds, or nil for the
// scalar and list forms (value_float, value_ints...).
func constantTensor(n *model.Node) *model.Tensor {
	for i := range n.Attrs {
		if a := &n.Attrs[i]; a.Kind == model.AttrTensor && a.Tensor != nil {
			return a.Tensor
		}
	}
	return nil
}

// role is the key of folded input i: W and B for the weight and bias of
// the weighted layers, else the schema's input name, else the index.
func role(n *model.Node, i int) string {
	switch n.Op {
	case "Conv", "ConvTranspose", "Gemm", "MatMul", "ConvInteger", "MatMulInteger", "DeformConv":
		if n.Domain == "" || n.Domain == "ai.onnx" {
			switch i {
			case 1:
				return "W"
			case 2:
				if n.Op != "DeformConv" {
					return "B"
				}
			}
		}
	}
	if f := n.Function; f != nil && i < len(f.Inputs) && f.Inputs[i] != "" {
		return f.Inputs[i]
	}
	if s := opmeta.InputName(n.Domain, n.Op, i); s != "" {
		return s
	}
	// ATen layers take (input, weight, bias, ...): aten::linear, conv2d.
	if n.Domain == "aten" && (i == 1 || i == 2) && opmeta.Category(n.Domain, n.Op) == opmeta.Layer {
		op := strings.ToLower(n.Op)
		if strings.HasPrefix(op, "linear") || strings.HasPrefix(op, "conv") || strings.HasPrefix(op, "_conv") {
			return [...]string{1: "W", 2: "B"}[i]
		}
	}
	return strconv.Itoa(i)
}

// DimsLabel is a tensor's dims as boxes and panels show them ("8×4",
// "scalar").
func DimsLabel(d []int64) string {
	if len(d) == 0 {
		return "scalar"
	}
	var sb strings.Builder
	for i, x := range d {
		if i > 0 {
			sb.WriteString("×")
		}
		sb.WriteString(strconv.FormatInt(x, 10))
	}
	return sb.String()
}

// clip shortens text drawn in a box; full names stay in Box.Name.
func clip(s string) string {
	if len(s) <= maxLabelRune || utf8.RuneCountInString(s) <= maxLabelRune {
		return s
	}
	n := 0
	for i := range s {
		if n == maxLabelRune-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func ioID(prefix, gp, name string) string {
	if gp == "" {
		return prefix + name
	}
	return prefix + gp + ":" + name
}

// moduleGroup returns the group for a module path, creating it and its
// ancestors.
func (b *builder) moduleGroup(path []string) int32 {
	if len(path) > maxModuleDepth {
		path = path[:maxModuleDepth]
	}
	parent := int32(-1)
	key := ""
	for i, p := range path {
		if i > 0 {
			key += "\x00"
		}
		key += p
		if gi, ok := b.modGrp[key]; ok {
			parent = gi
			continue
		}
		gi := b.addGroup(ggroup{id: "g:" + strings.Join(path[:i+1], "/"), label: p,
			path: append([]string(nil), path[:i+1]...), parent: parent, level: i + 1})
		b.modGrp[key] = gi
		parent = gi
	}
	return parent
}

// modules draws a module tree without operators: a box per module that
// holds tensors, edges in module order.
func (b *builder) modules(root *model.Module) {
	prev := int32(-1)
	var walk func(m *model.Module, path []string, depth int)
	walk = func(m *model.Module, path []string, depth int) {
		if m == nil || depth > 256 || b.full() {
			return
		}
		if m.Path != "" {
			path = append(path, m.Name)
		}
		if len(m.Tensors) > 0 {
			grp := int32(-1)
			if len(path) > 1 {
				grp = b.moduleGroup(path[:len(path)-1])
			}
			label := shortType(m.Type)
			if label == "" {
				label = m.Name
			}
			if label == "" {
				label = "(root)"
			}
			x := gbox{id: "m:" + m.Path, label: label, kind: "op", category: opmeta.Category("", m.Type),
				name: m.Path, group: grp, node: -1}
			if m.Type == "" {
				x.category = guessCategory(m)
			}
			for _, v := range m.Tensors {
				if v == nil {
					continue
				}
				key := v.Name
				if i := strings.LastIndexByte(key, '.'); i >= 0 {
					key = key[i+1:]
				}
				// The same rule as analysis.Info.ModuleCost, which has no
				// per-box (own tensors only) form.
				text := "?"
				if v.Initializer != nil {
					if k := v.Initializer.NumElements(); k > 0 {
						x.params += k
					}
					if len(x.weights) < maxRows {
						text = b.tensorText(v.Initializer, key == "weight" || key == "bias")
					}
				} else if v.Type != nil {
					if d, ok := v.Type.Shape.Ints(); ok {
						text = DimsLabel(d)
					}
				}
				if len(x.weights) < maxRows {
					x.weights = append(x.weights, Row{Key: clip(key), Value: clip(text)})
				}
			}
			me := b.addBox(x)
			if prev >= 0 {
				b.g.edges = append(b.g.edges, gedge{from: prev, to: me, order: true})
			}
			prev = me
		}
		for _, c := range m.Children {
			walk(c, path, depth+1)
		}
	}
	walk(root, nil, 0)
}

// guessCategory colours a module of unknown class (a state_dict) by its
// name and tensors: "norm" in the name or running statistics mean a norm
// layer, a weight matrix or kernel a weighted layer.
func guessCategory(m *model.Module) string {
	if strings.Contains(strings.ToLower(m.Name), "norm") {
		return opmeta.Norm // attn_norm, layernorm, norm1
	}
	cat := opmeta.Unknown
	for _, v := range m.Tensors {
		if v == nil {
			continue
		}
		key := v.Name[strings.LastIndexByte(v.Name, '.')+1:]
		switch {
		case key == "running_mean" || key == "running_var":
			return opmeta.Norm
		case key == "weight" && v.Initializer != nil && len(v.Initializer.Dims) >= 2:
			cat = opmeta.Layer
		}
	}
	return cat
}

func shortType(t string) string {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}

// elideSingletons removes module groups that hold exactly one box and no
// groups: a box inside a rectangle of its own name adds nothing.
func (b *builder) elideSingletons() {
	g := b.g
	for i := range g.boxes {
		g.boxes[i].mod = g.boxes[i].group
	}
	g.mods = make([][]string, len(g.groups))
	for i := range g.groups {
		g.mods[i] = g.groups[i].path
	}
	if len(g.groups) == 0 {
		return
	}
	boxes := make([]int32, len(g.groups))
	kids := make([]int32, len(g.groups))
	for _, x := range g.boxes {
		if x.group >= 0 {
			boxes[x.group]++
		}
	}
	for _, gr := range g.groups {
		if gr.parent >= 0 {
			kids[gr.parent]++
		}
	}
	remap := make([]int32, len(g.groups))
	var keep []ggroup
	for i, gr := range g.groups {
		if !gr.sub && boxes[i] == 1 && kids[i] == 0 {
			remap[i] = -2 // removed: its box moves to the parent
			continue
		}
		remap[i] = int32(len(keep))
		keep = append(keep, gr)
	}
	if len(keep) == len(g.groups) {
		return
	}
	resolve := func(gi int32) int32 {
		for gi >= 0 && remap[gi] == -2 {
			gi = g.groups[gi].parent
		}
		if gi < 0 {
			return -1
		}
		return remap[gi]
	}
	for i := range g.boxes {
		g.boxes[i].group = resolve(g.boxes[i].group)
	}
	for i := range keep {
		keep[i].parent = resolve(keep[i].parent)
	}
	g.groups = keep
}

// aggregate sums ops, params and MACs up the group tree and makes the
// rows a collapsed group shows.
func (b *builder) aggregate() {
	g := b.g
	g.root.label = "model"
	g.root.headW = TextWidth(g.root.label, FontSize, true)
	for _, x := range g.boxes {
		// The cost of a node holding a subgraph includes the subgraph's
		// nodes, so theirs count only up to the innermost body group.
		costs := true
		for gi := x.group; gi >= 0; gi = g.groups[gi].parent {
			gr := &g.groups[gi]
			if x.kind == "op" {
				gr.ops++
			}
			if costs {
				gr.params += x.params
				gr.macs += x.macs
			}
			costs = costs && !gr.sub
		}
		if x.group >= 0 || (x.kind != "input" && x.kind != "output") {
			if x.kind == "op" {
				g.root.ops++
			}
			if costs {
				g.root.params += x.params
				g.root.macs += x.macs
			}
		}
	}
	for i := -1; i < len(g.groups); i++ {
		gr := &g.root
		if i >= 0 {
			gr = &g.groups[i]
		}
		gr.rows = []Row{{Key: "ops", Value: strconv.Itoa(gr.ops)}}
		if gr.params > 0 {
			gr.rows = append(gr.rows, Row{Key: "params", Value: Count(gr.params)})
		}
		if gr.macs > 0 {
			gr.rows = append(gr.rows, Row{Key: "MACs", Value: Count(gr.macs)})
		}
		for _, r := range gr.rows {
			gr.rowsW = max(gr.rowsW, rowWidth(r))
		}
	}
}

// Count formats a count the short way: 950, 12.3K, 4.5M, 1.2G.
func Count(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "K"
	case n < 1_000_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	}
	return strconv.FormatFloat(float64(n)/1e9, 'f', 1, 64) + "G"
}

// uniqueIDs gives every box and group a distinct ID: a node's name when
// no other node shares it and it cannot be mistaken for a generated ID,
// else "n<graph>:<index>"; any clash left (hostile names) gets "#k".
func (b *builder) uniqueIDs() {
	g := b.g
	names := map[string]int{}
	for _, x := range g.boxes {
		if x.kind == "op" && x.node >= 0 {
			names[x.id]++
		}
	}
	seen := make(map[string]bool, len(g.boxes)+len(g.groups))
	next := map[string]int{} // next suffix to try per clashing ID: no quadratic scan
	take := func(id string) string {
		if !seen[id] {
			seen[id] = true
			return id
		}
		for k := max(next[id], 2); ; k++ {
			c := id + "#" + strconv.Itoa(k)
			if !seen[c] {
				seen[c] = true
				next[id] = k + 1
				return c
			}
		}
	}
	g.root.id = take("g:") // the module path of the root is empty
	for i := range g.groups {
		g.groups[i].id = take(g.groups[i].id)
	}
	for i := range g.boxes {
		x := &g.boxes[i]
		if x.kind == "op" && x.node >= 0 && (x.id == "" || names[x.id] > 1 || reserved(x.id)) {
			x.id = "n" + x.graph + ":" + strconv.Itoa(int(x.node))
		}
	}
	// Generated IDs first, so a hostile name never displaces one.
	generated := func(x *gbox) bool { return x.kind != "op" || x.node < 0 || reserved(x.id) }
	for pass := 0; pass < 2; pass++ {
		for i := range g.boxes {
			if x := &g.boxes[i]; generated(x) == (pass == 0) {
				x.id = take(x.id)
			}
		}
	}
}

// reserved reports whether id has the form of a generated ID.
func reserved(id string) bool {
	for _, p := range []string{"in:", "out:", "g:", "sg:", "m:", "scope-in:", "scope-out:"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	if strings.HasPrefix(id, "n") {
		if i := strings.LastIndexByte(id, ':'); i > 0 {
			_, err := strconv.Atoi(id[i+1:])
			return err == nil
		}
	}
	return false
}
