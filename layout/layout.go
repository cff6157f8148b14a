package layout

import (
	"encoding/binary"
	"math"
	"slices"
)

// Layout lays out the graph. Groups are laid out inside-out: each
// expanded group is a flat layered drawing of its direct members (nodes,
// child groups drawn as boxes, and ports where edges cross its border),
// and is then a box in its parent's drawing. Edges crossing group borders
// are routed piecewise through the ports. Hostile input (cycles, self
// loops, duplicate edges, bad indices, NaN sizes, cyclic group parents)
// is tolerated: bad edges get no route, bad group references mean root.
//
// Levels with identical content (the repeated blocks of a network) are
// laid out once per call.
func Layout(in *Input) *Output { return run(in, NewCache()) }

// Cache keeps the drawings of groups between calls, so that expanding or
// collapsing one group re-lays out only the groups on the path from it to
// the root: a group whose members, sizes, internal edges and border
// crossings are unchanged reuses its drawing. Groups are matched by
// content, so Node.Key and Group.Key are not needed for reuse.
//
// A Cache must be used by one goroutine at a time.
type Cache struct {
	entries map[string]*cacheEntry
	gen     uint64
	buf     []byte
	misses  int // levels laid out, for tests
}

type cacheEntry struct {
	p    *placed
	used uint64
}

// cacheKeep is how many calls an unused drawing stays cached, so that
// toggling a group back and forth hits.
const cacheKeep = 4

// NewCache returns an empty cache.
func NewCache() *Cache { return &Cache{entries: make(map[string]*cacheEntry)} }

// Layout is Layout(in), reusing unchanged group drawings from earlier calls.
func (c *Cache) Layout(in *Input) *Output {
	c.gen++
	out := run(in, c)
	for k, e := range c.entries {
		if c.gen-e.used >= cacheKeep {
			delete(c.entries, k)
		}
	}
	return out
}

func (c *Cache) lookup(lv *level) *placed {
	b := c.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, uint32(len(lv.w)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(lv.from)))
	f := func(x float64) { b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x)) }
	for i := range lv.w {
		b = append(b, byte(lv.kind[i]))
		f(lv.w[i])
		f(lv.h[i])
		f(lv.extra[i])
	}
	for e := range lv.from {
		b = binary.LittleEndian.AppendUint32(b, uint32(lv.from[e]))
		b = binary.LittleEndian.AppendUint32(b, uint32(lv.to[e]))
		f(lv.srcOff[e])
		f(lv.dstOff[e])
		f(lv.labW[e])
		f(lv.labH[e])
	}
	c.buf = b
	if e, ok := c.entries[string(b)]; ok {
		e.used = c.gen
		return e.p
	}
	c.misses++
	p := layoutLevel(lv)
	c.entries[string(b)] = &cacheEntry{p: p, used: c.gen}
	return p
}

// maxGroupDepth bounds nesting; deeper groups are hung from the root so
// that hostile chains of groups cannot make edge walks quadratic.
const maxGroupDepth = 64

// maxSize caps box and label sizes.
const maxSize = 1e6

func size(x float64) float64 {
	if !(x > 0) {
		return 0
	}
	return min(x, maxSize)
}

type port struct {
	out   bool
	level int32 // level index (group+1)
	item  int32 // item index within the level
	inner int32 // port of the child group this one continues, or -1
	piece int32 // sub-edge inside the level
	x     float64
}

type portKey struct {
	group, node int32
	out         bool
}

// sub is an edge of one level.
type sub struct {
	level            int32
	from, to         int32 // items
	fromPort, toPort int32 // port of the child group at that end, or -1
	labW, labH       float64
}

