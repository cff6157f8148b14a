package view

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/layout"
	"github.com/modelviz/modelviz/opmeta"
)

// FindGroup resolves a group the way --group names it: its ID
// (g:features/features.3, sg:12/body), its module path joined by "/" or
// "." (features/features.3), or its own name as summary prints it
// (features.3) when no other group has that name. It returns the group's
// ID, or a one-line error suggesting up to three close groups.
func (g *Graph) FindGroup(name string) (string, error) {
	gi, err := g.findGroup(name)
	if err != nil {
		return "", err
	}
	return g.groups[gi].id, nil
}

func (g *Graph) findGroup(name string) (int32, error) {
	gi, hits := g.lookup(name)
	switch {
	case gi >= 0:
		return gi, nil
	case len(hits) == 0:
		if s := g.suggest(strings.Trim(strings.TrimSpace(name), "/")); len(s) > 0 {
			return -1, fmt.Errorf("no group %q (did you mean %s?)", name, strings.Join(s, ", "))
		}
		return -1, fmt.Errorf("no group %q", name)
	}
	var s []string
	for _, gi := range hits[:min(len(hits), 3)] {
		s = append(s, g.groupName(gi))
	}
	more := ""
	if len(hits) > 3 {
		more = fmt.Sprintf(" and %d more", len(hits)-3)
	}
	return -1, fmt.Errorf("group name %q is ambiguous: %s%s", name, strings.Join(s, ", "), more)
}

// lookup is the group name resolves to, or -1 and the groups that share
// the name (none or several).
func (g *Graph) lookup(name string) (int32, []int32) {
	q := strings.Trim(strings.TrimSpace(name), "/")
	if q == "" {
		return -1, nil
	}
	for i, gr := range g.groups { // an ID wins over any other reading
		if gr.id == name || gr.id == "g:"+q {
			return int32(i), nil
		}
	}
	var hits []int32
	for i, gr := range g.groups {
		if !gr.sub {
			if n := g.names(int32(i)); n[1] == q || n[2] == q || n[3] == q {
				return int32(i), nil
			}
		}
		if gr.label == q {
			hits = append(hits, int32(i))
		}
	}
	if len(hits) == 1 {
		return hits[0], nil
	}
	return -1, hits
}

// groupName is the shortest form of a group's name that FindGroup maps
// back to it: its own name when unique, else its dotted name, else its
// path, else its ID.
func (g *Graph) groupName(gi int32) string {
	if n := g.names(gi); !g.groups[gi].sub {
		for _, s := range []string{n[0], n[3], n[1]} {
			if k, _ := g.lookup(s); k == gi && s != "" && !strings.ContainsAny(s, " ,") {
				return s
			}
		}
	}
	return g.groups[gi].id
}

// suggest lists up to three groups whose names are close to q: same name
// but for case, then a path ending in q, then, fewest edits first, names
// q starts or ends with, that end with or contain q, or a few typos away.
func (g *Graph) suggest(q string) []string {
	lq := strings.ToLower(q)
	type cand struct {
		gi, class, dist int
		key             string // the name that came closest
	}
	var cs []cand
	for i := range g.groups {
		best := cand{gi: -1}
		for _, key := range g.names(int32(i)) {
			k := strings.ToLower(key)
			// One name inside the other is as many edits apart as their
			// lengths; only the rest need the distance computed.
			c := cand{i, -1, max(len(k)-len(lq), len(lq)-len(k)), key}
			switch {
			case k == lq:
				c.class = 0
			case strings.HasSuffix(k, "."+lq), strings.HasSuffix(k, "/"+lq):
				c.class = 1
			case strings.HasSuffix(k, lq), strings.HasPrefix(lq, k), strings.HasSuffix(lq, k), strings.Contains(k, lq):
				c.class = 2 // ranked by edits alone: "model" is far from "model/layer/0"
			default:
				if c.dist = editDistance(k, lq, max(1, len(lq)/4)); c.dist <= max(1, len(lq)/4) {
					c.class = 2
				}
			}
			if c.class >= 0 && (best.gi < 0 || c.class < best.class || c.class == best.class && c.dist < best.dist) {
				best = c
			}
		}
		if best.gi >= 0 {
			cs = append(cs, best)
		}
	}
	sort.SliceStable(cs, func(a, b int) bool {
		return cs[a].class < cs[b].class || cs[a].class == cs[b].class && cs[a].dist < cs[b].dist
	})
	var out []string
	for _, c := range cs[:min(len(cs), 3)] {
		// In the form of the name given when that form finds the group.
		if k, _ := g.lookup(c.key); k == int32(c.gi) && !strings.ContainsAny(c.key, " ,") {
			out = append(out, c.key)
		} else {
			out = append(out, g.groupName(int32(c.gi)))
		}
	}
	return out
}

