package server

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/modelviz/modelviz/analysis"
	"github.com/modelviz/modelviz/model"
)

// entry is one model the server shows. The model and analysis are
// read-only; mu guards the layout cache and the memo tables.
type entry struct {
	id, name string
	m        *model.Model
	err      error
	info     *analysis.Info

	mu        sync.Mutex
	statCache map[string]Stats // by graph+name; small, filled on demand
	lay       *layouter        // built on first use

	memo      map[string][]byte // encoded recent view answers, by request key
	memoBytes int
}

func newEntry(m *model.Model, name string) *entry {
	return &entry{name: name, m: m, info: analysis.Analyze(m, analysis.Options{}), statCache: map[string]Stats{}}
}

func (e *entry) totals() analysis.Cost { return e.info.Total() }

func (e *entry) stats1(key string) (Stats, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.statCache[key]
	return st, ok
}

// stats summarises raw once per tensor.
func (e *entry) stats(key string, raw []byte, dec decoder) Stats {
	if st, ok := e.stats1(key); ok {
		return st
	}
	st := computeStats(raw, dec)
	e.mu.Lock()
	if len(e.statCache) > 1000 {
		clear(e.statCache)
	}
	e.statCache[key] = st
	e.mu.Unlock()
	return st
}

// Graph paths name a subgraph the way view.Box.Graph does: "" is the main
// graph, else "node/attr" steps (node index in the enclosing graph, then the
// attribute name, with "/k" for the k-th graph of a GRAPHS attribute)
// joined by "|"). A function body called by node N is "N/@function"; an
// uncalled function is "fn:INDEX".

// graph resolves a graph path.
func (e *entry) graph(path string) (*model.Graph, error) {
	if len(e.m.Graphs) == 0 {
		return nil, fmt.Errorf("model has no graph")
	}
	g := e.m.Graphs[0]
	if path == "" {
		return g, nil
	}
	steps := strings.Split(path, "|")
	if rest, ok := strings.CutPrefix(steps[0], "fn:"); ok {
		k, err := strconv.Atoi(rest)
		if err != nil || k < 0 || k >= len(e.m.Functions) || e.m.Functions[k].Body == nil {
			return nil, fmt.Errorf("no function %q", steps[0])
		}
		g = e.m.Functions[k].Body
		steps = steps[1:]
	}
	for _, st := range steps {
		parts := strings.Split(st, "/")
		if len(parts) < 2 || len(parts) > 3 {
			return nil, fmt.Errorf("bad graph path %q", path)
		}
		ni, err := strconv.Atoi(parts[0])
		if err != nil || ni < 0 || ni >= len(g.Nodes) {
			return nil, fmt.Errorf("bad graph path %q", path)
		}
		k := 0
		if len(parts) == 3 {
			if k, err = strconv.Atoi(parts[2]); err != nil {
				return nil, fmt.Errorf("bad graph path %q", path)
			}
		}
		var next *model.Graph
		seen := 0
		if fn := g.Nodes[ni].Function; parts[1] == "@function" && fn != nil {
			next = fn.Body
		}
		for _, sg := range g.Nodes[ni].Subgraphs() {
			if sg.Attribute == parts[1] {
				if seen == k {
					next = sg.Graph
					break
				}
				seen++
			}
		}
		if next == nil {
			return nil, fmt.Errorf("no subgraph %q", path)
		}
		g = next
	}
	return g, nil
}

// walk visits every graph (main, subgraphs, function bodies) with its path,
// depth first, main graph first.
func (e *entry) walk(f func(path string, g *model.Graph)) {
	// A function body is visited once, through its first call, under the
	// path the drawn graph gives it.
	seenFn := map[*model.Function]bool{}
	var rec func(path string, g *model.Graph, depth int)
	rec = func(path string, g *model.Graph, depth int) {
		if g == nil || depth > 64 {
			return
		}
		f(path, g)
		for _, n := range g.Nodes {
			counts := map[string]int{}
			for _, sg := range n.Subgraphs() {
				step := strconv.Itoa(int(n.ID)) + "/" + sg.Attribute
				if a := n.Attr(sg.Attribute); a != nil && a.Kind == model.AttrGraphs {
					step += "/" + strconv.Itoa(counts[sg.Attribute])
				}
				counts[sg.Attribute]++
				p := step
				if path != "" {
					p = path + "|" + step
				}
				rec(p, sg.Graph, depth+1)
			}
			if n.Function != nil && n.Function.Body != nil && !seenFn[n.Function] {
				seenFn[n.Function] = true
				p := strconv.Itoa(int(n.ID)) + "/@function"
				if path != "" {
					p = path + "|" + p
				}
				rec(p, n.Function.Body, depth+1)
			}
		}
	}
	if len(e.m.Graphs) > 0 {
		rec("", e.m.Graphs[0], 0)
	}
}

// graphTitle names each step of a graph path for people: "If /If_0 ›
// then_branch".
func (e *entry) graphTitle(path string) []string {
	if path == "" {
		return nil
	}
	steps := strings.Split(path, "|")
	var out []string
	for i, st := range steps {
		parts := strings.Split(st, "/")
		g, err := e.graph(strings.Join(steps[:i], "|"))
		if err != nil || len(parts) < 2 {
			return append(out, st)
		}
		k, err := strconv.Atoi(parts[0])
		if err != nil || k < 0 || k >= len(g.Nodes) {
			return append(out, st)
		}
		n := g.Nodes[k]
		name := n.Name
		if name == "" {
			name = "#" + parts[0]
		}
		attr := parts[1]
		if attr == "@function" && n.Function != nil {
			attr = "function " + n.Function.Name
		}
		out = append(out, n.Op+" "+name+" › "+attr)
	}
	return out
}