func run(in *Input, c *Cache) *Output {
	nN, nG, nE := int32(len(in.Nodes)), int32(len(in.Groups)), int32(len(in.Edges))
	lr := in.Dir == LeftToRight
	out := &Output{
		Nodes:  make([]Rect, nN),
		Groups: make([]Rect, nG),
		Edges:  make([]Route, nE),
		Titles: make([]Point, nG),
	}

	// Group tree, with cycles cut and depth bounded.
	parent := make([]int32, nG)
	depth := make([]int32, nG)
	for g := int32(0); g < nG; g++ {
		p := in.Groups[g].Parent
		if p < 0 || p >= nG || p == g {
			p = -1
		}
		parent[g] = p
		depth[g] = -1
	}
	onPath := make([]bool, nG)
	var path []int32
	for g0 := int32(0); g0 < nG; g0++ {
		path = path[:0]
		v := g0
		for v >= 0 && depth[v] < 0 && !onPath[v] {
			onPath[v] = true
			path = append(path, v)
			v = parent[v]
		}
		if v >= 0 && onPath[v] {
			parent[path[len(path)-1]] = -1
		}
		for i := len(path) - 1; i >= 0; i-- {
			w := path[i]
			onPath[w] = false
			if parent[w] < 0 {
				depth[w] = 0
				continue
			}
			depth[w] = depth[parent[w]] + 1
			if depth[w] > maxGroupDepth {
				parent[w], depth[w] = -1, 0
			}
		}
	}
	nodeGroup := make([]int32, nN)
	for i := int32(0); i < nN; i++ {
		g := in.Nodes[i].Group
		if g < 0 || g >= nG {
			g = -1
		}
		nodeGroup[i] = g
	}

	// Items of each level: its nodes, then its child groups, then ports.
	nL := nG + 1
	nItems := make([]int32, nL)
	itemOfNode := make([]int32, nN)
	itemOfGroup := make([]int32, nG)
	for i := int32(0); i < nN; i++ {
		l := nodeGroup[i] + 1
		itemOfNode[i] = nItems[l]
		nItems[l]++
	}
	for g := int32(0); g < nG; g++ {
		l := parent[g] + 1
		itemOfGroup[g] = nItems[l]
		nItems[l]++
	}
	// Per item: node index, -(group+1), or -(nG+1+port).
	nodeOfItem := make([][]int32, nL)
	for l := range nodeOfItem {
		nodeOfItem[l] = make([]int32, 0, nItems[l])
	}
	for i := int32(0); i < nN; i++ {
		l := nodeGroup[i] + 1
		nodeOfItem[l] = append(nodeOfItem[l], i)
	}
	for g := int32(0); g < nG; g++ {
		l := parent[g] + 1
		nodeOfItem[l] = append(nodeOfItem[l], -(g + 1))
	}

	// Edges become sub-edges of levels, plus ports.
	var ports []port
	portOf := make(map[portKey]int32)
	subs := make([]sub, 0, nE)
	edgeSub := make([]int32, nE)
	getPort := func(g, node int32, isOut bool, inner int32, innerItem int32) int32 {
		k := portKey{g, node, isOut}
		if p, ok := portOf[k]; ok {
			return p
		}
		p := int32(len(ports))
		portOf[k] = p
		l := g + 1
		item := nItems[l]
		nItems[l]++
		nodeOfItem[l] = append(nodeOfItem[l], -nG-1-int32(len(ports)))
		s := sub{level: l, fromPort: -1, toPort: -1}
		if isOut {
			s.from, s.fromPort, s.to = innerItem, inner, item
		} else {
			s.from, s.to, s.toPort = item, innerItem, inner
		}
		ports = append(ports, port{out: isOut, level: l, item: item, inner: inner, piece: int32(len(subs))})
		subs = append(subs, s)
		return p
	}
	gdepth := func(g int32) int32 {
		if g < 0 {
			return -1
		}
		return depth[g]
	}
	for e := int32(0); e < nE; e++ {
		edgeSub[e] = -1
		ed := &in.Edges[e]
		a, b := ed.From, ed.To
		if a < 0 || a >= nN || b < 0 || b >= nN {
			continue
		}
		lw, lh := size(ed.LabelW), size(ed.LabelH)
		if lr {
			lw, lh = lh, lw
		}
		x, y := nodeGroup[a], nodeGroup[b]
		for gdepth(x) > gdepth(y) {
			x = parent[x]
		}
		for gdepth(y) > gdepth(x) {
			y = parent[y]
		}
		for x != y {
			x, y = parent[x], parent[y]
		}
		lca := x
		// Climb from a to the LCA, one out-port per group left.
		fromItem, fromPort := itemOfNode[a], int32(-1)
		for g := nodeGroup[a]; g != lca; g = parent[g] {
			fromPort = getPort(g, a, true, fromPort, fromItem)
			fromItem = itemOfGroup[g]
		}
		toItem, toPort := itemOfNode[b], int32(-1)
		for g := nodeGroup[b]; g != lca; g = parent[g] {
			toPort = getPort(g, b, false, toPort, toItem)
			toItem = itemOfGroup[g]
		}
		edgeSub[e] = int32(len(subs))
		subs = append(subs, sub{level: lca + 1, from: fromItem, to: toItem,
			fromPort: fromPort, toPort: toPort, labW: lw, labH: lh})
	}
	// Sub-edges by level, in creation order.
	subStart := make([]int32, nL+1)
	for i := range subs {
		subStart[subs[i].level+1]++
	}
	for l := int32(0); l < nL; l++ {
		subStart[l+1] += subStart[l]
	}
	subAt := make([]int32, len(subs)) // position of each sub within its level
	bySub := make([]int32, len(subs))
	fill := slices.Clone(subStart[:nL])
	for i := range subs {
		l := subs[i].level
		subAt[i] = fill[l] - subStart[l]
		bySub[fill[l]] = int32(i)
		fill[l]++
	}

	// Padding in top-to-bottom coordinates; in LR the title's room is on
	// the left before the final transpose puts it on top.
	pads := make([]pad, nG)
	for g := int32(0); g < nG; g++ {
		lw, lh := size(in.Groups[g].LabelW), size(in.Groups[g].LabelH)
		p := pad{t: groupPad, b: groupPad, l: groupPad, r: groupPad}
		if lr {
			p.l += lh
			p.minW = p.l + p.r
			p.minH = lw + 2*groupPad
		} else {
			p.t += lh
			p.minW = lw + 2*groupPad
			p.minH = p.t + p.b
		}
		pads[g] = p
	}

	// Lay out levels inside-out.
	order := make([]int32, nG)
	for g := range order {
		order[g] = int32(g)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return int(depth[b] - depth[a]) })
	order = append(order, -1)
	gw := make([]float64, nG)
	gh := make([]float64, nG)
	placedOf := make([]*placed, nL)
	var loopsOf []int32
	var loopLab []float64
	var inX []float64
	titleX := make([]float64, nG) // title's offset from the group's left
	for _, g := range order {
		l := g + 1
		ni := nItems[l]
		lv := &level{
			w: make([]float64, ni), h: make([]float64, ni),
			kind: make([]itemKind, ni), extra: make([]float64, ni),
		}
		for it, ref := range nodeOfItem[l] {
			switch {
			case ref >= 0:
				w, h := size(in.Nodes[ref].W), size(in.Nodes[ref].H)
				if lr {
					w, h = h, w
				}
				lv.w[it], lv.h[it] = w, h
			case ref >= -nG:
				cg := -ref - 1
				lv.w[it], lv.h[it] = gw[cg], gh[cg]
			default:
				if ports[-ref-nG-1].out {
					lv.kind[it] = kindOut
				} else {
					lv.kind[it] = kindIn
				}
			}
		}
		ss := bySub[subStart[l]:subStart[l+1]]
		m := len(ss)
		lv.from, lv.to = make([]int32, m), make([]int32, m)
		lv.srcOff, lv.dstOff = make([]float64, m), make([]float64, m)
		lv.labW, lv.labH = make([]float64, m), make([]float64, m)
		loopsOf = append(loopsOf[:0], make([]int32, ni)...)
		loopLab = append(loopLab[:0], make([]float64, ni)...)
		for j, si := range ss {
			s := &subs[si]
			lv.from[j], lv.to[j] = s.from, s.to
			lv.srcOff[j], lv.dstOff[j] = -1, -1
			if s.fromPort >= 0 {
				lv.srcOff[j] = ports[s.fromPort].x
			}
			if s.toPort >= 0 {
				lv.dstOff[j] = ports[s.toPort].x
			}
			lv.labW[j], lv.labH[j] = s.labW, s.labH
			if s.from == s.to {
				loopsOf[s.from]++
				if s.labW > 0 || s.labH > 0 {
					loopLab[s.from] = max(loopLab[s.from], s.labW+labelGap)
				}
			}
		}
		for it := range lv.extra {
			if loopsOf[it] > 0 {
				lv.extra[it] = loopW*float64(min(loopsOf[it], 4)) + loopLab[it]
			}
		}
		var p *placed
		if c != nil {
			p = c.lookup(lv)
		} else {
			p = layoutLevel(lv)
		}
		placedOf[l] = p
		if g < 0 {
			continue
		}
		pd := pads[g]
		gw[g] = max(p.w+pd.l+pd.r, pd.minW)
		gh[g] = max(p.h+pd.t+pd.b, pd.minH)
		inX = inX[:0]
		for it, ref := range nodeOfItem[l] {
			if ref < -nG {
				ports[-ref-nG-1].x = pd.l + p.x[it]
				if lv.kind[it] == kindIn {
					inX = append(inX, pd.l+p.x[it])
				}
			}
		}
		if !lr {
			// Edges enter through the top band at the in-ports' x: the
			// title goes where none passes, widening the group if needed.
			titleX[g] = titleSlot(inX, size(in.Groups[g].LabelW))
			gw[g] = max(gw[g], titleX[g]+size(in.Groups[g].LabelW))
		}
	}
	return assemble(in, out, lr, nodeGroup, parent, depth, itemOfNode, itemOfGroup,
		pads, gw, gh, titleX, placedOf, ports, subs, subAt, edgeSub)
}