// names are the names lookup accepts for a group, ID last.
func (g *Graph) names(gi int32) []string {
	gr := &g.groups[gi]
	if gr.sub {
		return []string{gr.label, gr.id}
	}
	return []string{gr.label, strings.Join(gr.path, "/"), strings.Join(gr.path, "."), torchName(gr.path), gr.id}
}

// torchName is the PyTorch qualified name of a module path from an
// exporter whose scope names may repeat their parent's
// ([features, features.3, block, block.0] is features.3.block.0).
func torchName(path []string) string {
	var sb strings.Builder
	prev := 0 // where the last component starts in sb
	for i, c := range path {
		if i > 0 && strings.HasPrefix(c, path[i-1]+".") {
			s := sb.String()[:prev]
			sb.Reset()
			sb.WriteString(s)
		} else if i > 0 {
			sb.WriteByte('.')
		}
		prev = sb.Len()
		sb.WriteString(c)
	}
	return sb.String()
}

// editDistance is the Levenshtein distance of a and b in bytes, or limit+1
// once it exceeds limit or either is over 64 bytes: suggestions look at
// every group, so each comparison stays small and allocation-free.
func editDistance(a, b string, limit int) int {
	const maxLen = 64
	if d := len(a) - len(b); d > limit || -d > limit || len(a) > maxLen || len(b) > maxLen {
		return limit + 1
	}
	var prev, cur [maxLen + 1]int
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c = 1 + min(c, prev[j], cur[j-1])
			}
			cur[j] = c
			low = min(low, c)
		}
		if low > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// boundary holds the pills of a layout scoped to one group: an input pill
// per value from outside consumed inside, an output pill per value made
// inside and consumed outside (a graph output included). Folded weights
// and constants are rows, not edges, so they get none.
type boundary struct {
	ins, outs   []pill
	inOf, outOf map[pillKey]int32 // index into ins or outs
}

// pillKey is a value by its producer box: two values of one name in
// different graphs stay apart.
type pillKey struct {
	box   int32
	value string
}

type pill struct {
	id, label, graph string
	name             string // the tensor's full name
	node             int32  // layout node
}

// boundary finds the pills of a scoped layout; rep is its expansion.
// Input pills come in the order of their first consumer, output pills in
// the order of their producers.
func (g *Graph) boundary(rep []int32) *boundary {
	inside := func(b int32) bool {
		gi := g.boxes[b].group
		return gi >= 0 && rep[gi] != -2
	}
	var scopePath []string // the outermost group in scope
	for i := range g.groups {
		if p := g.groups[i].parent; rep[i] != -2 && (p < 0 || rep[p] == -2) {
			scopePath = g.groups[i].path
			break
		}
	}
	bd := &boundary{inOf: map[pillKey]int32{}, outOf: map[pillKey]int32{}}
	type out struct {
		key  pillKey
		edge int32
	}
	var outs []out
	graphOut := map[pillKey]bool{} // values the graph outputs keep their names
	for i := range g.edges {
		e := &g.edges[i]
		if e.order {
			continue
		}
		key := pillKey{e.from, e.value}
		// A subgraph body's own input and output boxes already draw its
		// border where the owner feeds them and they feed the owner.
		switch fi, ti := inside(e.from), inside(e.to); {
		case !fi && ti && g.boxes[e.to].kind != "input":
			if _, ok := bd.inOf[key]; !ok {
				bd.inOf[key] = int32(len(bd.ins))
				label := e.value
				if g.boxes[e.from].kind != "input" {
					label = g.pillLabel(e.from, e.value, scopePath)
				}
				bd.ins = append(bd.ins, pill{label: label, name: e.value, graph: g.boxes[e.to].graph})
			}
		case fi && !ti && g.boxes[e.from].kind != "output":
			if g.boxes[e.to].kind == "output" {
				graphOut[key] = true
			}
			if _, ok := bd.outOf[key]; !ok {
				bd.outOf[key] = -1
				outs = append(outs, out{key, int32(i)})
			}
		}
	}
	sort.SliceStable(outs, func(a, b int) bool { return outs[a].key.box < outs[b].key.box })
	for _, o := range outs {
		bd.outOf[o.key] = int32(len(bd.outs))
		label := o.key.value
		if !graphOut[o.key] {
			label = g.pillLabel(o.key.box, o.key.value, scopePath)
		}
		bd.outs = append(bd.outs, pill{label: label, name: o.key.value, graph: g.boxes[o.key.box].graph})
	}
	// IDs as graph inputs and outputs have them, under their own prefix
	// (reserved in uniqueIDs, so no op takes one).
	seen, next := map[string]bool{}, map[string]int{}
	for k := range bd.ins {
		bd.ins[k].id = uniqueIn(seen, next, ioID("scope-in:", bd.ins[k].graph, bd.ins[k].name))
	}
	for k := range bd.outs {
		bd.outs[k].id = uniqueIn(seen, next, ioID("scope-out:", bd.outs[k].graph, bd.outs[k].name))
	}
	return bd
}

