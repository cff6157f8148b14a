package server

import (
	"strconv"
	"strings"

	"github.com/modelviz/modelviz/layout"
	"github.com/modelviz/modelviz/model"
	"github.com/modelviz/modelviz/view"
)

// layouter is one model's drawn graph plus the layout cache that makes
// expanding a group re-lay out only the groups that changed.
type layouter struct {
	g      *view.Graph
	cache  *layout.Cache
	groups map[string]bool
}

// layouterLocked builds the drawn graph on first use; e.mu must be held.
func (e *entry) layouterLocked() *layouter {
	if e.lay == nil {
		g := view.Build(e.m, e.info)
		l := &layouter{g: g, cache: layout.NewCache(), groups: map[string]bool{}}
		for _, gi := range g.Groups() {
			l.groups[gi.ID] = true
		}
		e.lay = l
	}
	return e.lay
}

// options turns a request into view options.
func (l *layouter) options(e *entry, vr viewRequest) view.Options {
	opt := view.DefaultOptions(l.g)
	opt.Cache = l.cache
	opt.Dir = vr.Dir
	switch {
	case vr.All:
		opt.Depth = -1
	case vr.Initial && len(vr.Reveal) == 0:
		// the default depth
	default:
		exp := make([]string, 0, len(vr.Expanded)+8)
		for _, id := range vr.Expanded {
			if l.groups[id] {
				exp = append(exp, id)
			}
		}
		for _, r := range vr.Reveal {
			exp = append(exp, l.enclosing(e, r.Graph, r.Node)...)
		}
		opt.Expanded = exp
	}
	return opt
}

// scene lays out the view a request asks for.
func (e *entry) scene(vr viewRequest) (*view.Scene, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	l := e.layouterLocked()
	return l.g.Layout(l.options(e, vr))
}

// enclosing lists the groups that must be expanded for a model node to
// be drawn as its own box: the module groups of its path and, for a node
// inside a subgraph, the subgraph groups and their owners' groups.
func (l *layouter) enclosing(e *entry, gp string, node int32) []string {
	var out []string
	add := func(id string) {
		if l.groups[id] {
			out = append(out, id)
		}
	}
	modules := func(n *model.Node) {
		for i := range n.Group {
			add("g:" + strings.Join(n.Group[:i+1], "/"))
		}
	}
	if gp == "" {
		g, err := e.graph("")
		if err == nil && node >= 0 && int(node) < len(g.Nodes) {
			modules(g.Nodes[node])
		}
		return out
	}
	steps := strings.Split(gp, "|")
	for i := range steps {
		prefix := strings.Join(steps[:i+1], "|")
		add("sg:" + prefix)
		if i == 0 {
			// The owner of the outermost subgraph sits in the main graph's modules.
			if k, err := strconv.Atoi(strings.SplitN(steps[0], "/", 2)[0]); err == nil {
				if g, err := e.graph(""); err == nil && k >= 0 && k < len(g.Nodes) {
					modules(g.Nodes[k])
				}
			}
		}
	}
	return out
}