// titleClear is the room kept between a title and an edge passing it.
const titleClear = 4.0

// titleSlot is the leftmost offset t >= 0 from the group's left border
// where a title w wide keeps titleClear from every x in xs.
func titleSlot(xs []float64, w float64) float64 {
	slices.Sort(xs)
	t := 0.0
	for _, x := range xs {
		if x >= t+w+titleClear {
			break
		}
		if x > t-titleClear {
			t = x + titleClear
		}
	}
	return t
}

type pad struct{ t, b, l, r, minW, minH float64 }

// assemble converts level drawings to absolute coordinates and joins the
// pieces of each edge.
func assemble(in *Input, out *Output, lr bool, nodeGroup, parent, depth, itemOfNode, itemOfGroup []int32,
	pads []pad, gw, gh, titleX []float64, placedOf []*placed, ports []port, subs []sub, subAt, edgeSub []int32) *Output {
	nG := int32(len(parent))
	ox := make([]float64, nG+1)
	oy := make([]float64, nG+1)
	byDepth := make([]int32, nG)
	for g := range byDepth {
		byDepth[g] = int32(g)
	}
	slices.SortStableFunc(byDepth, func(a, b int32) int { return int(depth[a] - depth[b]) })
	for _, g := range byDepth {
		pl := parent[g] + 1
		it := itemOfGroup[g]
		x := ox[pl] + placedOf[pl].x[it]
		y := oy[pl] + placedOf[pl].y[it]
		out.Groups[g] = Rect{x, y, gw[g], gh[g]}
		out.Titles[g] = Point{x + titleX[g], y}
		ox[g+1] = x + pads[g].l
		oy[g+1] = y + pads[g].t
	}
	for i := range in.Nodes {
		l := nodeGroup[i] + 1
		w, h := size(in.Nodes[i].W), size(in.Nodes[i].H)
		if lr {
			w, h = h, w
		}
		it := itemOfNode[i]
		out.Nodes[i] = Rect{ox[l] + placedOf[l].x[it], oy[l] + placedOf[l].y[it], w, h}
	}
	var chain []int32
	for e := range in.Edges {
		si := edgeSub[e]
		if si < 0 {
			continue
		}
		s := &subs[si]
		chain = chain[:0]
		for p := s.fromPort; p >= 0; p = ports[p].inner {
			chain = append(chain, p)
		}
		slices.Reverse(chain)
		n := len(placedOf[s.level].routes[subAt[si]])
		for _, p := range chain {
			n += len(placedOf[ports[p].level].routes[subAt[ports[p].piece]])
		}
		for p := s.toPort; p >= 0; p = ports[p].inner {
			n += len(placedOf[ports[p].level].routes[subAt[ports[p].piece]])
		}
		pts := make([]Point, 0, n)
		add := func(l, j int32) {
			for _, q := range placedOf[l].routes[j] {
				pts = append(pts, Point{q.X + ox[l], q.Y + oy[l]})
			}
		}
		for _, p := range chain {
			add(ports[p].level, subAt[ports[p].piece])
		}
		add(s.level, subAt[si])
		for p := s.toPort; p >= 0; p = ports[p].inner {
			add(ports[p].level, subAt[ports[p].piece])
		}
		if len(chain) > 0 || s.toPort >= 0 {
			pts = simplify(pts)
		}
		r := Route{Points: pts}
		if s.labW > 0 || s.labH > 0 {
			q := placedOf[s.level].labels[subAt[si]]
			r.Label = Point{q.X + ox[s.level], q.Y + oy[s.level]}
		}
		out.Edges[e] = r
	}
	out.Width, out.Height = placedOf[0].w, placedOf[0].h
	if lr {
		out.Width, out.Height = out.Height, out.Width
		for i := range out.Nodes {
			r := &out.Nodes[i]
			*r = Rect{r.Y, r.X, r.H, r.W}
		}
		for i := range out.Groups {
			r := &out.Groups[i]
			*r = Rect{r.Y, r.X, r.H, r.W}
			t := &out.Titles[i]
			*t = Point{t.Y, t.X}
		}
		for i := range out.Edges {
			r := &out.Edges[i]
			for j := range r.Points {
				r.Points[j] = Point{r.Points[j].Y, r.Points[j].X}
			}
			r.Label = Point{r.Label.Y, r.Label.X}
		}
	}
	return out
}