// pillLabel names a value at the scope's border by where it is made: the
// producer's module relative to the scope ("features.3" beside
// features.4, "block.3.0" inside it) and the last part of the tensor name
// without "_output_0" ("features.3 · Add"). Tensor names carry the whole
// module path and are often the widest thing in the figure.
func (g *Graph) pillLabel(from int32, value string, scope []string) string {
	tail := value
	if i := strings.LastIndexByte(tail, '/'); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
	}
	if t := strings.TrimSuffix(tail, "_output_0"); t != "" {
		tail = t
	}
	if tail == "" {
		tail = g.boxes[from].label // an unnamed value: its op
	}
	var path []string
	if mi := g.boxes[from].mod; mi >= 0 && int(mi) < len(g.mods) {
		path = g.mods[mi]
	}
	if len(path) == 0 {
		return tail
	}
	k := 0
	for k < len(path) && k < len(scope) && path[k] == scope[k] {
		k++
	}
	if k == len(path) {
		k-- // made in the scope itself or an ancestor: that module's name
	}
	return torchName(path[k:]) + " · " + tail
}

// uniqueIn returns id, or id#2, id#3... when seen has it; next keeps
// the suffix to try per id, so many equal names cost no quadratic scan.
func uniqueIn(seen map[string]bool, next map[string]int, id string) string {
	c := id
	for k := max(next[id], 2); seen[c]; k++ {
		c = id + "#" + strconv.Itoa(k)
		next[id] = k + 1
	}
	seen[c] = true
	return c
}

// inNode and outNode are the layout node of e's pill, or -1.
func (bd *boundary) inNode(e *gedge) int32 {
	if k, ok := bd.inOf[pillKey{e.from, e.value}]; ok && !e.order {
		return bd.ins[k].node
	}
	return -1
}

func (bd *boundary) outNode(e *gedge) int32 {
	if k, ok := bd.outOf[pillKey{e.from, e.value}]; ok && !e.order {
		return bd.outs[k].node
	}
	return -1
}

func (p *pill) layoutNode() layout.Node {
	w := math.Ceil(max(MinBoxWidth, TextWidth(clip(p.label), FontSize, true)+2*PadX))
	return layout.Node{W: w, H: HeaderHeight, Group: -1, Key: p.id}
}

// box is pill k (outputs after inputs) drawn at r.
func (bd *boundary) box(k int32, r layout.Rect) Box {
	kind, p := "input", &pill{}
	if int(k) < len(bd.ins) {
		p = &bd.ins[k]
	} else {
		kind, p = "output", &bd.outs[int(k)-len(bd.ins)]
	}
	return Box{ID: p.id, Label: clip(p.label), Kind: kind, Category: opmeta.IO, Name: p.name,
		X: r.X, Y: r.Y, W: r.W, H: r.H, Graph: p.graph, Node: -1}
}
